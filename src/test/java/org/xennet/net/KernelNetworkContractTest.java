// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.xennet.testing.NetnsFixture;

/** The contract against the real kernel, in a fresh network namespace per test. */
@Tag("netns")
class KernelNetworkContractTest extends NetworkContract {
    private NetnsFixture ns;
    private Network net;

    @Override
    protected Network network() {
        ns = NetnsFixture.create();
        net = ns.network();
        return net;
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
        if (ns != null) {
            ns.close();
        }
    }
}
