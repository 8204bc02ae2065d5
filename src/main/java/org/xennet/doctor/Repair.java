package org.xennet.doctor;

import org.xennet.net.Network;
import org.xennet.plan.Step;

/**
 * A fix that {@code xennet fix} applies unattended because it cannot cut anyone off: it only
 * touches a guest's vif, and only towards what XenStore and vif-bridge say it should be. Each
 * is one plan step with its undo, printed as the {@code ip} command it equals.
 */
public sealed interface Repair permits Repair.Attach, Repair.Up, Repair.Mtu, GuardRepair {
    /** The interface the repair changes. */
    String dev();

    /** The equivalent command. */
    String command();

    /** The step, run against {@code net}. */
    Step step(Network net);

    /** {@code ip link set dev DEV master BRIDGE}; undone by putting it back where it was. */
    record Attach(String dev, String bridge, String from) implements Repair {
        @Override
        public String command() {
            return "ip link set dev " + dev + " master " + bridge;
        }

        @Override
        public Step step(Network net) {
            return Step.required(command(), () -> net.links().setMaster(dev, bridge))
                    .undoneBy(from == null ? "ip link set dev " + dev + " nomaster"
                            : "ip link set dev " + dev + " master " + from, () -> {
                                if (from == null) {
                                    net.links().setNoMaster(dev);
                                } else {
                                    net.links().setMaster(dev, from);
                                }
                            });
        }
    }

    /** {@code ip link set dev DEV up}. */
    record Up(String dev) implements Repair {
        @Override
        public String command() {
            return "ip link set dev " + dev + " up";
        }

        @Override
        public Step step(Network net) {
            return Step.required(command(), () -> net.links().setUp(dev, true))
                    .undoneBy("ip link set dev " + dev + " down", () -> net.links().setUp(dev, false));
        }
    }

    /** {@code ip link set dev DEV mtu MTU}. */
    record Mtu(String dev, int mtu, int old) implements Repair {
        @Override
        public String command() {
            return "ip link set dev " + dev + " mtu " + mtu;
        }

        @Override
        public Step step(Network net) {
            return Step.required(command(), () -> net.links().setMtu(dev, mtu))
                    .undoneBy("ip link set dev " + dev + " mtu " + old, () -> net.links().setMtu(dev, old));
        }
    }
}
