// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.lab.LabNetwork;
import org.xennet.sys.ProcessRunner;
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;
import org.xennet.testing.XenstoredFixture;

/**
 * network-nat and vif-nat as Xen runs them: the real executable in dom0's namespace, a real
 * xenstored holding libxl's keys, real iptables; a guest namespace behind its vif with a NAT
 * address; a TCP listener in the LAN namespace that records who connected; dnsmasq run by the
 * test in dom0's namespace and busybox udhcpc in the guest. Every process the test starts is
 * ended by its own handle.
 */
@Tag("netns")
class NatSystemIT {
    private static final String LISTEN_PORT = "7777";

    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy(); // SIGTERM to exactly the process this test started
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Executable.Run xennet(String script, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.put("XENNET_CONF", tmp.resolve("xennet.conf").toString());
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, script, args);
    }

    private String libxlKeys(int domid, int devid) {
        return xs.libxlVif(domid, devid, "vif-nat", Map.of());
    }

    private static String mac(int domid, int devid) {
        return String.format("00:16:3e:00:%02x:%02x", domid, devid);
    }

    private Executable.Run vif(String command, int domid, int devid, String... args) {
        Map<String, String> env = XenstoredFixture.hotplugEnv("vif-nat", domid, devid);
        List<String> a = new ArrayList<>(List.of(command, "type_if=vif"));
        a.addAll(List.of(args));
        return xennet("vif-nat", env, a.toArray(new String[0]));
    }

    /** A guest behind vifD.0 whose eth0 has the guest's MAC and no address yet. */
    private String guest(String name, int domid) {
        String ns = lab.addGuest(name, "vif" + domid + ".0", "192.0.2." + (100 + domid) + "/24");
        lab.ipIn(ns, "addr", "flush", "dev", "eth0");
        lab.ipIn(ns, "link", "set", "eth0", "down");
        lab.ipIn(ns, "link", "set", "eth0", "address", mac(domid, 0));
        lab.ipIn(ns, "link", "set", "eth0", "up");
        return ns;
    }

    private long masqueradeRules() {
        String s = lab.exec(lab.dom0(), "iptables", "-w", "-t", "nat", "-S", "POSTROUTING").stdout();
        return s.lines().filter(l -> l.equals("-A POSTROUTING -o eth0 -j MASQUERADE")).count();
    }

    private String ipForward() {
        return lab.exec(lab.dom0(), "cat", "/proc/sys/net/ipv4/ip_forward").stdout().trim();
    }

    private List<String> dom0State() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-w", "-S").stdout().split("\n")));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-w", "-t", "nat", "-S").stdout().split("\n")));
        s.add("ip_forward " + ipForward());
        return s;
    }

    private Process start(Path log, String... argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static void await(String what, java.util.function.BooleanSupplier ok) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (ok.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what);
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

    @Test
    void aGuestReachesALanListenerWhichSeesDom0sAddressAndStopRemovesTheRule() throws Exception {
        String g = guest("g5", 5);
        // up once, so that the kernel's qdisc (noop -> noqueue on first up) is not a difference
        lab.ipIn(lab.dom0(), "link", "set", "vif5.0", "up");
        lab.ipIn(lab.dom0(), "link", "set", "vif5.0", "down");
        List<String> before = dom0State();

        Executable.Run s1 = xennet("network-nat", Map.of(), "start", "dhcp=no");
        assertEquals(0, s1.status(), s1.err());
        Executable.Run s2 = xennet("network-nat", Map.of(), "start", "dhcp=no");
        assertEquals(0, s2.status(), s2.err());
        assertEquals(1, masqueradeRules(), "start twice = one MASQUERADE rule");
        assertEquals("1", ipForward());

        String be = libxlKeys(5, 0);
        Executable.Run on = vif("online", 5, 0, "dhcp=no");
        assertEquals(0, on.status(), on.err());
        assertEquals("connected", xs.read(be + "/hotplug-status"));
        assertTrue(lab.ipIn(lab.dom0(), "addr", "show", "dev", "vif5.0").contains("inet 10.0.5.128/32"));
        assertTrue(lab.ipIn(lab.dom0(), "route", "show", "10.0.5.1").contains("dev vif5.0"));
        lab.ipIn(g, "addr", "add", "10.0.5.1/16", "dev", "eth0");
        lab.ipIn(g, "route", "add", "default", "via", "10.0.5.128");

        Path peerFile = tmp.resolve("peer");
        Process listener = start(tmp.resolve("listener.log"), "ip", "netns", "exec", lab.lan(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                Executable.PROJECT.resolve("target/test-classes").toString(), PeerListener.class.getName(),
                LabNetwork.GATEWAY, LISTEN_PORT, peerFile.toString());
        await("the listener", () -> Files.exists(peerFile));
        ProcessRunner.Result connect = lab.exec(g, "timeout", "10", "bash", "-c",
                "exec 3<>/dev/tcp/" + LabNetwork.GATEWAY + "/" + LISTEN_PORT + "; echo hello >&3");
        assertEquals(0, connect.status(), "the guest connects through NAT: " + connect.stderr());
        assertTrue(listener.waitFor(10, TimeUnit.SECONDS), "the listener saw a connection");
        List<String> peer = Files.readAllLines(peerFile);
        assertEquals("192.0.2.10", peer.get(peer.size() - 1), "the LAN sees dom0's address, not 10.0.5.1");

        Executable.Run off = vif("offline", 5, 0, "dhcp=no");
        assertEquals(0, off.status(), off.err());
        Executable.Run stop = xennet("network-nat", Map.of(), "stop", "dhcp=no");
        assertEquals(0, stop.status(), stop.err());
        assertEquals(0, masqueradeRules(), "stop = none");
        StateDiff.assertSame(before, dom0State(), "dom0 as before: address, route, rules and ip_forward gone");
    }

    @Test
    void aGuestGetsItsAddressFromDnsmasqThroughVifNatsHostEntry() throws Exception {
        need("/usr/sbin/dnsmasq", "dnsmasq-base");
        need("/usr/bin/busybox", "busybox");
        Path hosts = tmp.resolve("nat-dhcp-hosts");
        Path pidFile = tmp.resolve("dnsmasq.pid");
        Files.writeString(tmp.resolve("xennet.conf"), "nat_dhcp=dnsmasq\nnat_dhcp_hosts=" + hosts
                + "\nnat_dhcp_pidfile=" + pidFile + "\n");
        String g = guest("g6", 6);

        Executable.Run s = xennet("network-nat", Map.of(), "start");
        assertEquals(0, s.status(), s.err());
        assertTrue(Files.isRegularFile(hosts), "network-nat made the hosts file dnsmasq reads");

        start(tmp.resolve("dnsmasq.log"), "ip", "netns", "exec", lab.dom0(), "/usr/sbin/dnsmasq",
                "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--user=root", "--bind-dynamic",
                "--interface=vif*", "--dhcp-range=10.0.0.0,static,255.255.0.0", "--dhcp-hostsfile=" + hosts,
                "--dhcp-leasefile=" + tmp.resolve("leases"), "--pid-file=" + pidFile, "--log-facility=-",
                "--log-dhcp");
        await("dnsmasq's pid file", () -> Files.exists(pidFile));

        String be = libxlKeys(6, 0);
        Executable.Run on = vif("online", 6, 0);
        assertEquals(0, on.status(), on.err());
        assertEquals("connected", xs.read(be + "/hotplug-status"));
        assertEquals(List.of("00:16:3e:00:06:00,10.0.6.1,dom6"), Files.readAllLines(hosts));

        Path lease = tmp.resolve("lease");
        Path script = tmp.resolve("udhcpc.script");
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = bound ]; then\n  echo \"ip=$ip subnet=$subnet router=$router\""
                + " > " + lease + "\nfi\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ProcessRunner.Result dhcp = lab.exec(g, "timeout", "25", "/usr/bin/busybox", "udhcpc", "-f", "-q", "-n",
                "-t", "8", "-T", "1", "-i", "eth0", "-s", script.toString());
        String dnsmasqLog = Files.readString(tmp.resolve("dnsmasq.log"));
        assertEquals(0, dhcp.status(), "udhcpc: " + dhcp.stdout() + dhcp.stderr() + "\ndnsmasq: " + dnsmasqLog);
        assertEquals("ip=10.0.6.1 subnet=255.255.0.0 router=10.0.6.128", Files.readString(lease).trim(),
                "the address, mask and router of vif-nat's entry; dnsmasq: " + dnsmasqLog);

        lab.ipIn(g, "addr", "add", "10.0.6.1/16", "dev", "eth0");
        lab.ipIn(g, "route", "add", "default", "via", "10.0.6.128");
        assertTrue(lab.ping(g, LabNetwork.GATEWAY), "the DHCP-configured guest reaches the LAN through NAT");

        Executable.Run off = vif("offline", 6, 0);
        assertEquals(0, off.status(), off.err());
        assertEquals(List.of(), Files.readAllLines(hosts), "offline removed exactly its entry");
        Executable.Run stop = xennet("network-nat", Map.of(), "stop");
        assertEquals(0, stop.status(), stop.err());
        assertFalse(Files.exists(hosts), "stop removed the (empty) hosts file start made");
        assertEquals(0, masqueradeRules());
    }

    /**
     * A TCP listener for the LAN namespace: writes "listening" to FILE once bound, accepts one
     * connection, appends the peer's address and exits.
     */
    public static final class PeerListener {
        public static void main(String[] args) throws IOException {
            Path out = Path.of(args[2]);
            try (ServerSocket ss = new ServerSocket(Integer.parseInt(args[1]), 1, InetAddress.getByName(args[0]))) {
                ss.setSoTimeout(60_000);
                Files.writeString(out, "listening\n", StandardCharsets.UTF_8);
                try (Socket s = ss.accept(); InputStream in = s.getInputStream()) {
                    Files.writeString(out, s.getInetAddress().getHostAddress() + "\n", StandardCharsets.UTF_8,
                            StandardOpenOption.APPEND);
                    in.readAllBytes();
                }
            }
        }
    }
}
