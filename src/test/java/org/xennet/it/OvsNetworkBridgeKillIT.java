// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.error.XennetException;
import org.xennet.lab.LabNetwork;
import org.xennet.sys.ProcessRunner;
import org.xennet.testing.Labs;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.OvsFixture;
import org.xennet.testing.StateDiff;

/**
 * network-bridge with {@code bridge_type=openvswitch} on the lab's dom0 (eth0 with two IPv4
 * addresses, one labelled, an IPv6 address, default routes for both, a static route and a
 * route in table 100), with Debian's ovsdb-server and ovs-vswitchd in dom0's namespace
 * (userspace datapath): start makes eth0 a port of the OVS bridge xenbr0 that carries all of it
 * and dom0 still reaches its gateway; stop restores links, addresses, routes, sysctls and Open
 * vSwitch's database exactly. Then the same kill test as the Linux bridge's: SIGKILL after every
 * step of start and of stop, and the operator's recovery (stop, or start again) each time ends
 * exactly as before start (or as after a clean start). Also: stop without the record (derived
 * from the marked bridge), and start over a marked bridge Open vSwitch kept across a reboot.
 */
@Tag("netns")
class OvsNetworkBridgeKillIT {
    private static final int KILLED = 137;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    @TempDir
    Path tmp;

    private LabNetwork lab;
    private OvsFixture ovs;

    @BeforeEach
    void setUp() {
        try {
            lab = LabNetwork.create(ProcessRunner.local(), "xnov" + ProcessHandle.current().pid() + "-"
                    + COUNTER.incrementAndGet());
        } catch (XennetException e) {
            NetnsFixture.unavailable("cannot build the lab namespaces (needs root and iproute2): " + e.getMessage());
        }
        ovs = OvsFixture.start(lab.dom0());
        ovs.addBridge("brkeep"); // someone else's bridge, and the userspace datapath exists before start
    }

    @AfterEach
    void tearDown() {
        if (ovs != null) {
            ovs.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private Executable.Run xennet(Map<String, String> extra, String program, String... args) {
        Map<String, String> env = new HashMap<>(ovs.env());
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, program, args);
    }

    private static String[] args(String command) {
        return new String[] {command, "bridge_type=openvswitch", "ovs_datapath=netdev"};
    }

    private Executable.Run bridge(String command) {
        return xennet(Map.of(), "network-bridge", args(command));
    }

    /** Links, addresses, routes of every table, eth0's IPv6 switch, and every Open vSwitch bridge with its ports. */
    private List<String> state() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.add("eth0 disable_ipv6=" + Labs.sysctl(lab, lab.dom0(), "net.ipv6.conf.eth0.disable_ipv6"));
        for (String br : ovs.vsctl("list-br").trim().split("\n")) {
            if (!br.isEmpty()) {
                s.add("ovs bridge " + br + ": ports " + ovs.vsctl("list-ports", br).trim().replace('\n', ' ')
                        + " external_ids " + ovs.vsctl("get", "bridge", br, "external_ids").trim());
            }
        }
        return s;
    }

    private Executable.Run halted(String command, int step) {
        return xennet(Map.of("XENNET_TEST_HALT", "network-bridge " + command + ":after:" + step), "network-bridge",
                args(command));
    }

    @Test
    void startMakesTheNicAPortOfAnOvsBridgeThatCarriesTheHostAndStopRestoresAll() {
        List<String> before = state();
        Executable.Run start = bridge("start");
        assertEquals(0, start.status(), start.err() + ovs.logTail());
        assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY), "dom0 online through the OVS bridge" + ovs.logTail());
        assertEquals("eth0", ovs.vsctl("list-ports", "xenbr0").trim());
        assertEquals("netdev", ovs.vsctl("get", "bridge", "xenbr0", "datapath_type").trim());
        assertEquals("{xennet=network-bridge}", ovs.vsctl("get", "bridge", "xenbr0", "external_ids").trim());
        String addrs = lab.ipIn(lab.dom0(), "-o", "addr", "show", "dev", "xenbr0");
        assertTrue(addrs.contains("192.0.2.10/24") && addrs.contains("192.0.2.11/24") && addrs.contains("xenbr0:1")
                && addrs.contains("2001:db8::10/64"), addrs);
        assertTrue(lab.ipIn(lab.dom0(), "route", "show", "table", "100").contains("dev xenbr0"));
        assertTrue(lab.ipIn(lab.dom0(), "-o", "link", "show", "dev", "xenbr0").contains(LabNetwork.DOM0_MAC),
                "the bridge took the NIC's MAC");
        assertFalse(lab.ipIn(lab.dom0(), "-o", "addr", "show", "dev", "eth0").contains("inet"), "eth0 is a bare port");
        Executable.Run status = bridge("status");
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("Open vSwitch bridge xenbr0  up") && status.out().contains("port eth0"),
                status.out());
        Executable.Run again = bridge("start");
        assertEquals(0, again.status());
        assertTrue(again.out().contains("nothing to do"), again.out());
        Executable.Run stop = xennet(Map.of(), "network-bridge", "stop"); // the record says it is Open vSwitch
        assertEquals(0, stop.status(), stop.err());
        StateDiff.assertSame(before, state(), "after stop");
        assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY));
        assertEquals(3, bridge("status").status(), "not started");
    }

    @Test
    void aKillAfterAnyStepOfStartIsTakenBackByStopOrByTheNextStart() {
        List<String> before = state();
        int k = 0;
        for (; k < 100; k++) {
            String at = "start killed after step " + k;
            Executable.Run r = halted("start", k);
            if (r.status() == 0) {
                break;
            }
            assertEquals(KILLED, r.status(), at + ": " + r.err());
            if (k % 2 == 0) {
                Executable.Run stop = bridge("stop");
                assertEquals(0, stop.status(), at + ": stop: " + stop.err());
                StateDiff.assertSame(before, state(), at + ", then stop: the state from before start");
            } else {
                Executable.Run start = bridge("start");
                assertEquals(0, start.status(), at + ": start: " + start.err());
                assertFalse(start.out().contains("nothing to do"), at + ": " + start.out());
                assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY), at + ": dom0 online after the new start");
                Executable.Run stop = bridge("stop");
                assertEquals(0, stop.status(), at + ": stop: " + stop.err());
                StateDiff.assertSame(before, state(), at + ", then start and stop: the state from before start");
            }
        }
        assertTrue(k > 8, "start has more than 8 steps: " + k);
        assertEquals(0, bridge("stop").status());
        StateDiff.assertSame(before, state(), "after the last, unkilled start and its stop");
        System.out.println("kill test, Open vSwitch start: killed after each of " + k + " steps, all recovered");
    }

    @Test
    void aKillAfterAnyStepOfStopIsFinishedByTheNextStopOrStart() {
        List<String> before = state();
        assertEquals(0, bridge("start").status());
        List<String> started = state();
        int k = 0;
        for (; k < 100; k++) {
            String at = "stop killed after step " + k;
            Executable.Run r = halted("stop", k);
            if (r.status() == 0) {
                break;
            }
            assertEquals(KILLED, r.status(), at + ": " + r.err());
            if (k % 2 == 0) {
                Executable.Run stop = bridge("stop");
                assertEquals(0, stop.status(), at + ": stop again: " + stop.err());
                StateDiff.assertSame(before, state(), at + ", then stop again: the state from before start");
                assertEquals(0, bridge("start").status(), at + ": start");
            } else {
                Executable.Run start = bridge("start");
                assertEquals(0, start.status(), at + ": start: " + start.err());
                assertFalse(start.out().contains("nothing to do"), at + ": " + start.out());
            }
            StateDiff.assertSame(started, state(), at + ": started again, as after the first start");
        }
        assertTrue(k > 4, "stop has more than 4 steps: " + k);
        StateDiff.assertSame(before, state(), "after the last, unkilled stop");
        System.out.println("kill test, Open vSwitch stop: killed after each of " + k + " steps, all recovered");
    }

    @Test
    void withoutItsRecordStopRestoresFromTheMarkedBridge() throws Exception {
        List<String> before = state();
        assertEquals(0, bridge("start").status());
        Files.delete(tmp.resolve("state/network-bridge/xenbr0.ovs")); // /var/run emptied
        Executable.Run stop = bridge("stop");
        assertEquals(0, stop.status(), stop.err());
        StateDiff.assertSame(before, state(), "stop derived from the bridge");
    }

    @Test
    void aMarkedBridgeKeptAcrossARebootIsReplacedByStart() {
        // after a reboot: Open vSwitch's database still has the bridge with eth0, the kernel gave eth0 its
        // addresses again (ifupdown), /var/run has no record
        List<String> before = state();
        ovs.vsctl("add-br", "xenbr0", "--", "set", "bridge", "xenbr0", "datapath_type=netdev",
                "external_ids:xennet=network-bridge", "--", "add-port", "xenbr0", "eth0");
        Executable.Run start = bridge("start");
        assertEquals(0, start.status(), start.err());
        assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY), "dom0 online" + ovs.logTail());
        assertEquals(0, bridge("stop").status());
        StateDiff.assertSame(before, state(), "as before the reboot's leftover");
    }

    @Test
    void someoneElsesBridgeAndLinuxOnlyOptionsAreRefusedWithoutAChange() {
        ovs.vsctl("add-br", "xenbr0", "--", "set", "bridge", "xenbr0", "datapath_type=netdev");
        List<String> before = state();
        Executable.Run r = bridge("start");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("Open vSwitch bridge xenbr0 exists but was not made by xennet"), r.err());
        Executable.Run a = xennet(Map.of(), "network-bridge", "start", "bridge_type=openvswitch", "bridge=xenbr1",
                "antispoof=yes");
        assertEquals(1, a.status());
        assertTrue(a.err().contains("antispoof=yes needs a Linux bridge"), a.err());
        StateDiff.assertSame(before, state(), "nothing changed");
    }
}
