// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.Comparator;
import java.util.Optional;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;

/**
 * The {@code netdev} default every network-* and vif-* script shares: the variable, else the
 * device of the IPv4 default route (any name: enp0s3, eno1, bond0, eth0.10; Xen's pattern turned
 * enp0s3 into enp0), else eth0.
 */
public final class Netdev {
    private Netdev() {
    }

    /** netdev: the variable, else the device of the IPv4 default route, else eth0 (as Xen's scripts). */
    public static String of(Params p, Network net) {
        return p.ifname("netdev").orElseGet(() -> defaultRoute(net).orElse("eth0"));
    }

    /** The device of the main table's IPv4 default route with the lowest metric. */
    public static Optional<String> defaultRoute(Network net) {
        return net.routes().list().stream()
                .filter(r -> r.family() == IpAddress.AF_INET && r.table() == Route.TABLE_MAIN && r.isDefault()
                        && r.type() == Route.TYPE_UNICAST && r.oif() != 0)
                .min(Comparator.comparingInt(r -> r.metric()))
                .flatMap(r -> net.links().find(r.oif()))
                .map(Link::name);
    }
}
