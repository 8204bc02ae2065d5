// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.firewall.NftRules;
import org.xennet.firewall.NftTable;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.log.Log;
import org.xennet.log.Startup;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;
import org.xennet.plan.NftSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.FirewallBackend;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;

/**
 * A vif's guard on the nftables backend ({@link org.xennet.scripts.FirewallBackend#NFTABLES}):
 * from the guest's {@code mac} and {@code ip} keys, one chain of its own in {@code bridge xennet}
 * (a bridge port) or {@code inet xennet} (a routed port), installed and removed in one
 * transaction each. What is installed is read while planning: a guard that already holds (its
 * fingerprint matches) has no step, so a second online changes nothing, and a set that is not
 * there has no removal. Calls for one vif are serialized by {@link VifScript}'s lock.
 */
public final class VifGuard {
    private static final Log LOG = Log.get(VifGuard.class);

    private VifGuard() {
    }

    /** The guard the keys ask for: the MAC of {@code mac}, the addresses of {@code ip} (all of them: IPv4 and IPv6). */
    public static Guard of(String dev, Guard.Layer layer, Params p) {
        return of(dev, layer, p.get("mac").orElse(null), p.get("ip").orElse(null));
    }

    /** The same from the key values themselves (null when a key is not there); a bad value is refused. */
    public static Guard of(String dev, Guard.Layer layer, String mac, String ip) {
        MacAddress m = mac == null || mac.isBlank() ? null : MacAddress.parse(mac.trim());
        List<IpPrefix> addresses = null;
        if (ip != null && !ip.isBlank()) {
            addresses = new ArrayList<>();
            for (String a : ip.trim().split("[\\s,]+")) {
                addresses.add(IpPrefix.parse(a));
            }
        }
        return new Guard(dev, layer, m, addresses);
    }

    private static NftSteps steps(ScriptContext ctx) {
        return new NftSteps(() -> new NftablesFirewall(ctx.nftables().get()));
    }

    /** The table as it is now; empty when it cannot be read (the step then does its work unconditionally). */
    private static Optional<NftTable> now(NftSteps ns, String family) {
        try {
            return Optional.of(ns.firewall().tableOrEmpty(family));
        } catch (XennetException e) {
            LOG.warn("cannot read table " + family + " " + NftRules.TABLE + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * vif-route and vif-nat: the routed guard, on the nftables backend only (their iptables ACCEPT
     * rules, which let the guest through a FORWARD policy of DROP, are {@link RoutedFirewall}'s).
     */
    public static void routed(Plan plan, ScriptContext ctx, Guard g, boolean online) {
        if (FirewallBackend.forVifs(ctx) != FirewallBackend.NFTABLES) {
            return;
        }
        if (online) {
            online(plan, ctx, g);
        } else {
            offline(plan, ctx, Guard.Layer.ROUTED, g.dev());
        }
    }

    /** online: the guard installed, unless the same guard is there already. */
    public static void online(Plan plan, ScriptContext ctx, Guard g) {
        NftSteps ns = steps(ctx);
        Optional<NftTable> now = now(ns, g.layer().family());
        Startup.mark("nftables table read");
        if (now.isPresent() && now.get().guard(g.dev()).filter(NftRules.fingerprint(g)::equals).isPresent()) {
            return;
        }
        plan.add(ns.install(g));
    }

    /**
     * Whether iptables may hold rules at all, asked without running it: iptables-nft keeps them in
     * nftables' table {@code ip filter}, iptables-legacy lists its tables in
     * {@code /proc/net/ip_tables_names}. On a host with neither, an offline on the nftables backend
     * has no rules of an earlier backend to look for.
     */
    public static boolean iptablesHasRules(ScriptContext ctx) {
        try {
            if (ctx.nftables().get().run("list tables\n").contains("table ip filter")) {
                return true;
            }
        } catch (XennetException e) {
            return true; // cannot tell: ask iptables
        }
        try {
            return java.nio.file.Files.readString(ctx.host("proc/net/ip_tables_names")).contains("filter");
        } catch (java.io.IOException e) {
            return false; // no legacy x_tables loaded
        }
    }

    /** offline: the vif's set removed from the table of its layer, if it is there. */
    public static void offline(Plan plan, ScriptContext ctx, Guard.Layer layer, String dev) {
        NftSteps ns = steps(ctx);
        String family = layer.family();
        Optional<NftTable> now = now(ns, family);
        // unreadable now: planned as if it were all there; the step looks again before it acts
        NftTable t = now.orElse(new NftTable(family, Map.of(NftRules.chain(dev), ""), Map.of(dev, NftRules.chain(dev)),
                Map.of()));
        if (t.vifs().containsKey(dev) || t.hasChain(NftRules.chain(dev))) {
            plan.add(ns.remove(family, dev, t).withPolicy(Step.Policy.BEST_EFFORT));
        }
    }
}
