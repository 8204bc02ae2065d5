// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.doctor.Finding;
import org.xennet.doctor.OvsChecks;
import org.xennet.ovsdb.OvsdbOpenVswitch;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.OvsFixture;
import org.xennet.testing.XenstoredFixture;
import org.xennet.xenstore.XenStoreClient;

/**
 * doctor's Open vSwitch checks against the real daemons: a guest online through vif-openvswitch
 * is clean; its port moved to another VLAN by hand is found, and the rerun the finding names
 * repairs it; a port whose device is gone is found; a stopped ovs-vswitchd and a stopped
 * ovsdb-server are found.
 */
@Tag("netns")
class OvsDoctorSystemIT {
    @TempDir
    Path tmp;

    private NetnsFixture ns;
    private OvsFixture ovs;
    private XenstoredFixture xs;
    private XenStoreClient client;
    private String socket;

    @BeforeEach
    void setUp() {
        ns = NetnsFixture.create("xnov");
        xs = XenstoredFixture.start();
        ovs = OvsFixture.start(ns);
        ovs.addBridge("xenbr0");
        socket = ovs.socket();
        ns.ip("link", "add", "vif5.0", "type", "veth", "peer", "name", "gst5");
        xs.libxlVif(5, 0, "vif-openvswitch", Map.of("bridge", "xenbr0.10"));
        xs.write("/local/domain/5/vm", "/vm/u5");
        xs.write("/vm/u5/name", "web5");
        xs.write("/vm/u5/uuid", "u5");
        client = XenStoreClient.connect(xs.env(), Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (ovs != null) {
            ovs.close();
        }
        if (xs != null) {
            xs.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private Executable.Run online() {
        Map<String, String> env = new HashMap<>(XenstoredFixture.hotplugEnv("vif-openvswitch", 5, 0));
        env.putAll(xs.env());
        env.putAll(ovs.env());
        env.put("XENNET_STATE_DIR", tmp.resolve("state").toString());
        env.put("XENNET_LOCK_DIR", tmp.resolve("lock").toString());
        return Executable.run(List.of("ip", "netns", "exec", ns.name()), "vif-openvswitch", env, "online", "type_if=vif");
    }

    private List<Finding> doctor() {
        return OvsChecks.examine(() -> OvsdbOpenVswitch.connect(socket, Duration.ofSeconds(5),
                Duration.ofSeconds(2), Duration.ofSeconds(5)), client,
                dev -> ns.exec(List.of("ip", "link", "show", "dev", dev)).status() == 0, tmp.resolve("state"));
    }

    private static List<String> ids(List<Finding> f) {
        return f.stream().map(x -> x.check().id() + " " + x.subject()).toList();
    }

    @Test
    void wrongVlanGoneDevicesAndStoppedDaemonsAreFound() {
        assertEquals(0, online().status());
        assertEquals(List.of(), doctor(), "a guest on its port is clean");

        ovs.vsctl("set", "port", "vif5.0", "tag=20");
        List<Finding> f = doctor();
        assertEquals(List.of("ovs-vif-wrong-port vif5.0"), ids(f));
        assertEquals("vif5.0 is on xenbr0 VLAN 20, expected xenbr0 VLAN 10 (XenStore bridge=xenbr0.10)", f.get(0).message());
        assertTrue(f.get(0).fix().endsWith("/etc/xen/scripts/vif-openvswitch online"), f.get(0).fix());
        assertEquals(0, online().status(), "the rerun the finding names");
        assertEquals(List.of(), doctor(), "repaired");

        ns.ip("link", "add", "vif9.0", "type", "veth", "peer", "name", "gst9");
        ovs.vsctl("add-port", "xenbr0", "vif9.0");
        ns.ip("link", "del", "vif9.0");
        f = doctor();
        assertEquals(List.of("ovs-interface-error vif9.0"), ids(f), "a port whose device is gone: " + f);
        ovs.vsctl("del-port", "vif9.0");

        ovs.stopVswitchd();
        NetnsFixture.Result r = ovs.tryVsctl("--timeout=1", "set", "bridge", "xenbr0", "other_config:y=1");
        assertTrue(r.status() != 0, "ovs-vsctl waits for ovs-vswitchd in vain: " + r.output());
        assertEquals(List.of("ovs-not-applied ovs-vswitchd"), ids(doctor()));

        ovs.close();
        ovs = null;
        f = doctor();
        assertEquals(List.of("ovs-down ovsdb-server"), ids(f));
        assertTrue(f.get(0).message().contains("cannot connect to ovsdb-server"), f.get(0).message());
    }
}
