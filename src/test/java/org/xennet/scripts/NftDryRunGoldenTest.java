// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.testing.FakeNftables;

/**
 * --dry-run on the nftables backend: the plan shows each vif's set as the one transaction it is
 * ({@code nft -f -} and its commands), and nothing changes, nftables included. The host has
 * nftables (the fake), so it is the default; a bridge xenbr0 and vif5.0 as in
 * {@link VifBridgeDryRunGoldenTest}.
 */
@Tag("cli")
class NftDryRunGoldenTest extends DryRunGolden {
    static final String BE = "backend/vif/5/0";

    @BeforeEach
    void guest() {
        nft = new FakeNftables();
        net.links().addBridge("xenbr0", false, 0);
        net.links().setUp("xenbr0", true);
        net.nic("vif5.0", "fe:ff:ff:ff:ff:fe", 1500);
        xs.put(BE + "/bridge", "xenbr0").put(BE + "/mac", "00:16:3e:00:05:00").put(BE + "/hotplug-status", "");
        env.put("vif", "vif5.0");
        env.put("XENBUS_PATH", BE);
    }

    @Test
    void vifBridgeOnlineWithAddresses() {
        xs.put(BE + "/ip", "192.0.2.55 2001:db8::55");
        assertEquals(lines(
                "ip link set dev vif5.0 address fe:ff:ff:ff:ff:ff   # errors ignored",
                "ip link set dev vif5.0 master xenbr0",
                "sysctl -w net.ipv6.conf.vif5.0.disable_ipv6=1   # errors ignored",
                "ip link set dev vif5.0 up",
                "xenstore-write /local/domain/5/device/vif/0/mtu 1500",
                "nft -f - <<'EOF'",
                "add table bridge xennet",
                "add map bridge xennet vifs { type ifname : verdict; }",
                "add chain bridge xennet prerouting { type filter hook prerouting priority -300; policy accept; }",
                "flush chain bridge xennet prerouting",
                "add rule bridge xennet prerouting iifname vmap @vifs",
                "add chain bridge xennet vif5.0",
                "flush chain bridge xennet vif5.0",
                "add rule bridge xennet vif5.0 ether saddr != 00:16:3e:00:05:00 drop",
                "add rule bridge xennet vif5.0 arp saddr ether != 00:16:3e:00:05:00 drop",
                "add rule bridge xennet vif5.0 ether type { 8021q, 8021ad } drop",
                "add rule bridge xennet vif5.0 arp saddr ip != { 0.0.0.0, 192.0.2.55 } drop",
                "add rule bridge xennet vif5.0 icmpv6 type nd-router-advert drop",
                "add rule bridge xennet vif5.0 udp sport 67 udp dport 68 drop",
                "add rule bridge xennet vif5.0 udp sport 547 udp dport 546 drop",
                "add rule bridge xennet vif5.0 ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept",
                "add rule bridge xennet vif5.0 ip saddr != { 192.0.2.55 } drop",
                "add rule bridge xennet vif5.0 ip6 saddr :: icmpv6 type { nd-neighbor-solicit, nd-router-solicit, "
                        + "mld2-listener-report } accept",
                "add rule bridge xennet vif5.0 ip6 saddr != { fe80::216:3eff:fe00:500, 2001:db8::55 } drop",
                "add rule bridge xennet vif5.0 accept comment \"xennet 2a9116974743\"",
                "add element bridge xennet vifs { \"vif5.0\" : jump vif5.0 }",
                "EOF",
                "xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    /** Without an ip key: the MAC, router advertisement and DHCP server guards only. */
    @Test
    void vifBridgeOnlineWithoutAddresses() {
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertTrue(plan.contains("add rule bridge xennet vif5.0 ether saddr != 00:16:3e:00:05:00 drop\n"
                + "add rule bridge xennet vif5.0 arp saddr ether != 00:16:3e:00:05:00 drop\n"
                + "add rule bridge xennet vif5.0 icmpv6 type nd-router-advert drop\n"
                + "add rule bridge xennet vif5.0 udp sport 67 udp dport 68 drop\n"
                + "add rule bridge xennet vif5.0 udp sport 547 udp dport 546 drop\n"
                + "add rule bridge xennet vif5.0 accept comment \"xennet "), plan);
        assertTrue(!plan.contains("saddr !=  {") && !plan.contains("ip saddr") && !plan.contains("iptables"), plan);
    }

    /** The guard holds already: nothing but hotplug-status. */
    @Test
    void aSecondOnline() {
        xs.put(BE + "/ip", "192.0.2.55");
        run("vif-bridge", "online", "type_if=vif");
        assertEquals(1, nft.transactions().size());
        assertEquals(lines("xenstore-write " + BE + "/hotplug-status connected"),
                dryRun("vif-bridge", "online", "type_if=vif"));
    }

    /** Another ip key than the one installed: the vif's set is replaced, in one transaction again. */
    @Test
    void anOnlineWithOtherAddressesReplacesTheSet() {
        xs.put(BE + "/ip", "192.0.2.55");
        run("vif-bridge", "online", "type_if=vif");
        xs.put(BE + "/ip", "192.0.2.56");
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertTrue(plan.startsWith("nft -f - <<'EOF'\nadd table bridge xennet\n"), plan);
        assertTrue(plan.contains("flush chain bridge xennet vif5.0\n") && plan.contains("{ 192.0.2.56 }"), plan);
    }

    @Test
    void vifBridgeOffline() {
        xs.put(BE + "/ip", "192.0.2.55");
        run("vif-bridge", "online", "type_if=vif");
        assertEquals(lines(
                "ip link set dev vif5.0 down   # errors ignored",
                "ip link set dev vif5.0 nomaster   # errors ignored",
                "nft -f - <<'EOF'",
                "delete element bridge xennet vifs { \"vif5.0\" }",
                "delete chain bridge xennet vif5.0",
                "EOF   # errors ignored"),
                dryRun("vif-bridge", "offline", "type_if=vif"));
    }

    /**
     * Rules an online on the iptables backend left (before the switch) go with offline, when
     * iptables holds rules at all (iptables-nft's table ip filter is there); otherwise no iptables
     * runs (the test above).
     */
    @Test
    void offlineAlsoTakesTheRulesOfAnOnlineBeforeTheSwitch() {
        xs.put(BE + "/ip", "192.0.2.55");
        env.put("XENNET_FIREWALL", "iptables");
        run("vif-bridge", "online", "type_if=vif");
        env.remove("XENNET_FIREWALL");
        nft.run("add table ip filter\n");
        String plan = dryRun("vif-bridge", "offline", "type_if=vif");
        assertEquals(lines(
                "ip link set dev vif5.0 down   # errors ignored",
                "ip link set dev vif5.0 nomaster   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -p udp --sport 68 --dport 67 "
                        + "-j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.55 -j ACCEPT"
                        + "   # errors ignored"), plan);
    }

    /**
     * A guard the kernel refuses fails the online (the guard is not optional once asked for):
     * what the call did is undone, and libxl reads nft's reason in hotplug-error.
     */
    @Test
    void aRefusedGuardUndoesTheOnlineAndTellsLibxlWhy() {
        xs.put(BE + "/ip", "192.0.2.55");
        nft.failOn("add rule bridge xennet vif5.0");
        String linksBefore = net.links().list().toString();
        assertEquals(1, call("vif-bridge", "online", "type_if=vif"));
        assertEquals(linksBefore, net.links().list().toString(), "MAC, master and up undone");
        assertEquals("error", xs.read(BE + "/hotplug-status").orElse(null));
        String error = xs.read(BE + "/hotplug-error").orElse("");
        assertTrue(error.startsWith("vif-bridge online vif5.0: ") && error.contains("Invalid argument")
                && error.contains("add rule bridge xennet vif5.0"), error);
        assertTrue(new org.xennet.firewall.NftablesFirewall(nft).tableOrEmpty("bridge").vifs().isEmpty(),
                "nothing half installed: " + nft.listing());
    }

    /**
     * firewall=nftables where nftables cannot be opened (on a host, libnftables missing: its error
     * names the package): the online fails with that reason, where the default would have chosen
     * iptables.
     */
    @Test
    void anExplicitNftablesThatCannotBeOpenedFailsTheOnline() {
        nft = null; // the context's nftables fails: "no nftables in this context"
        env.put("XENNET_FIREWALL", "nftables");
        assertEquals(1, call("vif-bridge", "online", "type_if=vif"));
        assertTrue(xs.read(BE + "/hotplug-error").orElse("").contains("no nftables in this context"),
                xs.read(BE + "/hotplug-error").toString());
        env.remove("XENNET_FIREWALL");
        xs.put(BE + "/hotplug-status", "");
        assertEquals(0, call("vif-bridge", "online", "type_if=vif"), "the default falls back to iptables");
        assertTrue(fw.rules().toString().contains("vif5.0"), fw.rules().toString());
    }

    /** A renamed vif: its chain is named after the new name, escaped for nft. */
    @Test
    void aVifnameThatIsNoNftNameGetsAnEscapedChain() {
        xs.put(BE + "/vifname", "web+0");
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertTrue(plan.contains("add chain bridge xennet vif-web_p0\n"), plan);
        assertTrue(plan.contains("add element bridge xennet vifs { \"web+0\" : jump vif-web_p0 }\n"), plan);
    }

    /** firewall=iptables keeps Xen's rules exactly; the nftables table is not touched. */
    @Test
    void firewallIptablesIsXensRules() {
        xs.put(BE + "/ip", "192.0.2.55");
        env.put("XENNET_FIREWALL", "iptables");
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertTrue(plan.contains("iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.55 "
                + "-j ACCEPT\n") && !plan.contains("nft"), plan);
    }

    /** vif_iptables=no still means no rules at all. */
    @Test
    void vifIptablesNoMeansNone() {
        xs.put(BE + "/ip", "192.0.2.55");
        env.put("XENNET_VIF_IPTABLES", "no");
        String plan = dryRun("vif-bridge", "online", "type_if=vif");
        assertTrue(!plan.contains("nft") && !plan.contains("iptables"), plan);
    }

    @Test
    void anUnknownBackendIsRefused() {
        env.put("XENNET_FIREWALL", "pf");
        String out = dryRun(1, "vif-bridge", "online", "type_if=vif");
        assertTrue(out.contains("firewall='pf' is not a firewall backend (nftables, iptables or none)"), out);
    }

    /** A routed guest: the iptables ACCEPT rules that let it through a FORWARD policy of DROP, and its guard in inet xennet. */
    @Test
    void vifRouteOnline() {
        net.links().delete("vif5.0");
        net.nic("vif5.0", "fe:ff:ff:ff:ff:ff", 1500);
        xs.put(BE + "/ip", "192.0.2.60");
        String plan = dryRun("vif-route", "online", "type_if=vif");
        assertTrue(plan.contains("iptables -I FORWARD -i vif5.0 -s 192.0.2.60/32 -j ACCEPT\n"
                + "iptables -I FORWARD -o vif5.0 -j ACCEPT\n"
                + "nft -f - <<'EOF'\nadd table inet xennet\n"), plan);
        assertTrue(plan.contains("add rule inet xennet vif5.0 ether saddr != 00:16:3e:00:05:00 drop\n"
                + "add rule inet xennet vif5.0 icmpv6 type nd-router-advert drop\n"), plan);
        assertTrue(plan.contains("add rule inet xennet vif5.0 ip saddr != { 192.0.2.60 } drop\n"), plan);
        assertTrue(!plan.contains("arp saddr"), plan);
    }

    /** A NAT guest is held to the address it is routed (and handed by DHCP), not to its /16. */
    @Test
    void vifNatOnline() {
        run("network-nat", "start", "dhcp=no");
        String plan = dryRun("vif-nat", "online", "type_if=vif", "dhcp=no");
        assertTrue(plan.contains("add rule inet xennet vif5.0 ip saddr != { 10.0.5.1 } drop\n"), plan);
    }
}
