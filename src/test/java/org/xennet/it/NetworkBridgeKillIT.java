// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.lab.LabNetwork;
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;

/**
 * network-bridge killed with SIGKILL after every step of start and of stop (the real executable,
 * the real kernel, both topologies, antispoof and a bridge-netfilter sysctl included), followed by
 * the recovery an operator would run: stop, or start again (which must first take back what the
 * killed call did and never say "nothing to do" on a half-built host). Each time dom0's links,
 * addresses, routes of every table, sysctls and iptables end exactly as before start (or as after
 * a clean start, when start is the recovery), and doctor reports an interrupted call as an error
 * naming the command that recovers.
 */
@Tag("netns")
class NetworkBridgeKillIT {
    private static final int KILLED = 137;

    @TempDir
    Path tmp;

    private LabNetwork lab;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private Executable.Run xennet(Map<String, String> env, String program, String... args) {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.putIfAbsent("XENNET_FIREWALL", "iptables"); // antispoof's iptables steps, killed one by one
        return Executable.inDom0(lab, tmp, e, program, args);
    }

    private List<String> state() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")));
        for (String key : List.of("net.bridge.bridge-nf-call-iptables", "net.ipv6.conf.eth0.disable_ipv6",
                "net.ipv6.conf.all.disable_ipv6")) {
            s.add(key + "=" + Labs.sysctl(lab, lab.dom0(), key));
        }
        return s;
    }

    private static String[] args(String topology, String command) {
        return topology.equals("final")
                ? new String[] {command, "bridge=eth0", "antispoof=yes", "bridge_nf_call_iptables=0"}
                : new String[] {command, "antispoof=yes", "bridge_nf_call_iptables=0"};
    }

    private Executable.Run halted(String topology, String command, int step) {
        return xennet(Map.of("XENNET_TEST_HALT", "network-bridge " + command + ":after:" + step), "network-bridge",
                args(topology, command));
    }

    private void assertDoctorSaysInterrupted(String topology, String what) {
        Executable.Run d = xennet(Map.of(), "xennet", "doctor", "--no-xenstore");
        assertEquals(1, d.status(), what + ": " + d.out());
        String bridge = topology.equals("final") ? "eth0" : "xenbr0";
        assertTrue(d.out().contains("was killed") && d.out().contains("network-bridge stop netdev=eth0 bridge=" + bridge),
                what + ": doctor names the recovery: " + d.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"netloop", "final"})
    void aKillAfterAnyStepOfStartIsTakenBackByStopOrByTheNextStart(String topology) {
        List<String> before = state();
        int k = 0;
        for (; k < 200; k++) {
            String at = topology + " start killed after step " + k;
            Executable.Run r = halted(topology, "start", k);
            if (r.status() == 0) {
                break; // k is past the last step: the start finished
            }
            assertEquals(KILLED, r.status(), at + ": " + r.err());
            if (k % 7 == 3) {
                assertDoctorSaysInterrupted(topology, at);
            }
            if (k % 2 == 0) {
                Executable.Run stop = xennet(Map.of(), "network-bridge", args(topology, "stop"));
                assertEquals(0, stop.status(), at + ": stop: " + stop.err());
                StateDiff.assertSame(before, state(), at + ", then stop: the state from before start");
            } else {
                Executable.Run start = xennet(Map.of(), "network-bridge", args(topology, "start"));
                assertEquals(0, start.status(), at + ": start: " + start.err());
                assertFalse(start.out().contains("nothing to do"), at + ": " + start.out());
                assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY), at + ": dom0 online after the new start");
                Executable.Run stop = xennet(Map.of(), "network-bridge", args(topology, "stop"));
                assertEquals(0, stop.status(), at + ": stop: " + stop.err());
                StateDiff.assertSame(before, state(), at + ", then start and stop: the state from before start");
            }
        }
        assertTrue(k > 10, "start has more than 10 steps: " + k);
        assertEquals(0, xennet(Map.of(), "network-bridge", args(topology, "stop")).status());
        StateDiff.assertSame(before, state(), "after the last, unkilled start and its stop");
        assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY), "dom0 online at the end");
        System.out.println("kill test, " + topology + " start: killed after each of " + k + " steps, all recovered");
    }

    @ParameterizedTest
    @ValueSource(strings = {"netloop", "final"})
    void aKillAfterAnyStepOfStopIsFinishedByTheNextStopOrStart(String topology) {
        List<String> before = state();
        assertEquals(0, xennet(Map.of(), "network-bridge", args(topology, "start")).status());
        List<String> started = state();
        int k = 0;
        for (; k < 200; k++) {
            String at = topology + " stop killed after step " + k;
            Executable.Run r = halted(topology, "stop", k);
            if (r.status() == 0) {
                break;
            }
            assertEquals(KILLED, r.status(), at + ": " + r.err());
            if (k % 5 == 2) {
                assertDoctorSaysInterrupted(topology, at);
            }
            if (k % 2 == 0) {
                Executable.Run stop = xennet(Map.of(), "network-bridge", args(topology, "stop"));
                assertEquals(0, stop.status(), at + ": stop again: " + stop.err());
                StateDiff.assertSame(before, state(), at + ", then stop again: the state from before start");
                Executable.Run start = xennet(Map.of(), "network-bridge", args(topology, "start"));
                assertEquals(0, start.status(), at + ": start: " + start.err());
            } else {
                Executable.Run start = xennet(Map.of(), "network-bridge", args(topology, "start"));
                assertEquals(0, start.status(), at + ": start: " + start.err());
                assertFalse(start.out().contains("nothing to do"), at + ": " + start.out());
            }
            StateDiff.assertSame(started, state(), at + ": started again, as after the first start");
        }
        assertTrue(k > 5, "stop has more than 5 steps: " + k);
        StateDiff.assertSame(before, state(), "after the last, unkilled stop");
        System.out.println("kill test, " + topology + " stop: killed after each of " + k + " steps, all recovered");
    }
}
