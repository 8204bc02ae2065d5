// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.util.Map;
import java.util.TreeMap;

/**
 * A bridge to add: its name, {@code datapath_type} ("" for Open vSwitch's default), the MAC its
 * internal interface takes ({@code other_config:hwaddr}; null: Open vSwitch picks one), the MTU of
 * its internal interface ({@code mtu_request}; 0: none), spanning tree, and {@code external_ids}.
 */
public record BridgeConfig(String name, String datapathType, String hwaddr, int mtu, boolean stp,
        Map<String, String> externalIds) {

    public BridgeConfig {
        externalIds = Map.copyOf(externalIds);
    }

    /** {@code add-br NAME -- set bridge NAME datapath_type=... other-config:hwaddr=... ...}. */
    public String vsctlWords() {
        StringBuilder b = new StringBuilder("add-br " + name);
        StringBuilder set = new StringBuilder();
        if (!datapathType.isEmpty()) {
            set.append(" datapath_type=").append(datapathType);
        }
        if (hwaddr != null) {
            set.append(" other-config:hwaddr=").append(PortConfig.quote(hwaddr));
        }
        if (stp) {
            set.append(" stp_enable=true");
        }
        new TreeMap<>(externalIds).forEach((k, v) -> set.append(" external-ids:").append(k).append('=')
                .append(PortConfig.quote(v)));
        if (set.length() > 0) {
            b.append(" -- set bridge ").append(name).append(set);
        }
        if (mtu > 0) {
            b.append(" -- set interface ").append(name).append(" mtu_request=").append(mtu);
        }
        return b.toString();
    }
}
