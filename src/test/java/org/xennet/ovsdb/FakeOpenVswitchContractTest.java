// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.xennet.testing.FakeOpenVswitch;

/** The contract against the fake the script tests use. */
@Tag("ops")
class FakeOpenVswitchContractTest extends OpenVswitchContract {
    private final Set<String> devices = new HashSet<>();
    private final FakeOpenVswitch ovs = new FakeOpenVswitch(devices::contains).bridge("br0").bridge("br1");

    @Override
    OpenVswitch ovs() {
        return ovs;
    }

    @Override
    void device(String name) {
        devices.add(name);
    }

    @Override
    String datapathType() {
        return "";
    }
}
