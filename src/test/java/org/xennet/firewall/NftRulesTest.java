// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;

/** The words of the guards, and the reading of nft's listing (captured from nft 1.0.6 on kernel 6.18). */
@Tag("codec")
class NftRulesTest {
    private static final MacAddress MAC = MacAddress.parse("00:16:3e:00:05:00");

    private static List<IpPrefix> ips(String... s) {
        return java.util.Arrays.stream(s).map(IpPrefix::parse).toList();
    }

    @Test
    void aBridgedGuestWithAddressesGetsEveryGuard() {
        Guard g = new Guard("vif5.0", Guard.Layer.BRIDGED, MAC, ips("192.0.2.55", "2001:db8::55", "10.1.0.0/24"));
        List<String> r = NftRules.rules(g);
        assertEquals(List.of(
                "ether saddr != 00:16:3e:00:05:00 drop",
                "arp saddr ether != 00:16:3e:00:05:00 drop",
                "ether type { 8021q, 8021ad } drop",
                "arp saddr ip != { 0.0.0.0, 192.0.2.55, 10.1.0.0/24 } drop",
                "icmpv6 type nd-router-advert drop",
                "udp sport 67 udp dport 68 drop",
                "udp sport 547 udp dport 546 drop",
                "ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept",
                "ip saddr != { 192.0.2.55, 10.1.0.0/24 } drop",
                "ip6 saddr :: icmpv6 type { nd-neighbor-solicit, nd-router-solicit, mld2-listener-report } accept",
                "ip6 saddr != { fe80::216:3eff:fe00:500, 2001:db8::55 } drop",
                "accept comment \"xennet " + NftRules.fingerprint(g) + "\""), r);
    }

    @Test
    void withoutAnIpKeyOnlyTheMacRaAndDhcpServerGuards() {
        Guard g = new Guard("vif5.0", Guard.Layer.BRIDGED, MAC, null);
        assertEquals(List.of(
                "ether saddr != 00:16:3e:00:05:00 drop",
                "arp saddr ether != 00:16:3e:00:05:00 drop",
                "icmpv6 type nd-router-advert drop",
                "udp sport 67 udp dport 68 drop",
                "udp sport 547 udp dport 546 drop"), NftRules.rules(g).subList(0, 5));
        assertEquals(6, NftRules.rules(g).size());
    }

    @Test
    void anIpv6OnlyGuestSendsNoIpv4ButDhcpAndItsLinkLocalWithoutAMacIsTheWholePrefix() {
        List<String> r = NftRules.rules(new Guard("vif5.0", Guard.Layer.BRIDGED, null, ips("2001:db8::55")));
        assertTrue(r.contains("arp saddr ip != { 0.0.0.0 } drop"), r.toString());
        assertTrue(r.contains("ether type ip drop"), r.toString());
        assertTrue(r.contains("ip6 saddr != { fe80::/64, 2001:db8::55 } drop"), r.toString());
        List<String> routed = NftRules.rules(new Guard("vif5.0", Guard.Layer.ROUTED, null, ips("2001:db8::55")));
        assertTrue(routed.contains("meta nfproto ipv4 drop"), routed.toString());
    }

    @Test
    void aRoutedGuestHasNoArpOrVlanRules() {
        List<String> r = NftRules.rules(new Guard("vif5.0", Guard.Layer.ROUTED, MAC, ips("192.0.2.60")));
        assertEquals("ether saddr != 00:16:3e:00:05:00 drop", r.get(0));
        assertTrue(r.stream().noneMatch(x -> x.startsWith("arp") || x.contains("8021q")), r.toString());
        assertTrue(r.contains("ip saddr != { 192.0.2.60 } drop"), r.toString());
    }

    @Test
    void nestedAndRepeatedAddressesAreListedOnce() {
        Guard g = new Guard("vif5.0", Guard.Layer.BRIDGED, MAC,
                ips("10.1.0.7", "10.1.0.0/24", "10.1.0.0/24", "fe80::/10", "2001:db8::1/64"));
        assertEquals(ips("10.1.0.0/24"), g.ipv4());
        assertEquals(ips("fe80::/10", "2001:db8::/64"), g.ipv6());
    }

    @Test
    void theLinkLocalAddressIsTheModifiedEui64OfTheMac() {
        assertEquals(IpPrefix.parse("fe80::216:3eff:fe00:500/128"), new Guard("v", Guard.Layer.BRIDGED, MAC, null).linkLocal());
        assertEquals(IpPrefix.parse("fe80::ff:fe00:1/128"), new Guard("v", Guard.Layer.BRIDGED,
                MacAddress.parse("02:00:00:00:00:01"), null).linkLocal());
    }

    @Test
    void theFingerprintFollowsTheRules() {
        String a = NftRules.fingerprint(new Guard("vif5.0", Guard.Layer.BRIDGED, MAC, ips("192.0.2.55")));
        assertEquals(a, NftRules.fingerprint(new Guard("vif5.0", Guard.Layer.BRIDGED, MAC, ips("192.0.2.55"))));
        assertNotEquals(a, NftRules.fingerprint(new Guard("vif5.0", Guard.Layer.BRIDGED, MAC, ips("192.0.2.56"))));
        assertNotEquals(a, NftRules.fingerprint(new Guard("vif5.0", Guard.Layer.BRIDGED, null, ips("192.0.2.55"))));
        assertTrue(a.matches("[0-9a-f]{12}"), a);
    }

    @Test
    void chainNamesAreNftIdentifiers() {
        assertEquals("vif5.0", NftRules.chain("vif5.0"));
        assertEquals("vif12.3-emu", NftRules.chain("vif12.3-emu"));
        assertEquals("vif-web0", NftRules.chain("web0"));
        assertEquals("vif-web_p0", NftRules.chain("web+0"));
        assertEquals("vif-a__b", NftRules.chain("a_b"));
        assertEquals("vif-0a", NftRules.chain("0a"));
        assertEquals("vif-drop", NftRules.chain("drop"));
        assertEquals("antispoof-xenbr0", NftRules.antispoofChain("xenbr0"));
    }

    @Test
    void oneTransactionStatesTheTableFillsTheChainAndEntersItInTheMap() {
        String t = NftRules.install(new Guard("web+0", Guard.Layer.ROUTED, null, null));
        List<String> lines = List.of(t.split("\n"));
        assertEquals(List.of("add table inet xennet",
                "add map inet xennet vifs { type ifname : verdict; }",
                "add chain inet xennet prerouting { type filter hook prerouting priority -300; policy accept; }",
                "flush chain inet xennet prerouting",
                "add rule inet xennet prerouting iifname vmap @vifs",
                "add chain inet xennet vif-web_p0",
                "flush chain inet xennet vif-web_p0"), lines.subList(0, 7));
        assertEquals("add element inet xennet vifs { \"web+0\" : jump vif-web_p0 }", lines.get(lines.size() - 1));
        assertEquals("delete element bridge xennet vifs { \"vif5.0\" }\ndelete chain bridge xennet vif5.0\n",
                NftRules.remove("bridge", "vif5.0", true, true));
        assertEquals("delete chain bridge xennet vif5.0\n", NftRules.remove("bridge", "vif5.0", false, true));
    }

    /** {@code nft list table bridge xennet} as nft 1.0.6 printed it after two installs. */
    static final String LISTING = String.join("\n",
            "table bridge xennet {",
            "\tmap vifs {",
            "\t\ttype ifname : verdict",
            "\t\telements = { \"vif5.0\" : jump vif5.0,",
            "\t\t\t     \"web+0\" : jump vif-web_p0 }",
            "\t}",
            "",
            "\tmap bridges {",
            "\t\ttype ifname : verdict",
            "\t\telements = { \"xenbr0\" : jump antispoof-xenbr0 }",
            "\t}",
            "",
            "\tchain prerouting {",
            "\t\ttype filter hook prerouting priority dstnat; policy accept;",
            "\t\tiifname vmap @vifs",
            "\t}",
            "",
            "\tchain vif5.0 {",
            "\t\tether saddr != 00:16:3e:00:05:00 drop",
            "\t\tip saddr != 192.0.2.55 drop",
            "\t\taccept comment \"xennet 81b49d4e31db\"",
            "\t}",
            "",
            "\tchain vif-web_p0 {",
            "\t\tether type { 8021q, 8021ad } drop",
            "\t\taccept comment \"xennet 0123456789ab\"",
            "\t}",
            "",
            "\tchain antispoof-xenbr0 {",
            "\t\tiifname \"peth0\" accept",
            "\t\tdrop",
            "\t}",
            "}", "");

    @Test
    void theListingIsReadBack() {
        NftTable t = NftTable.parse("bridge", LISTING);
        assertEquals(Map.of("vif5.0", "vif5.0", "web+0", "vif-web_p0"), t.vifs());
        assertEquals(Map.of("xenbr0", "antispoof-xenbr0"), t.bridges());
        assertEquals(List.of("prerouting", "vif5.0", "vif-web_p0", "antispoof-xenbr0"), List.copyOf(t.chains().keySet()));
        assertEquals("81b49d4e31db", t.guard("vif5.0").orElseThrow());
        assertEquals("0123456789ab", t.guard("web+0").orElseThrow());
        assertTrue(t.guard("vif6.0").isEmpty());
        assertEquals("", t.chains().get("antispoof-xenbr0"));
    }
}
