package org.xennet.scripts.vif;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Guard;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
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
        List<Rule> rules = new ArrayList<>();
        if (addresses.isEmpty()) {
            rules.add(in(dev));
        } else {
            for (String a : addresses) {
                Rule r = in(dev, "-s", a);
                if (!rules.contains(r)) {
                    rules.add(r);
                }
            }
            rules.add(in(dev, "-p", "udp", "--sport", "68", "--dport", "67"));
        }
        rules.add(outRule(dev));
        return rules;
    }

    /** The rule every bridged vif gets, with or without addresses: bridged traffic out to the guest. */
    public static Rule outRule(String dev) {
        return Rule.of(FORWARD, "-m", "physdev", "--physdev-is-bridged", "--physdev-out", dev, "-j", "ACCEPT");
    }

    private static Rule in(String dev, String... match) {
        List<String> spec = new ArrayList<>(List.of("-m", "physdev", "--physdev-is-bridged", "--physdev-in", dev));
        spec.addAll(List.of(match));
        spec.add("-j");
        spec.add("ACCEPT");
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
        Firewall[] fw = {null};
        for (Rule r : rules) {
            Optional<Boolean> present = present(ctx, fw, r);
            if (present.orElse(false)) {
                continue;
            }
            String words = String.join(" ", r.spec());
            boolean[] added = {false};
            plan.add(Step.warn("iptables -I " + r.chain() + " " + words, () -> {
                if (fw[0] == null) {
                    fw[0] = ctx.firewall().get();
                }
                if (present.isPresent() || !fw[0].exists(r)) {
                    fw[0].insert(r);
                    added[0] = true;
                }
            }).undoneBy("iptables -D " + r.chain() + " " + words, () -> {
                if (added[0]) {
                    fw[0].delete(r);
                }
            }));
        }
    }

    /**
     * offline: every copy of each rule that is there removed (Xen's script inserted some twice),
     * best effort; a rule that is not there is not in the plan.
     */
    public static void remove(Plan plan, ScriptContext ctx, List<Rule> rules) {
        Firewall[] fw = {null};
        for (Rule r : rules) {
            if (!present(ctx, fw, r).orElse(true)) {
                continue;
            }
            plan.add(Step.bestEffort("iptables -D " + r.chain() + " " + String.join(" ", r.spec()), () -> {
                if (fw[0] == null) {
                    fw[0] = ctx.firewall().get();
                }
                while (fw[0].exists(r)) {
                    fw[0].delete(r);
                }
            }));
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
        for (Rule r : found) {
            if (namesDevice(r, dev)) {
                plan.add(fs.delete(r).withPolicy(Step.Policy.BEST_EFFORT));
            }
        }
    }

    static boolean namesDevice(Rule r, String dev) {
        List<String> w = r.spec();
        if (w.size() < 2 || !w.get(w.size() - 1).equals("ACCEPT") || !w.get(w.size() - 2).equals("-j")) {
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
    private static Optional<Boolean> present(ScriptContext ctx, Firewall[] fw, Rule r) {
        try {
            if (fw[0] == null) {
                fw[0] = ctx.firewall().get();
            }
            return Optional.of(fw[0].exists(r));
        } catch (XennetException e) {
            LOG.warn("cannot tell whether " + r.asAppend() + " is there: " + e.getMessage());
            return Optional.empty();
        }
    }
}
