// SPDX-License-Identifier: Apache-2.0
package org.xennet.lab;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.FileUtils;
import org.xennet.error.XennetException;

/**
 * Debian's stock xenstored (xen-utils-4.17) without a hypervisor: the hypervisor-facing library
 * calls are answered by a small preloaded stub (kept with the sources, src/main/c, built by
 * the tests and by {@code ./dev lab}). Private run directory and socket, no fork; stopped by its
 * PID, its directory removed. For the lab and the system tests only: a real Xen host has its own.
 */
public final class LabXenstored implements AutoCloseable {
    public static final Path DAEMON = Path.of("/usr/lib/xen-4.17/bin/xenstored");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final Path socket;
    private final Path daemon;
    private final Path stub;
    private Process process;
    private final Thread shutdownHook;
    private boolean closed;

    private LabXenstored(Path dir, Path daemon, Path stub, Process process) {
        this.dir = dir;
        this.socket = dir.resolve("socket");
        this.daemon = daemon;
        this.stub = stub;
        this.process = process;
        this.shutdownHook = new Thread(this::stop, "xenstored-" + process.pid() + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts {@code daemon} with {@code stub} preloaded in a fresh directory under {@code parent}. */
    public static LabXenstored start(Path daemon, Path stub, Path parent) {
        Path dir;
        try {
            // unix socket paths are limited to 107 bytes: keep the directory name short
            dir = Files.createTempDirectory(parent, "xs");
        } catch (IOException e) {
            throw new XennetException("cannot create a directory for xenstored: " + e.getMessage(), e);
        }
        Process p;
        try {
            p = launch(daemon, stub, dir);
        } catch (IOException e) {
            FileUtils.deleteQuietly(dir.toFile());
            throw new XennetException("cannot start " + daemon + ": " + e.getMessage(), e);
        }
        LabXenstored x = new LabXenstored(dir, daemon, stub, p);
        try {
            x.awaitSocket();
            return x;
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
    }

    private static Process launch(Path daemon, Path stub, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(daemon.toString(), "--no-fork",
                "--pid-file", dir.resolve("xenstored.pid").toString(),
                "--trace-file", dir.resolve("trace.log").toString()));
        pb.directory(dir.toFile());
        pb.environment().put("XENSTORED_RUNDIR", dir.toString());
        pb.environment().put("XENSTORED_PATH", dir.resolve("socket").toString());
        pb.environment().put("LD_PRELOAD", stub.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("xenstored.log").toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    /**
     * Kills the daemon by its PID and starts a new one on the same socket, with an empty store:
     * what clients see when xenstored is restarted under them.
     */
    public synchronized void restart() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(socket);
            process = launch(daemon, stub, dir);
        } catch (IOException e) {
            throw new XennetException("cannot restart " + daemon + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XennetException("interrupted restarting xenstored");
        }
        awaitSocket();
    }

    /** The daemon's unix socket, given to clients as XENSTORED_PATH. */
    public Path socketPath() {
        return socket;
    }

    public long pid() {
        return process.pid();
    }

    public Path directory() {
        return dir;
    }

    private void awaitSocket() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new XennetException("xenstored exited with status " + process.exitValue()
                        + " before accepting connections" + logTail());
            }
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return;
                } catch (IOException e) {
                    last = e;
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XennetException("interrupted while waiting for xenstored");
            }
        }
        throw new XennetException("xenstored (pid " + process.pid() + ") did not accept connections on " + socket
                + " within " + START_TIMEOUT.toMillis() + " ms" + (last == null ? "" : " (" + last + ")")
                + logTail());
    }

    /** The last lines of the daemon's output, for error messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("xenstored.log"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : "; xenstored said: "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(2, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            FileUtils.deleteQuietly(dir.toFile());
        }
    }

    /** Stops the daemon by its PID (TERM, then KILL after 2 s) and removes its directory. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook runs stop(), which is idempotent
        }
    }
}
