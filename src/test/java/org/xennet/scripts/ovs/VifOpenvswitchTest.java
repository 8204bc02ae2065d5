// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.ovs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.cli.Cli;
import org.xennet.error.XennetException;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.ovsdb.OvsPort;
import org.xennet.ovsdb.OvsdbException;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeOpenVswitch;
import org.xennet.testing.FakeXenStore;

/** vif-openvswitch in-process against the fake network, XenStore and Open vSwitch, called as libxl calls it. */
@Tag("cli")
class VifOpenvswitchTest {
    private static final String BE = "backend/vif/5/0";
    private static final String UUID = "8f2c81e4-32a1-4bb7-9d59-6b5e0d4c1a01";

    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeXenStore xs;
    private FakeOpenVswitch ovs;
    private boolean ovsDown;
    private Map<String, String> env;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        net = new FakeNetwork();
        net.links().addBridge("ovsbr0", false, 0); // stands for the bridge's internal interface (its MTU counts)
        net.links().setMtu("ovsbr0", 9000);
        net.links().addVeth("vif5.0", "guest0");
        ovs = new FakeOpenVswitch(net.links()::exists).bridge("ovsbr0").bridge("ovsbr1");
        xs = new FakeXenStore().put(BE + "/bridge", "ovsbr0.10").put(BE + "/mac", "00:16:3e:00:05:00")
                .put(BE + "/frontend-id", "5").put(BE + "/hotplug-status", "")
                .put("/local/domain/5/vm", "/vm/" + UUID).put("/vm/" + UUID + "/name", "web 1")
                .put("/vm/" + UUID + "/uuid", UUID);
        env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error", "vif", "vif5.0", "XENBUS_PATH", BE,
                "script", "/etc/xen/scripts/vif-openvswitch", "XENBUS_TYPE", "vif"));
    }

    private int run(String... args) {
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).xenstore(() -> xs).ovs(() -> {
            if (ovsDown) {
                throw new OvsdbException("cannot connect to ovsdb-server at /var/run/openvswitch/db.sock: No such file "
                        + "or directory (is Open vSwitch running?)", "connect");
            }
            return ovs;
        }).out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).build();
        return new Cli(ctx).run("/etc/xen/scripts/vif-openvswitch", args);
    }

    private String status() {
        return xs.read(BE + "/hotplug-status").orElse(null);
    }

    private String error() {
        return xs.read(BE + "/hotplug-error").orElse(null);
    }

    private OvsPort port() {
        return ovs.findPort("vif5.0").orElseThrow(() -> new AssertionError("no port vif5.0: " + ovs.ports()));
    }

    private List<String> state() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.name() + " " + l.mac() + " " + l.mtu() + " " + l.isUp());
        }
        s.add(ovs.ports().toString());
        s.add(net.sysctlSnapshot().toString());
        s.add(xs.nodes().toString());
        return s;
    }

    @Test
    void onlineMakesAnAccessPortWithXensExternalIdsAndReportsConnected() {
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        OvsPort p = port();
        assertEquals("ovsbr0", p.bridge());
        assertEquals(10, p.tag());
        assertEquals(List.of(), p.trunks());
        assertEquals(Map.of("xen-vm-name", "web 1", "xen-vm-uuid", UUID, "attached-mac", "00:16:3e:00:05:00"),
                p.externalIds(), "a name with a space is one value (Xen's unquoted string split it)");
        Link v = net.links().get("vif5.0");
        assertEquals(MacAddress.XEN_BACKEND, v.mac());
        assertEquals(9000, v.mtu(), "the bridge's MTU");
        assertTrue(v.isUp());
        assertEquals("connected", status());
        assertEquals("9000", xs.read("/local/domain/5/device/vif/0/mtu").orElse(null));
    }

    @Test
    void aTrunkCarriesTheListedVlans() {
        xs.put(BE + "/bridge", "ovsbr1:20:10:30");
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        assertEquals("ovsbr1", port().bridge());
        assertNull(port().tag());
        assertEquals(List.of(10, 20, 30), port().trunks());
    }

    @Test
    void withoutAKeyTheBridgeVariableIsUsed() {
        xs.remove(BE + "/bridge");
        assertEquals(0, run("online", "type_if=vif", "bridge=ovsbr1.20"), err.toString());
        assertEquals("ovsbr1", port().bridge());
        assertEquals(20, port().tag());
    }

    @Test
    void aSecondOnlineChangesNothing() {
        assertEquals(0, run("online", "type_if=vif"));
        List<String> once = state();
        int changes = ovs.changes().size();
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(once, state());
        assertEquals(changes, ovs.changes().size(), "no transaction the second time: " + ovs.changes());
    }

    @Test
    void idsOfOthersAreLeftAloneButOursFollowTheSettings() {
        assertEquals(0, run("online", "type_if=vif", "ovn=yes"));
        ovs.putExternalId("vif5.0", "ovn-installed", "true"); // as ovn-controller does once it has bound the port
        int changes = ovs.changes().size();
        assertEquals(0, run("online", "type_if=vif", "ovn=yes"));
        assertEquals(changes, ovs.changes().size(), "ovn-controller's id is not a reason to replace the port");
        assertEquals(0, run("online", "type_if=vif", "ovn=no"));
        assertEquals(changes + 1, ovs.changes().size());
        assertFalse(port().externalIds().containsKey("iface-id"), "ovn off: no logical port any more");
    }

    @Test
    void anOnlineWithAnotherVlanMovesThePort() {
        assertEquals(0, run("online", "type_if=vif"));
        xs.put(BE + "/bridge", "ovsbr1.20");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals("ovsbr1", port().bridge());
        assertEquals(20, port().tag());
        assertFalse(ovs.findBridge("ovsbr0").orElseThrow().ports().contains("vif5.0"));
    }

    @Test
    void theMtuKeyWins() {
        xs.put(BE + "/mtu", "1400");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(1400, net.links().get("vif5.0").mtu());
        assertEquals("1400", xs.read("/local/domain/5/device/vif/0/mtu").orElse(null));
    }

    @Test
    void vifnameRenamesTheDeviceAndNamesThePort() {
        xs.put(BE + "/vifname", "web1");
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        assertTrue(net.links().exists("web1"));
        assertEquals("ovsbr0", ovs.findPort("web1").orElseThrow().bridge());
        assertEquals(0, run("offline", "type_if=vif"), err.toString());
        assertTrue(ovs.findPort("web1").isEmpty());
    }

    @Test
    void aMissingBridgeIsReportedToLibxlAndChangesNothing() {
        xs.put(BE + "/bridge", "ovsbr9.10");
        List<String> before = state();
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("error", status());
        assertEquals("vif-openvswitch online vif5.0: Could not find Open vSwitch bridge ovsbr9 (ovs-vsctl list-br "
                + "lists the bridges)", error());
        xs.remove(BE + "/hotplug-error");
        xs.put(BE + "/hotplug-status", "");
        assertEquals(before, state());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ovsbr0.", "ovsbr0.10.20", "ovsbr0:", "ovsbr0.x", "ovsbr0.4096", "ovsbr0:10:99999",
        ".10", "a-name-longer-than-15.10", "ovsbr0.10:20 "})
    void aBadBridgeValueIsXensNoValidBridge(String bad) {
        xs.put(BE + "/bridge", bad);
        List<Link> links = net.links().list();
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("error", status());
        assertTrue(error().startsWith("vif-openvswitch online vif5.0: No valid bridge was specified"), error());
        assertTrue(ovs.changes().isEmpty());
        assertEquals(links, net.links().list(), "the links are untouched");
    }

    @Test
    void noBridgeAtAllIsRefused() {
        xs.remove(BE + "/bridge");
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().contains("No valid bridge was specified"), error());
    }

    @Test
    void aFailedOvsChangeTakesBackWhatTheCallChanged() {
        net.sysctls().set("net/ipv6/conf/vif5.0/disable_ipv6", "0");
        List<String> before = state();
        ovs.failNext("constraint violation");
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().contains("constraint violation"), error());
        xs.remove(BE + "/hotplug-error");
        xs.put(BE + "/hotplug-status", "");
        assertEquals(before, state(), "MAC, MTU and the IPv6 switch are back");
    }

    @Test
    void aStoppedVswitchdIsNamedInTheError() {
        ovs.stopVswitchd(true);
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().contains("ovs-vswitchd did not apply the change"), error());
        assertTrue(ovs.findPort("vif5.0").isEmpty());
    }

    @Test
    void anUnreachableOvsdbFailsOnlineButOfflineStillTakesTheLinkDown() {
        ovsDown = true;
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().contains("cannot connect to ovsdb-server"), error());
        net.links().setUp("vif5.0", true);
        assertEquals(0, run("offline", "type_if=vif"), err.toString());
        assertFalse(net.links().get("vif5.0").isUp());
    }

    @Test
    void offlineRemovesThePortAndIsIdempotent() {
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(0, run("offline", "type_if=vif"), err.toString());
        assertTrue(ovs.findPort("vif5.0").isEmpty());
        assertFalse(net.links().get("vif5.0").isUp());
        assertEquals(0, run("offline", "type_if=vif"), err.toString());
        net.links().delete("vif5.0");
        assertEquals(0, run("offline", "type_if=vif"), "the device gone too: " + err);
    }

    @Test
    void offlineWorksWithoutXenStore() {
        assertEquals(0, run("online", "type_if=vif"));
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).xenstore(() -> {
            throw new XennetException("cannot connect to xenstored");
        }).ovs(() -> ovs).out(new PrintStream(out, true, StandardCharsets.UTF_8))
                .err(new PrintStream(err, true, StandardCharsets.UTF_8)).under(tmp).build();
        assertEquals(0, new Cli(ctx).run("/etc/xen/scripts/vif-openvswitch", new String[] {"offline", "type_if=vif"}));
        assertTrue(ovs.findPort("vif5.0").isEmpty());
    }

    @Test
    void missingVmNodesAreNamed() {
        xs.remove("/local/domain/5/vm");
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().contains("cannot read /local/domain/5/vm from XenStore"), error());
        assertTrue(ovs.changes().isEmpty());
    }

    @Test
    void ovnSetsTheLogicalPortFromTheDefaultTemplate() {
        assertEquals(0, run("online", "type_if=vif", "ovn=yes"), err.toString());
        assertEquals(UUID + "-0", port().externalIds().get("iface-id"));
    }

    @Test
    void ovnTemplateAndSwitchComeFromXennetConf() throws IOException {
        Path conf = tmp.resolve("xennet.conf");
        Files.writeString(conf, "ovn=yes\novn_iface_id=lsp-${mac}-${devid}\n");
        env.put("XENNET_CONF", conf.toString());
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        assertEquals("lsp-00:16:3e:00:05:00-0", port().externalIds().get("iface-id"));
    }

    @Test
    void aBadTemplateIsRefusedBeforeAnyChange() {
        assertEquals(1, run("online", "type_if=vif", "ovn=yes", "ovn_iface_id=${domid}"));
        assertTrue(error().contains("unknown variable ${domid}"), error());
        assertTrue(ovs.changes().isEmpty());
        assertEquals(1, run("online", "type_if=vif", "ovn=yes", "ovn_iface_id=${name}"));
        assertTrue(error().contains("is not 1-255 of"), "a name with a space is no port name: " + error());
    }

    @Test
    void dryRunPrintsTheCommandsAndChangesNothing() {
        List<String> before = state();
        assertEquals(0, run("online", "type_if=vif", "--dry-run"), err.toString());
        assertEquals(before, state());
        assertEquals("ip link set dev vif5.0 address fe:ff:ff:ff:ff:ff   # errors ignored\n"
                + "ip link set dev vif5.0 mtu 9000\n"
                + "sysctl -w net.ipv6.conf.vif5.0.disable_ipv6=1   # errors ignored\n"
                + "ovs-vsctl -- --if-exists del-port vif5.0 -- add-port ovsbr0 vif5.0 tag=10 -- set interface vif5.0 "
                + "external-ids:attached-mac=\"00:16:3e:00:05:00\" external-ids:xen-vm-name=\"web 1\" "
                + "external-ids:xen-vm-uuid=\"" + UUID + "\"\n"
                + "ip link set dev vif5.0 up\n"
                + "xenstore-write /local/domain/5/device/vif/0/mtu 9000\n"
                + "xenstore-write backend/vif/5/0/hotplug-status connected\n", out.toString());
    }

    @Test
    void typeIfPairingsAreXens() {
        assertEquals(0, run("add", "type_if=vif"));
        assertTrue(ovs.changes().isEmpty(), "add is for tap devices");
    }
}
