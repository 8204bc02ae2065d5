// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.FirewallSteps;
import org.xennet.plan.NftSteps;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.PlanFailedException;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.FirewallBackend;
import org.xennet.scripts.JsonStatus;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.bridge.StateRecord.Phase;
import org.xennet.scripts.bridge.StateRecord.SysctlChange;
import org.xennet.scripts.bridge.StateRecord.Topology;

/**
 * {@code network-bridge start|stop|status}. start records everything it finds and decides in
 * the state record, on disk before its first change, and notes each step there before taking
 * it; the plan ({@link BridgePlan}) is built from that record alone. So there is one restore
 * path for every case: stop runs the inverse of the start plan, a failed start rolls back
 * through the same undos, and after a kill at any step of start or stop the next stop (or
 * start) rebuilds the plan from the record and takes back exactly the steps that had begun. The
 * host is never left half-bridged by a crash: the operator's stop, or the next start, restores it.
 *
 * <p>Unlike Xen's script it never flushes the FORWARD chain, never gives up because some other
 * bridge exists, and moves IPv6 addresses and every route (all tables), not just the default
 * gateway.
 */
public final class NetworkBridge implements Script, JsonStatus {
    private static final Log LOG = Log.get(NetworkBridge.class);

    private final ScriptSpec spec = Scripts.spec("network-bridge").orElseThrow();

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    /** antispoof=yes: bridged traffic coming in from the bridge's uplink (and netloop's vif0.N) is accepted. */
    public static Rule uplinkRule(String port) {
        return Rule.of(BridgePlan.FORWARD, "-m", "physdev", "--physdev-in", port, "-j", "ACCEPT");
    }

    @Override
    public StatusJson.Status statusJson(Params p, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            BridgeSettings s = BridgeSettings.resolve(p, net, ctx.config().get());
            if (OvsNetworkBridge.applies("status", p, s, ctx)) {
                return OvsNetworkBridge.resolve(p, net, ctx).statusData();
            }
        }
        return BridgeStatus.json(p, ctx);
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        if (p.get("bridge").filter("null"::equals).isPresent()) {
            return ExitCodes.OK; // Xen's way of switching the script off
        }
        try (Network net = ctx.network().get()) {
            BridgeSettings s = BridgeSettings.resolve(p, net, ctx.config().get());
            if (OvsNetworkBridge.applies(command, p, s, ctx)) {
                return OvsNetworkBridge.resolve(p, net, ctx).run(command, dryRun);
            }
            switch (command) {
                case "start":
                    return ctx.locked("network-bridge", dryRun,
                            () -> start(s, () -> BridgeSettings.resolve(p, net, ctx.config().get()), net, dryRun, ctx));
                case "stop":
                    return ctx.locked("network-bridge", dryRun, () -> stop(s, net, dryRun, ctx));
                default:
                    return BridgeStatus.print(s, net, ctx);
            }
        }
    }

    // ---------------------------------------------------------------- start

    /** @param again the settings as they are once a killed call was taken back (what netdev is may have changed) */
    int start(BridgeSettings s, java.util.function.Supplier<BridgeSettings> again, Network net, boolean dryRun,
            ScriptContext ctx) {
        Path file = StateRecord.path(ctx.stateDir(), s.bridge());
        Optional<StateRecord> old = StateRecord.read(file);
        NetSteps ns = new NetSteps(net);
        if (old.isPresent() && old.get().interrupted()) {
            // A start or stop was killed: take back what it did first, then start from a clean host.
            recover(old.get(), file, ns, dryRun, ctx);
            if (dryRun) {
                ctx.out().println("network-bridge: then start again (planned once the host is restored)");
                return ExitCodes.OK;
            }
            s = again.get();
        } else if (net.links().exists(s.pdev())) {
            ctx.out().println("network-bridge: " + s.pdev() + " exists, " + s.bridge() + " is already set up; "
                    + "nothing to do");
            return ExitCodes.OK;
        } else if (old.isPresent() && !dryRun) {
            // /var/run is emptied at boot, so this is a start that was undone by hand.
            LOG.warn("network-bridge: removing stale state record " + file + " (" + s.pdev() + " is absent)");
            deleteQuietly(file);
        }
        StateRecord record = s.topology() == Topology.VLAN ? vlanFacts(s, net, ctx)
                : s.bond() != null && !net.links().exists(s.netdev()) ? bondFacts(s, net, ctx) : nicFacts(s, net, ctx);
        FirewallSteps fs = new FirewallSteps(ctx.firewall());
        Plan plan = BridgePlan.start(record, ns, fs, nftSteps(ctx), ctx.carrierWait());
        if (dryRun) {
            ctx.out().println("write state record " + file);
            ctx.runner("network-bridge", true).run(plan);
            return ExitCodes.OK;
        }
        record.write(file); // before the first change: what a kill leaves behind can be undone
        try {
            ctx.runner("network-bridge", false).run(plan, i -> record.withPhase(Phase.STARTING, i).write(file));
        } catch (PlanFailedException e) {
            if (e.undoFailures().isEmpty()) {
                deleteQuietly(file);
            } // else the record stays, so that stop (or doctor) can finish the rollback
            throw e;
        }
        record.withPhase(Phase.STARTED, plan.steps().size() - 1).write(file);
        ctx.out().println("network-bridge: " + s.bridge() + " started: " + describeTopology(s));
        return ExitCodes.OK;
    }

    /** A NIC (or a VLAN link or bond someone made) bridged as it is: checked, then what start finds. */
    private static StateRecord nicFacts(BridgeSettings s, Network net, ScriptContext ctx) {
        Link nic = net.links().find(s.netdev()).orElseThrow(() -> new XennetException("netdev " + s.netdev()
                + " does not exist; name the physical interface with netdev=NAME"));
        if (s.bond() != null && !isBondOf(net, nic, s.bond().slaves())) {
            throw new XennetException(s.netdev() + " exists and is not a bond of " + String.join(", ",
                    s.bond().slaves()) + "; slaves= makes a bond that does not exist yet (leave slaves= out to "
                    + "bridge " + s.netdev() + " as it is, or choose another netdev=)");
        }
        HostChecks.refuseUnsafe(s, net, nic, ctx);
        return facts(s, net, ctx, NicState.capture(net, s.netdev()), null, null);
    }

    private static boolean isBondOf(Network net, Link bond, List<String> slaves) {
        if (!bond.isBond()) {
            return false;
        }
        List<String> now = net.links().list().stream().filter(l -> l.masterIndex() == bond.index())
                .map(Link::name).sorted().toList();
        return now.equals(slaves.stream().sorted().toList());
    }

    /**
     * A bond made from NICs: each NIC checked and recorded as it is (what stop gives back); the
     * bond then stands for the NIC, with the first NIC's MAC and MTU and every NIC's addresses
     * and routes, which move to the host interface as a NIC's do.
     */
    private static StateRecord bondFacts(BridgeSettings s, Network net, ScriptContext ctx) {
        HostChecks.refuseTaken(s, net);
        List<StateRecord.Slave> slaves = new ArrayList<>();
        for (String name : s.bond().slaves()) {
            Link l = net.links().find(name).orElseThrow(() -> new XennetException("slaves: " + name
                    + " does not exist; slaves= lists the NICs of the bond to make"));
            if (l.isBond() || l.isBridge() || l.isLoopback()) {
                throw new XennetException("slaves: " + name + " is a " + (l.isLoopback() ? "loopback" : l.kind())
                        + "; a bond is made of NICs");
            }
            HostChecks.refuseNic(s, name, l, net, ctx);
            slaves.add(new StateRecord.Slave(name, NicState.capture(net, name)));
        }
        NicState first = slaves.get(0).state();
        List<org.xennet.model.Address> addrs = new ArrayList<>();
        List<org.xennet.model.Route> routes = new ArrayList<>();
        boolean up = false;
        for (StateRecord.Slave sl : slaves) {
            addrs.addAll(sl.state().addresses());
            routes.addAll(sl.state().routes());
            up |= sl.state().up();
        }
        addrs.sort(java.util.Comparator.comparing(org.xennet.model.Address::isSecondary));
        NicState bond = new NicState(0, first.mac(), first.mtu(), up, true, true, null, addrs,
                NicState.sortForAdding(routes));
        return facts(s, net, ctx, bond, null, new StateRecord.BondPorts(s.bond().mode(), BOND_MIIMON_MS, slaves));
    }

    /** The link monitoring of a bond network-bridge makes: a port's carrier checked every 100 ms. */
    static final int BOND_MIIMON_MS = 100;

    /**
     * A VLAN link to make: its lower device (the NIC, also when network-bridge has renamed it
     * pNIC for an untagged bridge beside), the MTU (mtu=, else the lower device's: a VLAN of a
     * jumbo NIC is jumbo), checked before anything changes.
     */
    private static StateRecord vlanFacts(BridgeSettings s, Network net, ScriptContext ctx) {
        BridgeSettings.VlanUplink v = s.vlan();
        Link lower = lowerDevice(net, v.parent());
        for (Link l : net.links().list()) {
            if (l.isVlan() && l.linkIndex() == lower.index() && l.vlanId() == v.id()) {
                throw new XennetException(lower.name() + " has VLAN " + v.id() + " already, as " + l.name()
                        + "; give netdev=" + l.name() + " to bridge it");
            }
        }
        for (String n : List.of(s.bridge(), s.pdev())) {
            if (net.links().exists(n)) {
                throw new XennetException(n + " exists but was not made by xennet for " + s.netdev() + "; remove it "
                        + "or choose another bridge=");
            }
        }
        int mtu = s.mtu() != null ? s.mtu() : lower.mtu();
        if (mtu > lower.mtu()) {
            throw new XennetException("mtu=" + mtu + " is more than " + lower.name() + "'s MTU " + lower.mtu()
                    + ": a VLAN of " + lower.name() + " carries at most that (raise " + lower.name()
                    + "'s MTU first, and the switch ports')");
        }
        NicState none = new NicState(0, lower.mac(), mtu, false, true, true, null, List.of(), List.of());
        return facts(s, net, ctx, none, new StateRecord.VlanPort(lower.name(), lower.index(), v.id(),
                org.xennet.model.Link.ETH_P_8021Q, mtu, lower.isUp()), null);
    }

    /**
     * The device a VLAN of {@code parent} goes on: {@code parent}, unless network-bridge has moved
     * that NIC (renamed p{@code parent}, a bridge port; {@code parent} is then its veth or bridge,
     * which the VLAN would not outlive when that bridge stops).
     */
    static Link lowerDevice(Network net, String parent) {
        String moved = "p" + parent;
        if (org.xennet.model.InterfaceName.isValid(moved)) {
            Optional<Link> p = net.links().find(moved);
            Optional<Link> named = net.links().find(parent);
            if (p.isPresent() && p.get().masterIndex() != 0
                    && (named.isEmpty() || named.get().isBridge() || "veth".equals(named.get().kind()))) {
                return p.get();
            }
        }
        return net.links().find(parent).orElseThrow(() -> new XennetException("netdev: " + parent
                + " does not exist, so VLAN " + parent + ".N cannot be made on it"));
    }

    /**
     * What start finds and decides, all of it, before anything changes: the NIC as it is (or what
     * stands for it), the FORWARD policy and uplink rules antispoof needs and that are missing, the
     * sysctls that differ.
     */
    private static StateRecord facts(BridgeSettings s, Network net, ScriptContext ctx, NicState before,
            StateRecord.VlanPort vlan, StateRecord.BondPorts bond) {
        String oldPolicy = null;
        List<Rule> rules = new ArrayList<>();
        List<String> nftTrusted = new ArrayList<>();
        if (s.antispoof() && FirewallBackend.forAntispoof(ctx) == FirewallBackend.NFTABLES) {
            nftTrusted.addAll(s.netloop() ? List.of(s.pdev(), s.vif0()) : List.of(s.pdev()));
        } else if (s.antispoof()) {
            Firewall fw = ctx.firewall().get();
            String policy = fw.policy(BridgePlan.FORWARD);
            oldPolicy = policy.equals("DROP") ? null : policy;
            for (String port : s.netloop() ? List.of(s.pdev(), s.vif0()) : List.of(s.pdev())) {
                Rule r = uplinkRule(port);
                if (!fw.exists(r)) {
                    rules.add(r); // one that is there is someone else's: not ours to remove on stop
                }
            }
        }
        List<SysctlChange> sysctls = new ArrayList<>();
        String[][] wanted = {{Sysctls.BRIDGE_NF_CALL_IPTABLES, s.nfCallIptables()},
            {Sysctls.BRIDGE_NF_CALL_IP6TABLES, s.nfCallIp6tables()}};
        for (String[] w : wanted) {
            if (w[1] == null) {
                continue;
            }
            Optional<String> cur = net.sysctls().find(w[0]);
            if (cur.isEmpty()) {
                LOG.warn("network-bridge: " + NetSteps.dotted(w[0]) + " does not exist (module br_netfilter is not "
                        + "loaded, so bridged traffic is not filtered anyway); not set");
            } else if (!cur.get().trim().equals(w[1])) {
                sysctls.add(new SysctlChange(w[0], w[1], cur.get().trim()));
            }
        }
        return new StateRecord(Phase.STARTING, -1, s.topology(), s.netdev(), s.pdev(), s.bridge(), s.vdev(),
                s.vif0(), s.stp(), s.forwardDelaySeconds() * 100, before, oldPolicy, rules, sysctls, nftTrusted,
                s.vlanFiltering(), vlan, bond);
    }

    private static NftSteps nftSteps(ScriptContext ctx) {
        return new NftSteps(() -> new NftablesFirewall(ctx.nftables().get()));
    }

    static String describeTopology(BridgeSettings s) {
        if (s.topology() == Topology.VLAN) {
            return "port " + s.pdev() + " (VLAN " + s.vlan().id() + " of " + s.vlan().parent() + ", made for it)";
        }
        return (s.bond() != null ? "bond " + s.pdev() + " of " + String.join(", ", s.bond().slaves()) + "; " : "")
                + (s.netloop()
                ? "ports " + s.pdev() + " and " + s.vif0() + "; " + s.netdev() + " (veth peer of " + s.vif0()
                        + ") carries the host's addresses"
                : "port " + s.pdev() + "; the bridge carries the host's addresses as " + s.bridge());
    }

    // ---------------------------------------------------------------- stop and recovery

    int stop(BridgeSettings s, Network net, boolean dryRun, ScriptContext ctx) {
        Path file = StateRecord.path(ctx.stateDir(), s.bridge());
        Optional<StateRecord> rec = StateRecord.read(file);
        NetSteps ns = new NetSteps(net);
        if (rec.isPresent()) {
            StateRecord r = rec.get();
            if (!r.interrupted() && net.links().find(r.bridge()).filter(Link::isBridge).isEmpty()
                    && !net.links().exists(r.pdev())) {
                if (dryRun) {
                    ctx.out().println("rm " + file);
                } else {
                    LOG.warn("network-bridge: " + s.bridge() + " is gone; removing its state record " + file);
                    deleteQuietly(file);
                }
                ctx.out().println("network-bridge: " + s.bridge() + " does not exist; nothing to stop");
                return ExitCodes.OK;
            }
            return recover(r, file, ns, dryRun, ctx);
        }
        if (!net.links().exists(s.bridge())) {
            ctx.out().println("network-bridge: " + s.bridge() + " does not exist; nothing to stop");
            return ExitCodes.OK;
        }
        if (s.topology() == Topology.VLAN) {
            ctx.out().println("network-bridge: no state record for " + s.bridge() + " (" + file + "): it and "
                    + s.pdev() + " are left alone, as network-bridge deletes only what its start made");
            return ExitCodes.OK;
        }
        Optional<StateRecord> derived = derive(s, net);
        if (derived.isEmpty()) {
            ctx.out().println("network-bridge: " + s.pdev() + " is not a port of " + s.bridge()
                    + ": not a bridge network-bridge made; leaving it alone");
            return ExitCodes.OK;
        }
        LOG.info("network-bridge: no state record for " + s.bridge() + "; restoring what the interfaces show");
        return recover(derived.get(), null, ns, dryRun, ctx);
    }

    /**
     * Takes back what the record's start did (all of it once start had finished; the steps that
     * had begun when it was killed), removes the record, and says what it did. A failure here
     * rolls the stop back (the bridge stays up) and leaves the record as it was.
     */
    private int recover(StateRecord r, Path file, NetSteps ns, boolean dryRun, ScriptContext ctx) {
        return BridgeRecord.takeBack(r, file, dryRun, ctx, LOG, () -> BridgePlan.stop(r, ns,
                new FirewallSteps(ctx.firewall()), nftSteps(ctx), ctx.carrierWait(),
                file == null ? null : file.toString(), () -> deleteQuietly(file)));
    }

    /** "at step 12 of 31 (ip link set dev veth0 name eth0)": where the record says a start was killed. */
    public static String whereInterrupted(StateRecord r, Network net) {
        if (r.phase() != Phase.STARTING) {
            return "part-way";
        }
        if (r.step() < 0) {
            return "before its first change";
        }
        Plan plan = BridgePlan.start(r, new NetSteps(net), new FirewallSteps(() -> {
            throw new XennetException("not opened to describe a plan");
        }), java.time.Duration.ZERO);
        List<org.xennet.plan.Step> steps = plan.steps();
        String d = r.step() < steps.size() ? steps.get(r.step()).description() : null;
        return "at step " + (r.step() + 1) + " of " + steps.size() + (d == null ? "" : " (" + d + ")");
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
        NicState nic;
        if (s.topology() == Topology.FINAL) {
            NicState now = NicState.capture(net, s.hostInterface());
            nic = new NicState(pdev.get().index(), pdev.get().mac(), now.mtu(), now.up(), true, true, now.ipv6Disabled(), now.addresses(),
                    now.routes());
        } else {
            Optional<Link> host = net.links().find(s.netdev());
            if (host.isEmpty() || !"veth".equals(host.get().kind())) {
                return Optional.empty();
            }
            NicState now = NicState.capture(net, s.netdev());
            nic = new NicState(pdev.get().index(), now.mac(), now.mtu(), now.up(), true, true, now.ipv6Disabled(),
                    now.addresses(),
                    now.routes());
        }
        return Optional.of(new StateRecord(Phase.STARTED, -1, s.topology(), s.netdev(), s.pdev(), s.bridge(),
                s.vdev(), s.vif0(), false, 0, nic, null, List.of(), List.of()));
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot remove " + p + ": " + e.getMessage());
        }
    }
}
