// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.firewall.NftRules;
import org.xennet.firewall.NftTable;
import org.xennet.lab.LabNetwork;
import org.xennet.sys.ProcessRunner;
import org.xennet.testing.Labs;
import org.xennet.testing.XenstoredFixture;
import org.xennet.xenstore.XenStoreClient;

/**
 * The nftables guard with real packets: the real executable in dom0's namespace against a real
 * xenstored, the kernel's bridge and nftables, guests in namespaces sending real traffic (ping,
 * arping, busybox's DHCP client and server) and frames crafted with raw sockets
 * ({@code src/test/resources/guard/frames.py}), counted where they would arrive. Each forgery is
 * first shown to arrive without the guard ({@code firewall=none}), so a count of zero later means
 * the guard dropped it. bridge-nf-call-iptables is 0, as doctor recommends with this backend.
 */
@Tag("netns")
class NftGuardIT {
    private static final Path FRAMES = Executable.PROJECT.resolve("src/test/resources/guard/frames.py");
    private static final String PYTHON = "/usr/bin/python3";
    private static final String MAC5 = "00:16:3e:00:05:00";
    private static final String MAC6 = "00:16:3e:00:06:00";

    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;
    private final List<Process> started = new ArrayList<>();
    private int tokens;
    private String g5;
    private String g6;

    @BeforeEach
    void setUp() {
        need(PYTHON, "python3");
        need("/usr/sbin/nft", "nftables");
        need("/usr/bin/arping", "iputils-arping");
        need("/usr/bin/busybox", "busybox");
        lab = Labs.create("xnnf");
        xs = XenstoredFixture.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy(); // exactly the process this test started
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
        if (xs != null) {
            xs.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private static void need(String tool, String pkg) {
        if (!Files.isExecutable(Path.of(tool))) {
            String why = tool + " is missing (Debian package " + pkg + ")";
            if ("true".equals(System.getenv("CI"))) {
                fail("system tier cannot run under CI=true: " + why);
            }
            Assumptions.abort(why);
        }
    }

    private Executable.Run xennet(String script, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, script, args);
    }

    private Executable.Run vif(String script, String command, int domid, Map<String, String> extra) {
        Map<String, String> env = XenstoredFixture.hotplugEnv(script, domid, 0);
        env.put("netdev", "");
        env.putAll(extra);
        return xennet(script, env, command, "type_if=vif");
    }

    private void ok(Executable.Run r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    private String nft(String family) {
        ProcessRunner.Result r = lab.exec(lab.dom0(), "nft", "list", "table", family, "xennet");
        return r.ok() ? r.stdout() : "";
    }

    private void bridgeWithTwoGuests() {
        ok(xennet("network-bridge", Map.of(), "start", "bridge_nf_call_iptables=0")); // a second start does nothing
        if (!lab.ipIn(lab.dom0(), "link", "show").contains("peth0")) {
            fail("network-bridge did not start");
        }
        for (int d : new int[] {5, 6}) {
            String g = lab.addGuest("g" + d, "vif" + d + ".0", "192.0.2.5" + d + "/24");
            lab.ipIn(g, "-6", "addr", "add", "2001:db8::5" + d + "/64", "dev", "eth0", "nodad");
            xs.libxlVif(d, 0, "vif-bridge", Map.of("bridge", "xenbr0", "ip", "192.0.2.5" + d + " 2001:db8::5" + d));
            if (d == 5) {
                g5 = g;
            } else {
                g6 = g;
            }
        }
    }

    // ---------------------------------------------------------------- crafted frames

    /** One crafted frame: what it is, and whether the guard must let it through. */
    private record Frame(String what, boolean legitimate, String kind, String... args) {
    }

    /** What g5 may and may not send; addressed to g6 (or to everyone), counted on g6's eth0. */
    private static List<Frame> bridgedFrames() {
        return List.of(
                new Frame("its own IPv4", true, "udp4", "smac=" + MAC5, "dmac=" + MAC6, "sip=192.0.2.55", "dip=192.0.2.56"),
                new Frame("its own IPv6", true, "udp6", "smac=" + MAC5, "dmac=" + MAC6, "sip=2001:db8::55",
                        "dip=2001:db8::56"),
                new Frame("its link-local IPv6", true, "udp6", "smac=" + MAC5, "dmac=" + MAC6,
                        "sip=fe80::216:3eff:fe00:500", "dip=fe80::216:3eff:fe00:600"),
                new Frame("ARP for its own address", true, "arp-reply", "smac=" + MAC5, "sip=192.0.2.55"),
                new Frame("a DHCP discover", true, "dhcp-discover", "smac=" + MAC5),
                new Frame("a forged source IPv4", false, "udp4", "smac=" + MAC5, "dmac=" + MAC6, "sip=192.0.2.99",
                        "dip=192.0.2.56"),
                new Frame("a forged source IPv6", false, "udp6", "smac=" + MAC5, "dmac=" + MAC6, "sip=2001:db8::99",
                        "dip=2001:db8::56"),
                new Frame("a forged source MAC", false, "udp4", "smac=00:16:3e:00:05:99", "dmac=" + MAC6,
                        "sip=192.0.2.55", "dip=192.0.2.56"),
                new Frame("an ARP reply for g6's address", false, "arp-reply", "smac=" + MAC5, "sip=192.0.2.56"),
                new Frame("a router advertisement", false, "ra", "smac=" + MAC5, "sip=fe80::216:3eff:fe00:500"),
                new Frame("a DHCP offer", false, "dhcp-offer", "smac=" + MAC5, "sip=192.0.2.55", "client=" + MAC6),
                new Frame("a DHCPv6 advertise", false, "udp6", "smac=" + MAC5, "dmac=33:33:00:01:00:02",
                        "sip=fe80::216:3eff:fe00:500", "dip=ff02::1:2", "sport=547", "dport=546"));
    }

    /** Sends every frame from {@code from}'s eth0 and returns how many of each arrived on {@code to}'s {@code toDev}. */
    private Map<Frame, Integer> send(String from, String to, String toDev, List<Frame> frames) throws IOException {
        Map<String, Frame> byToken = new LinkedHashMap<>();
        for (Frame f : frames) {
            byToken.put("xnnf-token-" + (++tokens) + "-end", f);
        }
        List<String> listen = new ArrayList<>(List.of("ip", "netns", "exec", to, PYTHON, FRAMES.toString(), "listen",
                toDev, "3"));
        listen.addAll(byToken.keySet());
        Process p = new ProcessBuilder(listen).redirectErrorStream(true).start();
        started.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "the listener started");
        for (Map.Entry<String, Frame> e : byToken.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", from, PYTHON, FRAMES.toString(), "send",
                    "eth0", e.getValue().kind(), e.getKey()));
            cmd.addAll(List.of(e.getValue().args()));
            ProcessRunner.Result r = ProcessRunner.local().run(cmd);
            assertTrue(r.ok(), "sending " + e.getValue().what() + ": " + r.stderr());
        }
        Map<Frame, Integer> seen = new LinkedHashMap<>();
        for (String line; (line = out.readLine()) != null; ) {
            String[] w = line.split(" ");
            if (w.length == 2 && byToken.containsKey(w[0])) {
                seen.put(byToken.get(w[0]), Integer.parseInt(w[1]));
            }
        }
        assertEquals(frames.size(), seen.size(), "the listener counted every token: " + seen);
        return seen;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void aBridgedGuestsForgeriesAreDroppedAndItsOwnTrafficPasses() throws Exception {
        bridgeWithTwoGuests();
        assertEquals("0", Labs.sysctl(lab, lab.dom0(), "net.bridge.bridge-nf-call-iptables"));
        // without a guard, every frame arrives: the counts below can tell a drop
        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "online", d, Map.of("XENNET_FIREWALL", "none")));
        }
        assertEquals("", nft("bridge"), "firewall=none makes no table");
        Map<Frame, Integer> open = send(g5, g6, "eth0", bridgedFrames());
        open.forEach((f, n) -> assertTrue(n > 0, "without the guard g6 sees " + f.what() + ": " + open));

        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "online", d, Map.of())); // the default backend: nftables
        }
        String table = nft("bridge");
        assertTrue(table.contains("chain vif5.0 {") && table.contains("chain vif6.0 {"), table);
        assertTrue(table.contains("ether saddr != 00:16:3e:00:05:00 drop"), table);
        assertEquals("", lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout().lines()
                .filter(l -> l.contains("vif5.0")).reduce("", String::concat), "no iptables rule on this backend");

        Map<Frame, Integer> guarded = send(g5, g6, "eth0", bridgedFrames());
        guarded.forEach((f, n) -> assertEquals(f.legitimate(), n > 0, (f.legitimate() ? "passes: " : "dropped: ")
                + f.what() + " " + guarded));

        assertTrue(lab.ping(g5, "192.0.2.56"), "g5 pings g6");
        assertTrue(lab.ping(g5, "2001:db8::56"), "over IPv6 too");
        assertTrue(lab.ping(g5, LabNetwork.GATEWAY), "and the LAN");
        ProcessRunner.Result arping = lab.exec(g5, "arping", "-c", "2", "-w", "5", "-I", "eth0", "192.0.2.56");
        assertTrue(arping.ok(), "arping: " + arping.stdout() + arping.stderr());
        for (String[] big : new String[][] {{"192.0.2.56"}, {"-6", "2001:db8::56"}}) {
            List<String> cmd = new ArrayList<>(List.of("ping", "-c", "3", "-W", "2", "-s", "4000"));
            cmd.addAll(List.of(big));
            ProcessRunner.Result r = lab.exec(g5, cmd.toArray(new String[0]));
            assertTrue(r.ok(), "fragmented ping with bridge-nf-call-iptables=0: " + r.stdout() + r.stderr());
        }
    }

    /**
     * The iptables backend's IPv6 equivalents, through bridge-netfilter and ip6tables (whose
     * policy stays ACCEPT: the rules' own DROP guards).
     */
    @Test
    void theIptablesBackendGuardsIpv6WithIp6tables() throws Exception {
        ok(xennet("network-bridge", Map.of(), "start", "bridge_nf_call_ip6tables=1"));
        bridgeWithTwoGuests();
        List<Frame> v6 = bridgedFrames().stream().filter(f -> f.kind().equals("udp6") || f.kind().equals("ra")).toList();
        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "online", d, Map.of("XENNET_FIREWALL", "none")));
        }
        Map<Frame, Integer> open = send(g5, g6, "eth0", v6);
        open.forEach((f, n) -> assertTrue(n > 0, "without the guard g6 sees " + f.what() + ": " + open));
        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "online", d, Map.of("XENNET_FIREWALL", "iptables")));
        }
        String rules = lab.exec(lab.dom0(), "ip6tables", "-S", "FORWARD").stdout();
        assertTrue(rules.contains("-s 2001:db8::55/128") && rules.contains("-j DROP"), rules);
        Map<Frame, Integer> guarded = send(g5, g6, "eth0", v6);
        guarded.forEach((f, n) -> assertEquals(f.legitimate(), n > 0, f.what() + " " + guarded));
        assertTrue(lab.ping(g5, "2001:db8::56"), "g5 pings g6 over IPv6");
        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "offline", d, Map.of("XENNET_FIREWALL", "iptables")));
        }
        assertFalse(lab.exec(lab.dom0(), "ip6tables", "-S", "FORWARD").stdout().contains("vif5.0"), "removed");
    }

    /** busybox's DHCP server in a guest answers no one once guarded; a DHCP client in a guest still gets its lease. */
    @Test
    void dhcpWithRealDaemons() throws Exception {
        bridgeWithTwoGuests();
        Path conf = tmp.resolve("udhcpd.conf");
        Files.writeString(conf, "start 192.0.2.200\nend 192.0.2.210\ninterface eth0\nlease_file " + tmp.resolve("leases")
                + "\npidfile " + tmp.resolve("udhcpd.pid") + "\nopt subnet 255.255.255.0\n");
        Files.writeString(tmp.resolve("leases"), "");
        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "online", d, Map.of("XENNET_FIREWALL", "none")));
        }
        Process rogue = new ProcessBuilder("ip", "netns", "exec", g5, "busybox", "udhcpd", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("udhcpd.log").toFile()).start();
        started.add(rogue);
        Thread.sleep(500);
        assertTrue(dhcpClient(g6), "without the guard g6 takes g5's offer");
        for (int d : new int[] {5, 6}) {
            ok(vif("vif-bridge", "online", d, Map.of()));
        }
        assertFalse(dhcpClient(g6), "guarded, g5's DHCP server reaches no one");
        rogue.destroy();
        rogue.waitFor(5, TimeUnit.SECONDS);

        // a real server on the LAN: g5's own DHCP (from 0.0.0.0, to the broadcast address) passes
        Path pid = tmp.resolve("dnsmasq.pid");
        Process server = new ProcessBuilder("ip", "netns", "exec", lab.lan(), "/usr/sbin/dnsmasq", "--keep-in-foreground",
                "--conf-file=/dev/null", "--port=0", "--user=root", "--bind-interfaces", "--interface=lan0",
                "--dhcp-range=192.0.2.0,static,255.255.255.0", "--dhcp-host=" + MAC5 + ",192.0.2.55",
                "--dhcp-leasefile=" + tmp.resolve("dnsmasq.leases"), "--pid-file=" + pid, "--log-facility=-")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("dnsmasq.log").toFile()).start();
        started.add(server);
        for (int i = 0; i < 50 && !Files.exists(pid); i++) {
            Thread.sleep(100);
        }
        assertTrue(dhcpClient(g5), "g5 gets its lease through its guard: " + Files.readString(tmp.resolve("dnsmasq.log")));
    }

    /** busybox udhcpc: true when it got a lease within about four seconds. */
    private boolean dhcpClient(String ns) {
        return lab.exec(ns, "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "3", "-T", "1", "-A", "1",
                "-s", "/bin/true").ok();
    }

    @Test
    void aRoutedGuestsForgeriesAreDroppedAndItsOwnTrafficPasses() throws Exception {
        String g7 = lab.addGuest("g7", "vif7.0", "192.0.2.70/24");
        xs.libxlVif(7, 0, "vif-route", Map.of("ip", "192.0.2.70"));
        ok(xennet("network-route", Map.of(), "start"));
        ok(vif("vif-route", "online", 7, Map.of("XENNET_FIREWALL", "none")));
        String vifMac = lab.ipIn(lab.dom0(), "-br", "link", "show", "vif7.0").trim().split("\\s+")[2];
        String mac7 = "00:16:3e:00:07:00";
        List<Frame> frames = List.of(
                new Frame("its own IPv4", true, "udp4", "smac=" + mac7, "dmac=" + vifMac, "sip=192.0.2.70",
                        "dip=192.0.2.1"),
                new Frame("a forged source IPv4", false, "udp4", "smac=" + mac7, "dmac=" + vifMac, "sip=192.0.2.99",
                        "dip=192.0.2.1"),
                new Frame("a forged source MAC", false, "udp4", "smac=00:16:3e:00:07:99", "dmac=" + vifMac,
                        "sip=192.0.2.70", "dip=192.0.2.1"));
        assertTrue(lab.ping(g7, LabNetwork.GATEWAY), "routed through dom0");
        Map<Frame, Integer> open = send(g7, lab.lan(), "lan0", frames);
        open.forEach((f, n) -> assertTrue(n > 0, "without the guard the LAN sees " + f.what() + ": " + open));

        ok(vif("vif-route", "online", 7, Map.of()));
        assertTrue(nft("inet").contains("chain vif7.0 {"), nft("inet"));
        Map<Frame, Integer> guarded = send(g7, lab.lan(), "lan0", frames);
        guarded.forEach((f, n) -> assertEquals(f.legitimate(), n > 0, f.what() + " " + guarded));
        assertTrue(lab.ping(g7, LabNetwork.GATEWAY), "the guest still reaches the LAN");

        ok(vif("vif-route", "offline", 7, Map.of()));
        assertFalse(nft("inet").contains("vif7.0"), nft("inet"));
    }

    /**
     * A boot storm's worth of vifs through their whole life: 100 online at once, 20 of them online
     * again (nothing changes), all offline at once: the table ends as it began, with no chain or element left.
     */
    @Test
    void aHundredVifsComeAndGoAndLeaveTheTableEmpty() throws Exception {
        ok(xennet("network-bridge", Map.of(), "start", "bridge_nf_call_iptables=0"));
        List<Integer> domids = new ArrayList<>();
        try (XenStoreClient store = XenStoreClient.connect(xs.env(), Duration.ofSeconds(5))) {
            for (int d = 100; d < 200; d++) {
                domids.add(d);
                lab.ipIn(lab.dom0(), "link", "add", "vif" + d + ".0", "type", "veth", "peer", "name", "gp" + d);
                String be = "backend/vif/" + d + "/0";
                Map<String, String> keys = new LinkedHashMap<>();
                keys.put(be + "/frontend", "/local/domain/" + d + "/device/vif/0");
                keys.put(be + "/frontend-id", String.valueOf(d));
                keys.put(be + "/script", "/etc/xen/scripts/vif-bridge");
                keys.put(be + "/mac", String.format("00:16:3e:01:%02x:00", d - 100));
                keys.put(be + "/bridge", "xenbr0");
                keys.put(be + "/ip", "10.9." + (d - 100) + ".1");
                keys.put(be + "/hotplug-status", "");
                store.writeAll(keys);
            }
        }
        runAll("online", domids);
        String online = nft("bridge");
        NftTable t = NftTable.parse("bridge", online);
        assertEquals(100, t.vifs().size(), online);
        for (int d : domids) {
            assertTrue(t.guard("vif" + d + ".0").filter(fp -> !fp.isEmpty()).isPresent(), "vif" + d + ".0's guard");
            assertEquals("connected", xs.read("backend/vif/" + d + "/0/hotplug-status"));
        }
        runAll("online", domids.subList(0, 20)); // a fifth of them again: the calls are the same for each
        assertEquals(online, nft("bridge"), "a repeat of online leaves the table unchanged");
        runAll("offline", domids);
        NftTable empty = NftTable.parse("bridge", nft("bridge"));
        assertEquals(Map.of(), empty.vifs(), nft("bridge"));
        assertEquals(List.of(NftRules.BASE), List.copyOf(empty.chains().keySet()), nft("bridge"));
    }

    private void runAll(String command, List<Integer> domids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Executable.Run>> runs = new ArrayList<>();
            for (int d : domids) {
                runs.add(pool.submit(() -> vif("vif-bridge", command, d, Map.of())));
            }
            for (int i = 0; i < runs.size(); i++) {
                Executable.Run r = runs.get(i).get(120, TimeUnit.SECONDS);
                assertEquals(0, r.status(), command + " vif" + domids.get(i) + ".0: " + r.err());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
