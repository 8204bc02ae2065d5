// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.lock.HotplugLock;
import org.xennet.log.Log;
import org.xennet.net.LinkEvents;
import org.xennet.net.Network;
import org.xennet.scripts.StateFiles;
import org.xennet.xenstore.XenStoreClient;

/**
 * xennetd's life: one instance per host (a lock), the request socket, the port file the launcher
 * reads ({@code STATE_DIR/xennetd/port}: "PORT PID STARTTIME", root-only; the launcher trusts the
 * port while the process with that pid and start time lives), and the engine until SIGTERM,
 * which removes the port file so that calls go back to running the scripts themselves.
 */
public final class Daemon {
    private static final Log LOG = Log.get(Daemon.class);

    private final Path dir;
    private final Path lockDir;
    private final Xennetd engine;

    public Daemon(Path dir, Path lockDir, Map<String, String> env, Supplier<XenStoreClient> xenstore,
            Supplier<Network> network, Supplier<Firewall> firewall, Supplier<NftablesFirewall> nftables,
            Supplier<LinkEvents> linkEvents, CallRunner runner) {
        this.dir = dir;
        this.lockDir = lockDir;
        this.engine = new Xennetd(env, xenstore, network, firewall, nftables, linkEvents, runner);
    }

    /** The daemon's directory under xennet's state directory. */
    public static Path dir(Path stateDir) {
        return stateDir.resolve("xennetd");
    }

    /**
     * This process's start time, field 22 of {@code /proc/self/stat} (clock ticks since boot): with
     * the pid it names this very process, whatever reuses the pid later.
     */
    static String startTime() {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new XennetException("xennetd: cannot read /proc/self/stat: " + e.getMessage(), e);
        }
        String[] f = stat.substring(stat.lastIndexOf(") ") + 2).trim().split(" ");
        if (f.length < 20 || !f[19].matches("[0-9]{1,20}")) {
            throw new XennetException("xennetd: no start time in /proc/self/stat: " + stat.trim());
        }
        return f[19];
    }

    /** Runs until killed; returns the exit status when it cannot start. */
    public int run() {
        String start = startTime();
        HotplugLock single;
        try {
            single = HotplugLock.claim(lockDir, "xennetd", Duration.ZERO);
        } catch (XennetException e) {
            throw new XennetException("xennetd is already running: " + e.getMessage());
        }
        Path portFile = dir.resolve("port");
        try (single; RequestServer server = new RequestServer(engine)) {
            server.serve();
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(portFile); // a SIGKILL'd predecessor's: calls run the scripts until we are ready
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                engine.stop();
                try {
                    Files.deleteIfExists(portFile);
                } catch (IOException e) {
                    // the launcher checks the pid and the listener anyway
                }
            }, "xennetd shutdown"));
            // The port is published once XenStore is watched: before that the daemon could only say FALLBACK.
            engine.run(() -> {
                StateFiles.write(portFile, server.port() + " " + ProcessHandle.current().pid() + " " + start + "\n");
                LOG.info("xennetd: listening on 127.0.0.1:" + server.port() + " (pid " + ProcessHandle.current().pid()
                        + ")");
            });
            return 0;
        } catch (IOException e) {
            throw new XennetException("xennetd: cannot start: " + e.getMessage(), e);
        }
    }
}
