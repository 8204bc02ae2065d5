// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Open vSwitch in a network namespace: Debian's ovsdb-server and ovs-vswitchd
 * (openvswitch-switch) with their own run directory, database and logs in a temp dir
 * ({@code /tmp/xnov-ovs-*}), nothing shared with the host's (whose service stays stopped).
 * Bridges use the userspace datapath ({@code datapath_type=netdev}): this kernel has no
 * openvswitch module. Give {@link #env()} ({@code OVS_RUNDIR}) to a child process and its
 * ovs-vsctl, Xen's vif-openvswitch or xennet talk to this one. {@link #close()} stops both daemons
 * by PID (SIGTERM, then SIGKILL) and removes the directory.
 *
 * <p>Equivalent to:
 * <pre>
 *   ovsdb-tool create $DIR/conf.db /usr/share/openvswitch/vswitch.ovsschema
 *   ip netns exec NS ovsdb-server $DIR/conf.db --remote=punix:$DIR/db.sock ... &amp;
 *   ovs-vsctl --db=unix:$DIR/db.sock --no-wait init
 *   ip netns exec NS ovs-vswitchd unix:$DIR/db.sock ... &amp;
 * </pre>
 * Missing binaries skip the test, or fail it under CI=true.
 */
public final class OvsFixture implements AutoCloseable {
    static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");

    private final String netns;
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();

    private OvsFixture(String netns, Path dir) {
        this.netns = netns;
        this.dir = dir;
    }

    /** Starts ovsdb-server and ovs-vswitchd inside {@code ns} and waits until ovs-vswitchd answers. */
    public static OvsFixture start(NetnsFixture ns) {
        return start(ns.name());
    }

    public static OvsFixture start(String netns) {
        for (String tool : List.of("ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")) {
            if (!onPath(tool)) {
                NetnsFixture.unavailable("no " + tool + " (install openvswitch-switch)");
            }
        }
        if (!Files.isRegularFile(SCHEMA)) {
            NetnsFixture.unavailable("no " + SCHEMA + " (install openvswitch-switch)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "xnov-ovs-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OvsFixture f = new OvsFixture(netns, dir);
        try {
            f.check(run(List.of("ovsdb-tool", "create", dir.resolve("conf.db").toString(), SCHEMA.toString()), f.env()),
                    "ovsdb-tool create");
            f.daemon("ovsdb-server", dir.resolve("conf.db").toString(), "--remote=punix:" + f.socket(),
                    "--pidfile=" + dir.resolve("ovsdb-server.pid"), "--unixctl=" + dir.resolve("ovsdb-server.ctl"),
                    "--log-file=" + dir.resolve("ovsdb-server.log"), "--no-chdir", "-vconsole:off");
            f.waitFor(Path.of(f.socket()), "ovsdb-server");
            f.check(run(List.of("ovs-vsctl", "--db=unix:" + f.socket(), "--no-wait", "init"), f.env()), "ovs-vsctl init");
            f.daemon("ovs-vswitchd", "unix:" + f.socket(), "--pidfile=" + dir.resolve("ovs-vswitchd.pid"),
                    "--unixctl=" + dir.resolve("ovs-vswitchd.ctl"), "--log-file=" + dir.resolve("ovs-vswitchd.log"),
                    "--no-chdir", "-vconsole:off");
            f.waitFor(dir.resolve("ovs-vswitchd.ctl"), "ovs-vswitchd");
            f.vsctl("--timeout=20", "set", "Open_vSwitch", ".", "other_config:x=1"); // waits for ovs-vswitchd
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** {@code OVS_RUNDIR} (and the other OVS directories) for child processes: they then use this Open vSwitch. */
    public Map<String, String> env() {
        String d = dir.toString();
        return Map.of("OVS_RUNDIR", d, "OVS_LOGDIR", d, "OVS_DBDIR", d, "OVS_SYSCONFDIR", d);
    }

    public String socket() {
        return dir.resolve("db.sock").toString();
    }

    public Path dir() {
        return dir;
    }

    public String netns() {
        return netns;
    }

    /** {@code ovs-vsctl --timeout=20 ARGS} against this database (from inside the namespace); fails the test on an error. */
    public String vsctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "ovs-vsctl", "--db=unix:" + socket(),
                "--timeout=20"));
        cmd.addAll(List.of(args));
        return check(run(cmd, env()), String.join(" ", cmd));
    }

    /** {@code ovs-vsctl ARGS}, its status and output, without failing. */
    public NetnsFixture.Result tryVsctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "ovs-vsctl", "--db=unix:" + socket(),
                "--timeout=20"));
        cmd.addAll(List.of(args));
        return run(cmd, env());
    }

    /** {@code ovs-vsctl add-br NAME -- set bridge NAME datapath_type=netdev}. */
    public void addBridge(String name) {
        vsctl("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev");
    }

    /** {@code ovs-appctl -t ovs-vswitchd ARGS}. */
    public String appctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, "ovs-appctl", "-t",
                dir.resolve("ovs-vswitchd.ctl").toString()));
        cmd.addAll(List.of(args));
        return check(run(cmd, env()), String.join(" ", cmd));
    }

    /** The last lines of both daemons' logs, for a failure message. */
    public String logTail() {
        StringBuilder b = new StringBuilder();
        for (String log : List.of("ovsdb-server.log", "ovs-vswitchd.log", "ovn-controller.log")) {
            if (log.startsWith("ovn") && !Files.exists(dir.resolve(log))) {
                continue;
            }
            try {
                List<String> lines = Files.readAllLines(dir.resolve(log));
                b.append("\n--- ").append(log).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            } catch (IOException e) {
                b.append("\n--- ").append(log).append(": ").append(e.getMessage());
            }
        }
        return b.toString();
    }

    /**
     * Makes this Open vSwitch an OVN chassis: {@code external_ids} system-id, ovn-remote (the
     * southbound database), ovn-encap-type geneve and ovn-encap-ip (the tunnel endpoint, an
     * address on an OVS bridge of this host: the userspace datapath encapsulates itself), br-int
     * on the userspace datapath; then starts Debian's ovn-controller (ovn-host), stopped by
     * {@link #close()} before the others.
     */
    public void ovnController(String systemId, String southbound, String encapIp) {
        if (!onPath("ovn-controller")) {
            NetnsFixture.unavailable("no ovn-controller (install ovn-host)");
        }
        vsctl("set", "Open_vSwitch", ".", "external_ids:system-id=" + systemId, "external_ids:ovn-remote=" + southbound,
                "external_ids:ovn-encap-type=geneve", "external_ids:ovn-encap-ip=" + encapIp,
                "external_ids:ovn-bridge-datapath-type=netdev");
        Map<String, String> env = new java.util.HashMap<>(env());
        env.put("OVN_RUNDIR", dir.toString());
        env.put("OVN_LOGDIR", dir.toString());
        env.put("OVN_DBDIR", dir.toString());
        daemon(env, "ovn-controller", "unix:" + socket(), "--pidfile=" + dir.resolve("ovn-controller.pid"),
                "--log-file=" + dir.resolve("ovn-controller.log"), "--no-chdir", "-vconsole:off");
    }

    /** Stops ovs-vswitchd alone (by PID), as a crashed or stopped daemon; ovsdb-server stays. */
    public void stopVswitchd() {
        if (daemons.size() > 1) {
            stop(daemons.remove(1));
        }
    }

    private void daemon(String program, String... args) {
        daemon(env(), program, args);
    }

    private void daemon(Map<String, String> env, String program, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, program));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(program + ".out").toFile());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            daemons.add(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + program, e);
        }
    }

    private void waitFor(Path socket, String what) {
        for (int i = 0; i < 500; i++) {
            if (Files.exists(socket)) {
                return;
            }
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(what + " exited (" + p.exitValue() + ")" + logTail());
                }
            }
            sleep(20);
        }
        throw new IllegalStateException(what + " did not create " + socket + " within 10 s" + logTail());
    }

    private String check(NetnsFixture.Result r, String what) {
        if (r.status() != 0) {
            throw new IllegalStateException(what + " failed (" + r.status() + "): " + r.output() + logTail());
        }
        return r.output();
    }

    public static NetnsFixture.Result run(List<String> cmd, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new NetnsFixture.Result(124, out + "\n(timed out)");
            }
            return new NetnsFixture.Result(p.exitValue(), out);
        } catch (IOException e) {
            return new NetnsFixture.Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new NetnsFixture.Result(130, "interrupted");
        }
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String d : (path + ":/usr/sbin:/sbin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    /** Stops ovs-vswitchd, then ovsdb-server (by PID), and removes the directory. */
    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            stop(daemons.get(i));
        }
        daemons.clear();
        deleteTree(dir);
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a socket the daemon removes itself while we walk; nothing left that matters
        }
    }
}
