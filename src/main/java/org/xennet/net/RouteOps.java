// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.util.List;
import java.util.Optional;
import org.xennet.model.IpAddress;
import org.xennet.model.Route;

/** Route operations ({@code ip route ...}); a route names its device by index. */
public interface RouteOps {

    /** Equivalent to: {@code ip route show table all} plus {@code ip -6 route show table all}. */
    List<Route> list();

    /** Equivalent to: {@code ip route get ADDR}: the route the kernel would use, empty when unreachable. */
    Optional<Route> lookup(IpAddress destination);

    /** Equivalent to: {@code ip route add ROUTE}; an existing identical route is an AlreadyExistsException. */
    void add(Route route);

    /** Equivalent to: {@code ip route replace ROUTE}. */
    void replace(Route route);

    /** Equivalent to: {@code ip route del ROUTE}. */
    void delete(Route route);
}
