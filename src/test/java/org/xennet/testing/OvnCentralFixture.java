// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private OVN central in a network namespace: Debian's ovn-central binaries run by hand, the
 * northbound and southbound databases (ovsdb-server each, own files in {@code /tmp/xnov-ovn-*})
 * and ovn-northd between them. The southbound database also listens on TCP at {@code listen}
 * (an address of the namespace) for the chassis' ovn-controller. {@link #close()} stops the
 * three by PID and removes the directory.
 */
public final class OvnCentralFixture implements AutoCloseable {
    private final String netns;
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();

    private OvnCentralFixture(String netns, Path dir) {
        this.netns = netns;
        this.dir = dir;
    }

    public static OvnCentralFixture start(NetnsFixture ns, String listen) {
        for (String tool : List.of("ovn-northd", "ovn-nbctl", "ovn-sbctl", "ovsdb-server", "ovsdb-tool")) {
            if (!OvsFixture.onPath(tool)) {
                NetnsFixture.unavailable("no " + tool + " (install ovn-central)");
            }
        }
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "xnov-ovn-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OvnCentralFixture f = new OvnCentralFixture(ns.name(), dir);
        try {
            for (String db : List.of("nb", "sb")) {
                Path schema = Path.of("/usr/share/ovn/ovn-" + db + ".ovsschema");
                f.check(OvsFixture.run(List.of("ovsdb-tool", "create", dir.resolve(db + ".db").toString(),
                        schema.toString()), Map.of()), "ovsdb-tool create " + db);
                List<String> args = new ArrayList<>(List.of(dir.resolve(db + ".db").toString(),
                        "--remote=punix:" + dir.resolve(db + ".sock"), "--pidfile=" + dir.resolve(db + ".pid"),
                        "--unixctl=" + dir.resolve(db + ".ctl"), "--log-file=" + dir.resolve(db + ".log"), "--no-chdir",
                        "-vconsole:off"));
                if (db.equals("sb")) {
                    args.add("--remote=ptcp:6642:" + listen);
                }
                f.daemon(db, "ovsdb-server", args);
            }
            for (String db : List.of("nb", "sb")) {
                f.waitFor(dir.resolve(db + ".sock"));
            }
            f.daemon("northd", "ovn-northd", List.of("--ovnnb-db=unix:" + dir.resolve("nb.sock"),
                    "--ovnsb-db=unix:" + dir.resolve("sb.sock"), "--pidfile=" + dir.resolve("northd.pid"),
                    "--log-file=" + dir.resolve("northd.log"), "--no-chdir", "-vconsole:off"));
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** {@code ovn-nbctl ARGS} against the northbound database; fails the test on an error. */
    public String nbctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ovn-nbctl", "--db=unix:" + dir.resolve("nb.sock"), "--timeout=20"));
        cmd.addAll(List.of(args));
        return check(OvsFixture.run(cmd, env()), String.join(" ", cmd));
    }

    /** {@code ovn-sbctl ARGS} against the southbound database; fails the test on an error. */
    public String sbctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ovn-sbctl", "--db=unix:" + dir.resolve("sb.sock"), "--timeout=20"));
        cmd.addAll(List.of(args));
        return check(OvsFixture.run(cmd, env()), String.join(" ", cmd));
    }

    private Map<String, String> env() {
        return Map.of("OVN_RUNDIR", dir.toString(), "OVS_RUNDIR", dir.toString());
    }

    public String logTail() {
        StringBuilder b = new StringBuilder();
        for (String log : List.of("nb.log", "sb.log", "northd.log")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(log));
                b.append("\n--- ").append(log).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
            } catch (IOException e) {
                b.append("\n--- ").append(log).append(": ").append(e.getMessage());
            }
        }
        return b.toString();
    }

    private void daemon(String name, String program, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, program));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile());
        pb.environment().putAll(env());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            daemons.add(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + program, e);
        }
    }

    private void waitFor(Path socket) {
        for (int i = 0; i < 500 && !Files.exists(socket); i++) {
            OvsFixture.sleep(20);
        }
        if (!Files.exists(socket)) {
            throw new IllegalStateException("no " + socket + " after 10 s" + logTail());
        }
    }

    private String check(NetnsFixture.Result r, String what) {
        if (r.status() != 0) {
            throw new IllegalStateException(what + " failed (" + r.status() + "): " + r.output() + logTail());
        }
        return r.output();
    }

    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
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
        daemons.clear();
        OvsFixture.deleteTree(dir);
    }
}
