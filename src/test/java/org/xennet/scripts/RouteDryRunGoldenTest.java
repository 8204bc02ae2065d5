// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.lock.HotplugLock;
import org.xennet.model.IpPrefix;
import org.xennet.net.Sysctls;

/**
 * --dry-run of network-route and vif-route: the plan as commands, and nothing changed. A stop is
 * planned after a real start, from the state record it wrote; a guest's vif5.0 after
 * network-route start, as on a routed host.
 */
@Tag("cli")
class RouteDryRunGoldenTest extends DryRunGolden {
    static final String BE = "backend/vif/5/0";

    private void guest() {
        net.nic("vif5.0", "fe:ff:ff:ff:ff:ff", 1500);
        xs.put(BE + "/ip", "192.0.2.60").put(BE + "/mac", "00:16:3e:00:05:00").put(BE + "/hotplug-status", "");
        env.put("vif", "vif5.0");
        env.put("XENBUS_PATH", BE);
    }

    @Test
    void networkRouteStart() {
        assertEquals(lines(
                "sysctl -w net.ipv4.ip_forward=1",
                "sysctl -w net.ipv4.conf.eth0.proxy_arp=1",
                "iptables -P FORWARD DROP",
                "write state record " + state("network-route/eth0.state")),
                dryRun("network-route", "start", "antispoof=yes"));
    }

    @Test
    void networkRouteStartWhenAllIsOnAlready() {
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        net.sysctls().set(Sysctls.proxyArp("eth0"), "1");
        assertEquals(lines("network-route: forwarding and proxy_arp on eth0 are already on; nothing to do "
                + "(not switched on by xennet: stop will leave them)"), dryRun("network-route", "start"));
    }

    /** stop puts back what start found, a per-interface forwarding flag that differed included. */
    @Test
    void networkRouteStopAfterStart() {
        net.nic("eth1", "00:16:3e:00:00:11", 1500);
        net.sysctls().set(Sysctls.ipv4Forwarding("eth1"), "1");
        run("network-route", "start", "antispoof=yes");
        assertEquals(lines(
                "sysctl -w net.ipv4.conf.eth0.proxy_arp=0",
                "sysctl -w net.ipv4.ip_forward=0",
                "sysctl -w net.ipv4.conf.eth1.forwarding=1",
                "iptables -P FORWARD ACCEPT",
                "rm " + state("network-route/eth0.state")),
                dryRun("network-route", "stop"));
    }

    /** Another netdev still routed: forwarding stays on and that netdev's record inherits the old values. */
    @Test
    void networkRouteStopWhileAnotherNetdevIsStarted() {
        net.nic("eth1", "00:16:3e:00:00:11", 1500);
        run("network-route", "start");
        run("network-route", "start", "netdev=eth1");
        assertEquals(lines(
                "sysctl -w net.ipv4.conf.eth0.proxy_arp=0",
                "keep net.ipv4.ip_forward: network-route is still started for eth1 (its state record takes over the "
                        + "old values)",
                "rm " + state("network-route/eth0.state")),
                dryRun("network-route", "stop"));
    }

    @Test
    void networkRouteStopWithoutARecord() {
        assertEquals(lines("network-route: no state record for eth0 (" + state("network-route/eth0.state")
                + "): nothing that xennet switched on to undo; forwarding and proxy_arp stay as they are (Xen's "
                + "network-route never switched them off either)"), dryRun("network-route", "stop"));
    }

    /** status is read-only: --dry-run is accepted, the status printed with status's exit code. */
    @Test
    void networkRouteStatusAcceptsDryRun() {
        dryRun(ExitCodes.NOT_RUNNING, "network-route", "status");
        run("network-route", "start");
        assertEquals(lines(
                "net.ipv4.ip_forward = 1",
                "net.ipv4.conf.eth0.proxy_arp = 1",
                "state record: " + state("network-route/eth0.state") + " (stop restores the old values)"),
                dryRun("network-route", "status"));
    }

    @Test
    void aDryRunDoesNotWaitForTheLock() {
        try (HotplugLock held = HotplugLock.claim(tmp.resolve("lock"), "network-route", Duration.ofSeconds(1))) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                dryRun("network-route", "start");
            });
        }
    }

    @Test
    void vifRouteOnline() {
        run("network-route", "start");
        guest();
        assertEquals(lines(
                "ip addr add 192.0.2.10/32 dev vif5.0",
                "ip link set dev vif5.0 up",
                "sysctl -w net.ipv4.conf.vif5.0.proxy_arp=1",
                "ip route add 192.0.2.60/32 dev vif5.0 src 192.0.2.10 metric 2",
                "iptables -I FORWARD -i vif5.0 -s 192.0.2.60/32 -j ACCEPT",
                "iptables -I FORWARD -o vif5.0 -j ACCEPT",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-route", "online", "type_if=vif"));
    }

    /** Without network-route the vif's own forwarding flag is off: online switches it on (a warning says the rest). */
    @Test
    void vifRouteOnlineWithoutNetworkRoute() {
        guest();
        env.put("XENNET_VIF_IPTABLES", "no");
        assertEquals(lines(
                "ip addr add 192.0.2.10/32 dev vif5.0",
                "ip link set dev vif5.0 up",
                "sysctl -w net.ipv4.conf.vif5.0.proxy_arp=1",
                "sysctl -w net.ipv4.conf.vif5.0.forwarding=1",
                "ip route add 192.0.2.60/32 dev vif5.0 src 192.0.2.10 metric 2",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-route", "online", "type_if=vif"));
    }

    /** vifname: renamed first; the sysctls read under the old name are the renamed link's. */
    @Test
    void vifRouteOnlineWithVifname() {
        run("network-route", "start");
        guest();
        xs.put(BE + "/vifname", "web0");
        assertEquals(lines(
                "ip link set dev vif5.0 down",
                "ip link set dev vif5.0 name web0",
                "ip addr add 192.0.2.10/32 dev web0",
                "ip link set dev web0 up",
                "sysctl -w net.ipv4.conf.web0.proxy_arp=1",
                "ip route add 192.0.2.60/32 dev web0 src 192.0.2.10 metric 2",
                "iptables -I FORWARD -i web0 -s 192.0.2.60/32 -j ACCEPT",
                "iptables -I FORWARD -o web0 -j ACCEPT",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-route", "online", "type_if=vif"));
    }

    @Test
    void vifRouteSecondOnline() {
        run("network-route", "start");
        guest();
        run("vif-route", "online", "type_if=vif");
        assertEquals(lines("xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-route", "online", "type_if=vif"));
    }

    @Test
    void vifRouteOfflineAfterOnline() {
        run("network-route", "start");
        guest();
        run("vif-route", "online", "type_if=vif");
        assertEquals(lines(
                "ip route del 192.0.2.60/32 dev vif5.0 src 192.0.2.10 metric 2   # errors ignored",
                "ip addr del 192.0.2.10/32 dev vif5.0   # errors ignored",
                "sysctl -w net.ipv4.conf.vif5.0.proxy_arp=0   # errors ignored",
                "ip link set dev vif5.0 down   # errors ignored",
                "iptables -D FORWARD -i vif5.0 -s 192.0.2.60/32 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -o vif5.0 -j ACCEPT   # errors ignored"),
                dryRun("vif-route", "offline", "type_if=vif"));
    }

    @Test
    void vifRouteOfflineOfARenamedVif() {
        run("network-route", "start");
        guest();
        xs.put(BE + "/vifname", "web0");
        run("vif-route", "online", "type_if=vif");
        assertEquals(lines(
                "ip route del 192.0.2.60/32 dev web0 src 192.0.2.10 metric 2   # errors ignored",
                "ip addr del 192.0.2.10/32 dev web0   # errors ignored",
                "sysctl -w net.ipv4.conf.web0.proxy_arp=0   # errors ignored",
                "ip link set dev web0 down   # errors ignored",
                "iptables -D FORWARD -i web0 -s 192.0.2.60/32 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -o web0 -j ACCEPT   # errors ignored"),
                dryRun("vif-route", "offline", "type_if=vif"));
    }

    /** The emulated NIC: metric 1 (it wins until the PV driver takes over), no hotplug-status. */
    @Test
    void vifRouteAddAndRemoveOfAnEmulatedNic() {
        run("network-route", "start");
        guest();
        net.nic("vif5.0-emu", "fe:ff:ff:ff:ff:fe", 1500);
        env.put("INTERFACE", "vif5.0-emu");
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.11/24")); // a secondary: never lent
        assertEquals(lines(
                "ip addr add 192.0.2.10/32 dev vif5.0-emu",
                "ip link set dev vif5.0-emu up",
                "sysctl -w net.ipv4.conf.vif5.0-emu.proxy_arp=1",
                "ip route add 192.0.2.60/32 dev vif5.0-emu src 192.0.2.10 metric 1",
                "iptables -I FORWARD -i vif5.0-emu -s 192.0.2.60/32 -j ACCEPT",
                "iptables -I FORWARD -o vif5.0-emu -j ACCEPT"),
                dryRun("vif-route", "add", "type_if=tap"));
        run("vif-route", "add", "type_if=tap");
        assertEquals(lines(
                "ip route del 192.0.2.60/32 dev vif5.0-emu src 192.0.2.10 metric 1   # errors ignored",
                "ip addr del 192.0.2.10/32 dev vif5.0-emu   # errors ignored",
                "sysctl -w net.ipv4.conf.vif5.0-emu.proxy_arp=0   # errors ignored",
                "ip link set dev vif5.0-emu down   # errors ignored",
                "iptables -D FORWARD -i vif5.0-emu -s 192.0.2.60/32 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -o vif5.0-emu -j ACCEPT   # errors ignored"),
                dryRun("vif-route", "remove", "type_if=tap"));
    }
}
