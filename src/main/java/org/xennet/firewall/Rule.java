package org.xennet.firewall;

import java.util.List;

/**
 * One iptables rule in the filter table: its chain and its match/target words, e.g.
 * FORWARD {@code -m physdev --physdev-in peth0 -j ACCEPT}.
 */
public record Rule(String chain, List<String> spec) {
    public Rule {
        spec = List.copyOf(spec);
    }

    public static Rule of(String chain, String... spec) {
        return new Rule(chain, List.of(spec));
    }

    /** "-A FORWARD -m physdev ..." as iptables -S prints it. */
    public String asAppend() {
        return "-A " + chain + " " + String.join(" ", spec);
    }

    @Override
    public String toString() {
        return asAppend();
    }
}
