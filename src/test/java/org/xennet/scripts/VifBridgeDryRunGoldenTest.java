// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * --dry-run of vif-bridge as libxl calls it (env vif and XENBUS_PATH, type_if), with the guest's
 * keys in XenStore: the plan as commands, hotplug-status included, and nothing changed. A bridge
 * xenbr0 (up, MTU 1500) and the backend interface vif5.0 (down, the MAC netback gives it).
 */
@Tag("cli")
class VifBridgeDryRunGoldenTest extends DryRunGolden {
    static final String BE = "backend/vif/5/0";

    @BeforeEach
    void guest() {
        net.links().addBridge("xenbr0", false, 0);
        net.links().setUp("xenbr0", true);
        net.nic("vif5.0", "fe:ff:ff:ff:ff:fe", 1500);
        xs.put(BE + "/bridge", "xenbr0").put(BE + "/mac", "00:16:3e:00:05:00").put(BE + "/hotplug-status", "");
        env.put("vif", "vif5.0");
        env.put("XENBUS_PATH", BE);
    }

    @Test
    void onlineWithAnAddress() {
        xs.put(BE + "/ip", "192.0.2.55");
        assertEquals(lines(
                "ip link set dev vif5.0 address fe:ff:ff:ff:ff:ff   # errors ignored",
                "ip link set dev vif5.0 master xenbr0",
                "sysctl -w net.ipv6.conf.vif5.0.disable_ipv6=1   # errors ignored",
                "ip link set dev vif5.0 up",
                "xenstore-write /local/domain/5/device/vif/0/mtu 1500",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.55 -j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -p udp --sport 68 --dport 67 "
                        + "-j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    /** An interface that is up is taken down for its MAC, then brought up again. */
    @Test
    void onlineOfAnInterfaceThatIsUp() {
        net.links().setUp("vif5.0", true);
        env.put("XENNET_VIF_IPTABLES", "no");
        assertEquals(lines(
                "ip link set dev vif5.0 down",
                "ip link set dev vif5.0 address fe:ff:ff:ff:ff:ff   # errors ignored",
                "ip link set dev vif5.0 master xenbr0",
                "sysctl -w net.ipv6.conf.vif5.0.disable_ipv6=1   # errors ignored",
                "ip link set dev vif5.0 up",
                "xenstore-write /local/domain/5/device/vif/0/mtu 1500",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    /** The mtu and vifname keys: renamed first (refused if taken), the MTU on the vif and for the frontend. */
    @Test
    void onlineWithMtuAndVifname() {
        xs.put(BE + "/mtu", "9000").put(BE + "/vifname", "web0");
        assertEquals(lines(
                "ip link set dev vif5.0 down",
                "ip link set dev vif5.0 name web0",
                "ip link set dev web0 address fe:ff:ff:ff:ff:ff   # errors ignored",
                "ip link set dev web0 mtu 9000",
                "ip link set dev web0 master xenbr0",
                "sysctl -w net.ipv6.conf.web0.disable_ipv6=1   # errors ignored",
                "ip link set dev web0 up",
                "xenstore-write /local/domain/5/device/vif/0/mtu 9000",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in web0 -j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-out web0 -j ACCEPT",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    /** A dry run fails as the real call would, and writes no hotplug-error. */
    @Test
    void aRefusedOnlineFailsWithoutWritingToXenStore() {
        net.nic("web0", "00:16:3e:00:00:99", 1500);
        xs.put(BE + "/vifname", "web0");
        String out = dryRun(1, "vif-bridge", "online", "type_if=vif");
        assertEquals(true, out.contains("Cannot rename interface vif5.0. An interface with name web0 already exists."),
                out);
    }

    /** A second online has nothing left to do but to say connected again. */
    @Test
    void aSecondOnline() {
        xs.put(BE + "/ip", "192.0.2.55").put(BE + "/mtu", "9000").put(BE + "/vifname", "web0");
        run("vif-bridge", "online", "type_if=vif");
        xs.put(BE + "/vifname", "");
        env.put("vif", "web0");
        assertEquals(lines("xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    @Test
    void offlineAfterOnline() {
        xs.put(BE + "/ip", "192.0.2.55 192.0.2.56");
        run("vif-bridge", "online", "type_if=vif");
        assertEquals(lines(
                "ip link set dev vif5.0 down   # errors ignored",
                "ip link set dev vif5.0 nomaster   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.55 -j ACCEPT"
                        + "   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.56 -j ACCEPT"
                        + "   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -p udp --sport 68 --dport 67 "
                        + "-j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT   # errors ignored"),
                dryRun("vif-bridge", "offline", "type_if=vif"));
    }

    /** offline finds the vif under its vifname. */
    @Test
    void offlineOfARenamedVif() {
        xs.put(BE + "/vifname", "web0");
        run("vif-bridge", "online", "type_if=vif");
        assertEquals(lines(
                "ip link set dev web0 down   # errors ignored",
                "ip link set dev web0 nomaster   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in web0 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-out web0 -j ACCEPT   # errors ignored"),
                dryRun("vif-bridge", "offline", "type_if=vif"));
    }

    /** Nothing left: the vif is gone and its rules with it. */
    @Test
    void offlineWhenAllIsGone() {
        net.links().delete("vif5.0");
        assertEquals("", dryRun("vif-bridge", "offline", "type_if=vif"));
    }

    /** The emulated NIC (type_if=tap, udev's add/remove): no frontend MTU, no hotplug-status. */
    @Test
    void addAndRemoveOfAnEmulatedNic() {
        net.nic("vif5.0-emu", "fe:ff:ff:ff:ff:fe", 1500);
        env.put("INTERFACE", "vif5.0-emu");
        assertEquals(lines(
                "ip link set dev vif5.0-emu address fe:ff:ff:ff:ff:ff   # errors ignored",
                "ip link set dev vif5.0-emu master xenbr0",
                "sysctl -w net.ipv6.conf.vif5.0-emu.disable_ipv6=1   # errors ignored",
                "ip link set dev vif5.0-emu up",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0-emu -j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0-emu -j ACCEPT"),
                dryRun("vif-bridge", "add", "type_if=tap"));
        run("vif-bridge", "add", "type_if=tap");
        assertEquals(lines(
                "ip link set dev vif5.0-emu down   # errors ignored",
                "ip link set dev vif5.0-emu nomaster   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0-emu -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0-emu -j ACCEPT"
                        + "   # errors ignored"),
                dryRun("vif-bridge", "remove", "type_if=tap"));
    }

    /** online/offline with type_if=tap and add/remove with type_if=vif do nothing, as in Xen. */
    @Test
    void theOtherPairingsPlanNothing() {
        assertEquals("", dryRun("vif-bridge", "online", "type_if=tap"));
        assertEquals("", dryRun("vif-bridge", "add", "type_if=vif"));
    }

    /** A hook is shown as the command that runs it, with the variables it gets. */
    @Test
    void hooksAreShownWithTheirEnvironment() throws Exception {
        Path dir = root("etc/xen/scripts/vif-post.d");
        Files.createDirectories(dir);
        Path hook = dir.resolve("10-log.hook");
        Files.writeString(hook, "#!/bin/sh\necho \"$command $dev\" >> " + tmp.resolve("hook.log") + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        xs.put(BE + "/ip", "192.0.2.55 192.0.2.56");
        env.put("XENNET_VIF_IPTABLES", "no");
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertEquals(lines(
                "env command=online dev=vif5.0 vif=vif5.0 XENBUS_PATH=" + BE + " type_if=vif bridge=xenbr0 "
                        + "ip='192.0.2.55 192.0.2.56' mac=00:16:3e:00:05:00 script=vif-bridge " + hook,
                "xenstore-write " + BE + "/hotplug-status connected"),
                plan.substring(plan.indexOf("env ")));
    }
}
