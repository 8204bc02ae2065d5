package org.xennet.scripts.vif;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.config.ConfigFile;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.plan.FirewallSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
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

    /** The switch: {@code vif_iptables} in xennet.conf, {@code XENNET_VIF_IPTABLES} in the environment; on by default. */
    public static boolean enabled(ScriptContext ctx) {
        ConfigFile conf = ctx.config().get();
        return ConfigFile.yes(ctx.env().getOrDefault("XENNET_VIF_IPTABLES", conf.get("vif_iptables").orElse("yes")));
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
     */
    public static void removeAllFor(Plan plan, ScriptContext ctx, String dev) {
        if (!enabled(ctx)) {
            return;
        }
        FirewallSteps fs = new FirewallSteps(ctx.firewall());
        List<Rule> found;
        try {
            found = fs.firewall().list(FORWARD);
        } catch (XennetException e) {
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
    private static Optional<Boolean> present(FirewallSteps fs, Rule r) {
        try {
            return Optional.of(fs.firewall().exists(r));
        } catch (XennetException e) {
            LOG.warn("cannot tell whether " + r.asAppend() + " is there: " + e.getMessage());
            return Optional.empty();
        }
    }
}
