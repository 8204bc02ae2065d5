// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.util.List;
import org.xennet.model.BridgeVlan;

/**
 * The VLANs of bridge ports ({@code bridge vlan ...}): on a bridge with {@code vlan_filtering},
 * which VLANs a port carries, which one untagged frames arriving there belong to (pvid), and
 * which leave it untagged. VLAN ids are checked (1-4094) before the kernel is asked.
 */
public interface BridgeVlanOps {

    /** Equivalent to: {@code bridge vlan show}: every port's VLANs, and the bridges' own. */
    List<BridgeVlan> list();

    /** Equivalent to: {@code bridge vlan show dev DEV}; a link that is not a bridge port has none. */
    List<BridgeVlan> list(String dev);

    /**
     * Equivalent to: {@code bridge vlan add dev DEV vid VID [pvid] [untagged]}. On a VLAN the port
     * has, the flags are replaced; a pvid moves the port's pvid from any other VLAN.
     */
    void add(String dev, int vid, boolean pvid, boolean untagged);

    /**
     * Equivalent to: {@code bridge vlan del dev DEV vid VID}. A VLAN the port does not have is no
     * error (the kernel, 6.1, acknowledges it); a link that is not a bridge port is.
     */
    void delete(String dev, int vid);
}
