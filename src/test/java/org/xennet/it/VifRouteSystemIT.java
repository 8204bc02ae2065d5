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
 * Routed networking as Xen runs it, step by step (what an {@code xennet lab --mode=route} would
 * show):
 * <ol>
 * <li>the lab: a LAN (gateway 192.0.2.1/24) and dom0 (eth0 192.0.2.10/24), forwarding off;</li>
 * <li>a guest namespace with 192.0.2.60/24 and a default route via 192.0.2.1, cabled to dom0
 * through vif5.0 (not bridged);</li>
 * <li>{@code network-route start} in dom0: ip_forward=1, proxy_arp on eth0;</li>
 * <li>libxl's backend keys in a real xenstored ({@code ip=192.0.2.60}, {@code script=vif-route}),
 * then {@code vif-route online type_if=vif} with env vif, XENBUS_PATH and an empty netdev: vif5.0
 * gets 192.0.2.10/32, proxy_arp and the route {@code 192.0.2.60 dev vif5.0 src 192.0.2.10 metric 2};</li>
 * <li>the LAN pings the guest (dom0 answers ARP for it on eth0) and the guest pings the LAN
 * (dom0 answers ARP for the gateway on vif5.0);</li>
 * <li>{@code vif-route offline}, {@code network-route stop}: dom0's links, addresses, routes,
 * iptables rules and sysctls are exactly as before.</li>
 * </ol>
 */
@Tag("netns")
class VifRouteSystemIT {
    private static final String GUEST_IP = "192.0.2.60";

    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        sysctl("net.ipv4.ip_forward", "0"); // the namespace may inherit 1 from the host
    }

    @AfterEach
    void tearDown() {
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private void sysctl(String key, String value) {
        Labs.setSysctl(lab, lab.dom0(), key, value);
    }

    private String sysctl(String key) {
        return Labs.sysctl(lab, lab.dom0(), key);
    }

    private Executable.Run xennet(String script, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, script, args);
    }

    /** The backend nodes libxl writes for guest D's vif N before it runs the script. */
    private String libxlKeys(int domid, int devid, Map<String, String> keys) {
        return xs.libxlVif(domid, devid, "vif-route", keys);
    }

    private Executable.Run vif(String command, int domid, int devid, String netdev) {
        Map<String, String> env = XenstoredFixture.hotplugEnv("vif-route", domid, devid);
        env.put("netdev", netdev);
        return xennet("vif-route", env, command, "type_if=vif");
    }

    /**
     * A guest cabled through a vif that has been up once: the first up of a link gives it a
     * queueing discipline for good (qdisc noop becomes noqueue), a kernel side effect that no
     * offline can undo, so the snapshots compare only what the scripts change.
     */
    private String guest(String name, String vif, String address) {
        String ns = lab.addGuest(name, vif, address);
        ip("link", "set", vif, "up");
        ip("link", "set", vif, "down");
        return ns;
    }

    private List<String> state(String vif) {
        assertTrue(!sysctl("net.ipv4.conf." + vif + ".proxy_arp").equals("(none)"), "sysctls of " + vif + " readable");
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")));
        for (String key : List.of("net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding",
                "net.ipv4.conf.default.forwarding", "net.ipv4.conf.eth0.forwarding", "net.ipv4.conf.eth0.proxy_arp",
                "net.ipv4.conf." + vif + ".forwarding", "net.ipv4.conf." + vif + ".proxy_arp")) {
            s.add("sysctl " + key + " = " + sysctl(key));
        }
        return s;
    }

    private String ip(String... args) {
        return lab.ipIn(lab.dom0(), args);
    }

    @Test
    void aRoutedGuestIsReachableFromTheLanAndOfflineAndStopLeaveNothingBehind() {
        String guest = guest("g5", "vif5.0", GUEST_IP + "/24");
        List<String> before = state("vif5.0");
        assertFalse(lab.ping(lab.lan(), GUEST_IP), "not reachable before");

        Executable.Run start = xennet("network-route", Map.of(), "start");
        assertEquals(0, start.status(), start.err());
        String be = libxlKeys(5, 0, Map.of("ip", GUEST_IP));
        Executable.Run on = vif("online", 5, 0, "");
        assertEquals(0, on.status(), on.err());
        assertEquals("connected", xs.read(be + "/hotplug-status"));

        String addr = ip("-4", "-o", "addr", "show", "dev", "vif5.0");
        assertTrue(addr.contains("inet 192.0.2.10/32"), addr);
        String route = ip("route", "show", GUEST_IP);
        assertTrue(route.contains("dev vif5.0") && route.contains("src 192.0.2.10") && route.contains("metric 2"),
                route);
        assertEquals("1", sysctl("net.ipv4.conf.vif5.0.proxy_arp"));
        String rules = lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout();
        assertTrue(rules.contains("-A FORWARD -s 192.0.2.60/32 -i vif5.0 -j ACCEPT"), rules);
        assertTrue(rules.contains("-A FORWARD -o vif5.0 -j ACCEPT"), rules);

        assertTrue(lab.ping(lab.lan(), GUEST_IP), "the LAN reaches the guest (proxy ARP on eth0)");
        assertTrue(lab.ping(guest, LabNetwork.GATEWAY), "the guest reaches the LAN (proxy ARP on vif5.0)");
        assertTrue(lab.ping(guest, "192.0.2.10"), "and dom0");

        List<String> online = state("vif5.0");
        Executable.Run again = vif("online", 5, 0, "");
        assertEquals(0, again.status(), again.err());
        StateDiff.assertSame(online, state("vif5.0"), "a second online changes nothing");

        Executable.Run off = vif("offline", 5, 0, "");
        assertEquals(0, off.status(), off.err());
        assertFalse(ip("route", "show", "table", "all").contains(GUEST_IP), "no route left");
        assertFalse(lab.exec(lab.dom0(), "iptables", "-S").stdout().contains("vif5.0"), "no rule left");
        assertEquals("0", sysctl("net.ipv4.conf.vif5.0.proxy_arp"));
        Executable.Run off2 = vif("offline", 5, 0, "");
        assertEquals(0, off2.status(), "offline twice: " + off2.err());

        Executable.Run stop = xennet("network-route", Map.of(), "stop");
        assertEquals(0, stop.status(), stop.err());
        StateDiff.assertSame(before, state("vif5.0"), "dom0 is exactly as before");
        assertTrue(lab.unreachable(lab.lan(), GUEST_IP), "and the guest is gone from the LAN");
    }

    @Test
    void doctorSeesARoutedGuestLoseItsRouteRulesAndForwarding() {
        guest("g8", "vif8.0", "192.0.2.63/24");
        assertEquals(0, xennet("network-route", Map.of(), "start", "antispoof=yes").status());
        libxlKeys(8, 0, Map.of("ip", "192.0.2.63"));
        assertEquals(0, vif("online", 8, 0, "").status());
        Executable.Run healthy = xennet("xennet", Map.of(), "doctor");
        assertEquals(0, healthy.status(), healthy.out() + healthy.err());

        ip("route", "del", "192.0.2.63", "dev", "vif8.0");
        lab.exec(lab.dom0(), "iptables", "-D", "FORWARD", "-o", "vif8.0", "-j", "ACCEPT");
        lab.exec(lab.dom0(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        Executable.Run sick = xennet("xennet", Map.of(), "doctor", "--json");
        assertEquals(1, sick.status(), sick.err());
        List<String> found = new ArrayList<>();
        for (Object f : (List<?>) JsonReader.object(sick.out()).get("findings")) {
            found.add(((Map<?, ?>) f).get("check") + " " + ((Map<?, ?>) f).get("subject"));
        }
        assertEquals(List.of("forward-drop vif8.0", "routed-no-route vif8.0", "routed-forwarding net.ipv4.ip_forward"),
                found, sick.out());

        assertEquals(0, vif("offline", 8, 0, "").status());
        assertEquals(0, xennet("network-route", Map.of(), "stop").status());
    }

    @Test
    void routedGuestsStillWorkBehindAntispoofsDropPolicyWhereXensBridgeOnlyRulesNeverMatched() {
        String guest = guest("g6", "vif6.0", "192.0.2.61/24");
        List<String> before = state("vif6.0");
        Executable.Run start = xennet("network-route", Map.of(), "start", "antispoof=yes");
        assertEquals(0, start.status(), start.err());
        assertTrue(lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout().contains("-P FORWARD DROP"));
        libxlKeys(6, 0, Map.of("ip", "192.0.2.61"));
        Executable.Run on = vif("online", 6, 0, "eth0");
        assertEquals(0, on.status(), on.err());
        assertTrue(lab.ping(guest, LabNetwork.GATEWAY), "forwarded through -i/-o vif6.0 rules");
        assertTrue(lab.ping(lab.lan(), "192.0.2.61"));

        assertEquals(0, vif("offline", 6, 0, "eth0").status());
        assertEquals(0, xennet("network-route", Map.of(), "stop").status());
        List<String> after = state("vif6.0");
        assertTrue(after.contains("-P FORWARD ACCEPT"), after.toString());
        StateDiff.assertSame(before, after, "policy and sysctls restored");
    }

    @Test
    void withoutAnAddressOnNetdevOnlineFailsWithXensMessageAndChangesNothing() {
        guest("g7", "vif7.0", "192.0.2.62/24");
        ip("link", "add", "nd0", "type", "veth", "peer", "name", "nd1");
        ip("link", "set", "nd0", "up");
        String be = libxlKeys(7, 0, Map.of("ip", "192.0.2.62"));
        List<String> before = state("vif7.0");
        Executable.Run r = vif("online", 7, 0, "nd0");
        assertEquals(1, r.status());
        assertEquals("vif-route online vif7.0: nd0 is not up. Bring it up or specify another interface with "
                + "netdev=<if> as a parameter to vif-route.", xs.read(be + "/hotplug-error"));
        assertEquals("error", xs.read(be + "/hotplug-status"));
        StateDiff.assertSame(before, state("vif7.0"), "nothing changed");

        xs.write(be + "/ip", "192.0.2.62 2001:db8::62");
        Executable.Run v6 = vif("online", 7, 0, "eth0");
        assertEquals(1, v6.status());
        assertTrue(xs.read(be + "/hotplug-error").contains("IPv6"), xs.read(be + "/hotplug-error"));
        StateDiff.assertSame(before, state("vif7.0"), "nothing changed for an IPv6 ip");
    }
}
