// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.xennet.testing.NetnsFixture;

/** The contract against libnftables and the kernel, in a fresh network namespace per test. */
@Tag("netns")
class KernelNftablesContractTest extends NftablesContract {
    private NetnsFixture ns;

    @Override
    protected Nftables nftables() {
        ns = NetnsFixture.create("xnnf");
        return Nftables.in(ns.path());
    }

    @AfterEach
    void cleanUp() {
        if (ns != null) {
            ns.close();
        }
    }
}
