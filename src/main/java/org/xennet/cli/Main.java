// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.xennet.firewall.IptablesFirewall;
import org.xennet.firewall.Nftables;
import org.xennet.lock.HotplugLock;
import org.xennet.log.Startup;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.ovsdb.OvsdbOpenVswitch;
import org.xennet.scripts.ScriptContext;
import org.xennet.sys.Deadline;
import org.xennet.sys.ProcessRunner;
import org.xennet.xenstore.XenStoreClient;

/** The process entry point: reads the real environment and exits with the status. */
public final class Main {
    /** Where network-bridge keeps what it needs to undo a start exactly. */
    public static final Path STATE_DIR = Path.of("/var/run/xennet");

    /** The longest any one XenStore request may take before the call fails with a clear error. */
    public static final Duration XENSTORE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A call's time budget: libxl kills a vif script after 40 s (LIBXL_HOTPLUG_TIMEOUT), so
     * every wait (child processes, locks, connecting to a busy xenstored) ends by 35 s, leaving
     * time to undo and to report the failure to XenStore. {@code XENNET_BUDGET} (seconds) changes it.
     */
    public static final Duration CALL_BUDGET = Duration.ofSeconds(35);

    /** The longest any one ovsdb-server request may take. */
    public static final Duration OVSDB_TIMEOUT = Duration.ofSeconds(10);

    /** How long a change may wait for ovs-vswitchd to apply it (Xen's script: ovs-vsctl --timeout=30). */
    static final Duration OVS_APPLY_WAIT = Duration.ofSeconds(20);

    /** Connecting to xenstored may take this much of the budget, at most. */
    static final Duration XENSTORE_CONNECT = Duration.ofSeconds(30);

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
        Map<String, String> env = System.getenv();
        JnaLibrary.configure(env);
        Startup.init("1".equals(env.get("XENNET_PROFILE")));
        Deadline deadline = Deadline.in(budget(env));
        // Overrides for tests and unusual layouts; Xen's own paths otherwise.
        Path lockDir = Path.of(env.getOrDefault("XENNET_LOCK_DIR", HotplugLock.DEFAULT_DIR.toString()));
        Path stateDir = Path.of(env.getOrDefault("XENNET_STATE_DIR", STATE_DIR.toString()));
        ProcessRunner processes = ProcessRunner.local(deadline);
        ScriptContext[] built = {null}; // the Open vSwitch socket may be named in xennet.conf, read once by the context
        ScriptContext ctx = ScriptContext.builder(env)
                .network(RtnetlinkNetwork::open)
                .firewall(() -> new IptablesFirewall(processes, lockDir, "iptables", deadline))
                .nftables(once(Nftables::library))
                .xenstore(() -> XenStoreClient.connect(env, XENSTORE_TIMEOUT, deadline.cap(XENSTORE_CONNECT)))
                .processes(processes).lockDir(lockDir).stateDir(stateDir).deadline(deadline)
                .faults(TestHalt.from(env))
                .ovs(() -> OvsdbOpenVswitch.connect(OvsdbOpenVswitch.socketPath(env, built[0].config().get().get("ovs_db")),
                        OVSDB_TIMEOUT, deadline.cap(OVSDB_TIMEOUT), deadline.cap(OVS_APPLY_WAIT)))
                .build();
        built[0] = ctx;
        int rc = new Cli(ctx).run(InvokedName.get(), args);
        Startup.report(System.err);
        System.out.flush();
        System.exit(rc);
    }

    /** One libnftables context for the whole call, opened when first asked for. */
    static Supplier<Nftables> once(Supplier<Nftables> open) {
        Nftables[] kept = {null};
        return () -> {
            if (kept[0] == null) {
                kept[0] = open.get();
            }
            return kept[0];
        };
    }

    static Duration budget(Map<String, String> env) {
        String v = env.get("XENNET_BUDGET");
        if (v != null && v.matches("[0-9]{1,5}") && Integer.parseInt(v) > 0) {
            return Duration.ofSeconds(Integer.parseInt(v));
        }
        return CALL_BUDGET;
    }
}
