// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.model.BridgeVlan;
import org.xennet.model.Link;
import org.xennet.plan.PlanRunner;
import org.xennet.plan.Step;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/**
 * Per-guest VLANs on one VLAN-aware bridge (issue 18 item 2) and doctor's VLAN checks (item 4),
 * against the fakes, called as libxl calls vif-bridge: a host whose {@code xenbr1} network-bridge
 * started on eth1 with {@code vlan_filtering=yes} (netloop: uplinks peth1 and vif0.1), guests
 * with {@code bridge=xenbr1.10} (access), {@code xenbr1:20:30} (trunk), xl's {@code vlan} key.
 * The kernel's part (tagged frames between two hosts, a real filtering bridge) is the vm tier's
 * vm/tests/55-vlan-guests.sh: this machine's kernel has no VLAN filtering.
 */
@Tag("cli")
class VifBridgeVlanTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private FakeXenStore xs;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PlanRunner.FaultInjector faults;

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth1", "00:16:3e:00:00:11", 1500).brNetfilter();
        net.links().setUp("eth1", true);
        fw = new FakeFirewall();
        xs = new FakeXenStore();
        assertEquals(0, run("network-bridge", Map.of(), "start", "netdev=eth1", "vlan_filtering=yes"), err.toString());
        assertTrue(net.links().get("xenbr1").vlanFiltering());
        for (int d : List.of(5, 6, 7)) {
            net.links().addVeth("vif" + d + ".0", "guest" + d);
        }
    }

    private int run(String script, Map<String, String> more, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error",
                "XENNET_FIREWALL", "none"));
        env.putAll(more);
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(() -> xs)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).faults(faults).build();
        return new Cli(ctx).run(script, args);
    }

    /** vif-bridge COMMAND for guest domain D, with its backend's bridge key (and vlan key, if not null). */
    private int vif(String command, int d, String bridge, String vlan) {
        String be = "backend/vif/" + d + "/0";
        xs.put(be + "/bridge", bridge).put(be + "/mac", "00:16:3e:00:0" + d + ":00").put(be + "/script",
                "/etc/xen/scripts/vif-bridge");
        if (command.equals("online")) {
            xs.put(be + "/hotplug-status", "");
        }
        if (vlan != null) {
            xs.put(be + "/vlan", vlan);
        }
        return run("vif-bridge", Map.of("vif", "vif" + d + ".0", "XENBUS_PATH", be, "XENBUS_TYPE", "vif",
                "script", "/etc/xen/scripts/vif-bridge"), command, "type_if=vif");
    }

    private List<String> vlans(String dev) {
        return net.bridgeVlans().list(dev).stream().map(BridgeVlan::describe).sorted().collect(Collectors.toList());
    }

    private String status(int d) {
        return xs.read("backend/vif/" + d + "/0/hotplug-status").orElse(null);
    }

    private List<String> uplinkState() {
        List<String> s = new ArrayList<>();
        for (String u : List.of("peth1", "vif0.1")) {
            s.add(u + " " + vlans(u));
        }
        return s;
    }

    private Path ledger() {
        return tmp.resolve("state/vif-bridge/xenbr1.vlans");
    }

    @Test
    void anAccessPortCarriesItsVlanUntaggedAndNothingElseAndTheUplinksCarryItTagged() {
        List<String> before = uplinkState();
        assertEquals(List.of("1 PVID Egress Untagged"), vlans("peth1"), "the bridge's default VLAN, dom0's network");
        assertEquals(0, vif("online", 5, "xenbr1.10", null), err.toString());
        assertEquals("connected", status(5));
        Link v = net.links().get("vif5.0");
        assertEquals(net.links().get("xenbr1").index(), v.masterIndex(), "on xenbr1 itself: xenbr1.10 is its VLAN 10");
        assertTrue(v.isUp());
        assertEquals(List.of("10 PVID Egress Untagged"), vlans("vif5.0"), "VLAN 1 taken away: no way into dom0's network");
        assertEquals(List.of("1 PVID Egress Untagged", "10"), vlans("peth1"), "the NIC: a trunk of the guests' VLANs");
        assertEquals(List.of("1 PVID Egress Untagged", "10"), vlans("vif0.1"), "dom0's port sees them tagged, as before filtering");
        assertTrue(Files.exists(ledger()));
        assertEquals(0, vif("online", 5, "xenbr1.10", null), "a second online");
        assertEquals(List.of("10 PVID Egress Untagged"), vlans("vif5.0"));
        assertEquals(0, vif("offline", 5, "xenbr1.10", null), err.toString());
        assertEquals(0, net.links().get("vif5.0").masterIndex(), "detached");
        assertEquals(before, uplinkState(), "the last guest of VLAN 10 gone: the uplinks as they were");
        assertFalse(Files.exists(ledger()), "nothing left to take back");
    }

    @Test
    void anOfflineAfterNetbackRemovedTheVifStillFreesItsUplinkVlan() {
        List<String> before = uplinkState();
        assertEquals(0, vif("online", 5, "xenbr1.10", null), err.toString());
        net.links().delete("vif5.0"); // xl destroy: netback removes the vif before libxl runs offline
        assertEquals(0, vif("offline", 5, "xenbr1.10", null), err.toString());
        assertEquals(before, uplinkState(), "found by the bridge key: VLAN 10 taken off the uplinks");
        assertFalse(Files.exists(ledger()));
    }

    @Test
    void aTrunkCarriesItsVlansTaggedWithoutAnUntaggedOne() {
        assertEquals(0, vif("online", 6, "xenbr1:30:20", null), err.toString());
        assertEquals(List.of("20", "30"), vlans("vif6.0"));
        assertEquals(List.of("1 PVID Egress Untagged", "20", "30"), vlans("peth1"));
        assertEquals(0, vif("online", 7, "xenbr1.20:30", null), err.toString());
        assertEquals(List.of("20 PVID Egress Untagged", "30"), vlans("vif7.0"), "native VLAN 20, 30 tagged");
    }

    @Test
    void anUplinkVlanStaysWhileAnotherGuestHasItAndOneTheAdminGaveItStaysForever() {
        net.bridgeVlans().add("peth1", 20, false, false); // the admin's: never noted, never removed
        List<String> before = uplinkState();
        assertEquals(0, vif("online", 5, "xenbr1.10", null), err.toString());
        assertEquals(0, vif("online", 6, "xenbr1.10", null), err.toString());
        assertEquals(0, vif("online", 7, "xenbr1.20", null), err.toString());
        assertEquals(0, vif("offline", 5, "xenbr1.10", null));
        assertTrue(vlans("peth1").contains("10"), "vif6.0 is still on VLAN 10");
        assertEquals(0, vif("offline", 7, "xenbr1.20", null));
        assertTrue(vlans("peth1").contains("20"), "VLAN 20 was the admin's on peth1");
        assertFalse(vlans("vif0.1").contains("20"), "on vif0.1 it was xennet's");
        assertEquals(0, vif("offline", 6, "xenbr1.10", null));
        assertEquals(before, uplinkState());
    }

    @Test
    void xlsVlanKeyIsTheAccessVlanAndAConflictIsRefused() {
        assertEquals(0, vif("online", 5, "xenbr1", "20"), err.toString());
        assertEquals(List.of("20 PVID Egress Untagged"), vlans("vif5.0"));
        assertNotEquals(0, vif("online", 6, "xenbr1.10", "20"));
        assertEquals("error", status(6));
        assertTrue(xs.read("backend/vif/6/0/hotplug-error").orElse("").contains("the vlan key says 20"),
                xs.read("backend/vif/6/0/hotplug-error").orElse(""));
        assertEquals(0, net.links().get("vif6.0").masterIndex(), "refused before any change");
    }

    @Test
    void aBridgeWithoutVlanFilteringIsRefusedWithTheWayToTurnItOn() {
        net.links().setVlanFiltering("xenbr1", false);
        assertNotEquals(0, vif("online", 5, "xenbr1.10", null));
        assertEquals("error", status(5));
        String e = xs.read("backend/vif/5/0/hotplug-error").orElse("");
        assertTrue(e.contains("vlan_filtering=yes") && e.contains("VLAN filtering on xenbr1"), e);
        assertEquals(0, net.links().get("vif5.0").masterIndex(), "nothing changed");
        assertFalse(net.links().get("vif5.0").isUp());
    }

    @Test
    void aVlanTheKernelDoesNotTakeAndANameThatIsNoBridgeAreRefused() {
        assertNotEquals(0, vif("online", 5, "xenbr1.4095", null));
        assertTrue(xs.read("backend/vif/5/0/hotplug-error").orElse("").contains("outside 1-4094"));
        assertNotEquals(0, vif("online", 6, "nosuch.10", null));
        assertTrue(xs.read("backend/vif/6/0/hotplug-error").orElse("").contains("Could not find bridge device"),
                xs.read("backend/vif/6/0/hotplug-error").orElse(""));
        assertEquals(0, net.links().get("vif5.0").masterIndex());
    }

    @Test
    void aBridgeNamedLikeAVlanIsJoinedAsItIs() {
        net.links().addBridge("xenbr9.10", false, 0);
        assertEquals(0, vif("online", 5, "xenbr9.10", null), err.toString());
        assertEquals(net.links().get("xenbr9.10").index(), net.links().get("vif5.0").masterIndex());
    }

    @Test
    void aFaultAtAnyStepLeavesPortUplinksAndLedgerAsTheyWere() {
        assertEquals(0, vif("online", 6, "xenbr1.10", null), err.toString());
        List<String> before = new ArrayList<>(uplinkState());
        before.add("vif5.0 " + vlans("vif5.0") + " master " + net.links().get("vif5.0").masterIndex());
        String ledgerBefore = read(ledger());
        int failures = 0;
        for (int k = 0; ; k++) {
            int at = k;
            int[] seen = {0};
            faults = new PlanRunner.FaultInjector() {
                @Override
                public void beforeStep(int index, Step step) {
                    seen[0] = Math.max(seen[0], index + 1);
                    if (index == at) {
                        throw new org.xennet.error.XennetException("injected fault before " + step);
                    }
                }
            };
            int rc = vif("online", 5, "xenbr1.20", null);
            faults = null;
            if (seen[0] <= at) {
                assertTrue(k > 3, "the plan has steps");
                assertEquals(0, rc, err.toString());
                break;
            }
            if (rc == 0) {
                // a best-effort step (the MAC): the call goes on; undo it for the next round
                assertEquals(0, vif("offline", 5, "xenbr1.20", null));
                continue;
            }
            failures++;
            List<String> after = new ArrayList<>(uplinkState());
            after.add("vif5.0 " + vlans("vif5.0") + " master " + net.links().get("vif5.0").masterIndex());
            assertEquals(before, after, "a fault before step " + k);
            assertEquals(ledgerBefore, read(ledger()), "a fault before step " + k);
        }
        assertTrue(failures >= 3, "faults at the VLAN steps made the call fail: " + failures);
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- doctor

    private List<String> doctor() {
        out.reset();
        run("xennet", Map.of(), "doctor");
        List<String> l = new ArrayList<>();
        for (String s : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (s.startsWith("error: ") || s.startsWith("warning: ")) {
                l.add(s);
            }
        }
        return l;
    }

    private boolean says(List<String> findings, String... words) {
        return findings.stream().anyMatch(f -> List.of(words).stream().allMatch(f::contains));
    }

    @Test
    void doctorIsQuietOnAGoodVlanHostAndNamesAVifOnTheWrongVlan() {
        assertEquals(0, vif("online", 5, "xenbr1.10", null), err.toString());
        List<String> good = doctor();
        assertFalse(good.stream().anyMatch(f -> f.contains("VLAN")), good.toString());
        net.bridgeVlans().add("vif5.0", 20, true, true);
        net.bridgeVlans().delete("vif5.0", 10);
        List<String> bad = doctor();
        assertTrue(says(bad, "error: vif5.0", "carries VLAN 20 PVID Egress Untagged", "bridge=xenbr1.10 wants VLAN 10"),
                bad.toString());
        assertTrue(says(bad, "vif-bridge online"), "the fix is the online again: " + bad);
        assertFalse(says(bad, "expected xenbr1.10"), "xenbr1.10 is the VLAN notation, not a missing bridge: " + bad);
    }

    @Test
    void doctorNamesAnUplinkWithoutTheVlanOneThatIsDownAndAnMtuTooBig() {
        assertEquals(0, vif("online", 5, "xenbr1.10", null), err.toString());
        net.bridgeVlans().delete("peth1", 10);
        net.links().setMtu("vif5.0", 9000);
        net.links().setUp("peth1", false);
        List<String> f = doctor();
        assertTrue(says(f, "peth1 (the uplink of xenbr1) does not carry VLAN 10 of vif5.0", "bridge vlan add dev peth1 vid 10"),
                f.toString());
        assertTrue(says(f, "error: peth1, the uplink of xenbr1 for VLAN 10, is down"), f.toString());
        assertTrue(says(f, "vif5.0 has MTU 9000", "uplink peth1", "1500"), f.toString());
    }

    @Test
    void doctorAdvisesOnBridgeNetfilterLookingIntoTaggedFrames() {
        assertEquals(0, vif("online", 5, "xenbr1.10", null), err.toString());
        assertFalse(says(doctor(), "bridge-nf-filter-vlan-tagged"), "0, the kernel's default");
        net.sysctls().set("net/bridge/bridge-nf-filter-vlan-tagged", "1");
        assertTrue(says(doctor(), "warning: guests are on VLANs and bridge-nf-filter-vlan-tagged is 1",
                "sysctl -w net.bridge.bridge-nf-filter-vlan-tagged=0"), doctor().toString());
    }

    @Test
    void doctorNamesAVlanBridgeWhoseNicIsDown() {
        net.nic("eth2", "00:16:3e:00:00:12", 1500);
        assertEquals(0, run("network-bridge", Map.of(), "start", "netdev=eth2.30"), err.toString());
        assertTrue(doctor().stream().noneMatch(f -> f.contains("eth2")), doctor().toString());
        net.links().setUp("eth2", false);
        List<String> f = doctor();
        assertTrue(says(f, "eth2.30, the uplink of xenbr2.30 for VLAN 30", "eth2, which is down", "ip link set dev eth2 up"),
                f.toString());
    }
}
