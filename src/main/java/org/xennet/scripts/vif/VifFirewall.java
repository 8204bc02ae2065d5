// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.model.MacAddress;
import org.xennet.plan.FirewallSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.FirewallBackend;
import org.xennet.scripts.ScriptContext;

/**
 * The per-vif antispoof rules of Xen's vif-common.sh ({@code frob_iptable}): for every guest
 * address an ACCEPT of bridged traffic coming in on the vif from that source, one for DHCP
 * requests (always allowed), and one for bridged traffic going out to the vif; with no address,
 * one unrestricted rule each way. Xen inserted the out rule once per address (identical
 * copies); it is inserted once here, so a repeated online never duplicates a rule. A rule
 * already there (or already gone, for offline) has no step in the plan.
 */
public final class VifFirewall {
    private static final Log LOG = Log.get(VifFirewall.class);
    public static final String FORWARD = "FORWARD";

    private VifFirewall() {
    }

    public static List<Rule> rules(String dev, List<String> addresses) {
        return rules(dev, addresses, null);
    }

    /**
     * Xen's rules for the IPv4 addresses of {@code ip}, and for its IPv6 ones their ip6tables
     * equivalents ({@link #ipv6Rules}); {@code mac} (the guest's, or null) gives its link-local
     * address.
     */
    public static List<Rule> rules(String dev, List<String> addresses, String mac) {
        List<String> v4 = addresses.stream().filter(a -> !a.contains(":")).toList();
        List<String> v6 = addresses.stream().filter(a -> a.contains(":")).toList();
        List<Rule> rules = new ArrayList<>();
        if (addresses.isEmpty()) {
            rules.add(in(dev));
        } else if (!v4.isEmpty()) {
            for (String a : v4) {
                Rule r = in(dev, "-s", a);
                if (!rules.contains(r)) {
                    rules.add(r);
                }
            }
        }
        if (!addresses.isEmpty()) {
            rules.add(in(dev, "-p", "udp", "--sport", "68", "--dport", "67"));
        }
        rules.add(outRule(dev));
        if (!v6.isEmpty()) {
            rules.addAll(ipv6Rules(dev, v6, mac));
        }
        return rules;
    }

    /**
     * The IPv6 equivalents, for a guest whose {@code ip} lists IPv6 addresses, in the order they
     * are inserted at the top of ip6tables' FORWARD (so the last is first): a DROP of everything
     * else the vif sends, an ACCEPT per address, its link-local address (the EUI-64 of its MAC) and
     * ICMPv6 from {@code ::} (duplicate address detection), and above all a DROP of router
     * advertisements and DHCPv6 server replies. The DROP makes it a guard whatever ip6tables'
     * policy is. There is no ACCEPT of traffic out to the guest, as Xen's IPv4 rules have: it would
     * accept what another guest forged before that guest's own DROP is reached (each vif's rules go
     * on top); traffic to the guest follows ip6tables' policy.
     */
    static List<Rule> ipv6Rules(String dev, List<String> addresses, String mac) {
        List<Rule> rules = new ArrayList<>();
        rules.add(judged(dev, "DROP").v6());
        List<String> sources = new ArrayList<>(addresses);
        if (mac != null && !mac.isBlank()) {
            sources.add(new Guard(dev, Guard.Layer.BRIDGED, MacAddress.parse(mac.trim()), null).linkLocal().address()
                    .toString());
        }
        for (String a : sources) {
            Rule r = in(dev, "-s", a).v6();
            if (!rules.contains(r)) {
                rules.add(r);
            }
        }
        rules.add(in(dev, "-s", "::", "-p", "ipv6-icmp").v6());
        rules.add(judged(dev, "DROP", "-p", "udp", "--sport", "547", "--dport", "546").v6());
        rules.add(judged(dev, "DROP", "-p", "ipv6-icmp", "--icmpv6-type", "router-advertisement").v6());
        return rules;
    }
    /** The rule every bridged vif gets, with or without addresses: bridged traffic out to the guest. */
    public static Rule outRule(String dev) {
        return Rule.of(FORWARD, "-m", "physdev", "--physdev-is-bridged", "--physdev-out", dev, "-j", "ACCEPT");
    }

    private static Rule in(String dev, String... match) {
        return judged(dev, "ACCEPT", match);
    }

    /** Bridged traffic in from the vif that matches, sent to {@code target}. */
    private static Rule judged(String dev, String target, String... match) {
        List<String> spec = new ArrayList<>(List.of("-m", "physdev", "--physdev-is-bridged", "--physdev-in", dev));
        spec.addAll(List.of(match));
        spec.add("-j");
        spec.add(target);
        return new Rule(FORWARD, spec);
    }

    /**
     * Whether vifs get rules at all: not with {@code firewall=none}, nor with {@code vif_iptables=no}
     * in xennet.conf ({@code XENNET_VIF_IPTABLES=no} in the environment); see {@link FirewallBackend}.
     */
    public static boolean enabled(ScriptContext ctx) {
        return FirewallBackend.forVifs(ctx) != FirewallBackend.NONE;
    }

    /**
     * online: each rule that is not there yet inserted at the top of its chain (a failure is a
     * warning, as Xen's "iptables setup failed"), undone on rollback. Whether a rule is there is
     * asked while planning, so that the plan (and --dry-run) shows only the rules that will be
     * inserted; if iptables cannot tell then, the step asks again when it runs.
     */
    public static void insert(Plan plan, ScriptContext ctx, List<Rule> rules) {
        FirewallSteps fs = new FirewallSteps(ctx.firewall());
        for (Rule r : rules) {
            Optional<Boolean> there = present(fs, r);
            if (there.orElse(false)) {
                continue;
            }
            // calls for one vif are serialized (VifScript's lock): a rule seen missing stays missing
            plan.add((there.isPresent() ? fs.insertMissing(r) : fs.insert(r)).withPolicy(Step.Policy.WARN));
        }
    }

    /**
     * offline: every copy of each rule that is there removed (Xen's script inserted some twice),
     * best effort; a rule that is not there is not in the plan.
     */
    public static void remove(Plan plan, ScriptContext ctx, List<Rule> rules) {
        FirewallSteps fs = new FirewallSteps(ctx.firewall());
        for (Rule r : rules) {
            Optional<Boolean> there = present(fs, r);
            if (!there.orElse(true)) {
                continue;
            }
            plan.add((there.isPresent() ? fs.deletePresent(r) : fs.delete(r)).withPolicy(Step.Policy.BEST_EFFORT));
        }
    }

    /**
     * offline without XenStore (the {@code ip} key unknown): every ACCEPT rule in FORWARD that
     * names the device as the vif scripts do ({@code --physdev-in/--physdev-out DEV} bridged,
     * {@code -i/-o DEV} routed) removed, best effort, so a vif that goes away never leaves one behind.
     * On the nftables backend the vif's sets go too (they need no key), and so do iptables rules
     * left by an online before the backend was switched, when iptables can tell.
     */
    public static void removeAllFor(Plan plan, ScriptContext ctx, String dev) {
        FirewallBackend backend = FirewallBackend.forVifs(ctx);
        if (backend == FirewallBackend.NONE) {
            return;
        }
        if (backend == FirewallBackend.NFTABLES) {
            VifGuard.offline(plan, ctx, Guard.Layer.BRIDGED, dev);
            VifGuard.offline(plan, ctx, Guard.Layer.ROUTED, dev);
            if (!VifGuard.iptablesHasRules(ctx)) {
                return; // no iptables filter table at all: no process to ask
            }
        }
        FirewallSteps fs = new FirewallSteps(ctx.firewall());
        List<Rule> found;
        try {
            found = fs.firewall().list(FORWARD);
        } catch (XennetException e) {
            if (backend == FirewallBackend.NFTABLES) {
                LOG.debug(() -> "no iptables rules of " + dev + " looked for: " + e.getMessage());
                return;
            }
            plan.add(Step.bestEffort("iptables -S " + FORWARD + " (to remove the rules of " + dev + ")", () -> {
                throw e;
            }));
            return;
        }
        if (backend == FirewallBackend.IPTABLES) {
            try {
                found = new ArrayList<>(found);
                found.addAll(fs.firewall().list6(FORWARD)); // the IPv6 equivalents of a guest with IPv6 in ip
            } catch (XennetException e) {
                LOG.debug(() -> "no ip6tables rules of " + dev + " looked for: " + e.getMessage());
            }
        }
        for (Rule r : found) {
            if (namesDevice(r, dev)) {
                plan.add(fs.delete(r).withPolicy(Step.Policy.BEST_EFFORT));
            }
        }
    }

    /**
     * The guest interface ({@code vifD.N}, {@code vifD.N-emu}) a vif script's ACCEPT rule names,
     * if it is one: what xennetd removes when that interface is gone. Rules naming other
     * interfaces are never taken for a vif's.
     */
    public static Optional<String> vifNamed(Rule r) {
        List<String> w = r.spec();
        if (w.size() < 2 || !w.get(w.size() - 1).equals("ACCEPT") || !w.get(w.size() - 2).equals("-j")) {
            return Optional.empty();
        }
        for (int i = 0; i + 1 < w.size(); i++) {
            String o = w.get(i);
            if ((o.equals("--physdev-in") || o.equals("--physdev-out") || o.equals("-i") || o.equals("-o"))
                    && w.get(i + 1).matches("vif[0-9]{1,5}\\.[0-9]{1,9}(-emu)?")) {
                return Optional.of(w.get(i + 1));
            }
        }
        return Optional.empty();
    }

    static boolean namesDevice(Rule r, String dev) {
        List<String> w = r.spec();
        String target = w.isEmpty() ? "" : w.get(w.size() - 1);
        if (w.size() < 2 || !(target.equals("ACCEPT") || r.ipv6() && target.equals("DROP"))
                || !w.get(w.size() - 2).equals("-j")) {
            return false;
        }
        for (int i = 0; i + 1 < w.size(); i++) {
            String o = w.get(i);
            if ((o.equals("--physdev-in") || o.equals("--physdev-out") || o.equals("-i") || o.equals("-o"))
                    && w.get(i + 1).equals(dev)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the rule is in its chain now; empty when iptables cannot tell (the step then finds out). */
    private static Optional<Boolean> present(FirewallSteps fs, Rule r) {
        try {
            return Optional.of(fs.firewall().exists(r));
        } catch (XennetException e) {
            LOG.warn("cannot tell whether " + r.asAppend() + " is there: " + e.getMessage());
            return Optional.empty();
        }
    }
}
