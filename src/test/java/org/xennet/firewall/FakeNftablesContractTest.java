// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import org.junit.jupiter.api.Tag;
import org.xennet.testing.FakeNftables;

/** The contract against the in-memory nftables the script tests use. */
@Tag("ops")
class FakeNftablesContractTest extends NftablesContract {
    @Override
    protected Nftables nftables() {
        return new FakeNftables();
    }
}
