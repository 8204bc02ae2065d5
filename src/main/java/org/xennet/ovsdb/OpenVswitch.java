// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.util.List;
import java.util.Optional;

/**
 * The Open vSwitch operations the scripts and doctor use, named after {@code ovs-vsctl}'s
 * commands. A change returns once ovs-vswitchd has applied it (as ovs-vsctl without
 * {@code --no-wait}) and the device it added reports no error; a change that is refused, or that
 * ovs-vswitchd does not apply in time, is an {@link OvsdbException} and leaves the database as
 * it was.
 */
public interface OpenVswitch extends AutoCloseable {

    /** Equivalent to: {@code ovs-vsctl list-br}, with each bridge's ports. */
    List<OvsBridge> bridges();

    /** Equivalent to: {@code ovs-vsctl br-exists NAME}. */
    default Optional<OvsBridge> findBridge(String name) {
        return bridges().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** Equivalent to: {@code ovs-vsctl port-to-br NAME} with {@code list port NAME} and {@code list interface NAME}. */
    Optional<OvsPort> findPort(String name);

    /** Every port of every bridge, internal ones included. */
    List<OvsPort> ports();

    /**
     * Equivalent to: {@code ovs-vsctl -- --if-exists del-port NAME -- add-port BRIDGE NAME [tag=T]
     * [trunks=...] -- set interface NAME external-ids:...}: in one transaction, so that the port
     * is never missing for a moment when it is only changed.
     */
    void replacePort(String bridge, PortConfig port);

    /** Equivalent to: {@code ovs-vsctl --if-exists del-port NAME}; a port that is not there is no error. */
    void deletePort(String name);

    /** Equivalent to: {@code ovs-vsctl add-br NAME -- set bridge NAME ...}. */
    void addBridge(BridgeConfig bridge);

    /** Equivalent to: {@code ovs-vsctl --if-exists del-br NAME}; its ports go with it. */
    void deleteBridge(String name);

    /**
     * Whether ovs-vswitchd has applied the configuration: {@code cur_cfg} has reached
     * {@code next_cfg} (a stopped or hung ovs-vswitchd leaves it behind).
     */
    boolean applied();

    @Override
    void close();
}
