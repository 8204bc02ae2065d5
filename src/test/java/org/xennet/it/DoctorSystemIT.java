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
import org.xennet.lab.LabNetwork;
import org.xennet.testing.JsonReader;
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;
import org.xennet.testing.XenstoredFixture;

/**
 * xennet doctor and fix as an admin runs them in dom0: a bridged host made by network-bridge,
 * three guests brought online by vif-bridge against a real xenstored, then broken the ways the
 * Xen troubleshooting pages describe (a vif moved onto another bridge, a vif taken down, a vif
 * with a smaller MTU). doctor names each with its fix, fix repairs them, the guests reach the
 * LAN again and doctor is clean.
 */
@Tag("netns")
class DoctorSystemIT {
    private static final String NF_CALL = "/proc/sys/net/bridge/bridge-nf-call-iptables";

    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;
    private final List<String> guests = new ArrayList<>();

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        Executable.Run r = xennet("network-bridge", Map.of(), "start");
        assertEquals(0, r.status(), r.err());
        // br_netfilter's switch is per namespace; this host's is on only if the module is loaded.
        // Off here, as on a host without it: the netfilter checks have their own unit tests.
        lab.exec(lab.dom0(), "sh", "-c", "[ ! -e " + NF_CALL + " ] || echo 0 > " + NF_CALL);
        lab.ipIn(lab.dom0(), "link", "add", "virbr0", "type", "bridge");
        lab.ipIn(lab.dom0(), "link", "set", "virbr0", "up");
        for (int d = 1; d <= 3; d++) {
            guests.add(lab.addGuest("g" + d, "vif" + d + ".0", "192.0.2.5" + d + "/24"));
            xs.libxlVif(d, 0, "vif-bridge", Map.of("bridge", "xenbr0"));
            xs.write("/local/domain/" + d + "/name", "guest" + d);
            Map<String, String> env = XenstoredFixture.hotplugEnv("vif-bridge", d, 0);
            Executable.Run on = xennet("vif-bridge", env, "online", "type_if=vif");
            assertEquals(0, on.status(), on.err());
            assertEquals("connected", xs.read("backend/vif/" + d + "/0/hotplug-status"));
        }
    }

    @AfterEach
    void tearDown() {
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Executable.Run xennet(String program, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, program, args);
    }

    private Executable.Run xennet(String... args) {
        return xennet("xennet", Map.of(), args);
    }

    private static List<String> findings(String out) {
        List<String> l = new ArrayList<>();
        for (String s : out.split("\n")) {
            if (s.startsWith("error: ") || s.startsWith("warning: ")) {
                l.add(s);
            }
        }
        return l;
    }

    private void breakThreeWays() {
        lab.ipIn(lab.dom0(), "link", "set", "vif1.0", "master", "virbr0");
        lab.ipIn(lab.dom0(), "link", "set", "vif2.0", "down");
        lab.ipIn(lab.dom0(), "link", "set", "vif3.0", "mtu", "1400");
    }

    @Test
    void doctorFindsTheBrokenVifsFixRepairsThemAndDoctorIsThenClean() {
        Executable.Run clean = xennet("doctor");
        assertEquals(0, clean.status(), clean.out() + clean.err());
        assertTrue(clean.out().contains("  vif1.0     up     yes      1500"), clean.out());
        assertTrue(clean.out().contains("vif of domain 1 (guest1)"), clean.out());
        assertTrue(clean.out().endsWith("no problems found\n"), clean.out());

        breakThreeWays();
        assertFalse(lab.ping(guests.get(0), LabNetwork.GATEWAY), "guest 1 is cut off on virbr0");
        Executable.Run sick = xennet("doctor");
        assertEquals(1, sick.status(), sick.out() + sick.err());
        assertEquals(List.of(
                "error: vif1.0 (domain 1 (guest1)) is on virbr0, expected xenbr0 (backend/vif/1/0/bridge); fix: ip link "
                        + "set dev vif1.0 master xenbr0  [xennet fix]",
                "warning: vif2.0 (domain 2 (guest2)) is down: the guest has no network on it; fix: ip link set dev "
                        + "vif2.0 up  [xennet fix]",
                "warning: vif3.0 has MTU 1400, the MTU of xenbr0's port peth0 is 1500 (xenbr0 has followed the vif "
                        + "down to 1400): frames bigger than the smaller one are dropped; fix: ip link set dev vif3.0 "
                        + "mtu 1500  [xennet fix]"),
                findings(sick.out()), sick.out());
        assertTrue(sick.out().contains("1 error, 2 warnings; 'xennet fix' repairs 3 of them"), sick.out());

        List<String> before = lab.snapshot(lab.dom0());
        Executable.Run dry = xennet("fix", "--dry-run");
        assertEquals(0, dry.status(), dry.err());
        assertEquals(String.join("\n", "ip link set dev vif1.0 master xenbr0", "ip link set dev vif3.0 mtu 1500",
                "ip link set dev vif2.0 up", "(dry run: nothing changed; 3 fixes would run)", ""), dry.out());
        StateDiff.assertSame(before, lab.snapshot(lab.dom0()), "fix --dry-run changes nothing");

        Executable.Run fix = xennet("fix");
        assertEquals(0, fix.status(), fix.out() + fix.err());
        assertTrue(fix.out().startsWith(String.join("\n", "+ ip link set dev vif1.0 master xenbr0",
                "+ ip link set dev vif3.0 mtu 1500", "+ ip link set dev vif2.0 up", "",
                "after the fixes: no problems found")), fix.out());

        Executable.Run again = xennet("doctor");
        assertEquals(0, again.status(), again.out());
        assertTrue(lab.ipIn(lab.dom0(), "link", "show", "xenbr0").contains("mtu 1500"), "the bridge is back at 1500");
        for (String g : guests) {
            assertTrue(lab.ping(g, LabNetwork.GATEWAY), g + " reaches the LAN again");
        }
    }

    @Test
    void jsonCarriesTheSameFindings() {
        breakThreeWays();
        Executable.Run r = xennet("doctor", "--json");
        assertEquals(1, r.status(), r.err());
        Map<String, Object> j = JsonReader.object(r.out());
        assertEquals(1L, j.get("version"));
        assertEquals(Boolean.FALSE, j.get("clean"));
        List<String> checks = new ArrayList<>();
        for (Object f : (List<?>) j.get("findings")) {
            Map<?, ?> m = (Map<?, ?>) f;
            checks.add(m.get("check") + " " + m.get("subject") + " " + m.get("automatic"));
        }
        assertEquals(List.of("vif-wrong-bridge vif1.0 true", "vif-down vif2.0 true", "vif-mtu vif3.0 true"), checks);
        List<String> bridges = new ArrayList<>();
        for (Object b : (List<?>) j.get("bridges")) {
            Map<?, ?> m = (Map<?, ?>) b;
            List<String> ports = new ArrayList<>();
            for (Object p : (List<?>) m.get("ports")) {
                ports.add(((Map<?, ?>) p).get("name") + "/" + ((Map<?, ?>) p).get("kind"));
            }
            bridges.add(m.get("name") + " " + ports);
        }
        assertEquals(List.of("xenbr0 [peth0/veth, vif0.0/veth, vif2.0/vif, vif3.0/vif]", "virbr0 [vif1.0/vif]"),
                bridges);
        assertEquals(List.of(), j.get("skipped"));
    }

    @Test
    void withoutXenStoreDoctorStillWorksAndSaysWhatItSkipped() {
        breakThreeWays();
        Map<String, String> noXenStore = Map.of("XENSTORED_PATH", tmp.resolve("no-such-socket").toString());
        Executable.Run r = xennet("xennet", noXenStore, "doctor");
        assertEquals(0, r.status(), r.err()); // two warnings, no error
        assertEquals(1, xennet("xennet", noXenStore, "doctor", "--strict").status(), "--strict counts warnings");
        List<String> f = findings(r.out());
        assertEquals(2, f.size(), r.out());
        assertTrue(f.get(0).startsWith("warning: vif2.0 is down"), f.get(0));
        assertTrue(f.get(1).startsWith("warning: vif3.0 has MTU 1400") && f.get(1).endsWith(
                "fix: check the guest's mtu setting (XenStore was not read), else: ip link set dev vif3.0 mtu 1500"),
                f.get(1));
        assertTrue(r.out().contains("skipped: vif-wrong-bridge, vif-no-interface, vif-hotplug-error, "
                + "bridge-missing, routed-forwarding, routed-proxy-arp, routed-no-route, ovs-vif-wrong-port, vif-wrong-vlan: XenStore is not reachable"), r.out());
    }
}
