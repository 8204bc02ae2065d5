// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.log.Log;
import org.xennet.model.Address;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.vif.Hooks;
import org.xennet.scripts.vif.VifFirewall;
import org.xennet.scripts.vif.VifGuard;
import org.xennet.scripts.vif.VifScript;
import org.xennet.scripts.vif.VifTarget;
import org.xennet.sys.ProcessRunner;
import org.xennet.xenstore.XenStore;

/**
 * {@code vif-nat online|offline|add|remove}: the guest's NIC as a routed, NATed link. online
 * brings the vif up, puts the router address on it as a /32 (see {@link NatGuest}), routes each
 * guest address to it with that source, turns on proxy ARP on it, writes the guest's DHCP host
 * entry (ISC dhcpd or dnsmasq, see {@link DhcpSetup}) and inserts the FORWARD rules; every step
 * is skipped when it already holds, so a second online changes nothing, and a failure undoes
 * what the call did. offline removes exactly the vif's own route, address, rules and host entry,
 * best effort. Xen's "already up" test (any route line containing "dev vif1.1", which also
 * matched vif1.10, and then exited without reporting success) is replaced by those per-step
 * checks. Emulated NICs (type_if=tap) get no address, as in Xen: only the hooks run.
 */
public final class VifNat extends VifScript {
    private static final Log LOG = Log.get(VifNat.class);
    static final List<String> KEYS = List.of("ip", "mac", "vifname", "frontend-id", "handle");

    /** Child processes: the call's own ({@link ScriptContext#processes}) unless a test gives another. */
    private final ProcessRunner runner;

    public VifNat() {
        this(null);
    }

    VifNat(ProcessRunner runner) {
        super("vif-nat", KEYS);
        this.runner = runner;
    }

    private ProcessRunner runner(ScriptContext ctx) {
        return runner != null ? runner : ctx.processes();
    }

    // ---------------------------------------------------------------- online

    @Override
    protected int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        if (t.typeIf().equals("tap")) {
            Plan plan = new Plan("vif-nat " + command);
            Hooks.add(plan, ctx, "vif-nat", command, t.dev(), t, p, "");
            ctx.runner("vif-nat", dryRun).run(plan);
            return ExitCodes.OK;
        }
        NatGuest g = NatGuest.resolve("vif-nat", t, p);
        Optional<DhcpServer> dhcp = DhcpSetup.resolve(p, ctx, true).map(d -> new DhcpServer(d, ctx.lockDir(), runner(ctx)));
        String mac = dhcp.isPresent() ? p.require("mac", "the guest's MAC address, for its DHCP host entry") : null;
        try (Network net = ctx.network().get()) {
            String dev = t.dev();
            Link link = backendLink(net, t);
            Plan plan = new Plan("vif-nat " + command);
            NetSteps ns = new NetSteps(net);
            boolean renamed = planRename(plan, ns, t, p, link.isUp());
            boolean up = link.isUp() && !renamed;
            String d = wantedName(t, p).orElse(dev);
            if (!up) {
                plan.add(ns.up(d));
            }
            IpPrefix router = g.routerPrefix();
            boolean hasRouter = net.addresses().list(dev).stream().anyMatch(a -> a.prefix().equals(router));
            if (!hasRouter) {
                plan.add(ns.addressAddUndone(d, Address.of(0, router)));
            }
            for (IpPrefix host : g.hostRoutes()) {
                if (ownRoute(net, link.index(), host).isEmpty()) {
                    plan.add(ns.routeAddUndone(d, Route.unicast(host, null, 0).withPrefsrc(g.router()),
                            host.address() + " dev " + d + " src " + g.router()));
                }
            }
            String proxyNow = net.sysctls().find(Sysctls.proxyArp(dev)).orElse("0");
            if (!proxyNow.equals("1")) {
                plan.add(ns.sysctl(Sysctls.proxyArp(d), "1", proxyNow));
            }
            dhcp.ifPresent(s -> addDhcpUp(plan, s, g, d, mac));
            if (NatFirewall.enabled(ctx)) {
                NatFirewall.addVifRules(plan, ctx, d, g.addresses());
            }
            VifGuard.routed(plan, ctx, guard(d, p, g), true);
            Hooks.add(plan, ctx, "vif-nat", command, d, t, p, "");
            ctx.runner("vif-nat", dryRun).run(plan);
            return ExitCodes.OK;
        }
    }

    /** The guest's guard: its MAC, and the addresses routed to it (the DHCP server hands it the first). */
    private static Guard guard(String dev, Params p, NatGuest g) {
        return new Guard(dev, Guard.Layer.ROUTED, VifGuard.of(dev, Guard.Layer.ROUTED, p).mac(), g.hostRoutes());
    }

    /**
     * The guard vif-nat gives guest D's vif N whose backend holds {@code keys} ({@code ip},
     * {@code mac}, {@code frontend-id}, {@code handle}): what doctor compares the installed one with.
     */
    public static Guard guard(String dev, int domid, int devid, Map<String, String> keys) {
        Params p = new Params("vif-nat", Map.of(), keys);
        VifTarget t = new VifTarget("vif", dev, "backend/vif/" + domid + "/" + devid, domid, devid);
        return guard(dev, p, NatGuest.resolve("vif-nat", t, p));
    }

    /** The route this script makes for a guest address: main table, to HOST/32, through the vif. */
    private static Optional<Route> ownRoute(Network net, int oif, IpPrefix host) {
        return net.routes().list().stream().filter(r -> r.family() == IpAddress.AF_INET
                && r.table() == Route.TABLE_MAIN && r.destination().equals(host) && r.oif() == oif
                && r.type() == Route.TYPE_UNICAST).findFirst();
    }

    private static void addDhcpUp(Plan plan, DhcpServer s, NatGuest g, String dev, String mac) {
        String entry = s.entry(g, mac);
        List<String> now = s.hostLines(g.hostname());
        if (!now.equals(List.of(entry))) {
            List<String> old = new ArrayList<>();
            plan.add(Step.required("add to " + s.setup().entryFile() + ": " + entry,
                    () -> old.addAll(s.putHost(g.hostname(), entry)))
                    .undoneBy("restore the " + g.hostname() + " entry in " + s.setup().entryFile(),
                            () -> s.restoreHost(g.hostname(), old)));
        }
        if (s.argsChange(dev, true)) {
            plan.add(Step.required("add " + dev + " to the interfaces in " + s.setup().args(), () -> s.args(dev, true))
                    .undoneBy("remove " + dev + " from the interfaces in " + s.setup().args(), () -> s.args(dev, false)));
        }
        // Xen ignores a failing dhcpd restart here; dnsmasq reads the file again on SIGHUP.
        addReload(plan, s, false);
    }

    /** The server told to read its files again (as Xen, every time); nothing when no dnsmasq runs. */
    private static void addReload(Plan plan, DhcpServer s, boolean bestEffort) {
        String words = s.reloadCommand();
        if (words != null) {
            plan.add(bestEffort ? Step.bestEffort(words, s::reload) : Step.warn(words, s::reload));
        }
    }

    // ---------------------------------------------------------------- offline

    @Override
    protected int offline(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        Plan plan = new Plan("vif-nat " + command);
        if (t.typeIf().equals("tap")) {
            Hooks.add(plan, ctx, "vif-nat", command, t.dev(), t, p, "");
            ctx.runner("vif-nat", dryRun).run(plan);
            return ExitCodes.OK;
        }
        NatGuest g = NatGuest.resolve("vif-nat", t, p);
        Optional<DhcpServer> dhcp;
        try {
            dhcp = DhcpSetup.resolve(p, ctx, true).map(d -> new DhcpServer(d, ctx.lockDir(), runner(ctx)));
        } catch (XennetException e) {
            LOG.warn("vif-nat " + command + " " + t.dev() + ": " + e.getMessage() + " (no DHCP entry removed)");
            dhcp = Optional.empty();
        }
        try (Network net = ctx.network().get()) {
            String d = currentName(net, t, p);
            dhcp.ifPresent(s -> {
                if (!s.hostLines(g.hostname()).isEmpty()) {
                    plan.add(Step.bestEffort("remove the " + g.hostname() + " entry from " + s.setup().entryFile(),
                            () -> s.putHost(g.hostname(), null)));
                }
                if (s.argsChange(d, false)) {
                    plan.add(Step.bestEffort("remove " + d + " from the interfaces in " + s.setup().args(),
                            () -> s.args(d, false)));
                }
                addReload(plan, s, true);
            });
            Optional<Link> link = net.links().find(d);
            if (link.isPresent()) {
                int idx = link.get().index();
                NetSteps ns = new NetSteps(net);
                for (IpPrefix host : g.hostRoutes()) {
                    ownRoute(net, idx, host).ifPresent(r -> plan.add(ns.routeDelete(d, r, host.address() + " dev " + d)
                            .withPolicy(Step.Policy.BEST_EFFORT)));
                }
                IpPrefix router = g.routerPrefix();
                // every address, filtered here: a per-device list fails with ENODEV when netback
                // removes the device meanwhile (xl destroy), and the rules and host entry below
                // must still go
                net.addresses().list().stream().filter(a -> a.index() == idx && a.prefix().equals(router)).findFirst()
                        .ifPresent(a -> plan.add(ns.addressDelete(d, a).withPolicy(Step.Policy.BEST_EFFORT)));
                if (link.get().isUp()) {
                    plan.add(ns.down(d).withPolicy(Step.Policy.BEST_EFFORT));
                }
            }
            if (xs == null) {
                VifFirewall.removeAllFor(plan, ctx, d); // the ip key is unknown
            } else if (NatFirewall.enabled(ctx)) {
                NatFirewall.removeVifRules(plan, ctx, d, g.addresses());
            }
            if (xs != null) {
                VifGuard.routed(plan, ctx, guard(d, p, g), false);
            }
            Hooks.add(plan, ctx, "vif-nat", command, d, t, p, "");
            ctx.runner("vif-nat", dryRun).run(plan);
            return ExitCodes.OK;
        }
    }
}
