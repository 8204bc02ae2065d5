// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;

/**
 * What dom0's interface carried before network-bridge moved it: MAC, MTU, up/down, ARP and
 * multicast (netloop switches both off on the port), its
 * addresses (global and site scope, as static addresses: DHCP lifetimes dropped, kernel state
 * flags dropped, labels kept) and the routes through it in every table, except the ones the
 * kernel makes by itself (connected, local and broadcast routes, proto kernel) and router
 * advertisements (re-learned on the new interface). {@code ipv6Disabled} is the interface's
 * disable_ipv6 sysctl, null where the kernel has no IPv6. {@code index} is the NIC's interface
 * index, which stays with it through renames until the next boot: it tells the NIC apart from the
 * links start makes under the same name (0: not known, from a record of an older version).
 */
public record NicState(int index, MacAddress mac, int mtu, boolean up, boolean arp, boolean multicast,
        String ipv6Disabled, List<Address> addresses, List<Route> routes) {

    /** Whether a link is not this NIC: one that start made under the NIC's name. */
    public boolean isNot(org.xennet.model.Link l) {
        return index == 0 || l.index() != index;
    }

    public NicState {
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
    }

    public static NicState capture(Network net, String dev) {
        Link l = net.links().get(dev);
        List<Address> addrs = new ArrayList<>();
        for (Address a : net.addresses().list(dev)) {
            if (a.scope() != Address.SCOPE_LINK && a.scope() != Address.SCOPE_HOST) {
                addrs.add(a.asStatic().withIndex(0));
            }
        }
        // primaries before secondaries, so that re-adding keeps which one is primary
        addrs.sort(Comparator.comparing(Address::isSecondary));
        List<Route> routes = new ArrayList<>();
        for (Route r : net.routes().list()) {
            if (r.oif() == l.index() && movable(r)) {
                routes.add(r.withOif(0));
            }
        }
        String v6 = net.sysctls().find(Sysctls.disableIpv6(dev)).orElse(null);
        return new NicState(l.index(), l.mac(), l.mtu(), l.isUp(), l.arp(), l.multicast(), v6, addrs,
                sortForAdding(routes));
    }

    static boolean movable(Route r) {
        return r.protocol() != Route.PROTO_KERNEL && r.protocol() != Route.PROTO_RA && r.table() != Route.TABLE_LOCAL
                && r.type() == Route.TYPE_UNICAST
                && !(r.family() == 10 && r.destination().address().isLinkLocal());
    }

    /** Routes without a gateway first: a gateway must be reachable when its route is added. */
    static List<Route> sortForAdding(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing((Route r) -> r.gateway() != null)
                .thenComparing(r -> -r.destination().length()));
        return sorted;
    }

    /** Addresses with the label rewritten from one interface name to another (eth0:1 becomes br0:1). */
    public List<Address> addressesFor(String from, String to) {
        List<Address> out = new ArrayList<>();
        for (Address a : addresses) {
            String label = a.label();
            if (label != null && label.startsWith(from)) {
                label = to + label.substring(from.length());
            }
            out.add(a.withLabel(label));
        }
        return out;
    }
}
