// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import org.junit.jupiter.api.Tag;
import org.xennet.testing.FakeNetwork;

/** The contract against the in-memory fake the script tests use. */
@Tag("ops")
class FakeNetworkContractTest extends NetworkContract {
    @Override
    protected Network network() {
        return new FakeNetwork();
    }
}
