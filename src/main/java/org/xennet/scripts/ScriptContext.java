package org.xennet.scripts;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.xennet.net.Network;
import org.xennet.plan.PlanRunner;

/**
 * What a script gets from the outside world, injected so that tests run scripts in-process
 * against fakes: the environment map (never System.getenv below main), the network, output
 * streams, the lock and state directories, and an optional fault injector for the plan runner.
 */
public record ScriptContext(Map<String, String> env, Supplier<Network> network, PrintStream out, PrintStream err,
        Path lockDir, Path stateDir, PlanRunner.FaultInjector faults) {

    public PlanRunner runner(String script, boolean dryRun) {
        return new PlanRunner(script, dryRun, out, faults);
    }
}
