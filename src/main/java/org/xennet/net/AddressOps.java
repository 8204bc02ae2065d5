// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.util.List;
import org.xennet.model.Address;
import org.xennet.model.IpPrefix;

/** Address operations ({@code ip addr ...}). */
public interface AddressOps {

    /** Equivalent to: {@code ip addr show} (both families, every link). */
    List<Address> list();

    /** Equivalent to: {@code ip addr show dev DEV}. */
    default List<Address> list(String dev) {
        int idx = index(dev);
        return list().stream().filter(a -> a.index() == idx).toList();
    }

    /** Equivalent to: {@code ip addr add PREFIX [peer] [brd] [label] [scope] [flags] dev DEV}. */
    void add(String dev, Address address);

    /** Equivalent to: {@code ip addr add PREFIX dev DEV}. */
    default void add(String dev, IpPrefix prefix) {
        add(dev, Address.of(0, prefix));
    }

    /** Equivalent to: {@code ip addr del PREFIX dev DEV}. */
    void delete(String dev, Address address);

    /**
     * Equivalent to: {@code ip addr flush dev DEV}: every IPv4 and IPv6 address, link-local
     * included, secondaries after their primary is gone.
     */
    void flush(String dev);

    /** The index of a link, for filtering; a missing link is a NotFoundException. */
    int index(String dev);
}
