// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

/**
 * Everything xennet does to the host's network, named with iproute2's words. One implementation
 * speaks rtnetlink to the kernel ({@link RtnetlinkNetwork}); the tests have a stateful fake that
 * passes the same contract tests.
 */
public interface Network extends AutoCloseable {
    LinkOps links();

    AddressOps addresses();

    RouteOps routes();

    /** The VLAN tables of bridge ports ({@code bridge vlan}). */
    BridgeVlanOps bridgeVlans();

    Sysctls sysctls();

    @Override
    void close();
}
