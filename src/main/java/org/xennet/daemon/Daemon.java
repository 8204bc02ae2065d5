// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.io.IOException;
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
 * reads ({@code STATE_DIR/xennetd/port}: "PORT PID", root-only), and the engine until SIGTERM,
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

    /** Runs until killed; returns the exit status when it cannot start. */
    public int run() {
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
                StateFiles.write(portFile, server.port() + " " + ProcessHandle.current().pid() + "\n");
                LOG.info("xennetd: listening on 127.0.0.1:" + server.port() + " (pid " + ProcessHandle.current().pid()
                        + ")");
            });
            return 0;
        } catch (IOException e) {
            throw new XennetException("xennetd: cannot start: " + e.getMessage(), e);
        }
    }
}
