// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.OvsFixture;

/** The contract against Debian's ovsdb-server and ovs-vswitchd, private to a namespace (userspace datapath). */
@Tag("netns")
class RealOpenVswitchContractTest extends OpenVswitchContract {
    private NetnsFixture ns;
    private OvsFixture daemons;
    private OvsdbOpenVswitch ovs;

    @BeforeEach
    void setUp() {
        ns = NetnsFixture.create("xnov");
        daemons = OvsFixture.start(ns);
        daemons.addBridge("br0");
        daemons.addBridge("br1");
        ovs = OvsdbOpenVswitch.connect(daemons.socket(), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        if (ovs != null) {
            ovs.close();
        }
        if (daemons != null) {
            daemons.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Override
    OpenVswitch ovs() {
        return ovs;
    }

    @Override
    void device(String name) {
        ns.ip("link", "add", name, "type", "veth", "peer", "name", "p" + name.replace(".", ""));
    }

    @Override
    String datapathType() {
        return "netdev";
    }
}
