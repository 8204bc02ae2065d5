// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Rule;

/** An in-memory filter table with iptables' semantics for -A/-I/-D/-C/-P (ip6tables' rules beside, marked {@link Rule#ipv6}). */
public final class FakeFirewall implements Firewall {
    private final Map<String, String> policies = new HashMap<>(Map.of("INPUT", "ACCEPT", "FORWARD", "ACCEPT",
            "OUTPUT", "ACCEPT"));
    private final List<Rule> rules = new ArrayList<>();

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    @Override
    public String policy(String chain) {
        String p = policies.get(chain);
        if (p == null) {
            throw new XennetException("iptables -S " + chain + ": exit 1: iptables: No chain/target/match by that name.");
        }
        return p;
    }

    @Override
    public List<Rule> list(String chain) {
        policy(chain);
        return rules.stream().filter(r -> r.table().equals(Rule.FILTER) && r.chain().equals(chain) && !r.ipv6()).toList();
    }

    /** ip6tables' chain: the same chains and policies, its own rules. */
    @Override
    public List<Rule> list6(String chain) {
        policy(chain);
        return rules.stream().filter(r -> r.table().equals(Rule.FILTER) && r.chain().equals(chain) && r.ipv6()).toList();
    }

    @Override
    public void setPolicy(String chain, String policy) {
        policy(chain);
        policies.put(chain, policy);
    }

    @Override
    public boolean exists(Rule rule) {
        return rules.contains(rule);
    }

    private void chainExists(Rule rule) {
        boolean nat = rule.table().equals(Rule.NAT);
        if (nat ? !List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING").contains(rule.chain())
                : !policies.containsKey(rule.chain())) {
            throw new XennetException("iptables -t " + rule.table() + " -A " + rule.chain()
                    + ": exit 1: iptables: No chain/target/match by that name.");
        }
    }

    @Override
    public void append(Rule rule) {
        chainExists(rule);
        rules.add(rule);
    }

    @Override
    public void insert(Rule rule) {
        chainExists(rule);
        rules.add(0, rule);
    }

    @Override
    public void delete(Rule rule) {
        if (!rules.remove(rule)) {
            throw new XennetException("iptables -D " + rule.chain() + " " + String.join(" ", rule.spec())
                    + ": exit 1: iptables: Bad rule (does a matching rule exist in that chain?).");
        }
    }
}
