// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.util.List;

/**
 * One iptables rule: its table, its chain and its match/target words, e.g. filter FORWARD
 * {@code -m physdev --physdev-in peth0 -j ACCEPT}, or nat POSTROUTING {@code -o eth0 -j MASQUERADE};
 * {@code ipv6} for one of ip6tables.
 */
public record Rule(String table, String chain, List<String> spec, boolean ipv6) {
    public static final String FILTER = "filter";
    public static final String NAT = "nat";

    public Rule {
        spec = List.copyOf(spec);
    }

    /** An iptables (IPv4) rule. */
    public Rule(String table, String chain, List<String> spec) {
        this(table, chain, spec, false);
    }

    /** The same rule for ip6tables. */
    public Rule v6() {
        return new Rule(table, chain, spec, true);
    }

    /** The command that handles it: {@code iptables} or {@code ip6tables}. */
    public String command() {
        return ipv6 ? "ip6tables" : "iptables";
    }

    /** A rule in the filter table. */
    public Rule(String chain, List<String> spec) {
        this(FILTER, chain, spec);
    }

    /** A rule in the filter table. */
    public static Rule of(String chain, String... spec) {
        return new Rule(FILTER, chain, List.of(spec));
    }

    /** A rule in the nat table. */
    public static Rule nat(String chain, String... spec) {
        return new Rule(NAT, chain, List.of(spec));
    }

    /** "[-t nat ]-A CHAIN SPEC", the words of iptables -S. */
    public String asAppend() {
        return (table.equals(FILTER) ? "" : "-t " + table + " ") + "-A " + chain + " " + String.join(" ", spec);
    }

    @Override
    public String toString() {
        return asAppend();
    }
}
