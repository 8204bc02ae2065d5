// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.Address;
import org.xennet.model.BondMode;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.plan.FirewallSteps;
import org.xennet.plan.NetSteps;
import org.xennet.plan.NftSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.bridge.StateRecord.SysctlChange;

/**
 * network-bridge's start plan, built from the state record alone, so that any process can build
 * the same plan again: start runs it, stop runs its inverse, and the next call after a kill runs
 * the inverse of the steps that had begun. Steps whose effect goes away with a link that is
 * deleted later (a port of the bridge going up) have no undo of their own, so the inverse of a
 * finished start is the short list of commands an operator would type.
 */
final class BridgePlan {
    static final String FORWARD = "FORWARD";

    private BridgePlan() {
    }

    static Plan start(StateRecord r, NetSteps ns, FirewallSteps fs, Duration carrierWait) {
        return start(r, ns, fs, new NftSteps(() -> {
            throw new XennetException("nftables not opened to describe a plan");
        }), carrierWait);
    }

    static Plan start(StateRecord r, NetSteps ns, FirewallSteps fs, NftSteps nfs, Duration carrierWait) {
        Plan plan = new Plan("network-bridge start");
        if (r.topology() == StateRecord.Topology.VLAN) {
            vlanTopology(plan, r, ns, carrierWait);
        } else {
            if (r.topology() == StateRecord.Topology.NETLOOP) {
                netloop(plan, r, ns);
            } else {
                finalTopology(plan, r, ns);
            }
            bringUp(plan, r, ns, carrierWait);
        }
        antispoof(plan, r, fs, nfs);
        for (SysctlChange c : r.sysctls()) {
            plan.add(ns.sysctl(c.key(), c.value(), c.old()).withPolicy(Step.Policy.WARN)
                    .undoPolicy(Step.Policy.WARN));
        }
        return plan;
    }

    /** stop: the inverse of the steps of start that ran (all of them once start finished), then the record removed. */
    static Plan stop(StateRecord r, NetSteps ns, FirewallSteps fs, NftSteps nfs, Duration carrierWait, String recordFile,
            Step.Action removeRecord) {
        Plan start = start(r, ns, fs, nfs, carrierWait);
        int ran = r.phase() == StateRecord.Phase.STARTING ? r.step() + 1 : start.steps().size();
        Plan stop = start.inverse("network-bridge stop", ran);
        if (recordFile != null) {
            stop.add(Step.bestEffort("rm " + recordFile, removeRecord));
        }
        return stop;
    }

    /** Xen 3.0: bridge xenbrN, veth pair vethN/vif0.N; the veth end takes the NIC's MAC, name and addresses. */
    private static void netloop(Plan plan, StateRecord r, NetSteps ns) {
        NicState before = r.nic();
        String nd = r.netdev();
        String pd = r.pdev();
        String vd = r.vdev();
        String v0 = r.vif0();
        String br = r.bridge();
        plan.add(ns.addBridge(br, r.stp(), r.forwardDelayCentis(), r.vlanFiltering()));
        // Xen 3.0's create_bridge and setup_bridge_port: neither the bridge nor its ports answer
        // ARP, so dom0 is reached only through its own netdev, with the NIC's real MAC (two hosts
        // on one LAN would otherwise both answer as fe:ff:ff:ff:ff:ff).
        plan.add(ns.arp(br, false, null));
        plan.add(ns.multicast(br, false, null));
        plan.add(ns.addVeth(vd, v0));
        if (before.mac() != null) {
            plan.add(ns.mac(vd, before.mac(), null));
        }
        plan.add(ns.mtu(vd, before.mtu(), 0));
        plan.add(ns.mtu(v0, before.mtu(), 0));
        plan.add(ns.mac(v0, MacAddress.XEN_BACKEND, null));
        plan.add(ns.arp(v0, false, null));
        plan.add(ns.multicast(v0, false, null));
        plan.add(ns.layer2Only(br, null));
        plan.add(ns.layer2Only(v0, null));
        nicToPort(plan, r, ns);
        plan.add(ns.layer2Only(pd, before.ipv6Disabled()));
        plan.add(ns.arp(pd, false, before.arp()));
        plan.add(ns.multicast(pd, false, before.multicast()));
        plan.add(ns.rename(vd, nd, before::isNot));
        if (before.mac() != null) {
            // The veth now answers with the NIC's MAC; the port must not, or the bridge would keep
            // frames for dom0 to itself.
            plan.add(ns.mac(pd, MacAddress.XEN_BACKEND, before.mac()));
        }
        plan.add(ns.master(pd, br, null));
        plan.add(withoutUndo(ns.master(v0, br, null))); // goes with the veth pair
        plan.add(withoutUndo(ns.up(br))); // goes with the bridge
        plan.add(withoutUndo(ns.up(v0)));
    }

    /** Xen 3.2-4.4: the bridge takes the NIC's name, MAC and addresses; the NIC becomes pNETDEV, its port. */
    private static void finalTopology(Plan plan, StateRecord r, NetSteps ns) {
        NicState before = r.nic();
        String nd = r.netdev();
        String pd = r.pdev();
        String host = r.hostInterface(); // netdev, unless a bridge of another name was asked for
        String tmp = BridgeSettings.TMP_BRIDGE;
        plan.add(ns.addBridge(tmp, r.stp(), r.forwardDelayCentis(), r.vlanFiltering()));
        if (before.mac() != null) {
            // Fixed, so that the bridge keeps the NIC's MAC whatever ports join later.
            plan.add(ns.mac(tmp, before.mac(), null));
        }
        plan.add(ns.mtu(tmp, before.mtu(), 0));
        nicToPort(plan, r, ns);
        plan.add(ns.layer2Only(pd, before.ipv6Disabled()));
        plan.add(ns.rename(tmp, host, before::isNot));
        plan.add(ns.master(pd, host, null));
    }

    /**
     * The NIC becomes pNETDEV: down, flushed (from here the host is offline until its addresses
     * are back on the host interface) and renamed; or, for a bond start makes, each NIC down and
     * flushed, then the bond made under the name pNETDEV with the first NIC's MAC and MTU, and the
     * NICs enslaved. Undone: each NIC released (the kernel gives it its MAC and MTU back), the bond
     * deleted, each NIC up again with its addresses and routes.
     */
    private static void nicToPort(Plan plan, StateRecord r, NetSteps ns) {
        if (r.bond() == null) {
            takeNicDown(plan, ns, r.netdev(), r.nic());
            plan.add(ns.rename(r.netdev(), r.pdev()));
            return;
        }
        StateRecord.BondPorts b = r.bond();
        for (StateRecord.Slave s : b.slaves()) {
            takeNicDown(plan, ns, s.name(), s.state());
        }
        // 802.3ad: LACP's system id stays the NIC's MAC even where the bond's becomes fe:ff:ff:ff:ff:ff
        // (netloop), or every host would present one system to the switch
        MacAddress actor = b.mode() == BondMode.IEEE_802_3AD ? r.nic().mac() : null;
        plan.add(ns.addBond(r.pdev(), b.mode(), b.miimonMs(), actor));
        if (r.nic().mac() != null) {
            plan.add(ns.mac(r.pdev(), r.nic().mac(), null));
        }
        plan.add(ns.mtu(r.pdev(), r.nic().mtu(), 0));
        for (StateRecord.Slave s : b.slaves()) {
            plan.add(ns.enslave(s.name(), r.pdev(), s.state().mac(), s.state().mtu()));
        }
    }

    /**
     * A VLAN link made as the only port of its own bridge: bridge (its MTU fixed at the VLAN's, so
     * that it does not follow a guest's smaller one down), the lower device up if it was not, the
     * VLAN link, both up. dom0 has no address on it, so nothing is moved and the host's own
     * network never stops. Undone: the VLAN link and the bridge deleted, the lower device down
     * again if start brought it up.
     */
    private static void vlanTopology(Plan plan, StateRecord r, NetSteps ns, Duration carrierWait) {
        StateRecord.VlanPort v = r.vlan();
        String br = r.bridge();
        String port = r.pdev();
        plan.add(ns.addBridge(br, r.stp(), r.forwardDelayCentis(), r.vlanFiltering()));
        plan.add(ns.layer2Only(br, null));
        plan.add(ns.mtu(br, v.mtu(), 0));
        if (!v.lowerWasUp()) {
            plan.add(ns.up(v.lower(), l -> l.index() == v.lowerIndex()));
        }
        plan.add(ns.addVlan(port, v.lower(), v.id(), v.protocol()));
        plan.add(ns.layer2Only(port, null));
        plan.add(ns.mtu(port, v.mtu(), 0));
        plan.add(withoutUndo(ns.master(port, br, null))); // goes with the VLAN link
        plan.add(withoutUndo(ns.up(port)));
        plan.add(withoutUndo(ns.up(br))); // goes with the bridge
        plan.add(waitForCarrier(ns.network(), port, carrierWait));
    }

    private static Step withoutUndo(Step s) {
        return Step.required(s.description(), s.action()).withPolicy(s.policy());
    }

    /**
     * Down and flushed: from here the host is off the network until the addresses are back. The
     * undo brings the NIC back up with every recorded address and route that is missing.
     */
    private static void takeNicDown(Plan plan, NetSteps ns, String nd, NicState before) {
        plan.add(ns.down(nd).undoneBy(restoreCommands(nd, before), () -> restore(ns, nd, before)));
        plan.add(ns.flush(nd));
    }

    /** The physical port up (with the carrier wait), then the host's interface with its addresses and routes. */
    private static void bringUp(Plan plan, StateRecord r, NetSteps ns, Duration carrierWait) {
        String pd = r.pdev();
        String host = r.hostInterface();
        NicState before = r.nic();
        plan.add(ns.up(pd));
        plan.add(waitForCarrier(ns.network(), pd, carrierWait));
        if (before.up()) {
            plan.add(ns.up(host, before::isNot)); // after a finished stop, netdev is the NIC again
        }
        for (Address a : before.addresses()) {
            plan.add(ns.addressAdd(host, a));
        }
        for (Route rt : before.routes()) {
            plan.add(ns.routeAdd(host, rt));
        }
    }

    /**
     * antispoof=yes: FORWARD policy DROP and an ACCEPT per port, as the record says start found them
     * missing; on the nftables backend, the bridge's chain in {@code bridge xennet} that drops what
     * comes in on a port other than those trusted and the guarded vifs.
     */
    private static void antispoof(Plan plan, StateRecord r, FirewallSteps fs, NftSteps nfs) {
        if (!r.nftTrusted().isEmpty()) {
            plan.add(nfs.antispoof(r.bridge(), r.nftTrusted()));
        }
        if (r.oldForwardPolicy() != null) {
            plan.add(fs.policy(FORWARD, "DROP", r.oldForwardPolicy()));
        }
        for (Rule rule : r.rules()) {
            plan.add(fs.append(rule));
        }
    }

    /** add_to_bridge2's wait for a negotiated link, bounded; a link without carrier is a warning, not a failure. */
    static Step waitForCarrier(Network net, String dev, Duration carrierWait) {
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

    /** The commands {@link #restore} amounts to, one per line, for the dry run of a stop. */
    static String restoreCommands(String dev, NicState state) {
        List<String> lines = new ArrayList<>();
        if (state.up()) {
            lines.add(NetSteps.linkWords(dev, "up"));
        }
        for (Address a : state.addresses()) {
            lines.add("ip addr add " + a + " dev " + dev);
        }
        for (Route rt : state.routes()) {
            lines.add("ip route add " + rt.describe(dev));
        }
        return lines.isEmpty() ? "# " + dev + " was down without addresses: nothing to restore" : String.join("\n", lines);
    }

    /**
     * Brings an interface back to a recorded state: up, every recorded address and route that is
     * missing. Idempotent, so it serves every rollback that passes through it. A link that is not
     * there (a kill before the NIC was renamed back cannot happen here: the rename's undo runs
     * first) is an error: the host would be offline.
     */
    static void restore(NetSteps ns, String dev, NicState state) {
        Network net = ns.network();
        if (state.up()) {
            net.links().setUp(dev, true);
        }
        List<Address> present = net.addresses().list(dev);
        for (Address a : state.addresses()) {
            if (present.stream().noneMatch(x -> x.prefix().equals(a.prefix()))) {
                net.addresses().add(dev, a);
            }
        }
        for (Route rt : state.routes()) {
            ns.addRoute(dev, rt);
        }
    }
}
