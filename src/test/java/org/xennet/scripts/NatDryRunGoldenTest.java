// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.lock.HotplugLock;

/**
 * --dry-run of network-nat and vif-nat without DHCP, with ISC dhcpd (its files under the host
 * root; the init script would leave a trace in the temporary tree if it ran) and with dnsmasq:
 * the plan as commands, and nothing changed (no file edited, no server restarted).
 */
@Tag("cli")
class NatDryRunGoldenTest extends DryRunGolden {
    static final String BE = "backend/vif/5/0";

    private void guest() {
        net.nic("vif5.0", "fe:ff:ff:ff:ff:ff", 1500);
        xs.put(BE + "/frontend-id", "5").put(BE + "/handle", "0").put(BE + "/mac", "00:16:3e:00:05:00")
                .put(BE + "/hotplug-status", "");
        env.put("vif", "vif5.0");
        env.put("XENBUS_PATH", BE);
    }

    private Path file(String relative, String text) throws Exception {
        Path p = root(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** ISC dhcpd's configuration, init script (records its argument in init.log) and args file; resolv.conf. */
    private void isc() throws Exception {
        file("etc/dhcp/dhcpd.conf", "# admin's config\nddns-update-style none;\n");
        Path init = file("etc/init.d/isc-dhcp-server", "#!/bin/sh\necho \"$1\" >> " + tmp.resolve("init.log") + "\n");
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        file("etc/default/dhcp3-server", "INTERFACES=\"eth1\"\n");
        file("etc/resolv.conf", "nameserver 192.0.2.53\nsearch example.org\n");
    }

    private void dnsmasq() {
        env.put("XENNET_NAT_DHCP", "dnsmasq");
        env.put("XENNET_NAT_DHCP_HOSTS", state("nat-dhcp-hosts").toString());
        env.put("XENNET_NAT_DHCP_PIDFILE", tmp.resolve("dnsmasq.pid").toString());
    }

    // ---------------------------------------------------------------- network-nat

    @Test
    void networkNatStartWithoutDhcp() {
        assertEquals(lines(
                "sysctl -w net.ipv4.ip_forward=1",
                "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
                "write state record " + state("network-nat/eth0.state")),
                dryRun("network-nat", "start", "dhcp=no"));
    }

    @Test
    void networkNatSecondStartOnlyKeepsItsRecord() {
        run("network-nat", "start", "dhcp=no");
        assertEquals(lines("write state record " + state("network-nat/eth0.state")),
                dryRun("network-nat", "start", "dhcp=no"));
    }

    @Test
    void networkNatStopWithoutDhcp() {
        run("network-nat", "start", "dhcp=no");
        assertEquals(lines(
                "iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE",
                "sysctl -w net.ipv4.ip_forward=0",
                "rm " + state("network-nat/eth0.state") + "   # errors ignored"),
                dryRun("network-nat", "stop", "dhcp=no"));
    }

    @Test
    void networkNatStopWithNothingStarted() {
        assertEquals(lines("network-nat: nothing set up for eth0; nothing to stop"),
                dryRun("network-nat", "stop", "dhcp=no"));
    }

    @Test
    void networkNatStartAndStopWithIscDhcpd() throws Exception {
        isc();
        Path conf = root("etc/dhcp/dhcpd.conf");
        Path init = root("etc/init.d/isc-dhcp-server");
        assertEquals(lines(
                "sysctl -w net.ipv4.ip_forward=1",
                "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
                "append to " + conf + ": subnet 10.0.0.0 netmask 255.255.0.0 { option domain-name \"example.org\"; "
                        + "option domain-name-servers 192.0.2.53; }",
                init + " restart",
                "write state record " + state("network-nat/eth0.state")),
                dryRun("network-nat", "start", "dhcp=yes"));
        run("network-nat", "start", "dhcp=yes");
        assertEquals(lines(
                "iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE",
                "remove the subnet declaration from " + conf,
                init + " restart",
                "sysctl -w net.ipv4.ip_forward=0",
                "rm " + state("network-nat/eth0.state") + "   # errors ignored"),
                dryRun("network-nat", "stop", "dhcp=yes"));
    }

    @Test
    void networkNatStartAndStopWithDnsmasq() {
        dnsmasq();
        assertEquals(lines(
                "sysctl -w net.ipv4.ip_forward=1",
                "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
                "create " + state("nat-dhcp-hosts") + " (dnsmasq --dhcp-hostsfile)",
                "write state record " + state("network-nat/eth0.state")),
                dryRun("network-nat", "start"));
        run("network-nat", "start");
        assertEquals(lines(
                "iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE",
                "rm " + state("nat-dhcp-hosts"),
                "sysctl -w net.ipv4.ip_forward=0",
                "rm " + state("network-nat/eth0.state") + "   # errors ignored"),
                dryRun("network-nat", "stop"));
    }

    /** status is read-only: --dry-run is accepted and the status printed. */
    @Test
    void networkNatStatusAcceptsDryRun() {
        dryRun(ExitCodes.NOT_RUNNING, "network-nat", "status", "dhcp=no");
        run("network-nat", "start", "dhcp=no");
        assertEquals(lines(
                "netdev eth0",
                "ip_forward 1",
                "MASQUERADE (-t nat -A POSTROUTING -o eth0 -j MASQUERADE) present",
                "dhcp no",
                "  192.0.2.10/24 label eth0"),
                dryRun("network-nat", "status", "dhcp=no"));
    }

    @Test
    void aDryRunDoesNotWaitForTheLocks() throws Exception {
        isc();
        run("network-nat", "start", "dhcp=yes");
        guest();
        try (HotplugLock nat = HotplugLock.claim(tmp.resolve("lock"), "network-nat", Duration.ofSeconds(1));
                HotplugLock dhcp = HotplugLock.claim(tmp.resolve("lock"), "vif-nat-dhcp", Duration.ofSeconds(1))) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                dryRun("network-nat", "stop", "dhcp=yes");
                dryRun("vif-nat", "online", "type_if=vif", "dhcp=yes");
            });
        }
    }

    // ---------------------------------------------------------------- vif-nat

    @Test
    void vifNatOnlineWithoutDhcp() {
        run("network-nat", "start", "dhcp=no");
        guest();
        assertEquals(lines(
                "ip link set dev vif5.0 up",
                "ip addr add 10.0.5.128/32 dev vif5.0",
                "ip route add 10.0.5.1 dev vif5.0 src 10.0.5.128",
                "sysctl -w net.ipv4.conf.vif5.0.proxy_arp=1",
                "iptables -I FORWARD -i vif5.0 -s 10.0.5.1/16 -j ACCEPT",
                "iptables -I FORWARD -o vif5.0 -j ACCEPT",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-nat", "online", "type_if=vif", "dhcp=no"));
    }

    @Test
    void vifNatSecondOnline() {
        guest();
        run("vif-nat", "online", "type_if=vif", "dhcp=no");
        assertEquals(lines("xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-nat", "online", "type_if=vif", "dhcp=no"));
    }

    @Test
    void vifNatOfflineWithoutDhcp() {
        guest();
        run("vif-nat", "online", "type_if=vif", "dhcp=no");
        assertEquals(lines(
                "ip route del 10.0.5.1 dev vif5.0   # errors ignored",
                "ip addr del 10.0.5.128/32 dev vif5.0   # errors ignored",
                "ip link set dev vif5.0 down   # errors ignored",
                "iptables -D FORWARD -i vif5.0 -s 10.0.5.1/16 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -o vif5.0 -j ACCEPT   # errors ignored"),
                dryRun("vif-nat", "offline", "type_if=vif", "dhcp=no"));
    }

    @Test
    void vifNatOnlineAndOfflineWithIscDhcpd() throws Exception {
        isc();
        run("network-nat", "start", "dhcp=yes");
        guest();
        Path conf = root("etc/dhcp/dhcpd.conf");
        Path init = root("etc/init.d/isc-dhcp-server");
        Path args = root("etc/default/dhcp3-server");
        env.put("XENNET_VIF_IPTABLES", "no");
        assertEquals(lines(
                "ip link set dev vif5.0 up",
                "ip addr add 10.0.5.128/32 dev vif5.0",
                "ip route add 10.0.5.1 dev vif5.0 src 10.0.5.128",
                "sysctl -w net.ipv4.conf.vif5.0.proxy_arp=1",
                "add to " + conf + ": host dom5 { hardware ethernet 00:16:3e:00:05:00; fixed-address 10.0.5.1; "
                        + "option routers 10.0.5.128; option host-name \"dom5\"; }",
                "add vif5.0 to the interfaces in " + args,
                init + " restart",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-nat", "online", "type_if=vif", "dhcp=yes"));
        run("vif-nat", "online", "type_if=vif", "dhcp=yes");
        assertEquals(lines(init + " restart", "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-nat", "online", "type_if=vif", "dhcp=yes"), "a second online: dhcpd restarted, as by Xen");
        assertEquals(lines(
                "remove the dom5 entry from " + conf + "   # errors ignored",
                "remove vif5.0 from the interfaces in " + args + "   # errors ignored",
                init + " restart   # errors ignored",
                "ip route del 10.0.5.1 dev vif5.0   # errors ignored",
                "ip addr del 10.0.5.128/32 dev vif5.0   # errors ignored",
                "ip link set dev vif5.0 down   # errors ignored"),
                dryRun("vif-nat", "offline", "type_if=vif", "dhcp=yes"));
    }

    /** dnsmasq: the host entry; no SIGHUP when no dnsmasq runs (no pid file, or one naming another process). */
    @Test
    void vifNatOnlineAndOfflineWithDnsmasq() throws Exception {
        dnsmasq();
        Files.writeString(tmp.resolve("dnsmasq.pid"), ProcessHandle.current().pid() + "\n");
        run("network-nat", "start");
        guest();
        env.put("XENNET_VIF_IPTABLES", "no");
        assertEquals(lines(
                "ip link set dev vif5.0 up",
                "ip addr add 10.0.5.128/32 dev vif5.0",
                "ip route add 10.0.5.1 dev vif5.0 src 10.0.5.128",
                "sysctl -w net.ipv4.conf.vif5.0.proxy_arp=1",
                "add to " + state("nat-dhcp-hosts") + ": 00:16:3e:00:05:00,10.0.5.1,dom5",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-nat", "online", "type_if=vif"));
        run("vif-nat", "online", "type_if=vif");
        assertEquals(lines(
                "remove the dom5 entry from " + state("nat-dhcp-hosts") + "   # errors ignored",
                "ip route del 10.0.5.1 dev vif5.0   # errors ignored",
                "ip addr del 10.0.5.128/32 dev vif5.0   # errors ignored",
                "ip link set dev vif5.0 down   # errors ignored"),
                dryRun("vif-nat", "offline", "type_if=vif"));
    }

    @Test
    void vifNatOnlineWithVifname() {
        guest();
        xs.put(BE + "/vifname", "web0");
        env.put("XENNET_VIF_IPTABLES", "no");
        assertEquals(lines(
                "ip link set dev vif5.0 down",
                "ip link set dev vif5.0 name web0",
                "ip link set dev web0 up",
                "ip addr add 10.0.5.128/32 dev web0",
                "ip route add 10.0.5.1 dev web0 src 10.0.5.128",
                "sysctl -w net.ipv4.conf.web0.proxy_arp=1",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-nat", "online", "type_if=vif", "dhcp=no"));
    }

    /** The emulated NIC gets no address in vif-nat, as in Xen: nothing to plan but hooks. */
    @Test
    void vifNatAddOfAnEmulatedNic() {
        guest();
        net.nic("vif5.0-emu", "fe:ff:ff:ff:ff:fe", 1500);
        env.put("INTERFACE", "vif5.0-emu");
        assertEquals("", dryRun("vif-nat", "add", "type_if=tap", "dhcp=no"));
        assertEquals("", dryRun("vif-nat", "remove", "type_if=tap", "dhcp=no"));
    }
}
