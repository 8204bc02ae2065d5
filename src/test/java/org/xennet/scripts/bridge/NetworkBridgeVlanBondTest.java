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
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.plan.PlanRunner;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeHost;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/**
 * network-bridge's VLAN uplinks ({@code netdev=eth1.10}, {@code netdev=eth1 vlan=20}) and the bonds
 * it makes ({@code slaves=eth0,eth1}) against the fake network: what start makes, that stop takes
 * back exactly that, and that a fault at any step of start leaves the host as it was. The real
 * kernel's part is the vm tier's (vm/tests/50-vlan-bond.sh): this machine's has no 8021q or bonding.
 */
@Tag("cli")
class NetworkBridgeVlanBondTest {
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
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        int eth0 = net.links().get("eth0").index();
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"), eth0));
    }

    private int run(PlanRunner.FaultInjector faults, String... args) {
        return run("network-bridge", faults, args);
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
        return run((PlanRunner.FaultInjector) null, args);
    }

    private int wrapper(String... args) {
        return run("network-wrapper", null, args);
    }

    private List<String> state() {
        return FakeHost.state(net, fw);
    }

    private Link master(String dev) {
        return net.links().find(net.links().get(dev).masterIndex()).orElseThrow();
    }

    @Test
    void aMissingVlanIsMadeWithItsOwnBridgeAndStopDeletesExactlyThat() {
        List<String> before = state();
        assertEquals(0, run("start", "netdev=eth1.10"), err.toString());
        Link vlan = net.links().get("eth1.10");
        assertTrue(vlan.isVlan());
        assertEquals(10, vlan.vlanId());
        assertEquals(net.links().get("eth1").index(), vlan.linkIndex());
        assertEquals("xenbr1.10", master("eth1.10").name(), "the bridge is named after the NIC and the VLAN");
        assertTrue(net.links().get("xenbr1.10").isUp());
        assertTrue(net.links().get("eth1").isUp(), "the NIC carries the VLAN, so start brought it up");
        assertEquals(9000, vlan.mtu(), "a VLAN of a jumbo NIC is jumbo");
        assertEquals(9000, net.links().get("xenbr1.10").mtu());
        assertTrue(net.addresses().list("eth0").size() == 1, "the host's own NIC is untouched");
        assertTrue(Files.exists(tmp.resolve("state/network-bridge/xenbr1.10.state")));
        assertEquals(0, run("start", "netdev=eth1.10"), "idempotent");
        assertEquals(0, run("stop", "netdev=eth1.10"), err.toString());
        assertEquals(before, state(), "the VLAN, its bridge gone, eth1 down again");
        assertFalse(Files.exists(tmp.resolve("state/network-bridge/xenbr1.10.state")));
    }

    @Test
    void severalVlansOnOneNicBesideItsUntaggedBridgeStopInAnyOrder() {
        List<String> before = state();
        assertEquals(0, run("start", "netdev=eth0"), err.toString()); // untagged: eth0 -> peth0 in xenbr0
        List<String> untagged = state();
        assertEquals(0, run("start", "netdev=eth0", "vlan=10"), err.toString());
        assertEquals(0, run("start", "netdev=eth0.20", "mtu=1400"), err.toString());
        int peth0 = net.links().get("peth0").index();
        assertEquals(peth0, net.links().get("eth0.10").linkIndex(), "the VLAN is on the NIC, not on the veth");
        assertEquals(peth0, net.links().get("eth0.20").linkIndex());
        assertEquals("xenbr0.10", master("eth0.10").name());
        assertEquals("xenbr0.20", master("eth0.20").name());
        assertEquals(1400, net.links().get("eth0.20").mtu());
        assertEquals(1500, net.links().get("eth0.10").mtu());
        assertEquals(0, run("stop", "netdev=eth0", "vlan=10"), err.toString());
        assertFalse(net.links().exists("eth0.10"));
        assertFalse(net.links().exists("xenbr0.10"));
        assertTrue(net.links().exists("eth0.20"), "another VLAN's bridge is left alone");
        assertEquals(0, run("stop", "netdev=eth0"), err.toString());
        assertTrue(net.links().get("eth0.20").isVlan());
        assertEquals(0, run("stop", "netdev=eth0.20"), err.toString());
        assertEquals(before, state());
        assertTrue(untagged.size() > 0);
    }

    @Test
    void theWrapperBridgesVlanPairsBesideTheUntaggedOneAndStopsThemAll() throws Exception {
        List<String> before = state();
        Path conf = tmp.resolve("bridges.conf");
        Files.writeString(conf, "eth1 xenbr1\neth1.10 xenbr1.10\neth1.20 vlan20 mtu=4000\n");
        assertEquals(0, wrapper("start", "config=" + conf), err.toString() + out);
        assertEquals("xenbr1.10", master("eth1.10").name());
        assertEquals("vlan20", master("eth1.20").name());
        assertEquals(4000, net.links().get("eth1.20").mtu());
        assertEquals(net.links().get("peth1").index(), net.links().get("eth1.10").linkIndex());
        assertEquals(0, wrapper("stop", "config=" + conf), err.toString() + out);
        assertEquals(before, state());
    }

    @Test
    void badVlanInputIsRefusedBeforeAnyChange() {
        List<String> before = state();
        assertEquals(1, run("start", "netdev=eth1", "vlan=4095"));
        assertTrue(err.toString().contains("vlan"), err.toString());
        assertEquals(1, run("start", "netdev=eth1.10", "mtu=9001"));
        assertTrue(err.toString().contains("mtu=9001 is more than eth1's MTU 9000"), err.toString());
        assertEquals(1, run("start", "netdev=eth7.10", "bridge=xenbr7.10"));
        assertEquals(1, run("start", "netdev=eth1", "vlan=10", "slaves=eth0,eth1"));
        net.links().addVlan("v10", "eth1", 10, Link.ETH_P_8021Q);
        List<String> withV10 = state();
        assertEquals(1, run("start", "netdev=eth1.10"));
        assertTrue(err.toString().contains("eth1 has VLAN 10 already, as v10"), err.toString());
        assertEquals(withV10, state());
        net.links().delete("v10");
        assertEquals(before, state());
    }

    @Test
    void anExistingVlanLinkIsBridgedAsBeforeAndKept() {
        net.links().addVlan("eth1.30", "eth1", 30, Link.ETH_P_8021Q);
        List<String> before = state();
        assertEquals(0, run("start", "netdev=eth1.30"), err.toString());
        assertTrue(net.links().get("xenbr30").isBridge(), "named as network-bridge always named it");
        assertEquals(0, run("stop", "netdev=eth1.30"), err.toString());
        assertEquals(before, state());
    }

    @Test
    void everyFaultInAVlanStartIsRolledBack() {
        List<String> before = state();
        List<Integer> count = new ArrayList<>();
        assertEquals(0, run((i, s) -> count.add(i), "start", "netdev=eth1.10"));
        assertEquals(0, run("stop", "netdev=eth1.10"));
        assertEquals(before, state());
        assertTrue(count.size() > 5, count.toString());
        for (int k = 0; k < count.size(); k++) {
            int at = k;
            int rc = run((i, s) -> {
                if (i == at) {
                    throw new XennetException("injected");
                }
            }, "start", "netdev=eth1.10");
            if (rc == 0) {
                run("stop", "netdev=eth1.10");
            }
            assertEquals(before, state(), "fault at step " + k);
        }
    }

    @Test
    void aBondOfTwoNicsIsBridgedLikeANicAndStopGivesEachNicBack() {
        for (String mode : List.of("active-backup", "802.3ad")) {
            List<String> before = state();
            assertEquals(0, run("start", "slaves=eth0,eth1", "bond_mode=" + mode), err.toString());
            Link bond = net.links().get("pbond0");
            assertTrue(bond.isBond());
            assertEquals("xenbr0", master("pbond0").name());
            assertEquals(bond.index(), net.links().get("eth0").masterIndex());
            assertEquals(bond.index(), net.links().get("eth1").masterIndex());
            assertEquals("fe:ff:ff:ff:ff:ff", bond.mac().toString(), "a port, as peth0 is in netloop");
            assertEquals(List.of("192.0.2.10/24"), net.addresses().list("bond0").stream()
                    .map(a -> a.prefix().toString()).toList(), "eth0's address moved to the host interface");
            assertEquals(0, run("stop", "slaves=eth0,eth1", "bond_mode=" + mode), err.toString());
            assertEquals(before, state(), mode);
        }
    }

    @Test
    void everyFaultInABondStartIsRolledBack() {
        List<String> before = state();
        List<Integer> count = new ArrayList<>();
        assertEquals(0, run((i, s) -> count.add(i), "start", "slaves=eth0,eth1", "bridge=bond0"));
        assertEquals(0, run("stop", "slaves=eth0,eth1", "bridge=bond0"));
        assertEquals(before, state());
        for (int k = 0; k < count.size(); k++) {
            int at = k;
            int rc = run((i, s) -> {
                if (i == at) {
                    throw new XennetException("injected");
                }
            }, "start", "slaves=eth0,eth1", "bridge=bond0");
            if (rc == 0) {
                run("stop", "slaves=eth0,eth1", "bridge=bond0");
            }
            assertEquals(before, state(), "fault at step " + k);
        }
    }

    @Test
    void badBondInputIsRefusedBeforeAnyChange() {
        List<String> before = state();
        assertEquals(1, run("start", "slaves=eth0,eth1", "bond_mode=balance-rr"));
        assertTrue(err.toString().contains("must be one of active-backup, 802.3ad"), err.toString());
        assertEquals(1, run("start", "slaves=eth0,eth0"));
        assertEquals(1, run("start", "bond_mode=802.3ad"));
        assertEquals(1, run("start", "slaves=eth0,eth7"));
        assertTrue(err.toString().contains("slaves: eth7 does not exist"), err.toString());
        net.links().addBridge("br9", false, 0);
        net.links().setMaster("eth1", "br9");
        List<String> enslaved = state();
        assertEquals(1, run("start", "slaves=eth0,eth1"));
        assertTrue(err.toString().contains("eth1 is already a port of br9"), err.toString());
        assertEquals(enslaved, state());
        net.links().setNoMaster("eth1");
        net.links().delete("br9");
        assertEquals(before, state());
    }
}
