// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.util.List;
import java.util.Map;

/**
 * A port of an Open vSwitch bridge with its (first) interface, as {@code ovs-vsctl list port} and
 * {@code list interface} show them: its bridge, VLAN {@code tag} (null: none), {@code trunks}
 * (empty: all VLANs, or none with a tag), the interface's {@code type} ("" for a system device,
 * {@code internal} for a bridge's own), its {@code external_ids}, its OpenFlow port number (null
 * while ovs-vswitchd has not added it, -1 when it failed) and ovs-vswitchd's {@code error} (null: none).
 */
public record OvsPort(String name, String bridge, Integer tag, List<Integer> trunks, String type,
        Map<String, String> externalIds, Integer ofport, String error) {

    public OvsPort {
        trunks = List.copyOf(trunks);
        externalIds = Map.copyOf(externalIds);
    }

    /**
     * Whether this port is what {@code config} asks for on {@code bridgeName}, as far as the
     * external ids in {@code config} go (others, such as ovn-controller's {@code ovn-installed},
     * are not the caller's to judge).
     */
    public boolean matches(String bridgeName, PortConfig config) {
        return matches(bridgeName, config, config.externalIds().keySet());
    }

    /**
     * Whether this port is what {@code config} asks for on {@code bridgeName}, where the external
     * ids in {@code managed} must be exactly those of {@code config} (present with its value, or
     * absent when it has none) and any other id is ignored.
     */
    public boolean matches(String bridgeName, PortConfig config, java.util.Collection<String> managed) {
        if (!bridge.equals(bridgeName) || !name.equals(config.name()) || !java.util.Objects.equals(tag, config.tag())
                || !trunks.equals(config.trunks()) || !type.equals(config.type())) {
            return false;
        }
        for (String k : managed) {
            if (!java.util.Objects.equals(externalIds.get(k), config.externalIds().get(k))) {
                return false;
            }
        }
        return managed.containsAll(config.externalIds().keySet());
    }

    /** The port's settings as a config, to put it back as it was. */
    public PortConfig config() {
        return new PortConfig(name, tag, trunks, type, externalIds);
    }
}
