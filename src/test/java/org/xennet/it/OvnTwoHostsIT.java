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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.OvnCentralFixture;
import org.xennet.testing.OvsFixture;
import org.xennet.testing.XenstoredFixture;

/**
 * Two Xen hosts whose guests share one OVN logical switch: namespaces for the hosts, each with
 * its own xenstored, ovsdb-server, ovs-vswitchd and ovn-controller; one namespace for OVN central
 * (northbound and southbound databases, ovn-northd) that is also the switch between the hosts
 * (a management network for the southbound connection, an underlay for the Geneve tunnels,
 * whose endpoint addresses sit on an OVS bridge of each host as the userspace datapath needs).
 * The vifs go online through xennet's vif-openvswitch with {@code ovn=yes}, on br-int, as libxl
 * calls it; the logical ports are named by the default template (the VM's uuid and the device
 * id), so the controller created them before the guests existed. The guests ping each other
 * through the tunnel; OVN's port security drops a spoofed source address; an ACL drops ICMP;
 * removing a logical port stops the pings; offline takes the port off br-int and OVN releases
 * the binding.
 */
@Tag("netns")
class OvnTwoHostsIT {
    private static final String UUID_A = "aaaaaaaa-0000-4000-8000-000000000001";
    private static final String UUID_B = "bbbbbbbb-0000-4000-8000-000000000002";

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private NetnsFixture central;
    private OvnCentralFixture ovn;
    private final Host[] hosts = new Host[2];

    private record Host(String name, NetnsFixture ns, OvsFixture ovs, XenstoredFixture xs, NetnsFixture guest) {
    }

    private <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    @BeforeEach
    void setUp() {
        central = keep(NetnsFixture.create("xnov"));
        for (String br : List.of("mgmt", "und")) {
            central.ip("link", "add", br, "type", "bridge", "forward_delay", "0");
            central.ip("link", "set", br, "up");
        }
        central.ip("addr", "add", "10.98.0.1/24", "dev", "mgmt");
        ovn = keep(OvnCentralFixture.start(central, "10.98.0.1"));
        ovn.nbctl("ls-add", "tenant1");
        for (int i = 0; i < 2; i++) {
            hosts[i] = host(i);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** Host i: management link 10.98.0.(2+i), underlay 10.99.0.(2+i) on OVS bridge brund, a chassis; one guest. */
    private Host host(int i) {
        String name = "host" + (char) ('a' + i);
        NetnsFixture ns = keep(NetnsFixture.create("xnov"));
        central.ip("link", "add", "mg-" + name, "type", "veth", "peer", "name", "mgmt0", "netns", ns.name());
        central.ip("link", "set", "mg-" + name, "master", "mgmt");
        central.ip("link", "set", "mg-" + name, "up");
        ns.ip("addr", "add", "10.98.0." + (2 + i) + "/24", "dev", "mgmt0");
        ns.ip("link", "set", "mgmt0", "up");
        central.ip("link", "add", "und-" + name, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        central.ip("link", "set", "und-" + name, "master", "und");
        central.ip("link", "set", "und-" + name, "up");
        ns.ip("link", "set", "eth0", "up");
        OvsFixture ovs = keep(OvsFixture.start(ns)); // closed before its namespace
        ovs.addBridge("brund");
        ovs.vsctl("add-port", "brund", "eth0");
        ns.ip("addr", "add", "10.99.0." + (2 + i) + "/24", "dev", "brund");
        ns.ip("link", "set", "brund", "up");
        ovs.ovnController(name, "tcp:10.98.0.1:6642", "10.99.0." + (2 + i));
        assertTrue(eventually(() -> ovs.tryVsctl("br-exists", "br-int").status() == 0, 20),
                "ovn-controller made br-int on " + name + ovs.logTail());
        XenstoredFixture xs = keep(XenstoredFixture.start());
        NetnsFixture guest = keep(NetnsFixture.create("xnov"));
        int domid = 11 + i;
        String vif = "vif" + domid + ".0";
        ns.ip("link", "add", vif, "type", "veth", "peer", "name", "eth0", "netns", guest.name());
        guest.ip("link", "set", "eth0", "address", mac(i));
        guest.ip("addr", "add", "10.50.0." + (1 + i) + "/24", "dev", "eth0");
        guest.ip("link", "set", "eth0", "up");
        String uuid = i == 0 ? UUID_A : UUID_B;
        xs.libxlVif(domid, 0, "vif-openvswitch", Map.of("bridge", "br-int", "mac", mac(i)));
        xs.write("/local/domain/" + domid + "/vm", "/vm/" + uuid);
        xs.write("/vm/" + uuid + "/name", "tenant1-vm" + i);
        xs.write("/vm/" + uuid + "/uuid", uuid);
        return new Host(name, ns, ovs, xs, guest);
    }

    private static String mac(int i) {
        return "00:16:3e:50:00:0" + (1 + i);
    }

    private static String lsp(int i) {
        return (i == 0 ? UUID_A : UUID_B) + "-0"; // xennet's default template: ${uuid}-${devid}
    }

    private Executable.Run vif(int i, String command) {
        Host h = hosts[i];
        int domid = 11 + i;
        Map<String, String> env = new HashMap<>(XenstoredFixture.hotplugEnv("vif-openvswitch", domid, 0));
        env.putAll(h.xs().env());
        env.putAll(h.ovs().env());
        env.put("XENNET_STATE_DIR", tmp.resolve(h.name() + "/state").toString());
        env.put("XENNET_LOCK_DIR", tmp.resolve(h.name() + "/lock").toString());
        return Executable.run(List.of("ip", "netns", "exec", h.ns().name()), "vif-openvswitch", env, command,
                "type_if=vif", "ovn=yes");
    }

    private static boolean eventually(BooleanSupplier c, int seconds) {
        for (int i = 0; i < seconds * 5; i++) {
            if (c.getAsBoolean()) {
                return true;
            }
            OvsFixture.sleep(200);
        }
        return false;
    }

    private boolean pings(int from, String to) {
        return hosts[from].guest().exec(List.of("ping", "-c", "1", "-W", "1", to)).status() == 0;
    }

    private boolean bound(int i) {
        String chassis = ovn.sbctl("--bare", "--columns=chassis", "find", "Port_Binding", "logical_port=" + lsp(i)).trim();
        return !chassis.isEmpty();
    }

    private String logs() {
        return ovn.logTail() + hosts[0].ovs().logTail() + hosts[1].ovs().logTail();
    }

    @Test
    void guestsOnOneLogicalSwitchReachEachOtherAcrossHostsUntilTheirPortGoes() {
        for (int i = 0; i < 2; i++) {
            ovn.nbctl("lsp-add", "tenant1", lsp(i));
            ovn.nbctl("lsp-set-addresses", lsp(i), mac(i) + " 10.50.0." + (1 + i));
            ovn.nbctl("lsp-set-port-security", lsp(i), mac(i) + " 10.50.0." + (1 + i));
        }
        for (int i = 0; i < 2; i++) {
            Executable.Run r = vif(i, "online");
            assertEquals(0, r.status(), "online on " + hosts[i].name() + ": " + r.err() + logs());
            assertEquals("connected", hosts[i].xs().read("backend/vif/" + (11 + i) + "/0/hotplug-status"));
            assertEquals(lsp(i), hosts[i].ovs().vsctl("get", "interface", "vif" + (11 + i) + ".0",
                    "external_ids:iface-id").trim());
        }
        for (int i = 0; i < 2; i++) {
            int n = i;
            assertTrue(eventually(() -> bound(n), 30), lsp(i) + " bound to a chassis" + logs());
        }
        assertTrue(ovn.sbctl("--bare", "--columns=chassis", "find", "Port_Binding", "logical_port=" + lsp(0)).trim()
                .equals(ovn.sbctl("--bare", "--columns=_uuid", "find", "Chassis", "name=hosta").trim()),
                "vm0's port is bound on host a");
        assertTrue(eventually(() -> pings(0, "10.50.0.2"), 30), "guest on host a reaches the guest on host b" + logs());
        assertTrue(pings(1, "10.50.0.1"), "and back");
        String tunnel = hosts[0].ovs().vsctl("--bare", "--columns=options", "find", "Interface", "type=geneve");
        assertTrue(tunnel.contains("remote_ip=10.99.0.3"), "through a Geneve tunnel to host b: " + tunnel);

        // a second online leaves the bound port alone (ovn-controller's ids are not ours)
        String ofport = hosts[0].ovs().vsctl("get", "interface", "vif11.0", "ofport").trim();
        assertEquals(0, vif(0, "online").status());
        assertEquals(ofport, hosts[0].ovs().vsctl("get", "interface", "vif11.0", "ofport").trim());
        assertTrue(pings(0, "10.50.0.2"));

        // port security is OVN's: a source address the logical port does not have is dropped
        hosts[0].guest().ip("addr", "add", "10.50.0.9/24", "dev", "eth0");
        assertFalse(hosts[0].guest().exec(List.of("ping", "-c", "2", "-W", "1", "-I", "10.50.0.9", "10.50.0.2"))
                .status() == 0, "a spoofed source is dropped by OVN");
        hosts[0].guest().ip("addr", "del", "10.50.0.9/24", "dev", "eth0");

        // and so are ACLs
        ovn.nbctl("acl-add", "tenant1", "to-lport", "1000", "outport == \"" + lsp(1) + "\" && icmp4", "drop");
        assertTrue(eventually(() -> !pings(0, "10.50.0.2"), 15), "an ACL drops ICMP to vm1");
        ovn.nbctl("acl-del", "tenant1");
        assertTrue(eventually(() -> pings(0, "10.50.0.2"), 15), "and passes it again once removed" + logs());

        // no logical port, no connectivity
        ovn.nbctl("lsp-del", lsp(1));
        assertTrue(eventually(() -> !pings(0, "10.50.0.2"), 15), "vm1's logical port is gone: no more pings");

        // offline takes the port off br-int; the chassis lets go of the binding
        Executable.Run off = vif(0, "offline");
        assertEquals(0, off.status(), off.err());
        assertTrue(hosts[0].ovs().vsctl("--bare", "--columns=name", "find", "Interface", "name=vif11.0").isBlank());
        assertTrue(eventually(() -> !bound(0), 15), "the binding is released" + logs());
    }
}
