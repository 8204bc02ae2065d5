// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.util.List;
import java.util.Map;

/**
 * An Open vSwitch bridge as {@code ovs-vsctl list bridge} shows it: its name (also the name of
 * its internal interface), {@code datapath_type} ("" is the default, {@code system}; {@code netdev}
 * is the userspace datapath), the names of its ports, its {@code external_ids} and
 * {@code other_config}.
 */
public record OvsBridge(String name, String datapathType, List<String> ports, Map<String, String> externalIds,
        Map<String, String> otherConfig) {

    public OvsBridge {
        ports = List.copyOf(ports);
        externalIds = Map.copyOf(externalIds);
        otherConfig = Map.copyOf(otherConfig);
    }
}
