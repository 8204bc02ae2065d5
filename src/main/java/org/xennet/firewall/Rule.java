package org.xennet.firewall;

import java.util.List;

/**
 * One iptables rule: its table, its chain and its match/target words, e.g. filter FORWARD
 * {@code -m physdev --physdev-in peth0 -j ACCEPT}, or nat POSTROUTING {@code -o eth0 -j MASQUERADE}.
 */
public record Rule(String table, String chain, List<String> spec) {
    public static final String FILTER = "filter";
    public static final String NAT = "nat";

    public Rule {
        spec = List.copyOf(spec);
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
