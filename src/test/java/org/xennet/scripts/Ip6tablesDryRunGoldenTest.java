// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The iptables backend for a guest whose ip key lists IPv6 addresses: Xen's rules for its IPv4
 * addresses, and their ip6tables equivalents for the IPv6 ones (an address passed to iptables
 * used to fail). The host of {@link VifBridgeDryRunGoldenTest}.
 */
@Tag("cli")
class Ip6tablesDryRunGoldenTest extends DryRunGolden {
    static final String BE = "backend/vif/5/0";
    static final String IN = "-m physdev --physdev-is-bridged --physdev-in vif5.0";

    @BeforeEach
    void guest() {
        net.links().addBridge("xenbr0", false, 0);
        net.links().setUp("xenbr0", true);
        net.nic("vif5.0", "fe:ff:ff:ff:ff:ff", 1500);
        net.links().setMaster("vif5.0", "xenbr0");
        net.links().setUp("vif5.0", true);
        net.sysctls().set("net/ipv6/conf/vif5.0/disable_ipv6", "1");
        xs.put(BE + "/bridge", "xenbr0").put(BE + "/mac", "00:16:3e:00:05:00").put(BE + "/mtu", "1500")
                .put("/local/domain/5/device/vif/0/mtu", "1500").put(BE + "/hotplug-status", "")
                .put(BE + "/ip", "192.0.2.55 2001:db8::55");
        env.put("vif", "vif5.0");
        env.put("XENBUS_PATH", BE);
    }

    @Test
    void onlineWithIpv4AndIpv6Addresses() {
        assertEquals(lines(
                "iptables -I FORWARD " + IN + " -s 192.0.2.55 -j ACCEPT",
                "iptables -I FORWARD " + IN + " -p udp --sport 68 --dport 67 -j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT",
                "ip6tables -I FORWARD " + IN + " -j DROP",
                "ip6tables -I FORWARD " + IN + " -s 2001:db8::55 -j ACCEPT",
                "ip6tables -I FORWARD " + IN + " -s fe80::216:3eff:fe00:500 -j ACCEPT",
                "ip6tables -I FORWARD " + IN + " -s :: -p ipv6-icmp -j ACCEPT",
                "ip6tables -I FORWARD " + IN + " -p udp --sport 547 --dport 546 -j DROP",
                "ip6tables -I FORWARD " + IN + " -p ipv6-icmp --icmpv6-type router-advertisement -j DROP",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    /** Only IPv6 in ip: no IPv4 source passes Xen's rules but DHCP's. */
    @Test
    void onlineWithIpv6Only() {
        xs.put(BE + "/ip", "2001:db8::55");
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertEquals(lines(
                "iptables -I FORWARD " + IN + " -p udp --sport 68 --dport 67 -j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT"),
                plan.substring(0, plan.indexOf("ip6tables")));
    }

    @Test
    void offlineTakesBothOut() {
        run("vif-bridge", "online", "type_if=vif");
        String plan = dryRun("vif-bridge", "offline", "type_if=vif");
        assertEquals(9, plan.lines().filter(l -> l.endsWith("   # errors ignored") && l.contains("tables -D FORWARD"))
                .count(), plan);
        assertEquals(6, plan.lines().filter(l -> l.startsWith("ip6tables -D FORWARD")).count(), plan);
    }
}
