// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.nio.file.Path;
import java.util.function.Supplier;
import org.xennet.log.Log;
import org.xennet.plan.Plan;
import org.xennet.plan.PlanFailedException;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.bridge.StateRecord.Phase;

/**
 * What network-bridge's two state records (the Linux bridge's {@link StateRecord}, Open vSwitch's
 * {@link OvsStateRecord}) share: enough to take a start back the same crash-safe way for both.
 */
interface BridgeRecord {
    Phase phase();

    int step();

    String bridge();

    String netdev();

    boolean interrupted();

    BridgeRecord withPhase(Phase p, int s);

    void write(Path file);

    /**
     * Takes back what {@code r}'s start did with the plan {@code stop} makes: the record marked
     * STOPPING on disk before the first change, the plan run, the record written back as it was
     * when the stop was rolled back (the bridge is up as before), and what was done said on
     * stdout. {@code file} is null for a record derived from the interfaces.
     */
    static int takeBack(BridgeRecord r, Path file, boolean dryRun, ScriptContext ctx, Log log, Supplier<Plan> stop) {
        String what = r.phase() == Phase.STARTING ? "the interrupted start of " + r.bridge()
                : r.phase() == Phase.STOPPING ? "the interrupted stop of " + r.bridge() : r.bridge();
        if (r.interrupted() && !dryRun) {
            log.warn("network-bridge: state record " + file + " shows " + what + " (step " + r.step()
                    + "); taking it back");
        }
        Plan plan = stop.get();
        if (!dryRun && file != null && r.phase() == Phase.STARTED) {
            r.withPhase(Phase.STOPPING, r.step()).write(file);
        }
        try {
            ctx.runner("network-bridge", dryRun).run(plan);
        } catch (PlanFailedException e) {
            if (file != null && r.phase() == Phase.STARTED && e.undoFailures().isEmpty()) {
                r.write(file); // the stop was rolled back: the bridge is up as before
            }
            throw e;
        }
        if (!dryRun) {
            ctx.out().println("network-bridge: " + (r.phase() == Phase.STARTED ? r.bridge() + " stopped"
                    : what + " taken back") + "; " + r.netdev() + " restored");
        }
        return ExitCodes.OK;
    }
}
