// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.route;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.log.Log;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.FirewallSteps;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.JsonStatus;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.Netdev;

/**
 * {@code network-route start|stop|status [netdev=] [antispoof=yes|no]}: dom0 as the router of
 * routed guests (vif-route). start switches IPv4 forwarding on ({@code net.ipv4.ip_forward=1})
 * and proxy ARP on netdev, so that dom0 answers ARP on the LAN for the guests' addresses;
 * {@code antispoof=yes} also sets the FORWARD policy to DROP, so that only what vif-route's
 * per-guest rules accept is forwarded.
 *
 * <p>Differences from Xen's script, on purpose:
 * <ul>
 * <li>Xen's script never called {@code findCommand}: start, stop, status and any other word all
 * switched forwarding on, and nothing was ever switched off. Here the command word counts (an
 * unknown one is refused), stop undoes exactly what start changed, and status reports.</li>
 * <li>What start changed is kept in a state record ({@code STATE_DIR/network-route/NETDEV.state}):
 * the old values of every sysctl it wrote (writing ip_forward rewrites the forwarding flag of every
 * interface, so those that differed are kept too) and the old FORWARD policy. stop puts them back;
 * without a record it changes nothing, as Xen's stop changed nothing, and says so. While another
 * netdev is still started, stop leaves the host-wide settings on and hands their old values to that
 * netdev's record.</li>
 * <li>{@code antispoof} was documented but never implemented by Xen; here it is, default no.</li>
 * <li>netdev defaults to the device of the IPv4 default route, else eth0 (Xen: always eth0), as
 * for network-bridge.</li>
 * <li>Xen took no lock. start and stop read and write the state record, so they take the
 * {@code network-route} hotplug lock (flock, like network-bridge's); status and dry runs do not.</li>
 * </ul>
 */
public final class NetworkRoute implements Script, JsonStatus {
    private static final Log LOG = Log.get(NetworkRoute.class);
    static final String FORWARD = "FORWARD";

    private final ScriptSpec spec = Scripts.spec("network-route").orElseThrow();

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            String netdev = Netdev.of(p, net);
            boolean antispoof = p.yesNo("antispoof", false);
            switch (command) {
                case "start":
                    return ctx.locked("network-route", dryRun, () -> start(netdev, antispoof, net, dryRun, ctx));
                case "stop":
                    return ctx.locked("network-route", dryRun, () -> stop(netdev, net, dryRun, ctx));
                default:
                    return status(netdev, net, ctx);
            }
        }
    }


    private static String dotted(String key) {
        return key.replace('/', '.');
    }

    // ---------------------------------------------------------------- start

    int start(String netdev, boolean antispoof, Network net, boolean dryRun, ScriptContext ctx) {
        if (!net.links().exists(netdev)) {
            throw new XennetException("netdev " + netdev + " does not exist; name the interface to the LAN (the "
                    + "guests' gateway) with netdev=NAME");
        }
        Path file = RouteRecord.path(ctx.stateDir(), netdev);
        Optional<RouteRecord> previous = RouteRecord.read(file);
        // a second start keeps the old values the first one recorded
        Map<String, String> old = new LinkedHashMap<>(previous.map(RouteRecord::sysctls).orElse(Map.of()));
        String[] oldPolicy = {previous.map(RouteRecord::oldForwardPolicy).orElse(null)};
        Plan plan = new Plan("network-route start");

        String forward = net.sysctls().get(Sysctls.IPV4_FORWARD);
        if (!forward.equals("1")) {
            // Writing ip_forward rewrites conf/*/forwarding of every interface (and default); the
            // ones that differed from it are put back by stop after ip_forward itself.
            Map<String, String> perDevice = forwardingExceptions(net, forward);
            plan.add(Step.required(NetSteps.sysctlWords(Sysctls.IPV4_FORWARD, "1"),
                    () -> net.sysctls().set(Sysctls.IPV4_FORWARD, "1"))
                    .undoneBy(NetSteps.sysctlWords(Sysctls.IPV4_FORWARD, forward), () -> {
                        net.sysctls().set(Sysctls.IPV4_FORWARD, forward);
                        perDevice.forEach((k, v) -> net.sysctls().set(k, v));
                    }));
            old.putIfAbsent(Sysctls.IPV4_FORWARD, forward);
            perDevice.forEach(old::putIfAbsent);
        }
        String proxyArp = Sysctls.proxyArp(netdev);
        String proxy = net.sysctls().get(proxyArp);
        if (!proxy.equals("1")) {
            plan.add(new NetSteps(net).sysctl(proxyArp, "1", proxy));
            old.putIfAbsent(proxyArp, proxy);
        }
        if (antispoof) {
            Firewall fw = ctx.firewall().get();
            String policy = fw.policy(FORWARD);
            if (!policy.equals("DROP")) {
                plan.add(new FirewallSteps(() -> fw).policy(FORWARD, "DROP", policy));
                if (oldPolicy[0] == null) {
                    oldPolicy[0] = policy;
                }
            }
        }
        RouteRecord record = new RouteRecord(netdev, old, oldPolicy[0]);
        if (plan.isEmpty()) {
            ctx.out().println("network-route: forwarding and proxy_arp on " + netdev + " are already on"
                    + (antispoof ? ", FORWARD policy DROP" : "") + "; nothing to do"
                    + (previous.isPresent() ? "" : " (not switched on by xennet: stop will leave them)"));
            return ExitCodes.OK;
        }
        if (!record.isEmpty()) {
            plan.add(Step.required("write state record " + file, () -> record.write(file))
                    .undoneBy(previous.isPresent() ? "restore state record " + file : "rm " + file, () -> {
                        if (previous.isPresent()) {
                            previous.get().write(file);
                        } else {
                            RouteRecord.delete(file);
                        }
                    }));
        }
        ctx.runner("network-route", dryRun).run(plan);
        if (!dryRun) {
            ctx.out().println("network-route: started on " + netdev + ": net.ipv4.ip_forward=1, "
                    + dotted(proxyArp) + "=1" + (antispoof ? ", FORWARD policy DROP" : ""));
        }
        return ExitCodes.OK;
    }

    /** conf/DEV/forwarding (and conf/default) values that differ from the global one. */
    private static Map<String, String> forwardingExceptions(Network net, String global) {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(List.of("default"));
        for (Link l : net.links().list()) {
            names.add(l.name());
        }
        for (String n : names) {
            String key = Sysctls.ipv4Forwarding(n);
            net.sysctls().find(key).filter(v -> !v.equals(global)).ifPresent(v -> m.put(key, v));
        }
        return m;
    }

    // ---------------------------------------------------------------- stop

    int stop(String netdev, Network net, boolean dryRun, ScriptContext ctx) {
        Path file = RouteRecord.path(ctx.stateDir(), netdev);
        Optional<RouteRecord> found = RouteRecord.read(file);
        if (found.isEmpty()) {
            ctx.out().println("network-route: no state record for " + netdev + " (" + file + "): nothing that "
                    + "xennet switched on to undo; forwarding and proxy_arp stay as they are (Xen's network-route "
                    + "never switched them off either)");
            return ExitCodes.OK;
        }
        RouteRecord rec = found.get();
        List<Path> others = RouteRecord.others(ctx.stateDir(), netdev);
        Plan plan = new Plan("network-route stop");
        for (Map.Entry<String, String> e : rec.sysctls().entrySet()) {
            if (!RouteRecord.isGlobal(e.getKey())) {
                restore(plan, net, e.getKey(), e.getValue());
            }
        }
        if (!others.isEmpty()) {
            Path heir = others.get(0);
            RouteRecord globals = rec;
            plan.add(Step.required("keep net.ipv4.ip_forward" + (rec.oldForwardPolicy() != null ? " and the FORWARD "
                    + "policy" : "") + ": network-route is still started for " + heir.getFileName()
                    .toString().replace(".state", "") + " (its state record takes over the old values)", () -> {
                        RouteRecord h = RouteRecord.read(heir).orElseThrow(() -> new XennetException(heir
                                + " disappeared"));
                        h.adoptGlobalsOf(globals).write(heir);
                    }));
        } else {
            String fwd = rec.sysctls().get(Sysctls.IPV4_FORWARD);
            if (fwd != null) {
                restore(plan, net, Sysctls.IPV4_FORWARD, fwd);
            }
            for (Map.Entry<String, String> e : rec.sysctls().entrySet()) {
                String key = e.getKey();
                String value = e.getValue();
                if (!RouteRecord.isGlobal(key) || key.equals(Sysctls.IPV4_FORWARD)) {
                    continue;
                }
                if (fwd == null) {
                    restore(plan, net, key, value);
                } else if (net.sysctls().find(key).isPresent()) {
                    // decided when the step runs: writing ip_forward just rewrote this flag
                    plan.add(new NetSteps(net).sysctl(key, value, null));
                }
            }
            if (rec.oldForwardPolicy() != null) {
                String policy = rec.oldForwardPolicy();
                plan.add(new FirewallSteps(ctx.firewall()).policy(FORWARD, policy, "DROP")
                        .undoPolicy(Step.Policy.REQUIRED));
            }
        }
        plan.add(Step.required("rm " + file, () -> RouteRecord.delete(file)));
        ctx.runner("network-route", dryRun).run(plan);
        if (!dryRun) {
            ctx.out().println("network-route: stopped on " + netdev + ": "
                    + (others.isEmpty() ? "the old values are back" : "proxy_arp is back; forwarding stays on for "
                    + others.get(0).getFileName().toString().replace(".state", "")));
        }
        return ExitCodes.OK;
    }

    /**
     * Puts a sysctl back when it differs; a key that no longer exists (the interface is gone)
     * took its setting with it. A failure rolls back what this stop did and keeps the record.
     */
    private static void restore(Plan plan, Network net, String key, String value) {
        Optional<String> now = net.sysctls().find(key);
        if (now.isEmpty()) {
            LOG.info("network-route: " + dotted(key) + " no longer exists (interface gone); nothing to restore");
            return;
        }
        if (now.get().equals(value)) {
            return;
        }
        plan.add(new NetSteps(net).sysctl(key, value, now.get()));
    }

    // ---------------------------------------------------------------- status

    /**
     * What status reports, read once for the text and the JSON form: forwarding, and for an
     * existing netdev its proxy ARP, the antispoof policy and the state record.
     */
    record Status(String netdev, boolean exists, String forward, String proxyArp, String forwardPolicy, Path record) {
        boolean up() {
            return exists && "1".equals(forward) && "1".equals(proxyArp);
        }
    }

    static Status facts(String netdev, Network net, ScriptContext ctx) {
        String forward = net.sysctls().find(Sysctls.IPV4_FORWARD).orElse(null);
        if (!net.links().exists(netdev)) {
            return new Status(netdev, false, forward, null, null, null);
        }
        String proxy = net.sysctls().find(Sysctls.proxyArp(netdev)).orElse(null);
        Path file = RouteRecord.path(ctx.stateDir(), netdev);
        Optional<RouteRecord> rec = RouteRecord.read(file);
        String policy = rec.isPresent() && rec.get().oldForwardPolicy() != null
                ? ctx.firewall().get().policy(FORWARD) : null;
        return new Status(netdev, true, forward, proxy, policy, rec.isPresent() ? file : null);
    }

    int status(String netdev, Network net, ScriptContext ctx) {
        Status s = facts(netdev, net, ctx);
        ctx.out().println("net.ipv4.ip_forward = " + (s.forward() == null ? "?" : s.forward()));
        if (!s.exists()) {
            ctx.out().println("netdev " + netdev + " does not exist: network-route is not set up");
            return ExitCodes.NOT_RUNNING;
        }
        ctx.out().println(dotted(Sysctls.proxyArp(netdev)) + " = " + (s.proxyArp() == null ? "?" : s.proxyArp()));
        if (s.forwardPolicy() != null) {
            ctx.out().println("FORWARD policy = " + s.forwardPolicy() + " (antispoof)");
        }
        ctx.out().println("state record: " + (s.record() != null ? s.record() + " (stop restores the old values)"
                : "none (stop changes nothing)"));
        if (!s.up()) {
            ctx.out().println("network-route is not set up on " + netdev);
        }
        return s.up() ? ExitCodes.OK : ExitCodes.NOT_RUNNING;
    }

    /** {@code status --json}: forwarding, proxy ARP on netdev, the antispoof policy and the state record. */
    @Override
    public StatusJson.Status statusJson(Params p, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            Status s = facts(Netdev.of(p, net), net, ctx);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", StatusJson.VERSION);
            m.put("script", "network-route");
            m.put("running", s.up());
            m.put("netdev", s.netdev());
            m.put("netdev_exists", s.exists());
            m.put("ip_forward", s.forward());
            m.put("proxy_arp", s.proxyArp());
            m.put("forward_policy", s.forwardPolicy());
            m.put("state_record", s.record() == null ? null : s.record().toString());
            return new StatusJson.Status(s.up() ? ExitCodes.OK : ExitCodes.NOT_RUNNING, m);
        }
    }
}
