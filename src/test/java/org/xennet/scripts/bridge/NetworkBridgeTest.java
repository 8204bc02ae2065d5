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
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Route;
import org.xennet.plan.PlanRunner;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeHost;
import org.xennet.testing.FakeXenStore;
import org.xennet.testing.FakeNetwork;

/** network-bridge and network-wrapper in-process against the fake network and firewall. */
@Tag("cli")
class NetworkBridgeTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:00:00:10", 1500).nic("eth1", "00:16:3e:00:00:11", 9000);
        fw = new FakeFirewall();
        for (String nic : List.of("eth0", "eth1")) {
            net.links().setUp(nic, true);
        }
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        net.addresses().add("eth1", IpPrefix.parse("10.9.0.10/16"));
        int eth0 = net.links().get("eth0").index();
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"), eth0));
    }

    private int run(String script, PlanRunner.FaultInjector faults, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(FakeXenStore::new)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).faults(faults).build();
        return new Cli(ctx).run(script, args);
    }

    private int run(String... args) {
        return run("network-bridge", null, args);
    }

    private int wrapper(String... args) {
        return run("network-wrapper", null, args);
    }

    private List<String> state() {
        return FakeHost.state(net, fw);
    }

    @Test
    void defaultsComeFromTheDefaultRoute() {
        net.links().rename("eth0", "enp0s3");
        BridgeSettings s = BridgeSettings.resolve(new org.xennet.scripts.Params("network-bridge", Map.of(),
                Map.of()), net);
        assertEquals("enp0s3", s.netdev(), "the whole name, not Xen's enp0");
        assertEquals(3, s.vifnum());
        assertEquals("xenbr3", s.bridge());
        assertEquals("penp0s3", s.pdev());
        assertEquals("veth3", s.vdev());
        assertEquals("vif0.3", s.vif0());
    }

    @Test
    void withoutADefaultRouteTheNicIsEth0() {
        net.routes().list().forEach(r -> net.routes().delete(r));
        BridgeSettings s = BridgeSettings.resolve(new org.xennet.scripts.Params("network-bridge", Map.of(),
                Map.of()), net);
        assertEquals("eth0", s.netdev());
        assertEquals("xenbr0", s.bridge());
    }

    @Test
    void bridgeNullDoesNothing() {
        List<String> before = state();
        assertEquals(0, run("start", "bridge=null"));
        assertEquals(before, state());
    }

    @Test
    void aDryRunPrintsThePlanAndChangesNothing() {
        List<String> before = state();
        assertEquals(0, run("start", "--dry-run", "antispoof=yes"));
        assertEquals(before, state());
        String plan = out.toString(StandardCharsets.UTF_8);
        assertTrue(plan.startsWith("write state record " + tmp.resolve("state/network-bridge/xenbr0.state") + "\n"
                + "ip link add xenbr0 type bridge stp_state 0 forward_delay 0\n"
                + "ip link set dev xenbr0 arp off\n"
                + "ip link set dev xenbr0 multicast off\n"
                + "ip link add veth0 type veth peer name vif0.0\n"), plan);
        assertTrue(plan.contains("\nip link set dev eth0 name peth0\n"), plan);
        assertTrue(plan.contains("\niptables -A FORWARD -m physdev --physdev-in vif0.0 -j ACCEPT\n"), plan);
        assertTrue(plan.contains("\nip route add default via 192.0.2.1 dev eth0\n"), plan);
        assertFalse(Files.exists(tmp.resolve("state/network-bridge/xenbr0.state")));
    }

    @Test
    void startAndStopInBothTopologiesRestoreTheFakeExactly() {
        for (String[] t : new String[][] {{"start", "antispoof=yes"}, {"start", "bridge=eth0", "antispoof=yes"}}) {
            List<String> before = state();
            assertEquals(0, run(t), err.toString());
            String bridge = t.length == 3 ? "eth0" : "xenbr0";
            assertTrue(net.links().get(bridge).isBridge());
            assertEquals("DROP", fw.policy("FORWARD"));
            assertTrue(Files.exists(tmp.resolve("state/network-bridge/" + bridge + ".state")));
            assertEquals(0, run(t), "idempotent");
            String[] stop = t.clone();
            stop[0] = "stop";
            assertEquals(0, run(stop), err.toString());
            assertEquals(before, state());
            assertFalse(Files.exists(tmp.resolve("state/network-bridge/" + bridge + ".state")));
        }
    }

    @Test
    void everyFaultInStartIsRolledBack() {
        List<String> before = state();
        List<Integer> count = new ArrayList<>();
        assertEquals(0, run("network-bridge", (i, s) -> count.add(i), "start", "antispoof=yes"));
        assertEquals(0, run("stop"));
        for (int k = 0; k < count.size(); k++) {
            int at = k;
            int rc = run("network-bridge", (i, s) -> {
                if (i == at) {
                    throw new XennetException("injected");
                }
            }, "start", "antispoof=yes");
            if (rc == 0) {
                run("stop"); // the fault hit a step whose failure is only a warning
            }
            assertEquals(before, state(), "fault at step " + k);
        }
    }

    @Test
    void refusesANicThatIsMissingEnslavedOrWhoseNamesAreTaken() {
        assertEquals(1, run("start", "netdev=eth7"));
        assertTrue(err.toString().contains("netdev eth7 does not exist"), err.toString());
        net.links().addBridge("br9", false, 0);
        net.links().setMaster("eth1", "br9");
        assertEquals(1, run("start", "netdev=eth1"));
        assertTrue(err.toString().contains("eth1 is already a port of br9"), err.toString());
        net.links().addBridge("xenbr0", false, 0);
        List<String> before = state();
        assertEquals(1, run("start"));
        assertTrue(err.toString().contains("xenbr0 exists but was not made by xennet"), err.toString());
        assertEquals(before, state());
    }

    @Test
    void refusesTheNicThatCarriesAnNfsRootUnlessForced() throws Exception {
        Path mounts = tmp.resolve("root/proc/mounts");
        Files.createDirectories(mounts.getParent());
        Files.writeString(mounts, "192.0.2.5:/export / nfs4 rw,relatime 0 0\n");
        List<String> before = state();
        assertEquals(1, run("start"));
        assertTrue(err.toString().contains("the root file system (192.0.2.5:/export, nfs4) is reached through eth0"),
                err.toString());
        assertEquals(before, state());
        assertEquals(0, run("start", "netdev=eth1"), "another NIC is fine");
        assertEquals(0, run("start", "force=yes"), err.toString());
    }

    @Test
    void refusesANicManagedByNetworkManager() throws Exception {
        Path nm = tmp.resolve("root/run/NetworkManager/devices/" + net.links().get("eth0").index());
        Files.createDirectories(nm.getParent());
        Files.writeString(nm, "[device]\n");
        assertEquals(1, run("start"));
        assertTrue(err.toString().contains("eth0 is managed by NetworkManager"), err.toString());
    }

    @Test
    void stopWithoutAStateRecordDerivesTheInverseAndLeavesForeignBridgesAlone() throws Exception {
        List<String> before = state();
        assertEquals(0, run("start"));
        Files.delete(tmp.resolve("state/network-bridge/xenbr0.state"));
        assertEquals(0, run("stop"));
        assertEquals(before, state());

        net.links().addBridge("xenbr1", false, 0);
        List<String> foreign = state();
        assertEquals(0, run("stop", "bridge=xenbr1", "netdev=eth1"));
        assertTrue(out.toString().contains("leaving it alone"), out.toString());
        assertEquals(foreign, state());
    }

    @Test
    void statusShowsTheBridgeAndExitsThreeWithoutIt() {
        assertEquals(3, run("status"));
        assertEquals(0, run("start"));
        out.reset();
        assertEquals(0, run("status"));
        String s = out.toString();
        assertTrue(s.startsWith("bridge xenbr0  up"), s);
        assertTrue(s.matches("(?s).*\n  peth0 +up .*\n  vif0\\.0 +up .*"), s);
        assertTrue(s.contains("addresses on eth0:\n  192.0.2.10/24"), s);
    }

    @Test
    void theWrapperBridgesEveryPairAndAFailedPairDoesNotStopTheOthers() throws Exception {
        Path conf = tmp.resolve("bridges.conf");
        Files.writeString(conf, "# test\neth0 xenbr0\neth7 xenbr7   # no such NIC\neth1 eth1 stp=yes\n");
        assertEquals(1, wrapper("start", "config=" + conf));
        String o = out.toString();
        assertTrue(o.contains("  eth0 -> xenbr0: up\n"), o);
        assertTrue(o.contains("  eth7 -> xenbr7: FAILED, rolled back: netdev eth7 does not exist"), o);
        assertTrue(o.contains("  eth1 -> eth1: up\n"), o);
        assertTrue(net.links().get("xenbr0").isBridge());
        assertTrue(net.links().get("eth1").isBridge());
        assertEquals(1, net.links().get("eth1").bridge().stpState(), "a pair's own VAR=VAL is passed on");
        out.reset();
        assertEquals(0, wrapper("stop", "config=" + conf), "stopping a pair that never started is not an error");
        assertTrue(out.toString().contains("  eth7 -> xenbr7: stopped"), out.toString());
        assertFalse(net.links().exists("xenbr0"));
        assertFalse(net.links().get("eth1").isBridge());
    }

    @Test
    void theWrapperRefusesABadListBeforeChangingAnything() {
        List<String> before = state();
        assertEquals(1, wrapper("start", "bridges=eth0:xenbr0,eth1"));
        assertTrue(err.toString().contains("'eth1' is not netdev:bridge"), err.toString());
        assertEquals(1, wrapper("start", "bridges=eth0:xenbr0,eth1:x", "antispoof=maybe"));
        assertEquals(before, state());
    }
}
