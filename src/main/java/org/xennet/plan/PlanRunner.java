package org.xennet.plan;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.xennet.log.Log;

/**
 * Runs a plan. A required step that fails undoes what this run did, in reverse order, then the
 * original error is thrown. Only steps that ran carry their undo, so nothing this run did not
 * create is ever deleted or renamed. A dry run prints the plan and touches nothing.
 */
public final class PlanRunner {
    private static final Log LOG = Log.get(PlanRunner.class);

    /** Called before each step; tests throw from it to inject a failure at that point. */
    @FunctionalInterface
    public interface FaultInjector {
        void beforeStep(int index, Step step);
    }

    private final String script;
    private final boolean dryRun;
    private final PrintStream out;
    private final FaultInjector faults;

    public PlanRunner(String script, boolean dryRun, PrintStream out, FaultInjector faults) {
        this.script = script;
        this.dryRun = dryRun;
        this.out = out;
        this.faults = faults;
    }

    public PlanRunner(String script) {
        this(script, false, System.out, null);
    }

    /** Runs the steps; returns how many ran. */
    public int run(Plan plan) {
        if (dryRun) {
            out.print(plan.render());
            return 0;
        }
        Deque<Step> done = new ArrayDeque<>();
        int index = 0;
        for (Step s : plan.steps()) {
            LOG.debug(() -> script + ": " + s.description());
            try {
                if (faults != null) {
                    faults.beforeStep(index, s);
                }
                s.action().run();
                done.push(s);
            } catch (RuntimeException e) {
                switch (s.policy()) {
                    case BEST_EFFORT:
                        LOG.debug(() -> script + ": " + s.description() + " failed (ignored): " + e.getMessage());
                        break;
                    case WARN:
                        LOG.warn(script + ": " + s.description() + " failed: " + e.getMessage());
                        break;
                    default:
                        List<String> undoFailures = rollback(done);
                        throw new PlanFailedException(s, e, undoFailures);
                }
            }
            index++;
        }
        return index;
    }

    private List<String> rollback(Deque<Step> done) {
        List<String> failures = new ArrayList<>();
        while (!done.isEmpty()) {
            Step s = done.pop();
            if (s.undo() == null) {
                continue;
            }
            LOG.debug(() -> script + ": undo: " + s.undoDescription());
            try {
                s.undo().run();
            } catch (RuntimeException e) {
                failures.add(s.undoDescription() + ": " + e.getMessage());
                LOG.error(script + ": undo failed: " + s.undoDescription() + ": " + e.getMessage());
            }
        }
        return failures;
    }
}
