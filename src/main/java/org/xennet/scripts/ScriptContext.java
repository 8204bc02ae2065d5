// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.xennet.config.ConfigFile;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Nftables;
import org.xennet.lock.HotplugLock;
import org.xennet.net.Network;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.plan.PlanRunner;
import org.xennet.sys.Deadline;
import org.xennet.sys.ProcessRunner;
import org.xennet.xenstore.XenStore;

/**
 * What a script gets from the outside world, injected so that tests run scripts in-process
 * against fakes or against a namespace: the environment map (never System.getenv below main),
 * xennet.conf (read once, when first asked for),
 * the network, the firewall (iptables; nftables through libnftables), XenStore and Open vSwitch's
 * database, the runner of child processes, output streams, the host's file tree (for /proc/mounts
 * and the network managers' state under /run), the lock and
 * state directories, how long to wait for a physical link, the call's time budget (libxl kills a
 * vif script after 40 s) and an optional fault injector for the plan runner. Built with
 * {@link #builder}.
 */
public record ScriptContext(Map<String, String> env, Supplier<ConfigFile> config, Supplier<Network> network,
        Supplier<Firewall> firewall, Supplier<Nftables> nftables,
        Supplier<XenStore> xenstore, ProcessRunner processes, PrintStream out, PrintStream err, Path hostRoot,
        Path lockDir, Path stateDir, Duration carrierWait, Deadline deadline, PlanRunner.FaultInjector faults,
        Supplier<OpenVswitch> ovs) {

    /** How long a script waits for a lock another call holds, at most (and never past the deadline). */
    public static final Duration LOCK_WAIT = Duration.ofSeconds(60);

    public PlanRunner runner(String script, boolean dryRun) {
        return new PlanRunner(script, dryRun, out, faults);
    }

    /** A path of the host's file tree, e.g. {@code host("proc/mounts")}. */
    public Path host(String relative) {
        return hostRoot.resolve(relative);
    }

    /**
     * Runs {@code body} holding the hotplug lock {@code name} (waiting at most a minute, and no
     * longer than the call's budget), or without it for a dry run, which changes nothing.
     */
    public int locked(String name, boolean dryRun, IntSupplier body) {
        if (dryRun) {
            return body.getAsInt();
        }
        try (HotplugLock l = HotplugLock.claim(lockDir, name, deadline.cap(LOCK_WAIT))) {
            return body.getAsInt();
        }
    }

    public static Builder builder(Map<String, String> env) {
        return new Builder(env);
    }

    /** The same context with other parts; what is not set keeps this context's value. */
    public Builder toBuilder() {
        return toBuilder(env);
    }

    /** The same context with another environment (xennet.conf stays as read). */
    public Builder toBuilder(Map<String, String> otherEnv) {
        Builder b = new Builder(otherEnv);
        b.config = config;
        b.network = network;
        b.firewall = firewall;
        b.nftables = nftables;
        b.xenstore = xenstore;
        b.processes = processes;
        b.out = out;
        b.err = err;
        b.hostRoot = hostRoot;
        b.lockDir = lockDir;
        b.stateDir = stateDir;
        b.carrierWait = carrierWait;
        b.deadline = deadline;
        b.faults = faults;
        b.ovs = ovs;
        return b;
    }

    /** Builds a context; every part has a default that fails loudly or is the real thing. */
    public static final class Builder {
        private final Map<String, String> env;
        private Supplier<ConfigFile> config;
        private Supplier<Network> network = () -> {
            throw new XennetException("no network in this context");
        };
        private Supplier<Firewall> firewall = () -> {
            throw new XennetException("no firewall in this context");
        };
        private Supplier<Nftables> nftables = () -> {
            throw new XennetException("no nftables in this context");
        };
        private Supplier<XenStore> xenstore = () -> {
            throw new XennetException("no XenStore in this context");
        };
        private ProcessRunner processes = ProcessRunner.local();
        private PrintStream out = System.out;
        private PrintStream err = System.err;
        private Path hostRoot = Path.of("/");
        private Path lockDir = HotplugLock.DEFAULT_DIR;
        private Path stateDir = Path.of("/var/run/xennet");
        private Duration carrierWait = Duration.ofSeconds(10);
        private Deadline deadline = Deadline.NONE;
        private PlanRunner.FaultInjector faults;
        private Supplier<OpenVswitch> ovs = () -> {
            throw new XennetException("no Open vSwitch in this context");
        };

        private Builder(Map<String, String> env) {
            this.env = env;
            this.config = once(() -> ConfigFile.forEnv(env));
        }

        /** The file read at the first call, then kept: a call reads xennet.conf once at most. */
        private static Supplier<ConfigFile> once(Supplier<ConfigFile> load) {
            ConfigFile[] kept = {null};
            return () -> {
                if (kept[0] == null) {
                    kept[0] = load.get();
                }
                return kept[0];
            };
        }

        public Builder config(ConfigFile v) {
            config = () -> v;
            return this;
        }

        public Builder network(Supplier<Network> v) {
            network = v;
            return this;
        }

        public Builder firewall(Supplier<Firewall> v) {
            firewall = v;
            return this;
        }

        public Builder nftables(Supplier<Nftables> v) {
            nftables = v;
            return this;
        }

        public Builder xenstore(Supplier<XenStore> v) {
            xenstore = v;
            return this;
        }

        public Builder processes(ProcessRunner v) {
            processes = v;
            return this;
        }

        public Builder out(PrintStream v) {
            out = v;
            return this;
        }

        public Builder err(PrintStream v) {
            err = v;
            return this;
        }

        /** Output and errors to one stream. */
        public Builder output(PrintStream v) {
            out = v;
            err = v;
            return this;
        }

        public Builder hostRoot(Path v) {
            hostRoot = v;
            return this;
        }

        public Builder lockDir(Path v) {
            lockDir = v;
            return this;
        }

        public Builder stateDir(Path v) {
            stateDir = v;
            return this;
        }

        /** hostRoot = dir, lockDir = dir/lock, stateDir = dir/state: a test's own tree. */
        public Builder under(Path dir) {
            hostRoot = dir.resolve("root");
            lockDir = dir.resolve("lock");
            stateDir = dir.resolve("state");
            return this;
        }

        public Builder carrierWait(Duration v) {
            carrierWait = v;
            return this;
        }

        public Builder deadline(Deadline v) {
            deadline = v;
            return this;
        }

        public Builder faults(PlanRunner.FaultInjector v) {
            faults = v;
            return this;
        }

        public Builder ovs(Supplier<OpenVswitch> v) {
            ovs = v;
            return this;
        }

        public ScriptContext build() {
            return new ScriptContext(env, config, network, firewall, nftables, xenstore, processes, out, err, hostRoot,
                    lockDir, stateDir, carrierWait, deadline, faults, ovs);
        }
    }
}
