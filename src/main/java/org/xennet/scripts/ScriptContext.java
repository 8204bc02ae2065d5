package org.xennet.scripts;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.xennet.firewall.Firewall;
import org.xennet.lock.HotplugLock;
import org.xennet.net.Network;
import org.xennet.plan.PlanRunner;
import org.xennet.xenstore.XenStore;

/**
 * What a script gets from the outside world, injected so that tests run scripts in-process
 * against fakes or against a namespace: the environment map (never System.getenv below main),
 * the network, the firewall and XenStore, output streams, the host's file tree (for /proc/mounts and the
 * network managers' state under /run), the lock and state directories, how long to wait for a
 * physical link, and an optional fault injector for the plan runner.
 */
public record ScriptContext(Map<String, String> env, Supplier<Network> network, Supplier<Firewall> firewall,
        Supplier<XenStore> xenstore, PrintStream out, PrintStream err, Path hostRoot, Path lockDir, Path stateDir, Duration carrierWait,
        PlanRunner.FaultInjector faults) {

    public PlanRunner runner(String script, boolean dryRun) {
        return new PlanRunner(script, dryRun, out, faults);
    }

    /** A path of the host's file tree, e.g. {@code host("proc/mounts")}. */
    public Path host(String relative) {
        return hostRoot.resolve(relative);
    }

    /**
     * Runs {@code body} holding the hotplug lock {@code name} (waiting at most a minute), or
     * without it for a dry run, which changes nothing.
     */
    public int locked(String name, boolean dryRun, IntSupplier body) {
        if (dryRun) {
            return body.getAsInt();
        }
        try (HotplugLock l = HotplugLock.claim(lockDir, name, Duration.ofSeconds(60))) {
            return body.getAsInt();
        }
    }

    public ScriptContext withFaults(PlanRunner.FaultInjector f) {
        return new ScriptContext(env, network, firewall, xenstore, out, err, hostRoot, lockDir, stateDir, carrierWait,
                f);
    }
}
