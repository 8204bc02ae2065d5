// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import org.xennet.net.Network;
import org.xennet.plan.Step;

/**
 * A vif's nftables guard put back as XenStore asks for it, or the set of a vif that is gone taken
 * out: {@code xennet fix} may do either unattended, since it touches nothing but that vif's own
 * chain in xennet's own table. The step is the one transaction vif-bridge (or vif-route, vif-nat)
 * would run; {@code command} says it in one line.
 */
public record GuardRepair(String dev, String command, Step plan) implements Repair {
    @Override
    public Step step(Network net) {
        return plan;
    }
}
