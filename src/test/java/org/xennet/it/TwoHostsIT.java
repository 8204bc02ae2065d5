// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.lab.LabNetwork;
import org.xennet.sys.ProcessRunner;
import org.xennet.testing.Labs;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.StateDiff;

/**
 * Two xennet hosts on one LAN switch with a gateway, each in the netloop topology with a guest:
 * the gateway learns each dom0 at its own NIC's MAC (the bridge and its ports do not answer ARP,
 * as in Xen 3.0), both hosts stay reachable round after round, a guest's spoofed source to dom0 is
 * dropped under antispoof=yes, and stop gives back every link flag. Also: Xen 4.x's layout chosen
 * by one line in xennet.conf.
 */
@Tag("netns")
class TwoHostsIT {
    private static final String MAC_A = "00:16:3e:00:00:0a";
    private static final String MAC_B = "00:16:3e:00:00:0b";

    @TempDir
    Path tmp;

    private final List<String> namespaces = new ArrayList<>();
    private final ProcessRunner run = ProcessRunner.local();
    private String prefix;

    private String ns(String role) {
        String name = prefix + "-" + role;
        check(List.of("ip", "netns", "add", name));
        namespaces.add(name);
        check(List.of("ip", "-n", name, "link", "set", "lo", "up"));
        return name;
    }

    private String check(List<String> cmd) {
        ProcessRunner.Result r = run.run(cmd);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", cmd) + ": " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    private String ip(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        return check(cmd);
    }

    private boolean ping(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", "-q"));
        cmd.addAll(List.of(args));
        return run.run(cmd).ok();
    }

    @AfterEach
    void tearDown() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            run.run(List.of("ip", "netns", "del", namespaces.get(i)));
        }
    }

    /** A dom0 cabled to the LAN switch, with eth0 (its NIC) at {@code mac}/{@code addr} and a guest on vif5.0. */
    private String dom0(String lan, String name, String mac, String addr, String guestAddr) {
        String d = ns(name);
        check(List.of("ip", "link", "add", "eth0", "netns", d, "type", "veth", "peer", "name", "sw-" + name, "netns", lan));
        ip(lan, "link", "set", "sw-" + name, "master", "sw0", "up");
        ip(d, "link", "set", "eth0", "address", mac);
        ip(d, "addr", "add", addr + "/24", "dev", "eth0");
        ip(d, "link", "set", "eth0", "up");
        ip(d, "route", "add", "default", "via", "192.0.2.1");
        String g = ns(name + "g");
        check(List.of("ip", "link", "add", "vif5.0", "netns", d, "type", "veth", "peer", "name", "eth0", "netns", g));
        ip(g, "addr", "add", guestAddr + "/24", "dev", "eth0");
        ip(g, "link", "set", "eth0", "up");
        return d;
    }

    private Executable.Run xennet(String dom0, Map<String, String> env, String program, String... args) {
        Map<String, String> e = new HashMap<>();
        e.put("XENNET_STATE_DIR", tmp.resolve(dom0 + "/state").toString());
        e.put("XENNET_LOCK_DIR", tmp.resolve(dom0 + "/lock").toString());
        e.put("XENNET_FIREWALL", "iptables"); // antispoof through br_netfilter and iptables
        e.putAll(env);
        return Executable.run(List.of("ip", "netns", "exec", dom0), program, e, args);
    }

    /** dom0's links, addresses and routes; the guest's vif (the test's own, brought up and down) left out. */
    private List<String> snapshot(String ns) {
        List<String> s = new ArrayList<>(List.of(ip(ns, "-d", "-o", "link", "show").replaceAll("^\\d+: |\n\\d+: ", "\n")
                .split("\n")));
        s.removeIf(l -> l.startsWith("vif5.0@"));
        s.addAll(List.of(ip(ns, "-o", "addr", "show").replaceAll("\n\\d+: ", "\n").split("\n")));
        s.addAll(List.of(ip(ns, "route", "show", "table", "all").split("\n")));
        return s;
    }

    private String neighbourMac(String lan, String addr) {
        String n = ip(lan, "neigh", "show", addr);
        int i = n.indexOf("lladdr ");
        return i < 0 ? "(none: " + n.trim() + ")" : n.substring(i + 7).split(" ")[0];
    }

    @Test
    void bothHostsStayReachableAtTheirOwnMacsAndAGuestCannotSpoofDom0() {
        try {
            prefix = "xn2h" + ProcessHandle.current().pid();
            String lan = ns("lan");
            ip(lan, "link", "add", "sw0", "type", "bridge");
            ip(lan, "addr", "add", "192.0.2.1/24", "dev", "sw0");
            ip(lan, "link", "set", "sw0", "up");
            String a = dom0(lan, "a", MAC_A, "192.0.2.10", "192.0.2.50");
            String b = dom0(lan, "b", MAC_B, "192.0.2.20", "192.0.2.60");
            List<String> beforeA = snapshot(a);
            List<String> beforeB = snapshot(b);

            Executable.Run sa = xennet(a, Map.of(), "network-bridge", "start", "antispoof=yes", "bridge_nf_call_iptables=1");
            assertEquals(0, sa.status(), sa.err());
            Executable.Run sb = xennet(b, Map.of(), "network-bridge", "start");
            assertEquals(0, sb.status(), sb.err());
            for (String d : List.of(a, b)) {
                ip(d, "link", "set", "vif5.0", "master", "xenbr0", "up");
                String link = ip(d, "-d", "link", "show", "xenbr0");
                assertTrue(link.contains("NOARP") && !link.contains("MULTICAST"), "xenbr0 answers no ARP: " + link);
                for (String port : List.of("peth0", "vif0.0")) {
                    String p = ip(d, "link", "show", port);
                    assertTrue(p.contains("NOARP") && !p.contains("MULTICAST"), port + ": " + p);
                }
            }
            // vif-bridge's rules for guest A's own address (and the way back), under antispoof's DROP
            for (String[] rule : new String[][] {{"-s", "192.0.2.50", "-m", "physdev", "--physdev-is-bridged",
                "--physdev-in", "vif5.0"}, {"-m", "physdev", "--physdev-is-bridged", "--physdev-out", "vif5.0"}}) {
                List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", a, "iptables", "-I", "FORWARD"));
                cmd.addAll(List.of(rule));
                cmd.addAll(List.of("-j", "ACCEPT"));
                check(cmd);
            }
            String guestA = prefix + "-ag";
            for (int round = 1; round <= 10; round++) {
                assertTrue(ping(lan, "192.0.2.10"), "round " + round + ": gateway -> dom0 A");
                assertTrue(ping(lan, "192.0.2.20"), "round " + round + ": gateway -> dom0 B");
                assertTrue(ping(guestA, "192.0.2.20"), "round " + round + ": guest A -> dom0 B");
                assertEquals(MAC_A, neighbourMac(lan, "192.0.2.10"), "round " + round + ": dom0 A at its NIC's MAC");
                assertEquals(MAC_B, neighbourMac(lan, "192.0.2.20"), "round " + round + ": dom0 B at its NIC's MAC");
            }
            assertTrue(ping(guestA, "192.0.2.10"), "guest A reaches its dom0 from its own address");
            ip(guestA, "addr", "add", "192.0.2.99/24", "dev", "eth0");
            assertTrue(!ping(guestA, "-I", "192.0.2.99", "192.0.2.10"),
                    "antispoof: a spoofed source to dom0 is forwarded through the bridge and dropped");
            assertTrue(ping(guestA, "192.0.2.10"), "and its own address still passes");

            ip(a, "link", "set", "vif5.0", "nomaster");
            ip(b, "link", "set", "vif5.0", "nomaster");
            ip(a, "link", "set", "vif5.0", "down");
            ip(b, "link", "set", "vif5.0", "down");
            assertEquals(0, xennet(a, Map.of(), "network-bridge", "stop").status());
            assertEquals(0, xennet(b, Map.of(), "network-bridge", "stop").status());
            StateDiff.assertSame(beforeA, snapshot(a), "stop gives dom0 A back every link flag");
            StateDiff.assertSame(beforeB, snapshot(b), "stop gives dom0 B back every link flag");
        } catch (AssertionError | RuntimeException e) {
            if (namespaces.isEmpty()) {
                NetnsFixture.unavailable("cannot build namespaces: " + e.getMessage());
            }
            throw e;
        }
    }

    @Test
    void xennetConfChoosesXen4sLayoutWithOneLine() throws Exception {
        LabNetwork lab = Labs.create();
        try {
            Path conf = Files.writeString(tmp.resolve("xennet.conf"), "# Xen 4.x layout\nnetwork_bridge_topology=final\n");
            Map<String, String> env = Map.of("XENNET_CONF", conf.toString());
            List<String> before = lab.snapshot(lab.dom0());
            Executable.Run help = Executable.run("network-bridge", "--help");
            assertTrue(help.out().contains("network_bridge_topology=final") && help.out().contains("Layout: netloop"),
                    help.out());
            Executable.Run start = Executable.inDom0(lab, tmp, env, "network-bridge", "start");
            assertEquals(0, start.status(), start.err());
            assertTrue(start.out().contains("eth0 started: port peth0; the bridge carries the host's addresses as eth0"),
                    start.out());
            String br = lab.ipIn(lab.dom0(), "-d", "link", "show", "eth0");
            assertTrue(br.contains("bridge forward_delay"), "eth0 is the bridge: " + br);
            assertTrue(lab.ipIn(lab.dom0(), "link", "show", "peth0").contains("master eth0"));
            assertTrue(lab.ping(lab.dom0(), LabNetwork.GATEWAY));
            Executable.Run status = Executable.inDom0(lab, tmp, env, "network-bridge", "status");
            assertEquals(0, status.status(), status.out());
            assertEquals(0, Executable.inDom0(lab, tmp, env, "network-bridge", "stop").status());
            StateDiff.assertSame(before, lab.snapshot(lab.dom0()), "stop restores the host");
            Executable.Run netloop = Executable.inDom0(lab, tmp, env, "network-bridge", "start", "topology=netloop");
            assertEquals(0, netloop.status(), netloop.err());
            assertTrue(lab.ipIn(lab.dom0(), "link", "show", "xenbr0").contains("xenbr0"), "topology= wins over the file");
            assertEquals(0, Executable.inDom0(lab, tmp, env, "network-bridge", "stop", "topology=netloop").status());
            StateDiff.assertSame(before, lab.snapshot(lab.dom0()), "stop restores the host");
        } finally {
            lab.close();
        }
    }
}
