package org.xennet.scripts.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.AlreadyExistsException;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.JsonStatus;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.bridge.StateRecord.Topology;

/**
 * {@code network-bridge start|stop|status}. start builds the bridge in one of Xen's two
 * topologies as a plan whose every step knows its undo, so a failure at any point puts the host
 * back as it was; stop restores exactly what the state record says start found. Unlike Xen's
 * script it never flushes the FORWARD chain, never gives up because some other bridge exists,
 * and moves IPv6 addresses and every route (all tables), not just the default gateway.
 */
public final class NetworkBridge implements Script, JsonStatus {
    private static final Log LOG = Log.get(NetworkBridge.class);
    private static final String FORWARD = "FORWARD";

    private final ScriptSpec spec = Scripts.spec("network-bridge").orElseThrow();

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    /** antispoof=yes: bridged traffic coming in from the bridge's uplink (and netloop's vif0.N) is accepted. */
    public static Rule uplinkRule(String port) {
        return Rule.of(FORWARD, "-m", "physdev", "--physdev-in", port, "-j", "ACCEPT");
    }

    @Override
    public StatusJson.Status statusJson(Params p, ScriptContext ctx) {
        return BridgeStatus.json(p, ctx);
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        if (p.get("bridge").filter("null"::equals).isPresent()) {
            return ExitCodes.OK; // Xen's way of switching the script off
        }
        try (Network net = ctx.network().get()) {
            BridgeSettings s = BridgeSettings.resolve(p, net);
            switch (command) {
                case "start":
                    return ctx.locked("network-bridge", dryRun, () -> start(s, net, dryRun, ctx));
                case "stop":
                    return ctx.locked("network-bridge", dryRun, () -> stop(s, net, dryRun, ctx));
                default:
                    return BridgeStatus.print(s, net, ctx);
            }
        }
    }


    // ---------------------------------------------------------------- start

    int start(BridgeSettings s, Network net, boolean dryRun, ScriptContext ctx) {
        Path recordFile = StateRecord.path(ctx.stateDir(), s.bridge());
        Optional<StateRecord> old = StateRecord.read(recordFile);
        if (net.links().exists(s.pdev())) {
            ctx.out().println("network-bridge: " + s.pdev() + " exists, " + s.bridge() + " is already set up; "
                    + "nothing to do");
            return ExitCodes.OK;
        }
        if (old.isPresent() && !dryRun) {
            // /var/run is emptied at boot, so this is a start that was undone by hand or by a crash.
            LOG.warn("network-bridge: removing stale state record " + recordFile + " (" + s.pdev() + " is absent)");
            deleteQuietly(recordFile);
        }
        Link nic = net.links().find(s.netdev()).orElseThrow(() -> new XennetException("netdev " + s.netdev()
                + " does not exist; name the physical interface with netdev=NAME"));
        refuseUnsafe(s, net, nic, ctx);
        NicState before = NicState.capture(net, s.netdev());
        Firewall fw = s.antispoof() ? ctx.firewall().get() : null;
        Plan plan = s.netloop() ? netloopStart(s, net, before, ctx.carrierWait())
                : finalStart(s, net, before, ctx.carrierWait());
        List<Rule> rules = new ArrayList<>();
        String[] oldPolicy = {null};
        if (fw != null) {
            addAntispoof(plan, s, fw, rules, oldPolicy);
        }
        List<String[]> sysctls = new ArrayList<>();
        addSysctls(plan, s, net, sysctls);
        plan.add(Step.required("write state record " + recordFile, () -> new StateRecord(s.topology(), s.netdev(),
                s.pdev(), s.bridge(), s.vdev(), s.vif0(), before, oldPolicy[0], rules, sysctls).write(recordFile))
                .undoneBy("rm " + recordFile, () -> deleteQuietly(recordFile)));
        ctx.runner("network-bridge", dryRun).run(plan);
        if (!dryRun) {
            ctx.out().println("network-bridge: " + s.bridge() + " started: " + describeTopology(s));
        }
        return ExitCodes.OK;
    }

    static String describeTopology(BridgeSettings s) {
        return s.netloop()
                ? "ports " + s.pdev() + " and " + s.vif0() + "; " + s.netdev() + " (veth peer of " + s.vif0()
                        + ") carries the host's addresses"
                : "port " + s.pdev() + "; the bridge carries the host's addresses as " + s.netdev();
    }

    private void refuseUnsafe(BridgeSettings s, Network net, Link nic, ScriptContext ctx) {
        if (nic.isBridge()) {
            throw new XennetException(s.netdev() + " is already a bridge; network-bridge bridges a physical "
                    + "interface (set netdev=)");
        }
        if (nic.hasMaster()) {
            String master = net.links().find(nic.masterIndex()).map(Link::name).orElse("#" + nic.masterIndex());
            throw new XennetException(s.netdev() + " is already a port of " + master + "; detach it first "
                    + "(ip link set " + s.netdev() + " nomaster) or choose another netdev");
        }
        List<String> taken = new ArrayList<>();
        for (String n : s.netloop() ? List.of(s.bridge(), s.vdev(), s.vif0())
                : List.of(BridgeSettings.TMP_BRIDGE)) {
            if (net.links().exists(n)) {
                taken.add(n);
            }
        }
        if (!taken.isEmpty()) {
            throw new XennetException(String.join(", ", taken) + (taken.size() == 1 ? " exists" : " exist")
                    + " but was not made by xennet for " + s.netdev() + "; remove "
                    + (taken.size() == 1 ? "it" : "them") + " or choose another bridge=/vifnum=");
        }
        if (!s.force()) {
            HostChecks.refuseNetworkRoot(s.netdev(), nic, net, ctx);
            HostChecks.refuseManaged(s.netdev(), nic, ctx);
        }
    }

    private static Plan netloopStart(BridgeSettings s, Network net, NicState before, Duration carrierWait) {
        String nd = s.netdev();
        String pd = s.pdev();
        String vd = s.vdev();
        String v0 = s.vif0();
        String br = s.bridge();
        Plan plan = new Plan("network-bridge start");
        plan.add(addBridge(net, br, s));
        plan.add(Step.required("ip link add " + vd + " type veth peer name " + v0, () -> net.links().addVeth(vd, v0))
                .undoneBy("ip link del " + vd, () -> net.links().delete(vd)));
        if (before.mac() != null) {
            plan.add(Step.required("ip link set dev " + vd + " address " + before.mac(),
                    () -> net.links().setMac(vd, before.mac())));
        }
        plan.add(Step.required("ip link set dev " + vd + " mtu " + before.mtu(), () -> net.links().setMtu(vd, before.mtu())));
        plan.add(Step.required("ip link set dev " + v0 + " mtu " + before.mtu(), () -> net.links().setMtu(v0, before.mtu())));
        plan.add(Step.required("ip link set dev " + v0 + " address " + MacAddress.XEN_BACKEND,
                () -> net.links().setMac(v0, MacAddress.XEN_BACKEND)));
        plan.add(layer2Only(net, br, null));
        plan.add(layer2Only(net, v0, null));
        takeNicDown(plan, net, nd, before);
        plan.add(rename(net, nd, pd));
        plan.add(layer2Only(net, pd, before.ipv6Disabled()));
        plan.add(rename(net, vd, nd));
        if (before.mac() != null) {
            // The veth now answers with the NIC's MAC; the port must not, or the bridge would keep
            // frames for dom0 to itself.
            plan.add(Step.required("ip link set dev " + pd + " address " + MacAddress.XEN_BACKEND,
                    () -> net.links().setMac(pd, MacAddress.XEN_BACKEND))
                    .undoneBy("ip link set dev " + pd + " address " + before.mac(),
                            () -> net.links().setMac(pd, before.mac())));
        }
        plan.add(enslave(net, pd, br));
        plan.add(enslave(net, v0, br));
        plan.add(up(net, br));
        plan.add(up(net, v0));
        bringUp(plan, net, pd, nd, before, carrierWait);
        return plan;
    }

    private static Plan finalStart(BridgeSettings s, Network net, NicState before, Duration carrierWait) {
        String nd = s.netdev();
        String pd = s.pdev();
        String tmp = BridgeSettings.TMP_BRIDGE;
        Plan plan = new Plan("network-bridge start");
        plan.add(addBridge(net, tmp, s));
        if (before.mac() != null) {
            // Fixed, so that the bridge keeps the NIC's MAC whatever ports join later.
            plan.add(Step.required("ip link set dev " + tmp + " address " + before.mac(),
                    () -> net.links().setMac(tmp, before.mac())));
        }
        plan.add(Step.required("ip link set dev " + tmp + " mtu " + before.mtu(),
                () -> net.links().setMtu(tmp, before.mtu())));
        takeNicDown(plan, net, nd, before);
        plan.add(rename(net, nd, pd));
        plan.add(layer2Only(net, pd, before.ipv6Disabled()));
        plan.add(rename(net, tmp, nd));
        plan.add(enslave(net, pd, nd));
        bringUp(plan, net, pd, nd, before, carrierWait);
        return plan;
    }

    /** The physical port up (with the carrier wait), then the host's interface with its addresses and routes. */
    private static void bringUp(Plan plan, Network net, String pd, String nd, NicState before, Duration carrierWait) {
        plan.add(up(net, pd));
        plan.add(waitForCarrier(net, pd, carrierWait));
        if (before.up()) {
            plan.add(up(net, nd));
        }
        addAddressesAndRoutes(plan, net, nd, before);
    }

    private static Step addBridge(Network net, String name, BridgeSettings s) {
        return Step.required("ip link add " + name + " type bridge stp_state " + (s.stp() ? 1 : 0)
                + " forward_delay " + s.forwardDelaySeconds() * 100,
                () -> net.links().addBridge(name, s.stp(), s.forwardDelaySeconds() * 100))
                .undoneBy("ip link del " + name, () -> net.links().delete(name));
    }

    /**
     * No IPv6 on a pure bridge port: ports sharing one MAC would otherwise all claim the same
     * link-local address and fail duplicate address detection. Skipped where the kernel has no
     * IPv6. {@code old} is the value to put back on undo, null for a link this run created.
     */
    private static Step layer2Only(Network net, String dev, String old) {
        Step s = Step.required("sysctl -w net.ipv6.conf." + dev + ".disable_ipv6=1", () -> {
            String key = Sysctls.disableIpv6(dev);
            if (net.sysctls().find(key).isPresent()) {
                net.sysctls().set(key, "1");
            }
        });
        return old == null ? s : s.undoneBy("sysctl -w net.ipv6.conf." + dev + ".disable_ipv6=" + old,
                () -> net.sysctls().set(Sysctls.disableIpv6(dev), old));
    }

    /** Down and flushed: from here the host is off the network until the addresses are back. */
    private static void takeNicDown(Plan plan, Network net, String nd, NicState before) {
        plan.add(Step.required("ip link set dev " + nd + " down", () -> net.links().setUp(nd, false))
                .undoneBy("restore " + nd + " (up, addresses, routes)", () -> restore(net, nd, before)));
        plan.add(Step.required("ip addr flush dev " + nd, () -> net.addresses().flush(nd)));
    }

    private static Step rename(Network net, String from, String to) {
        return Step.required("ip link set dev " + from + " name " + to, () -> net.links().rename(from, to))
                .undoneBy("ip link set dev " + to + " name " + from, () -> {
                    net.links().setUp(to, false);
                    net.links().rename(to, from);
                });
    }

    private static Step enslave(Network net, String dev, String bridge) {
        return Step.required("ip link set dev " + dev + " master " + bridge, () -> net.links().setMaster(dev, bridge))
                .undoneBy("ip link set dev " + dev + " nomaster", () -> net.links().setNoMaster(dev));
    }

    private static Step up(Network net, String dev) {
        return Step.required("ip link set dev " + dev + " up", () -> net.links().setUp(dev, true))
                .undoneBy("ip link set dev " + dev + " down", () -> net.links().setUp(dev, false));
    }

    /** add_to_bridge2's wait for a negotiated link, bounded; a link without carrier is a warning, not a failure. */
    private static Step waitForCarrier(Network net, String dev, Duration carrierWait) {
        return Step.warn("wait for carrier on " + dev, () -> {
            if (!waitCarrier(net, dev, carrierWait)) {
                throw new XennetException(dev + " has no carrier after " + carrierWait.toSeconds()
                        + " s (cable? switch port?); continuing");
            }
        });
    }

    static boolean waitCarrier(Network net, String dev, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            Link l = net.links().get(dev);
            if (l.carrier()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static void addAddressesAndRoutes(Plan plan, Network net, String dev, NicState state) {
        for (Address a : state.addresses()) {
            plan.add(Step.required("ip addr add " + a + " dev " + dev, () -> net.addresses().add(dev, a)));
        }
        for (Route r : state.routes()) {
            plan.add(Step.required("ip route add " + r.describe(dev), () -> addRoute(net, dev, r)));
        }
    }

    private static void addRoute(Network net, String dev, Route r) {
        net.routes().add(r.withOif(net.links().get(dev).index()));
    }

    /**
     * Brings an interface back to a recorded state: MAC, MTU, up, every recorded address and
     * route that is missing. Idempotent, so it serves every rollback that passes through it.
     */
    static void restore(Network net, String dev, NicState state) {
        Link l = net.links().get(dev);
        if (state.mac() != null && !state.mac().equals(l.mac())) {
            net.links().setMac(dev, state.mac());
        }
        if (l.mtu() != state.mtu()) {
            net.links().setMtu(dev, state.mtu());
        }
        if (state.ipv6Disabled() != null) {
            String key = Sysctls.disableIpv6(dev);
            if (!net.sysctls().find(key).orElse(state.ipv6Disabled()).equals(state.ipv6Disabled())) {
                net.sysctls().set(key, state.ipv6Disabled());
            }
        }
        if (state.up()) {
            net.links().setUp(dev, true);
        }
        List<Address> present = net.addresses().list(dev);
        for (Address a : state.addresses()) {
            if (present.stream().noneMatch(x -> x.prefix().equals(a.prefix()))) {
                net.addresses().add(dev, a);
            }
        }
        for (Route r : state.routes()) {
            try {
                addRoute(net, dev, r);
            } catch (AlreadyExistsException e) {
                // still there
            }
        }
    }

    /**
     * FORWARD policy DROP and an ACCEPT per port, each planned only when it does not hold yet, so
     * that the plan (and --dry-run) shows only what changes and stop undoes only that; the policy
     * found is recorded only when start changed it.
     */
    private static void addAntispoof(Plan plan, BridgeSettings s, Firewall fw, List<Rule> rules, String[] oldPolicy) {
        String policy = fw.policy(FORWARD);
        if (!policy.equals("DROP")) {
            plan.add(Step.required("iptables -P FORWARD DROP", () -> {
                fw.setPolicy(FORWARD, "DROP");
                oldPolicy[0] = policy;
            }).undoneBy("iptables -P FORWARD " + policy, () -> fw.setPolicy(FORWARD, policy)));
        }
        List<String> ports = s.netloop() ? List.of(s.pdev(), s.vif0()) : List.of(s.pdev());
        for (String port : ports) {
            Rule r = uplinkRule(port);
            if (fw.exists(r)) {
                continue; // someone else's rule: not ours to remove on stop
            }
            plan.add(Step.required("iptables -A " + FORWARD + " -m physdev --physdev-in " + port + " -j ACCEPT", () -> {
                if (!fw.exists(r)) {
                    fw.append(r);
                    rules.add(r);
                }
            }).undoneBy("iptables -D " + FORWARD + " -m physdev --physdev-in " + port + " -j ACCEPT", () -> {
                if (rules.remove(r)) {
                    fw.delete(r);
                }
            }));
        }
    }

    /**
     * bridge_nf_call_iptables/ip6tables: a step only where the value differs (its old value goes
     * to the state record); a key that does not exist (br_netfilter not loaded) is a warning.
     */
    private static void addSysctls(Plan plan, BridgeSettings s, Network net, List<String[]> changed) {
        String[][] wanted = {{Sysctls.BRIDGE_NF_CALL_IPTABLES, s.nfCallIptables()},
            {Sysctls.BRIDGE_NF_CALL_IP6TABLES, s.nfCallIp6tables()}};
        for (String[] w : wanted) {
            if (w[1] == null) {
                continue;
            }
            String key = w[0];
            String value = w[1];
            String dotted = key.replace('/', '.');
            Optional<String> cur = net.sysctls().find(key);
            if (cur.isEmpty()) {
                LOG.warn("network-bridge: " + dotted + " does not exist (module br_netfilter is not loaded, so "
                        + "bridged traffic is not filtered anyway); not set");
                continue;
            }
            if (cur.get().equals(value)) {
                continue;
            }
            String old = cur.get();
            plan.add(Step.warn("sysctl -w " + dotted + "=" + value, () -> {
                net.sysctls().set(key, value);
                changed.add(new String[] {key, old});
            }).undoneBy("sysctl -w " + dotted + "=" + old, () -> net.sysctls().set(key, old)));
        }
    }

    // ---------------------------------------------------------------- stop

    int stop(BridgeSettings s, Network net, boolean dryRun, ScriptContext ctx) {
        Path recordFile = StateRecord.path(ctx.stateDir(), s.bridge());
        Optional<StateRecord> rec = StateRecord.read(recordFile);
        if (!net.links().exists(s.bridge())) {
            if (rec.isPresent()) {
                if (dryRun) {
                    ctx.out().println("rm " + recordFile);
                } else {
                    LOG.warn("network-bridge: " + s.bridge() + " is gone; removing its state record " + recordFile);
                    deleteQuietly(recordFile);
                }
            }
            ctx.out().println("network-bridge: " + s.bridge() + " does not exist; nothing to stop");
            return ExitCodes.OK;
        }
        StateRecord r;
        if (rec.isPresent()) {
            r = rec.get();
        } else {
            Optional<StateRecord> derived = derive(s, net);
            if (derived.isEmpty()) {
                ctx.out().println("network-bridge: " + s.pdev() + " is not a port of " + s.bridge()
                        + ": not a bridge network-bridge made; leaving it alone");
                return ExitCodes.OK;
            }
            r = derived.get();
            LOG.info("network-bridge: no state record for " + s.bridge() + "; restoring what the interfaces show");
        }
        Firewall fw = r.rules().isEmpty() && r.oldForwardPolicy() == null ? null : ctx.firewall().get();
        Plan plan = new Plan("network-bridge stop");
        if (fw != null) {
            for (Rule rule : r.rules()) {
                plan.add(Step.warn("iptables -D " + rule.chain() + " " + String.join(" ", rule.spec()), () -> {
                    if (fw.exists(rule)) {
                        fw.delete(rule);
                    }
                }).undoneBy("iptables -A " + rule.chain() + " " + String.join(" ", rule.spec()), () -> fw.append(rule)));
            }
            if (r.oldForwardPolicy() != null) {
                plan.add(Step.warn("iptables -P FORWARD " + r.oldForwardPolicy(),
                        () -> fw.setPolicy(FORWARD, r.oldForwardPolicy()))
                        .undoneBy("iptables -P FORWARD DROP", () -> fw.setPolicy(FORWARD, "DROP")));
            }
        }
        String nd = r.netdev();
        String pd = r.pdev();
        NicState bridged = NicState.capture(net, nd);
        plan.add(Step.required("ip link set dev " + nd + " down", () -> net.links().setUp(nd, false))
                .undoneBy("restore " + nd + " (up, addresses, routes)", () -> restore(net, nd, bridged)));
        if (r.topology() == Topology.NETLOOP) {
            plan.add(Step.required("ip link set dev " + pd + " nomaster", () -> net.links().setNoMaster(pd))
                    .undoneBy("ip link set dev " + pd + " master " + r.bridge(),
                            () -> net.links().setMaster(pd, r.bridge())));
            plan.add(Step.required("ip link set dev " + pd + " down", () -> net.links().setUp(pd, false))
                    .undoneBy("ip link set dev " + pd + " up", () -> net.links().setUp(pd, true)));
            plan.add(rename(net, nd, r.vdev()));
        } else {
            plan.add(Step.required("ip link set dev " + pd + " nomaster", () -> net.links().setNoMaster(pd))
                    .undoneBy("ip link set dev " + pd + " master " + nd, () -> net.links().setMaster(pd, nd)));
            plan.add(Step.required("ip link set dev " + pd + " down", () -> net.links().setUp(pd, false))
                    .undoneBy("ip link set dev " + pd + " up", () -> net.links().setUp(pd, true)));
            plan.add(rename(net, nd, BridgeSettings.TMP_BRIDGE));
        }
        plan.add(rename(net, pd, nd));
        restoreNic(plan, net, nd, pd, r.nic());
        if (r.topology() == Topology.NETLOOP) {
            plan.add(Step.warn("ip link del " + r.vdev(), () -> net.links().delete(r.vdev())));
            plan.add(Step.warn("ip link del " + r.bridge(), () -> net.links().delete(r.bridge())));
        } else {
            plan.add(Step.warn("ip link del " + BridgeSettings.TMP_BRIDGE,
                    () -> net.links().delete(BridgeSettings.TMP_BRIDGE)));
        }
        for (String[] sc : r.sysctls()) {
            plan.add(Step.warn("sysctl -w " + sc[0].replace('/', '.') + "=" + sc[1],
                    () -> net.sysctls().set(sc[0], sc[1])));
        }
        if (rec.isPresent()) {
            plan.add(Step.bestEffort("rm " + recordFile, () -> deleteQuietly(recordFile)));
        }
        ctx.runner("network-bridge", dryRun).run(plan);
        if (!dryRun) {
            ctx.out().println("network-bridge: " + r.bridge() + " stopped; " + nd + " restored");
        }
        return ExitCodes.OK;
    }

    /**
     * The NIC, renamed back to {@code nd}, gets what the record says it had: one command per
     * change, decided from how {@code pd} is now (its MAC, MTU and disable_ipv6 as start left
     * them; down, so without routes), each undone on its own if a later step fails.
     */
    private static void restoreNic(Plan plan, Network net, String nd, String pd, NicState before) {
        Link now = net.links().get(pd);
        MacAddress mac = now.mac();
        if (before.mac() != null && !before.mac().equals(mac)) {
            plan.add(Step.required("ip link set dev " + nd + " address " + before.mac(),
                    () -> net.links().setMac(nd, before.mac()))
                    .undoneBy("ip link set dev " + nd + " address " + mac, () -> net.links().setMac(nd, mac)));
        }
        int mtu = now.mtu();
        if (mtu != before.mtu()) {
            plan.add(Step.required("ip link set dev " + nd + " mtu " + before.mtu(),
                    () -> net.links().setMtu(nd, before.mtu()))
                    .undoneBy("ip link set dev " + nd + " mtu " + mtu, () -> net.links().setMtu(nd, mtu)));
        }
        Optional<String> v6 = net.sysctls().find(Sysctls.disableIpv6(pd));
        String v6Before = before.ipv6Disabled();
        if (v6Before != null && v6.isPresent() && !v6.get().equals(v6Before)) {
            String cur = v6.get();
            plan.add(Step.required("sysctl -w net.ipv6.conf." + nd + ".disable_ipv6=" + v6Before,
                    () -> net.sysctls().set(Sysctls.disableIpv6(nd), v6Before))
                    .undoneBy("sysctl -w net.ipv6.conf." + nd + ".disable_ipv6=" + cur,
                            () -> net.sysctls().set(Sysctls.disableIpv6(nd), cur)));
        }
        if (before.up()) {
            plan.add(up(net, nd));
        }
        List<Address> present = net.addresses().list(pd);
        for (Address a : before.addresses()) {
            if (present.stream().noneMatch(x -> x.prefix().equals(a.prefix()))) {
                plan.add(Step.required("ip addr add " + a + " dev " + nd, () -> net.addresses().add(nd, a))
                        .undoneBy("ip addr del " + a.prefix() + " dev " + nd, () -> net.addresses().delete(nd, a)));
            }
        }
        for (Route r : before.routes()) {
            boolean[] added = {false};
            plan.add(Step.required("ip route add " + r.describe(nd), () -> {
                try {
                    addRoute(net, nd, r);
                    added[0] = true;
                } catch (AlreadyExistsException e) {
                    // still there
                }
            }).undoneBy("ip route del " + r.describe(nd), () -> {
                if (added[0]) {
                    net.routes().delete(r.withOif(net.links().get(nd).index()));
                }
            }));
        }
    }

    /**
     * Without a state record (a start by Xen's own script, or a lost /var/run), the inverse is
     * derived from the topology found, as Xen's stop did: only a bridge with p${netdev} as a port
     * is touched, and the interface carrying dom0's addresses gives what the NIC gets back.
     */
    static Optional<StateRecord> derive(BridgeSettings s, Network net) {
        Link br = net.links().get(s.bridge());
        Optional<Link> pdev = net.links().find(s.pdev());
        if (!br.isBridge() || pdev.isEmpty() || pdev.get().masterIndex() != br.index()) {
            return Optional.empty();
        }
        if (s.topology() == Topology.FINAL) {
            NicState now = NicState.capture(net, s.netdev());
            NicState nic = new NicState(pdev.get().mac(), now.mtu(), now.up(), now.ipv6Disabled(), now.addresses(),
                    now.routes());
            return Optional.of(new StateRecord(Topology.FINAL, s.netdev(), s.pdev(), s.bridge(), null, null, nic,
                    null, List.of(), List.of()));
        }
        Optional<Link> host = net.links().find(s.netdev());
        if (host.isEmpty() || !"veth".equals(host.get().kind())) {
            return Optional.empty();
        }
        NicState nic = NicState.capture(net, s.netdev());
        return Optional.of(new StateRecord(Topology.NETLOOP, s.netdev(), s.pdev(), s.bridge(), s.vdev(), s.vif0(),
                nic, null, List.of(), List.of()));
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot remove " + p + ": " + e.getMessage());
        }
    }
}
