// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import org.xennet.net.Network;
import org.xennet.plan.NetSteps;
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
            return NetSteps.linkWords(dev, "master " + bridge);
        }

        @Override
        public Step step(Network net) {
            return new NetSteps(net).master(dev, bridge, from);
        }
    }

    /** {@code ip link set dev DEV up}. */
    record Up(String dev) implements Repair {
        @Override
        public String command() {
            return NetSteps.linkWords(dev, "up");
        }

        @Override
        public Step step(Network net) {
            return new NetSteps(net).up(dev);
        }
    }

    /** {@code ip link set dev DEV mtu MTU}. */
    record Mtu(String dev, int mtu, int old) implements Repair {
        @Override
        public String command() {
            return NetSteps.linkWords(dev, "mtu " + mtu);
        }

        @Override
        public Step step(Network net) {
            return new NetSteps(net).mtu(dev, mtu, old);
        }
    }
}
