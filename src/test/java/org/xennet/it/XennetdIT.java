// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.lab.LabNetwork;
import org.xennet.testing.Labs;
import org.xennet.testing.XenstoredFixture;

/**
 * xennetd against the real kernel and a real xenstored, with libxl's and netback's sequence
 * played faithfully: libxl writes the backend's keys (online=1, state=1), netback makes the
 * interface and goes to InitWait (state=2), libxl runs the vif script, which the launcher hands to
 * the daemon; on removal libxl writes online=0 and state=5, netback closes (6) and removes the
 * interface, libxl runs the script with offline and removes the backend. The script calls here
 * are given a java that cannot run (XENNET_JAVA=/bin/false) wherever the daemon must answer them,
 * so a call that started a JVM would fail.
 */
@Tag("netns")
class XennetdIT {
    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;
    private Process daemon;

    @BeforeEach
    void setUp() throws Exception {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        Executable.Run r = Executable.inDom0(lab, tmp, xs.env(), "network-bridge", "start");
        assertEquals(0, r.status(), r.err());
        startDaemon();
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.destroyForcibly();
        }
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Map<String, String> baseEnv() {
        Map<String, String> e = new HashMap<>(xs.env());
        e.put("XENNET_STATE_DIR", tmp.resolve("state").toString());
        e.put("XENNET_LOCK_DIR", tmp.resolve("lock").toString());
        // these tests read the guards as iptables rules; the nftables ones under the daemon are
        // theGuardsOfTheDefaultBackendComeAndGoWithTheVif's
        e.put("XENNET_FIREWALL", "iptables");
        return e;
    }

    private Path portFile() {
        return tmp.resolve("state/xennetd/port");
    }

    private void startDaemon() throws Exception {
        startDaemon(Map.of());
    }

    private void startDaemon(Map<String, String> extra) throws Exception {
        Files.deleteIfExists(portFile());
        List<String> cmd = List.of("ip", "netns", "exec", lab.dom0(), Executable.BIN.resolve("xennet").toString(),
                "daemon");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(baseEnv());
        pb.environment().put("XENNET_NO_CACHE", "1");
        pb.environment().put("XENNET_CONF", tmp.resolve("xennet.conf").toString()); // none yet
        pb.environment().put("XENNET_LOG_FILE", tmp.resolve("xennetd.log").toString());
        pb.environment().put("XENNET_LOG_LEVEL", "debug");
        pb.environment().put("XENNET_SYSLOG", "no");
        pb.environment().putAll(extra);
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("xennetd.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        daemon = pb.start();
        assertTrue(waitFor(30, () -> Files.exists(portFile())), "xennetd wrote its port file: " + log());
    }

    private String log() {
        try {
            Path l = tmp.resolve("xennetd.log");
            Path o = tmp.resolve("xennetd.out");
            return (Files.exists(o) ? Files.readString(o) : "") + (Files.exists(l) ? Files.readString(l) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean waitFor(int seconds, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return cond.getAsBoolean();
    }

    /** libxl writes the keys, netback makes the interface and waits in InitWait. */
    private String appear(int domid, String script, Map<String, String> keys) {
        String be = xs.libxlVif(domid, 0, script, keys);
        xs.write(be + "/state", "1");
        lab.ipIn(lab.dom0(), "link", "add", "vif" + domid + ".0", "type", "veth", "peer", "name", "gst" + domid);
        lab.ipIn(lab.dom0(), "link", "set", "gst" + domid, "up");
        xs.write(be + "/state", "2");
        return be;
    }

    /** libxl switches it off, netback closes and removes the interface. */
    private void disappear(int domid) {
        String be = "backend/vif/" + domid + "/0";
        xs.write(be + "/online", "0");
        xs.write(be + "/state", "5");
        xs.write(be + "/state", "6");
        lab.ipIn(lab.dom0(), "link", "del", "vif" + domid + ".0");
    }

    /** The script call libxl makes, through the launcher. {@code jvm}: whether a JVM may run it. */
    private Executable.Run call(String script, String command, int domid, boolean jvm) {
        Map<String, String> env = baseEnv();
        env.putAll(XenstoredFixture.hotplugEnv(script, domid, 0));
        env.put("netdev", "");
        if (!jvm) {
            env.put("XENNET_JAVA", "/bin/false");
        }
        return Executable.run(List.of("ip", "netns", "exec", lab.dom0()), script, env, command, "type_if=vif");
    }

    private String rules() {
        return lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout();
    }

    private boolean onBridge(String dev) {
        return lab.ipIn(lab.dom0(), "link", "show", "master", "xenbr0").contains(" " + dev + "@");
    }

    private String request(String line) throws IOException {
        String[] f = Files.readString(portFile()).trim().split(" ");
        List<String> cmd = List.of("ip", "netns", "exec", lab.dom0(), "bash", "-c",
                "exec 3<>/dev/tcp/127.0.0.1/" + f[0] + " && read -r -t 5 -u 3 g && printf '%s\\n' \"$1\" >&3 "
                        + "&& read -r -t 30 -u 3 r && printf '%s' \"$r\"", "request", line);
        Process p = new ProcessBuilder(cmd).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void callsForBridgedRoutedAndNatGuestsAreHandedToTheDaemonAndNoJvmStarts() throws Exception {
        Executable.Run nr = Executable.inDom0(lab, tmp, xs.env(), "network-route", "start");
        assertEquals(0, nr.status(), nr.err());
        String guest = lab.addGuest("g5", "vif5.0", "192.0.2.55/24");
        String be = xs.libxlVif(5, 0, "vif-bridge", Map.of("bridge", "xenbr0", "ip", "192.0.2.55"));
        xs.write(be + "/state", "2");
        Executable.Run on = call("vif-bridge", "online", 5, false);
        assertEquals(0, on.status(), "the daemon answered, no JVM ran: " + on.err() + log());
        assertEquals("connected", xs.read(be + "/hotplug-status"));
        assertTrue(onBridge("vif5.0"), "vif5.0 is on xenbr0");
        assertTrue(rules().contains("192.0.2.55"), rules());
        assertTrue(lab.ping(guest, LabNetwork.GATEWAY), "the guest reaches the LAN");

        appear(6, "vif-route", Map.of("ip", "192.0.2.66"));
        Executable.Run route = call("vif-route", "online", 6, false);
        assertEquals(0, route.status(), route.err() + log());
        assertEquals("connected", xs.read("backend/vif/6/0/hotplug-status"));
        assertTrue(lab.ipIn(lab.dom0(), "route", "show", "192.0.2.66").contains("dev vif6.0"));

        appear(7, "vif-nat", Map.of());
        Executable.Run nat = call("vif-nat", "online", 7, false);
        assertEquals(0, nat.status(), nat.err() + log());
        assertEquals("connected", xs.read("backend/vif/7/0/hotplug-status"));
        assertTrue(lab.ipIn(lab.dom0(), "addr", "show", "dev", "vif7.0").contains("10.0.7.128/32"));

        for (int[] g : new int[][] {{5}, {6}, {7}}) {
            String script = g[0] == 5 ? "vif-bridge" : g[0] == 6 ? "vif-route" : "vif-nat";
            disappear(g[0]);
            Executable.Run off = call(script, "offline", g[0], false);
            assertEquals(0, off.status(), off.err() + log());
            xs.rm("backend/vif/" + g[0] + "/0");
        }
        assertFalse(rules().contains("vif5.0") || rules().contains("vif6.0") || rules().contains("vif7.0"), rules());
        assertTrue(lab.ipIn(lab.dom0(), "route", "show", "192.0.2.66").isBlank());
    }

    private String guards() {
        return lab.exec(lab.dom0(), "nft", "list", "table", "bridge", "xennet").stdout();
    }

    @Test
    void theGuardsOfTheDefaultBackendComeAndGoWithTheVifAndAKilledDaemonsLeftoverIsRemoved() throws Exception {
        daemon.destroyForcibly();
        daemon.waitFor();
        startDaemon(Map.of("XENNET_FIREWALL", "nftables"));
        String be = appear(12, "vif-bridge", Map.of("bridge", "xenbr0", "ip", "192.0.2.120"));
        assertTrue(waitFor(30, () -> "connected".equals(xs.read(be + "/hotplug-status"))), "connected: " + log());
        assertTrue(guards().contains("vif12.0"), "the nftables guard is in: " + guards() + log());
        assertFalse(rules().contains("vif12.0"), "and no iptables rule: " + rules());
        disappear(12);
        assertTrue(waitFor(30, () -> !guards().contains("vif12.0")), "the guard goes with the vif: " + guards() + log());

        String be2 = appear(13, "vif-bridge", Map.of("bridge", "xenbr0", "ip", "192.0.2.130"));
        assertTrue(waitFor(30, () -> "connected".equals(xs.read(be2 + "/hotplug-status"))), "connected: " + log());
        assertTrue(guards().contains("vif13.0"), guards());
        // killed while the guest goes away: nothing took its guard out
        daemon.destroyForcibly();
        daemon.waitFor();
        lab.ipIn(lab.dom0(), "link", "del", "vif13.0");
        xs.rm("backend/vif/13");
        assertTrue(guards().contains("vif13.0"), guards());
        startDaemon(Map.of("XENNET_FIREWALL", "nftables"));
        assertTrue(waitFor(30, () -> !guards().contains("vif13.0")), "the restarted daemon's reconcile removed the "
                + "vanished vif's guard: " + guards() + log());
    }

    @Test
    void theDaemonAloneBringsABackendOnlineAndTakesItOffline() throws Exception {
        String be = appear(8, "vif-bridge", Map.of("bridge", "xenbr0"));
        assertTrue(waitFor(30, () -> "connected".equals(xs.read(be + "/hotplug-status"))), "connected: " + log());
        assertTrue(onBridge("vif8.0"));
        assertEquals(2, rules().lines().filter(l -> l.contains("vif8.0")).count(), rules());
        disappear(8);
        assertTrue(waitFor(30, () -> !rules().contains("vif8.0")), "the rules go with the vif: " + rules() + log());
        Executable.Run off = call("vif-bridge", "offline", 8, false);
        assertEquals(0, off.status(), "libxl's offline call is answered: " + off.err() + log());
    }

    /** An edit of xennet.conf counts from the next vif, as it does for the scripts: no restart needed. */
    @Test
    void xennetConfWrittenAfterTheDaemonStartedCountsForTheNextVif() throws Exception {
        Files.writeString(tmp.resolve("xennet.conf"), "vif_iptables=no\n");
        String be = appear(9, "vif-bridge", Map.of("bridge", "xenbr0"));
        assertTrue(waitFor(30, () -> "connected".equals(xs.read(be + "/hotplug-status"))), "connected: " + log());
        assertTrue(onBridge("vif9.0"));
        assertFalse(rules().contains("vif9.0"), "vif_iptables=no: no rule for vif9.0: " + rules() + log());
    }

    @Test
    void aForgedRequestChangesNothing() throws Exception {
        String be = appear(9, "vif-bridge", Map.of("bridge", "xenbr0"));
        Executable.Run on = call("vif-bridge", "online", 9, false);
        assertEquals(0, on.status(), on.err() + log());
        String before = rules();
        assertEquals("OK", request("xennetd1 offline backend/vif/9/0 vif9.0 vif-bridge"),
                "an offline for a backend XenStore says is online is answered and ignored");
        assertTrue(onBridge("vif9.0"), "still attached");
        assertEquals(before, rules());
        assertTrue(request("xennetd1 online backend/vif/77/0 vif77.0 vif-bridge").startsWith("FALLBACK"),
                "a backend XenStore does not have");
        assertTrue(request("xennetd1 online /tool/xenstored vif9.0 vif-bridge").startsWith("FALLBACK"));
        assertTrue(request("xennetd1 online backend/vif/9/0 vif9.0 /bin/sh").startsWith("FALLBACK"));
        assertTrue(request("nonsense").startsWith("FALLBACK"));
        assertEquals(before, rules());
        assertEquals("connected", xs.read(be + "/hotplug-status"));
        assertTrue(request("xennetd1 status").startsWith("OK backends"), "status");
    }

    @Test
    void aDownOrHungDaemonIsPassedByWithinItsBound() throws Exception {
        String be = appear(10, "vif-bridge", Map.of("bridge", "xenbr0"));
        // once the daemon has done its part (a hung daemon holding a vif's lock would hold up any caller)
        assertTrue(waitFor(30, () -> "connected".equals(xs.read(be + "/hotplug-status"))), log());
        lab.exec(lab.dom0(), "kill", "-STOP", String.valueOf(daemon.pid()));
        try {
            long t0 = System.nanoTime();
            Executable.Run on = call("vif-bridge", "online", 10, true);
            long s = (System.nanoTime() - t0) / 1_000_000_000L;
            assertEquals(0, on.status(), on.err());
            assertTrue(s < 38, "a hung daemon costs the greeting's 5 s, not libxl's 40 s: " + s + " s");
            assertEquals("connected", xs.read(be + "/hotplug-status"));
        } finally {
            lab.exec(lab.dom0(), "kill", "-CONT", String.valueOf(daemon.pid()));
        }
        daemon.destroyForcibly();
        daemon.waitFor();
        assertTrue(Files.exists(portFile()), "a SIGKILL leaves the port file behind");
        disappear(10);
        Executable.Run off = call("vif-bridge", "offline", 10, true);
        assertEquals(0, off.status(), "a dead daemon's port is passed by: " + off.err());
        assertFalse(rules().contains("vif10.0"), rules());
    }

    @Test
    void xenstoredRestartedUnderItIsFollowed() throws Exception {
        // a vif before the restart: the daemon's connections (its watch, and the one its calls share) are in use
        String before = appear(12, "vif-bridge", Map.of("bridge", "xenbr0"));
        assertTrue(waitFor(30, () -> "connected".equals(xs.read(before + "/hotplug-status"))), log());
        xs.restart();
        // the new xenstored has an empty store: libxl's keys for a new guest
        String be = appear(11, "vif-bridge", Map.of("bridge", "xenbr0"));
        // (its call writes hotplug-status on the calls' connection: the old one is gone, a new one made)
        assertTrue(waitFor(40, () -> "connected".equals(xs.read(be + "/hotplug-status"))),
                "the daemon connected again, watches again, handles the new backend: " + log());
    }

    @Test
    void aStormOf100WithTheDaemonKilledMidwayEndsAllConnectedWithNothingDuplicated() throws Exception {
        int n = 100;
        for (int i = 1; i <= n; i++) {
            int domid = 100 + i;
            xs.libxlVif(domid, 0, "vif-bridge", Map.of("bridge", "xenbr0", "ip", "198.18.0." + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Executable.Run>> runs = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                int domid = 100 + i;
                lab.ipIn(lab.dom0(), "link", "add", "vif" + domid + ".0", "type", "veth", "peer", "name", "gst" + domid);
                xs.write("backend/vif/" + domid + "/0/state", "2");
                runs.add(pool.submit(() -> call("vif-bridge", "online", domid, true)));
                if (i == 50) {
                    daemon.destroyForcibly(); // SIGKILL mid-storm
                    daemon.waitFor();
                    startDaemon();
                }
            }
            for (Future<Executable.Run> f : runs) {
                Executable.Run r = f.get();
                assertEquals(0, r.status(), r.err());
            }
            String ports = lab.ipIn(lab.dom0(), "link", "show", "master", "xenbr0");
            List<String> all = rules().lines().filter(l -> l.startsWith("-A FORWARD")).toList();
            for (int i = 1; i <= n; i++) {
                String dev = "vif" + (100 + i) + ".0";
                assertEquals("connected", xs.read("backend/vif/" + (100 + i) + "/0/hotplug-status"), dev);
                assertTrue(ports.contains(" " + dev + "@"), dev + " is a port");
                assertEquals(3, all.stream().filter(l -> l.contains(" " + dev + " ")).count(), dev + ": " + all);
            }
            assertEquals(3 * n, all.size(), "no duplicate rule");
            List<Future<Executable.Run>> offs = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                int domid = 100 + i;
                disappear(domid);
                offs.add(pool.submit(() -> call("vif-bridge", "offline", domid, true)));
            }
            for (Future<Executable.Run> f : offs) {
                assertEquals(0, f.get().status());
            }
            assertTrue(waitFor(30, () -> rules().lines().noneMatch(l -> l.startsWith("-A FORWARD"))), rules());
        } finally {
            pool.shutdownNow();
        }
    }
}
