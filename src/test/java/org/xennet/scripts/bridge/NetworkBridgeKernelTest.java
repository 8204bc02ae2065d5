// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.cli.Cli;
import org.xennet.error.XennetException;
import org.xennet.firewall.IptablesFirewall;
import org.xennet.lab.LabNetwork;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.plan.PlanRunner;
import org.xennet.plan.Step;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;

/**
 * network-bridge against the real kernel: a LAN namespace with a gateway, a dom0 namespace whose
 * eth0 is cabled to it (2 IPv4 + 1 IPv6 addresses, default routes, static routes in main and in
 * table 100), and a guest. The script runs through the CLI in-process with its netlink socket and
 * iptables inside dom0, so faults can be injected at every step.
 */
@Tag("netns")
class NetworkBridgeKernelTest {
    @TempDir
    Path tmp;

    private LabNetwork lab;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        lab = Labs.create();
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private ScriptContext ctx(PlanRunner.FaultInjector faults) {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        return ScriptContext.builder(env).network(() -> RtnetlinkNetwork.openIn(lab.dom0Path()))
                .firewall(() -> new IptablesFirewall(lab.runnerIn(lab.dom0()), tmp.resolve("lock"), "iptables"))
                .xenstore(() -> {
                    throw new AssertionError("network-bridge does not use XenStore");
                }).out(new PrintStream(out, true, StandardCharsets.UTF_8))
                .err(new PrintStream(err, true, StandardCharsets.UTF_8)).under(tmp).carrierWait(Duration.ofSeconds(3))
                .faults(faults).build();
    }

    private int run(PlanRunner.FaultInjector faults, String... args) {
        return new Cli(ctx(faults)).run("network-bridge", args);
    }

    private List<String> state() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        for (String l : lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")) {
            s.add("iptables: " + l);
        }
        return s;
    }

    private static void assertSameState(List<String> expected, List<String> actual, String what) {
        StateDiff.assertSame(expected, actual, what);
    }

    private static void assertSameState(List<String> expected, List<String> actual) {
        StateDiff.assertSame(expected, actual, "state differs");
    }

    private static String[] args(String topology, String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command));
        if (topology.equals("final")) {
            a.add("bridge=eth0");
        }
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private void assertOnline(String why) {
        assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY), "dom0 pings the LAN " + why);
        assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY6), "dom0 pings the LAN over IPv6 " + why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"netloop", "final"})
    void startBridgesTheHostAGuestReachesTheLanAndStopRestoresEverything(String topology) {
        List<String> before = state();
        assertOnline("before start");

        assertEquals(0, run(null, args(topology, "start", "antispoof=yes")), err.toString());
        String bridge = topology.equals("final") ? "eth0" : "xenbr0";
        try (Network net = RtnetlinkNetwork.openIn(lab.dom0Path())) {
            Link br = net.links().get(bridge);
            assertTrue(br.isBridge());
            Set<String> ports = net.links().ports(bridge).stream().map(Link::name).collect(Collectors.toSet());
            Link eth0 = net.links().get("eth0");
            Link peth0 = net.links().get("peth0");
            if (topology.equals("netloop")) {
                assertEquals(Set.of("peth0", "vif0.0"), ports);
                assertEquals("veth", eth0.kind());
                assertEquals(MacAddress.parse(LabNetwork.DOM0_MAC), eth0.mac(), "eth0 keeps the NIC's MAC");
                assertEquals(MacAddress.XEN_BACKEND, peth0.mac());
                assertEquals(MacAddress.XEN_BACKEND, net.links().get("vif0.0").mac());
                assertEquals(net.links().get("vif0.0").index(), eth0.linkIndex());
            } else {
                assertEquals(Set.of("peth0"), ports);
                assertEquals(MacAddress.parse(LabNetwork.DOM0_MAC), eth0.mac(), "the bridge has the NIC's MAC");
                assertEquals(MacAddress.parse(LabNetwork.DOM0_MAC), peth0.mac(), "the port keeps its MAC");
            }
            assertTrue(peth0.isUp() && eth0.isUp() && br.isUp());
            assertEquals(Set.of("192.0.2.10/24", "192.0.2.11/24", "2001:db8::10/64"), net.addresses().list("eth0")
                    .stream().filter(a -> a.scope() == Address.SCOPE_GLOBAL).map(a -> a.prefix().toString())
                    .collect(Collectors.toSet()));
            List<String> routes = net.routes().list().stream().filter(r -> r.oif() == eth0.index()
                    && r.protocol() != Route.PROTO_KERNEL && r.table() != Route.TABLE_LOCAL)
                    .map(r -> r.describe("eth0")).sorted().toList();
            assertEquals(List.of("198.51.100.0/24 via 192.0.2.1 dev eth0 metric 5",
                    "203.0.113.0/24 via 192.0.2.1 dev eth0 table 100", "default via 192.0.2.1 dev eth0",
                    "default via 2001:db8::1 dev eth0 metric 1024"), routes);
        }
        String fw = lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout();
        assertTrue(fw.contains("-P FORWARD DROP"), fw);
        assertTrue(fw.contains("-A FORWARD -m physdev --physdev-in peth0 -j ACCEPT"), fw);
        assertOnline("after start");

        String guest = lab.addGuest("g1", "vif5.0", "192.0.2.50/24");
        lab.ipIn(lab.dom0(), "link", "set", "vif5.0", "master", bridge, "up");
        assertTrue(lab.unreachable(guest, LabNetwork.GATEWAY),
                "antispoof: FORWARD policy DROP stops a guest that has no rule of its own");
        String[] rule = {"iptables", "-A", "FORWARD", "-m", "physdev", "--physdev-in", "vif5.0", "-j", "ACCEPT"};
        assertTrue(lab.exec(lab.dom0(), rule).ok()); // what vif-bridge adds for the guest
        assertTrue(lab.ping(guest, LabNetwork.GATEWAY), "the guest pings the LAN through the bridge");
        assertTrue(lab.ping(guest, "192.0.2.10"), "the guest pings dom0");
        rule[1] = "-D";
        assertTrue(lab.exec(lab.dom0(), rule).ok());
        lab.ipIn(lab.dom0(), "link", "del", "vif5.0");

        List<String> started = state();
        out.reset();
        assertEquals(0, run(null, args(topology, "start", "antispoof=yes")), "a second start succeeds");
        assertTrue(out.toString().contains("nothing to do"), out.toString());
        assertSameState(started, state(), "a second start changes nothing");

        out.reset();
        assertEquals(0, run(null, args(topology, "status")));
        assertTrue(out.toString().contains("  peth0"), out.toString());

        assertEquals(0, run(null, args(topology, "stop")), err.toString());
        assertSameState(before, state(), "stop restores exactly the state from before start");
        assertOnline("after stop");
        assertEquals(0, run(null, args(topology, "stop")), "stop when nothing is set up succeeds");
        assertEquals(3, run(null, args(topology, "status")), "status without the bridge exits 3");
    }

    @org.junit.jupiter.api.Test
    void theWrapperBridgesTwoNicsTwiceAndStatusShowsBoth() {
        lab.addSecondNic();
        List<String> before = state();
        for (int round = 1; round <= 2; round++) {
            assertEquals(0, new Cli(ctx(null)).run("network-wrapper", new String[] {"start",
                "bridges=eth0:xenbr0,eth1:xenbr1"}), err.toString());
            assertOnline("with both bridges, round " + round);
            assertTrue(lab.ping(lab.dom0(), "198.18.0.1"), "eth1's LAN through xenbr1, round " + round);
            out.reset();
            assertEquals(0, new Cli(ctx(null)).run("network-wrapper", new String[] {"status",
                "bridges=eth0:xenbr0,eth1:xenbr1"}));
            String status = out.toString();
            assertTrue(status.matches("(?s).*bridge xenbr0  up.*\n  peth0 +up +yes .*bridge xenbr1  up.*\n  peth1 +up +yes .*"),
                    status);
            assertTrue(status.contains("addresses on eth1:\n  198.18.0.10/24"), status);
            assertTrue(status.contains("  eth0 -> xenbr0: up\n  eth1 -> xenbr1: up\n"), status);
            assertEquals(0, new Cli(ctx(null)).run("network-wrapper", new String[] {"stop",
                "bridges=eth0:xenbr0,eth1:xenbr1"}), err.toString());
            assertSameState(before, state(), "after wrapper stop, round " + round);
        }
    }

    /** Records every step's description and policy, and fails at one index. */
    private static final class Injector implements PlanRunner.FaultInjector {
        final List<Step> seen = new ArrayList<>();
        final int failAt;

        Injector(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public void beforeStep(int index, Step step) {
            seen.add(step);
            if (index == failAt) {
                throw new XennetException("injected fault before: " + step.description());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netloop", "final"})
    void aFaultAtAnyStepOfStartOrStopLeavesTheHostAsItWasAndOnline(String topology) {
        List<String> before = state();
        Injector count = new Injector(-1);
        assertEquals(0, run(count, args(topology, "start", "antispoof=yes")));
        List<String> started = state();
        Injector countStop = new Injector(-1);
        assertEquals(0, run(countStop, args(topology, "stop")));
        assertSameState(before, state());

        int startPoints = count.seen.size();
        for (int k = 0; k < startPoints; k++) {
            Step step = count.seen.get(k);
            int rc = run(new Injector(k), args(topology, "start", "antispoof=yes"));
            String at = topology + " start step " + k + " (" + step.description() + ")";
            if (step.policy() == Step.Policy.REQUIRED) {
                assertEquals(1, rc, at);
                assertSameState(before, state(), "state after a fault at " + at);
                assertOnline("after a fault at " + at);
            } else {
                assertEquals(0, rc, "a " + step.policy() + " step's failure does not fail " + at);
                assertOnline("after a fault at " + at);
                assertEquals(0, run(null, args(topology, "stop")));
                assertSameState(before, state());
            }
        }
        assertEquals(0, run(null, args(topology, "start", "antispoof=yes")));
        int stopPoints = countStop.seen.size();
        for (int k = 0; k < stopPoints; k++) {
            Step step = countStop.seen.get(k);
            int rc = run(new Injector(k), args(topology, "stop"));
            String at = topology + " stop step " + k + " (" + step.description() + ")";
            if (step.policy() == Step.Policy.REQUIRED) {
                assertEquals(1, rc, at);
                assertSameState(started, state(), "a failed stop puts the bridge back: " + at);
                assertOnline("after a fault at " + at);
            } else {
                // The host is already restored; what failed is clean-up, reported as a warning.
                assertEquals(0, rc, at);
                assertOnline("after a fault at " + at);
                for (String leftover : List.of("veth0", "xenbr0", BridgeSettings.TMP_BRIDGE)) {
                    lab.exec(lab.dom0(), "ip", "link", "del", leftover);
                }
                if (!state().equals(before)) {
                    // a sysctl or firewall clean-up step: undo by hand
                    lab.exec(lab.dom0(), "iptables", "-P", "FORWARD", "ACCEPT");
                    lab.exec(lab.dom0(), "iptables", "-F", "FORWARD");
                }
                assertSameState(before, state(), "after cleaning up " + at);
                assertFalse(lab.ipIn(lab.dom0(), "link", "show").contains("peth0"));
                err.reset();
                assertEquals(0, run(null, args(topology, "start", "antispoof=yes")), at + ": " + err);
            }
        }
        assertEquals(0, run(null, args(topology, "stop")));
        assertSameState(before, state());
        System.out.println("fault injection, " + topology + ": " + startPoints + " points in start, " + stopPoints
                + " in stop, each checked for state and connectivity");
    }
}
