// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
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
import org.xennet.cli.Cli;
import org.xennet.error.XennetException;
import org.xennet.model.Address;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.ovsdb.PortConfig;
import org.xennet.plan.PlanRunner;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeOpenVswitch;
import org.xennet.testing.FakeXenStore;

/** network-bridge bridge_type=openvswitch in-process against the fake network and Open vSwitch. */
@Tag("cli")
class OvsNetworkBridgeTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeOpenVswitch ovs;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:00:00:10", 1500);
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        int eth0 = net.links().get("eth0").index();
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"), eth0));
        // ovs-vswitchd makes a bridge's own interface in the kernel, with the MAC and MTU asked for
        ovs = new FakeOpenVswitch(net.links()::exists).onBridges(b -> {
            net.nic(b.name(), b.hwaddr() == null ? "02:00:00:00:00:01" : b.hwaddr(), b.mtu() > 0 ? b.mtu() : 1500);
        }, n -> net.links().delete(n));
    }

    private int run(PlanRunner.FaultInjector faults, String... args) {
        return script("network-bridge", faults, args);
    }

    private int script(String script, PlanRunner.FaultInjector faults, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(FakeFirewall::new)
                .xenstore(FakeXenStore::new).ovs(() -> ovs)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).faults(faults).build();
        return new Cli(ctx).run(script, args);
    }

    private int run(String... args) {
        return run(null, args);
    }

    private List<String> state() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.name() + " " + l.mac() + " " + l.mtu() + " up=" + l.isUp());
        }
        for (Address a : net.addresses().list()) { // by name: a bridge made again has another index
            s.add(net.links().find(a.index()).map(Link::name).orElse("?") + " " + a);
        }
        for (Route r : net.routes().list()) {
            s.add(r.describe(net.links().find(r.oif()).map(Link::name).orElse("?")));
        }
        s.add(net.sysctlSnapshot().toString());
        s.add(ovs.bridges().toString());
        s.sort(null);
        return s;
    }

    @Test
    void startMovesTheHostOntoTheBridgeAndStopPutsItBack() {
        List<String> before = state();
        assertEquals(0, run("start", "bridge_type=openvswitch"), err.toString());
        assertEquals(List.of("eth0", "xenbr0"), ovs.findBridge("xenbr0").orElseThrow().ports());
        Link br = net.links().get("xenbr0");
        assertEquals("00:16:3e:00:00:10", br.mac().toString(), "the bridge has the NIC's MAC");
        assertTrue(br.isUp());
        assertEquals(List.of("192.0.2.10/24"), net.addresses().list("xenbr0").stream().map(a -> a.prefix().toString())
                .toList());
        assertTrue(net.addresses().list("eth0").isEmpty());
        assertEquals(br.index(), net.routes().list().get(0).oif(), "the default route goes through the bridge");
        assertEquals("1", net.sysctls().get("net/ipv6/conf/eth0/disable_ipv6"));
        assertTrue(Files.exists(tmp.resolve("state/network-bridge/xenbr0.ovs")));
        assertEquals(0, run("status"), "the default route now names the bridge, and its record the NIC");
        List<String> started = state();
        out.reset();
        assertEquals(0, run("stop", "--dry-run"), err.toString());
        assertEquals(started, state(), "a dry run changes nothing");
        assertEquals("ip link set dev xenbr0 down\n"
                + "ovs-vsctl --if-exists del-port xenbr0 eth0\n"
                + "sysctl -w net.ipv6.conf.eth0.disable_ipv6=0\n"
                + "ip link set dev eth0 up\nip addr add 192.0.2.10/24 label eth0 dev eth0\n"
                + "ip route add default via 192.0.2.1 dev eth0\n"
                + "ovs-vsctl --if-exists del-br xenbr0\n"
                + "rm " + tmp.resolve("state/network-bridge/xenbr0.ovs") + "   # errors ignored\n", out.toString(),
                "stop is start's inverse: the bridge down first, the NIC back, the bridge gone");
        assertEquals(0, run("stop"), err.toString());
        assertEquals(before, state());
        assertFalse(Files.exists(tmp.resolve("state/network-bridge/xenbr0.ovs")));
    }

    @Test
    void theWrapperPassesTheBridgeTypeToEachPair() {
        List<String> before = state();
        assertEquals(0, script("network-wrapper", null, "start", "bridges=eth0:xenbr0", "bridge_type=openvswitch"),
                out + "\n" + err);
        assertEquals(List.of("eth0", "xenbr0"), ovs.findBridge("xenbr0").orElseThrow().ports());
        assertEquals(0, script("network-wrapper", null, "stop", "bridges=eth0:xenbr0", "bridge_type=openvswitch"),
                out + "\n" + err);
        assertEquals(before, state());
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        List<String> before = state();
        assertEquals(0, run("start", "bridge_type=openvswitch", "ovs_datapath=netdev", "--dry-run"), err.toString());
        assertEquals(before, state());
        assertEquals("write state record " + tmp.resolve("state/network-bridge/xenbr0.ovs") + "\n"
                + "ovs-vsctl --may-exist add-br xenbr0 -- set bridge xenbr0 datapath_type=netdev "
                + "other-config:hwaddr=\"00:16:3e:00:00:10\" external-ids:xennet=network-bridge "
                + "-- set interface xenbr0 mtu_request=1500\n"
                + "ip link set dev eth0 down\n"
                + "ip addr flush dev eth0\n"
                + "sysctl -w net.ipv6.conf.eth0.disable_ipv6=1\n"
                + "ovs-vsctl --may-exist add-port xenbr0 eth0\n"
                + "ip link set dev eth0 up\n"
                + "wait for carrier on eth0\n"
                + "ip link set dev xenbr0 up\n"
                + "ip addr add 192.0.2.10/24 label xenbr0 dev xenbr0\n"
                + "ip route add default via 192.0.2.1 dev xenbr0\n", out.toString());
    }

    @Test
    void everyFaultInStartIsRolledBack() {
        List<String> before = state();
        List<Integer> count = new ArrayList<>();
        assertEquals(0, run((i, s) -> count.add(i), "start", "bridge_type=openvswitch"));
        assertEquals(0, run("stop", "bridge_type=openvswitch"));
        assertEquals(before, state());
        assertTrue(count.size() > 8, "steps: " + count.size());
        for (int k = 0; k < count.size(); k++) {
            int at = k;
            int rc = run((i, s) -> {
                if (i == at) {
                    throw new XennetException("injected");
                }
            }, "start", "bridge_type=openvswitch");
            if (rc == 0) {
                run("stop", "bridge_type=openvswitch"); // the fault hit a step whose failure is only a warning
            }
            assertEquals(before, state(), "fault at step " + k);
            assertFalse(Files.exists(tmp.resolve("state/network-bridge/xenbr0.ovs")), "fault at step " + k);
        }
    }

    @Test
    void someoneElsesBridgeAndLinuxOnlyOptionsAreRefusedBeforeAnyChange() {
        ovs.bridge("xenbr0");
        List<String> before = state();
        assertEquals(1, run("start", "bridge_type=openvswitch"));
        assertTrue(err.toString().contains("Open vSwitch bridge xenbr0 exists but was not made by xennet"), err.toString());
        assertEquals(1, run("start", "bridge_type=openvswitch", "bridge=eth0"));
        assertTrue(err.toString().contains("bridge= must differ from netdev"), err.toString());
        assertEquals(1, run("start", "bridge_type=openvswitch", "bridge=xenbr1", "antispoof=yes"));
        assertTrue(err.toString().contains("antispoof=yes needs a Linux bridge"), err.toString());
        assertEquals(1, run("start", "bridge_type=openvswitch", "bridge=xenbr1", "slaves=eth0,eth1"));
        assertTrue(err.toString().contains("slaves= is for Linux bridges"), err.toString());
        assertEquals(1, run("start", "bridge_type=openvswitch", "bridge=xenbr1", "bridge_nf_call_iptables=0"));
        ovs.replacePort("xenbr0", PortConfig.system("eth0"));
        assertEquals(1, run("start", "bridge_type=openvswitch", "bridge=xenbr1"));
        assertTrue(err.toString().contains("eth0 is already a port of Open vSwitch bridge xenbr0"), err.toString());
        assertEquals(1, run("start", "bridge_type=bogus"));
        assertTrue(err.toString().contains("bridge_type="), err.toString());
        ovs.deletePort("eth0");
        assertEquals(before, state());
    }

    @Test
    void aMarkedBridgeWithoutItsRecordIsOursFromBeforeAReboot() {
        List<String> before = state();
        assertEquals(0, run("start", "bridge_type=openvswitch"));
        List<String> started = state();
        tmp.resolve("state/network-bridge/xenbr0.ovs").toFile().delete();
        assertEquals(0, run("stop", "bridge_type=openvswitch"), "derived from the marked bridge: " + err);
        assertEquals(before, state());
        assertEquals(0, run("start", "bridge_type=openvswitch"));
        assertEquals(started, state());
    }

    @Test
    void withoutOpenVswitchTheErrorSaysSo() {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).ovs(() -> {
            throw new org.xennet.ovsdb.OvsdbException("cannot connect to ovsdb-server at /var/run/openvswitch/db.sock: "
                    + "No such file or directory (is Open vSwitch running?)", "connect");
        }).out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).build();
        List<String> before = state();
        assertEquals(1, new Cli(ctx).run("network-bridge", new String[] {"start", "bridge_type=openvswitch"}));
        assertTrue(err.toString().contains("cannot connect to ovsdb-server"), err.toString());
        assertEquals(before, state());
    }
}
