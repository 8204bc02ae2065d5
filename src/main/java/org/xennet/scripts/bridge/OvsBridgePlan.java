// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.time.Duration;
import java.util.Map;
import org.xennet.model.Address;
import org.xennet.model.Route;
import org.xennet.ovsdb.BridgeConfig;
import org.xennet.ovsdb.PortConfig;
import org.xennet.plan.NetSteps;
import org.xennet.plan.OvsSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.bridge.StateRecord.Phase;

/**
 * network-bridge's start plan for an Open vSwitch bridge, built from the {@link OvsStateRecord}
 * alone: the bridge (taking the NIC's MAC and MTU), the NIC down, flushed and made a port, the
 * bridge up with the NIC's addresses and routes. The NIC keeps its name. stop is the inverse: the
 * bridge goes down first (the kernel drops the routes through it, so the NIC can take them back
 * without a clash), the NIC leaves the bridge and gets its addresses and routes back, then the
 * bridge is deleted.
 */
final class OvsBridgePlan {
    private OvsBridgePlan() {
    }

    static Plan start(OvsStateRecord r, NetSteps ns, OvsSteps os, Duration carrierWait) {
        Plan plan = new Plan("network-bridge start");
        NicState nic = r.nic();
        String nd = r.netdev();
        String br = r.bridge();
        plan.add(os.addBridge(new BridgeConfig(br, r.datapathType(), nic.mac() == null ? null : nic.mac().toString(),
                nic.mtu(), r.stp(), Map.of(OvsStateRecord.MARKER_KEY, OvsStateRecord.MARKER_VALUE))));
        plan.add(ns.down(nd).undoneBy(BridgePlan.restoreCommands(nd, nic), () -> BridgePlan.restore(ns, nd, nic)));
        plan.add(ns.flush(nd));
        // a port is a layer-2 device: without this it keeps an IPv6 link-local address and SLAAC. After
        // the NIC went down, so that the inverse switches IPv6 back on before the NIC's addresses return
        plan.add(ns.layer2Only(nd, nic.ipv6Disabled()));
        plan.add(os.addPort(br, PortConfig.system(nd)));
        plan.add(withoutUndo(ns.up(nd))); // the undo of the flush brings it up with its addresses
        plan.add(BridgePlan.waitForCarrier(ns.network(), nd, carrierWait));
        plan.add(ns.up(br)); // undone by down: the kernel then drops the routes through the bridge
        for (Address a : nic.addressesFor(nd, br)) { // a label eth0:1 becomes xenbr0:1: the kernel wants the name
            plan.add(ns.addressAdd(br, a));
        }
        for (Route rt : nic.routes()) {
            plan.add(ns.routeAdd(br, rt));
        }
        return plan;
    }

    /** stop: the inverse of the steps of start that ran (all once start finished), then the record removed. */
    static Plan stop(OvsStateRecord r, NetSteps ns, OvsSteps os, Duration carrierWait, String recordFile,
            Step.Action removeRecord) {
        Plan start = start(r, ns, os, carrierWait);
        int ran = r.phase() == Phase.STARTING ? r.step() + 1 : start.steps().size();
        Plan stop = start.inverse("network-bridge stop", ran);
        if (recordFile != null) {
            stop.add(Step.bestEffort("rm " + recordFile, removeRecord));
        }
        return stop;
    }

    private static Step withoutUndo(Step s) {
        return Step.required(s.description(), s.action()).withPolicy(s.policy());
    }
}
