// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xennet.lab.LabXenstored;

/**
 * A private, real xenstored: Debian's stock daemon (xen-utils-4.17) running without a hypervisor,
 * with the hypervisor-facing calls answered by {@code src/main/c/xenstored-stub.c} (LD_PRELOAD).
 * Each fixture has its own temp dir, socket and store; give {@link #env()} to any child process
 * (xennet, Xen's scripts, the xenstore-* tools) and it talks to this daemon as dom0.
 *
 * <p>Equivalent to:
 * <pre>
 *   XENSTORED_RUNDIR=$DIR XENSTORED_PATH=$DIR/socket LD_PRELOAD=target/xenstored-stub.so \
 *       /usr/lib/xen-4.17/bin/xenstored --no-fork --pid-file $DIR/xenstored.pid \
 *       --trace-file $DIR/trace.log  &gt;$DIR/xenstored.log 2&gt;&amp;1
 * </pre>
 * Not {@code --no-domain-init}: 4.17 then never opens its hypervisor handle and segfaults on the
 * first write; dom0 is introduced through the stub instead (see the C file).
 *
 * <p>When xenstored, the xenstore tools or gcc are missing the test is skipped, or fails under
 * CI=true ({@link NetnsFixture#unavailable}). Override the daemon with {@code -Dxennet.xenstored=}.
 */
public final class XenstoredFixture implements AutoCloseable {
    private static final Path XENSTORED =
            Path.of(System.getProperty("xennet.xenstored", "/usr/lib/xen-4.17/bin/xenstored"));
    private static final long TOOL_TIMEOUT_SECONDS = 10;
    private static final Object STUB_LOCK = new Object();

    private final LabXenstored daemon;

    private XenstoredFixture(LabXenstored daemon) {
        this.daemon = daemon;
    }

    /**
     * Compiles the stub if needed, starts xenstored in a fresh temp dir and waits (at most 5 s)
     * until its socket accepts connections.
     */
    public static XenstoredFixture start() {
        if (!Files.isExecutable(XENSTORED)) {
            NetnsFixture.unavailable("no xenstored at " + XENSTORED + " (install xen-utils-4.17)");
            throw new IllegalStateException("unreachable");
        }
        for (String tool : List.of("xenstore-read", "xenstore-write", "xenstore-list", "xenstore-rm")) {
            if (findOnPath(tool) == null) {
                NetnsFixture.unavailable("no " + tool + " on PATH (install xenstore-utils)");
                throw new IllegalStateException("unreachable");
            }
        }
        return new XenstoredFixture(LabXenstored.start(XENSTORED, stubLibrary(), Path.of("/tmp")));
    }

    /** The daemon's unix socket, to be given to clients as XENSTORED_PATH. */
    public Path socketPath() {
        return daemon.socketPath();
    }

    /** {@code {"XENSTORED_PATH": socketPath}}: the environment a child process needs to use this daemon. */
    public Map<String, String> env() {
        return Map.of("XENSTORED_PATH", daemon.socketPath().toString());
    }

    /**
     * The value at {@code path} (relative paths are under /local/domain/0), byte for byte, or null
     * when the node does not exist. Equivalent to: {@code xenstore-read -R PATH}.
     */
    public String read(String path) {
        Result r = tool("xenstore-read", "-R", path);
        if (r.status == 0) {
            return r.stdout.endsWith("\n") ? r.stdout.substring(0, r.stdout.length() - 1) : r.stdout;
        }
        if (r.stderr.contains("couldn't read path")) {
            return null;
        }
        throw failure("xenstore-read -R " + path, r);
    }

    /** Writes {@code value} as is, creating missing parents. Equivalent to: {@code xenstore-write -R PATH VALUE}. */
    public void write(String path, String value) {
        Result r = tool("xenstore-write", "-R", "--", path, value); // "--": a value may start with "-"
        if (r.status != 0) {
            throw failure("xenstore-write -R " + path + " " + value, r);
        }
    }

    /** The names of the children of {@code path}; empty when it has none or does not exist. Equivalent to: {@code xenstore-list PATH}. */
    public List<String> ls(String path) {
        Result r = tool("xenstore-list", path);
        if (r.status != 0) {
            if (r.stderr.contains("could not list path")) {
                return List.of();
            }
            throw failure("xenstore-list " + path, r);
        }
        return r.stdout.isEmpty() ? List.of() : List.of(r.stdout.split("\n"));
    }

    /**
     * Removes {@code path} and everything under it. Equivalent to: {@code xenstore-rm PATH}, which
     * succeeds for an absent node whose parent exists and fails (here: throws) otherwise.
     */
    public void rm(String path) {
        Result r = tool("xenstore-rm", path);
        if (r.status != 0) {
            throw failure("xenstore-rm " + path, r);
        }
    }

    /**
     * Writes the backend and frontend nodes libxl writes for guest D's vif N before it runs
     * {@code /etc/xen/scripts/SCRIPT}, plus {@code keys} under the backend; returns the backend
     * path ({@code backend/vif/D/N}).
     */
    public String libxlVif(int domid, int devid, String script, Map<String, String> keys) {
        String be = "backend/vif/" + domid + "/" + devid;
        String fe = "/local/domain/" + domid + "/device/vif/" + devid;
        write(be + "/frontend", fe);
        write(be + "/frontend-id", String.valueOf(domid));
        write(be + "/online", "1");
        write(be + "/state", "1");
        write(be + "/script", "/etc/xen/scripts/" + script);
        write(be + "/mac", String.format("00:16:3e:00:%02x:%02x", domid, devid));
        write(be + "/handle", String.valueOf(devid));
        write(be + "/type", "vif");
        write(be + "/hotplug-status", "");
        keys.forEach((k, v) -> write(be + "/" + k, v));
        write(fe + "/backend", "/local/domain/0/" + be);
        write(fe + "/handle", String.valueOf(devid));
        return be;
    }

    /** The environment libxl gives a vif script for guest D's vif N. */
    public static Map<String, String> hotplugEnv(String script, int domid, int devid) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("vif", "vif" + domid + "." + devid);
        env.put("XENBUS_PATH", "backend/vif/" + domid + "/" + devid);
        env.put("XENBUS_TYPE", "vif");
        env.put("XENBUS_BASE_PATH", "backend");
        env.put("script", "/etc/xen/scripts/" + script);
        return env;
    }

    public long pid() {
        return daemon.pid();
    }

    /** Kills xenstored and starts a new one on the same socket, with an empty store. */
    public void restart() {
        daemon.restart();
    }

    /** Stops xenstored (SIGTERM, then SIGKILL after 2 s) and deletes the temp dir. */
    @Override
    public void close() {
        daemon.close();
    }

    private Result tool(String... argv) {
        ProcessBuilder pb = new ProcessBuilder(List.of(argv));
        pb.environment().putAll(env());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = pb.start();
            // Outputs are a few lines; read stderr on a helper thread so neither pipe can fill.
            StringBuilder err = new StringBuilder();
            Thread errReader = new Thread(() -> {
                try {
                    err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    err.append(e);
                }
            });
            errReader.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " timed out" + logTail());
            }
            errReader.join();
            return new Result(p.exitValue(), out, err.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv[0], e);
        }
    }

    private IllegalStateException failure(String command, Result r) {
        return new IllegalStateException(command + " failed (" + r.status + "): " + (r.stderr + r.stdout).trim()
                + logTail());
    }

    private String logTail() {
        return daemon.logTail();
    }

    /** target/xenstored-stub.so, (re)compiled when missing or older than the C source. */
    /** The hypervisor stub preloaded into xenstored, compiled from the test sources when stale. */
    public static Path stubLibrary() {
        Path project = Path.of(System.getProperty("xennet.project.dir", System.getProperty("user.dir")));
        Path source = project.resolve("src/main/c/xenstored-stub.c");
        Path lib = project.resolve("target/xenstored-stub.so");
        synchronized (STUB_LOCK) {
            try {
                if (!Files.isRegularFile(source)) {
                    throw new IllegalStateException("stub source not found: " + source);
                }
                if (Files.isRegularFile(lib)
                        && Files.getLastModifiedTime(lib).compareTo(Files.getLastModifiedTime(source)) >= 0) {
                    return lib;
                }
                if (findOnPath("gcc") == null) {
                    NetnsFixture.unavailable("no gcc on PATH to build " + lib + " (install gcc and libc6-dev)");
                    throw new IllegalStateException("unreachable");
                }
                Files.createDirectories(lib.getParent());
                // Build beside it and rename, so a concurrent JVM never loads a half-written library.
                Path tmp = lib.resolveSibling("xenstored-stub." + ProcessHandle.current().pid() + ".so.tmp");
                List<String> cmd = List.of("gcc", "-shared", "-fPIC", "-O2", "-o", tmp.toString(),
                        source.toString(), "-ldl");
                Process gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                gcc.getOutputStream().close();
                String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                    gcc.destroyForcibly();
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
                }
                try {
                    Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
                }
                return lib;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build " + lib, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted building " + lib, e);
            }
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name);
            }
        }
        return null;
    }

    private record Result(int status, String stdout, String stderr) {
    }
}
