// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.util.List;

/**
 * The packet filter through iptables and ip6tables. Rules name their table: the filter table
 * (Xen's vif rules, antispoof) and the nat table (network-nat's MASQUERADE), and whether they are
 * ip6tables' ({@link Rule#ipv6}). The nftables backend is {@link NftablesFirewall}.
 */
public interface Firewall {

    /** Equivalent to: {@code iptables -S CHAIN}, the rules of a filter-table chain in order. */
    List<Rule> list(String chain);

    /** Equivalent to: {@code ip6tables -S CHAIN}, the rules of a filter-table chain in order. */
    List<Rule> list6(String chain);

    /** Equivalent to: {@code iptables -S CHAIN}, the policy word (ACCEPT, DROP). */
    String policy(String chain);

    /** Equivalent to: {@code iptables -P CHAIN POLICY}. */
    void setPolicy(String chain, String policy);

    /** Equivalent to: {@code iptables -C CHAIN SPEC}. */
    boolean exists(Rule rule);

    /** Equivalent to: {@code iptables -A CHAIN SPEC}. */
    void append(Rule rule);

    /** Equivalent to: {@code iptables -I CHAIN SPEC} (at the top, ahead of a distribution's REJECT). */
    void insert(Rule rule);

    /** Equivalent to: {@code iptables -D CHAIN SPEC}. */
    void delete(Rule rule);
}
