package org.xennet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.xennet.firewall.IptablesFirewall;
import org.xennet.lock.HotplugLock;
import org.xennet.log.Startup;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.scripts.ScriptContext;
import org.xennet.sys.ProcessRunner;
import org.xennet.xenstore.XenStoreClient;

/** The process entry point: reads the real environment and exits with the status. */
public final class Main {
    /** Where network-bridge keeps what it needs to undo a start exactly. */
    public static final Path STATE_DIR = Path.of("/var/run/xennet");

    /** The longest any XenStore request may take before the call fails with a clear error. */
    public static final Duration XENSTORE_TIMEOUT = Duration.ofSeconds(5);

    private Main() {
    }

    /**
     * Where JNA looks for libc. Without it JNA runs {@code /sbin/ldconfig -p} while it initialises,
     * a subprocess in every hotplug call (13-18 ms measured); missing directories are harmless.
     */
    static final String LIBRARY_PATH = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/aarch64-linux-gnu:"
            + "/usr/lib/aarch64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib";

    public static void main(String[] args) {
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path", LIBRARY_PATH);
        }
        jnaBesideNativeExecutable();
        Map<String, String> env = System.getenv();
        Startup.init("1".equals(env.get("XENNET_PROFILE")));
        // Overrides for tests and unusual layouts; Xen's own paths otherwise.
        Path lockDir = Path.of(env.getOrDefault("XENNET_LOCK_DIR", HotplugLock.DEFAULT_DIR.toString()));
        Path stateDir = Path.of(env.getOrDefault("XENNET_STATE_DIR", STATE_DIR.toString()));
        ScriptContext ctx = new ScriptContext(env, RtnetlinkNetwork::open,
                () -> new IptablesFirewall(ProcessRunner.local(), lockDir, "iptables"),
                () -> XenStoreClient.connect(env, XENSTORE_TIMEOUT),
                System.out, System.err, Path.of("/"), lockDir, stateDir, Duration.ofSeconds(10),
                null);
        int rc = new Cli(ctx).run(InvokedName.get(), args);
        Startup.report(System.err);
        System.out.flush();
        System.exit(rc);
    }

    /**
     * In a native image, JNA's native half is loaded from beside the executable when the build put
     * it there (native/build: xennet-native-lib/libjnidispatch.so), as bin/xennet does for the JVM:
     * without it JNA unpacks the library from the executable into a temporary file on every call.
     */
    static void jnaBesideNativeExecutable() {
        if (!"runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))
                || System.getProperty("jna.boot.library.path") != null) {
            return;
        }
        try {
            Path dir = Path.of("/proc/self/exe").toRealPath().resolveSibling("xennet-native-lib");
            if (Files.isRegularFile(dir.resolve("libjnidispatch.so"))) {
                System.setProperty("jna.boot.library.path", dir.toString());
                System.setProperty("jna.nounpack", "true");
                System.setProperty("jna.nosys", "true");
            }
        } catch (IOException e) {
            // JNA unpacks its library from the executable's resources instead
        }
    }
}
