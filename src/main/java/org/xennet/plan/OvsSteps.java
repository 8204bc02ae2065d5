// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import java.util.Optional;
import java.util.function.Supplier;
import org.xennet.ovsdb.BridgeConfig;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.ovsdb.OvsPort;
import org.xennet.ovsdb.PortConfig;

/**
 * The Open vSwitch steps, made in one place: each with its description (the {@code ovs-vsctl}
 * command it equals), its action and its undo. Like {@link NetSteps}, actions and undos check
 * before they act (a port that is there as asked counts as added, a bridge that is gone as
 * deleted), so the same undo serves a rollback, a stop and the recovery after a kill.
 * The connection is opened on first use, so a plan that needs no change never opens it.
 */
public final class OvsSteps {
    private final Supplier<OpenVswitch> ovs;

    public OvsSteps(Supplier<OpenVswitch> ovs) {
        this.ovs = ovs;
    }

    public OpenVswitch ovs() {
        return ovs.get();
    }

    /**
     * {@code ovs-vsctl -- --if-exists del-port NAME -- add-port BRIDGE NAME ...} (one transaction);
     * undone by putting {@code old} back where it was, or by deleting the port when there was none.
     */
    public Step replacePort(String bridge, PortConfig port, Optional<OvsPort> old) {
        String does = "ovs-vsctl -- --if-exists del-port " + port.name() + " -- " + port.vsctlWords(bridge);
        Step s = Step.required(does, () -> ovs().replacePort(bridge, port));
        if (old.isPresent()) {
            OvsPort o = old.get();
            return s.undoneBy("ovs-vsctl -- --if-exists del-port " + o.name() + " -- " + o.config().vsctlWords(o.bridge()),
                    () -> ovs().replacePort(o.bridge(), o.config()));
        }
        return s.undoneBy("ovs-vsctl --if-exists del-port " + port.name(), () -> ovs().deletePort(port.name()));
    }

    /**
     * {@code ovs-vsctl --may-exist add-port BRIDGE NAME}: done when the port is on that bridge as
     * asked; undone by deleting it if it is still on that bridge.
     */
    public Step addPort(String bridge, PortConfig port) {
        return Step.required("ovs-vsctl --may-exist " + port.vsctlWords(bridge), () -> {
            Optional<OvsPort> p = ovs().findPort(port.name());
            if (p.isEmpty() || !p.get().matches(bridge, port)) {
                ovs().replacePort(bridge, port);
            }
        }).undoneBy("ovs-vsctl --if-exists del-port " + bridge + " " + port.name(), () -> {
            if (ovs().findPort(port.name()).filter(p -> p.bridge().equals(bridge)).isPresent()) {
                ovs().deletePort(port.name());
            }
        });
    }

    /** {@code ovs-vsctl --if-exists del-port NAME}; undone by putting {@code old} back (when given). */
    public Step deletePort(String name, OvsPort old) {
        Step s = Step.required("ovs-vsctl --if-exists del-port " + name, () -> ovs().deletePort(name));
        return old == null ? s : s.undoneBy("ovs-vsctl -- --if-exists del-port " + name + " -- "
                + old.config().vsctlWords(old.bridge()), () -> ovs().replacePort(old.bridge(), old.config()));
    }

    /**
     * {@code ovs-vsctl --may-exist add-br NAME -- set bridge NAME ...}: done when a bridge of that
     * name exists; undone by deleting it ({@code --if-exists del-br}).
     */
    public Step addBridge(BridgeConfig b) {
        return Step.required("ovs-vsctl --may-exist " + b.vsctlWords(), () -> {
            if (ovs().findBridge(b.name()).isEmpty()) {
                ovs().addBridge(b);
            }
        }).undoneBy("ovs-vsctl --if-exists del-br " + b.name(), () -> ovs().deleteBridge(b.name()))
                .undoPolicy(Step.Policy.WARN);
    }
}
