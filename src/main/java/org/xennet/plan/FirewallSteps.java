// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import java.util.function.Supplier;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Rule;

/**
 * Firewall steps, made in one place like {@link NetSteps}: the {@code iptables} command, the
 * action and the undo together. The firewall is opened when a step first runs, so a plan that
 * never touches it (or a dry run) starts no iptables. Adds check first, so a repeat never
 * duplicates a rule; an undo removes a rule only if this step added it, or, in a later process
 * (a stop, a recovery), if it is there.
 */
public final class FirewallSteps {
    private final Supplier<Firewall> open;
    private Firewall fw;

    public FirewallSteps(Supplier<Firewall> open) {
        this.open = open;
    }

    /** The firewall, opened on first use. */
    public Firewall firewall() {
        if (fw == null) {
            fw = open.get();
        }
        return fw;
    }

    public static String words(Rule r) {
        return (r.table().equals(Rule.FILTER) ? "" : "-t " + r.table() + " ") + r.chain() + " "
                + String.join(" ", r.spec());
    }

    /** {@code iptables [-t TABLE] -D CHAIN SPEC} (ip6tables for an IPv6 rule). */
    public static String deleteWords(Rule r) {
        return r.command() + " " + (r.table().equals(Rule.FILTER) ? "" : "-t " + r.table() + " ") + "-D " + r.chain() + " "
                + String.join(" ", r.spec());
    }

    /** {@code iptables -I CHAIN SPEC} (at the top) unless the rule is there; undone by deleting it. */
    public Step insert(Rule r) {
        return add("-I", r, true);
    }

    /**
     * {@code iptables -I CHAIN SPEC} for a rule the caller has just seen missing, under a lock that
     * keeps anyone else from adding it: no second look (each look is an iptables process, and a
     * boot storm runs hundreds).
     */
    public Step insertMissing(Rule r) {
        return Step.required(r.command() + " -I " + words(r), () -> firewall().insert(r))
                .undoneBy(deleteWords(r), () -> {
                    if (firewall().exists(r)) {
                        firewall().delete(r);
                    }
                }).undoPolicy(Step.Policy.WARN);
    }

    /** {@code iptables -A CHAIN SPEC} unless the rule is there; undone by deleting it. */
    public Step append(Rule r) {
        return add("-A", r, false);
    }

    private Step add(String op, Rule r, boolean top) {
        String w = words(r);
        return Step.required(r.command() + " " + op + " " + w, () -> {
            if (!firewall().exists(r)) {
                if (top) {
                    firewall().insert(r);
                } else {
                    firewall().append(r);
                }
            }
        }).undoneBy(deleteWords(r), () -> {
            if (firewall().exists(r)) {
                firewall().delete(r);
            }
        }).undoPolicy(Step.Policy.WARN);
    }

    /** {@code iptables -D CHAIN SPEC} for a rule the caller has just seen there; then any copy Xen's scripts left. */
    public Step deletePresent(Rule r) {
        return Step.required(deleteWords(r), () -> {
            firewall().delete(r);
            while (firewall().exists(r)) {
                firewall().delete(r);
            }
        });
    }

    /** {@code iptables -D CHAIN SPEC}: every copy (Xen's scripts inserted some twice); none there is success. */
    public Step delete(Rule r) {
        return Step.required(deleteWords(r), () -> {
            while (firewall().exists(r)) {
                firewall().delete(r);
            }
        });
    }

    /** {@code iptables -P CHAIN POLICY}; undone by {@code old}. */
    public Step policy(String chain, String policy, String old) {
        Step s = Step.required("iptables -P " + chain + " " + policy, () -> firewall().setPolicy(chain, policy));
        return old == null ? s : s.undoneBy("iptables -P " + chain + " " + old,
                () -> firewall().setPolicy(chain, old)).undoPolicy(Step.Policy.WARN);
    }
}
