package org.xennet.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.xennet.firewall.IptablesFirewall;
import org.xennet.lock.HotplugLock;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.scripts.ScriptContext;
import org.xennet.sys.ProcessRunner;
import org.xennet.error.XennetException;
import org.xennet.xenstore.XenStore;

/** The process entry point: reads the real environment and exits with the status. */
public final class Main {
    /** Where network-bridge keeps what it needs to undo a start exactly. */
    public static final Path STATE_DIR = Path.of("/var/run/xennet");

    /** The longest any XenStore request may take before the call fails with a clear error. */
    public static final Duration XENSTORE_TIMEOUT = Duration.ofSeconds(5);

    private Main() {
    }

    static XenStore xenstore() {
        throw new XennetException("XenStore client not wired yet");
    }

    public static void main(String[] args) {
        ScriptContext ctx = new ScriptContext(System.getenv(), RtnetlinkNetwork::open,
                () -> new IptablesFirewall(ProcessRunner.local(), HotplugLock.DEFAULT_DIR, "iptables"),
                Main::xenstore,
                System.out, System.err, Path.of("/"), HotplugLock.DEFAULT_DIR, STATE_DIR, Duration.ofSeconds(10),
                null);
        int rc = new Cli(ctx).run(System.getProperty("xennet.argv0", "xennet"), args);
        System.out.flush();
        System.exit(rc);
    }
}
