// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.OvsFixture;
import org.xennet.testing.XenstoredFixture;

/**
 * vif-openvswitch as Xen runs it (the real executable in dom0's namespace, env vif and
 * XENBUS_PATH, argv "online type_if=vif") against Debian's xenstored, ovsdb-server and
 * ovs-vswitchd (userspace datapath), with guests in namespaces behind the vifs, all in one
 * subnet, so that only the VLANs keep them apart: two guests on VLAN 10 reach each other and not
 * the guest on VLAN 20; a trunk port carries both VLANs (to a switch of the guest's own, an OVS
 * bridge with an access port per VLAN: no 8021q module needed); offline leaves no port.
 */
@Tag("netns")
class VifOpenvswitchSystemIT {
    @TempDir
    Path tmp;

    private final List<NetnsFixture> namespaces = new ArrayList<>();
    private NetnsFixture dom0;
    private OvsFixture ovs;
    private XenstoredFixture xs;

    @BeforeEach
    void setUp() {
        dom0 = ns();
        xs = XenstoredFixture.start();
        ovs = OvsFixture.start(dom0);
        ovs.addBridge("xenbr0");
        dom0.ip("link", "set", "xenbr0", "up");
    }

    @AfterEach
    void tearDown() {
        if (ovs != null) {
            ovs.close();
        }
        if (xs != null) {
            xs.close();
        }
        for (NetnsFixture n : namespaces) {
            n.close();
        }
    }

    private NetnsFixture ns() {
        NetnsFixture n = NetnsFixture.create("xnov");
        namespaces.add(n);
        return n;
    }

    /** A guest: vifD.0 in dom0, its other end eth0 in a namespace of its own with {@code address}. */
    private NetnsFixture guest(int domid, String bridgeKey, String address) {
        NetnsFixture g = ns();
        String vif = "vif" + domid + ".0";
        dom0.ip("link", "add", vif, "type", "veth", "peer", "name", "gst" + domid);
        dom0.ip("link", "set", "gst" + domid, "netns", g.name());
        g.ip("link", "set", "gst" + domid, "name", "eth0");
        g.ip("link", "set", "eth0", "address", String.format("00:16:3e:00:%02x:00", domid));
        g.ip("addr", "add", address + "/24", "dev", "eth0");
        g.ip("link", "set", "eth0", "up");
        libxl(domid, bridgeKey);
        return g;
    }

    private void libxl(int domid, String bridgeKey) {
        String uuid = String.format("00000000-0000-4000-8000-%012d", domid);
        xs.libxlVif(domid, 0, "vif-openvswitch", Map.of("bridge", bridgeKey));
        xs.write("/local/domain/" + domid + "/vm", "/vm/" + uuid);
        xs.write("/vm/" + uuid + "/name", "guest" + domid);
        xs.write("/vm/" + uuid + "/uuid", uuid);
    }

    private Executable.Run vif(String command, int domid) {
        return vif(command, domid, Map.of());
    }

    private Executable.Run vif(String command, int domid, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(XenstoredFixture.hotplugEnv("vif-openvswitch", domid, 0));
        env.putAll(extra);
        env.putAll(xs.env());
        env.putAll(ovs.env());
        env.put("XENNET_STATE_DIR", tmp.resolve("state").toString());
        env.put("XENNET_LOCK_DIR", tmp.resolve("lock").toString());
        return Executable.run(List.of("ip", "netns", "exec", dom0.name()), "vif-openvswitch", env, command, "type_if=vif");
    }

    private void online(int domid) {
        Executable.Run r = vif("online", domid);
        assertEquals(0, r.status(), "online vif" + domid + ".0: " + r.err() + ovs.logTail());
        assertEquals("connected", xs.read("backend/vif/" + domid + "/0/hotplug-status"));
    }

    /** Whether {@code from} reaches {@code address} (a few tries: the switch learns MACs from the first ARP). */
    private static boolean reaches(NetnsFixture from, String address, int tries) {
        for (int i = 0; i < tries; i++) {
            if (from.exec(List.of("ping", "-c", "1", "-W", "1", address)).status() == 0) {
                return true;
            }
        }
        return false;
    }

    private List<String> ports(String bridge) {
        String out = ovs.vsctl("list-ports", bridge).trim();
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    @Test
    void vlansSeparateGuestsATrunkCarriesBothAndOfflineLeavesNoPort() {
        NetnsFixture g1 = guest(1, "xenbr0.10", "10.77.0.1");
        NetnsFixture g2 = guest(2, "xenbr0.10", "10.77.0.2");
        NetnsFixture g3 = guest(3, "xenbr0.20", "10.77.0.3");
        // vif4.0 is a trunk; behind it, the guest's own switch: trunk in, one access port per VLAN out
        dom0.ip("link", "add", "vif4.0", "type", "veth", "peer", "name", "trk4");
        libxl(4, "xenbr0:10:20");
        ovs.addBridge("gsw4");
        ovs.vsctl("add-port", "gsw4", "trk4", "trunks=10,20");
        dom0.ip("link", "set", "trk4", "up");
        NetnsFixture t10 = ns();
        NetnsFixture t20 = ns();
        for (Object[] a : new Object[][] {{t10, 10, "10.77.0.10"}, {t20, 20, "10.77.0.20"}}) {
            NetnsFixture t = (NetnsFixture) a[0];
            String port = "acc" + a[1];
            dom0.ip("link", "add", port, "type", "veth", "peer", "name", "in" + a[1]);
            dom0.ip("link", "set", "in" + a[1], "netns", t.name());
            ovs.vsctl("add-port", "gsw4", port, "tag=" + a[1]);
            dom0.ip("link", "set", port, "up");
            t.ip("addr", "add", a[2] + "/24", "dev", "in" + a[1]);
            t.ip("link", "set", "in" + a[1], "up");
        }

        for (int d = 1; d <= 4; d++) {
            online(d);
        }
        assertEquals("10", ovs.vsctl("get", "port", "vif1.0", "tag").trim());
        assertEquals("20", ovs.vsctl("get", "port", "vif3.0", "tag").trim());
        assertEquals("[10, 20]", ovs.vsctl("get", "port", "vif4.0", "trunks").trim());
        assertEquals("[]", ovs.vsctl("get", "port", "vif4.0", "tag").trim());
        assertEquals("{attached-mac=\"00:16:3e:00:01:00\", xen-vm-name=guest1, "
                + "xen-vm-uuid=\"00000000-0000-4000-8000-000000000001\"}",
                ovs.vsctl("get", "interface", "vif1.0", "external_ids").trim());
        assertEquals("fe:ff:ff:ff:ff:ff", dom0.ip("-br", "link", "show", "vif1.0").trim().split("\\s+")[2]);

        assertTrue(reaches(g1, "10.77.0.2", 5), "VLAN 10 to VLAN 10" + ovs.logTail());
        assertFalse(reaches(g1, "10.77.0.3", 2), "VLAN 10 must not reach VLAN 20");
        assertFalse(reaches(g3, "10.77.0.2", 2), "VLAN 20 must not reach VLAN 10");
        assertTrue(reaches(t10, "10.77.0.1", 5), "the trunk carries VLAN 10");
        assertTrue(reaches(t20, "10.77.0.3", 5), "the trunk carries VLAN 20");
        assertFalse(reaches(t20, "10.77.0.1", 2), "VLAN 20 behind the trunk is still VLAN 20");

        List<String> before = ports("xenbr0");
        online(2); // a second online changes nothing
        assertEquals(before, ports("xenbr0"));
        assertEquals("1", ovs.vsctl("--columns=name", "find", "interface", "name=vif2.0").lines()
                .filter(l -> l.startsWith("name")).count() + "");

        Executable.Run off = vif("offline", 2);
        assertEquals(0, off.status(), off.err());
        assertEquals(List.of("vif1.0", "vif3.0", "vif4.0"), ports("xenbr0"), "offline leaves no port");
        assertTrue(ovs.vsctl("--columns=name", "find", "interface", "name=vif2.0").isBlank(),
                "nor an interface row");
        assertTrue(dom0.ip("-o", "link", "show", "vif2.0").contains("state DOWN"));
        assertFalse(reaches(g1, "10.77.0.2", 2), "the guest is off the switch");
        Executable.Run again = vif("offline", 2);
        assertEquals(0, again.status(), "a second offline succeeds: " + again.err());
    }

    @Test
    void aMissingBridgeAndAStoppedVswitchdAreReportedToLibxl() {
        guest(5, "xenbr9.10", "10.77.0.5");
        Executable.Run r = vif("online", 5);
        assertEquals(1, r.status());
        assertEquals("error", xs.read("backend/vif/5/0/hotplug-status"));
        assertEquals("vif-openvswitch online vif5.0: Could not find Open vSwitch bridge xenbr9 (ovs-vsctl list-br "
                + "lists the bridges)", xs.read("backend/vif/5/0/hotplug-error"));

        xs.write("backend/vif/5/0/bridge", "xenbr0.10");
        ovs.stopVswitchd();
        Executable.Run s = vif("online", 5, Map.of("XENNET_BUDGET", "6")); // the wait for ovs-vswitchd ends with it
        assertEquals(1, s.status());
        String error = xs.read("backend/vif/5/0/hotplug-error");
        assertTrue(error.contains("ovs-vswitchd did not apply the change within"), error);
        assertTrue(ovs.vsctl("list-ports", "xenbr0").isBlank(), "the change was taken back from the database");
        assertFalse(dom0.ip("-o", "link", "show", "vif5.0").contains(",UP"), "and the link is down again");
    }
}
