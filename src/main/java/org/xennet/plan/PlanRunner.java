// SPDX-License-Identifier: Apache-2.0
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

    /**
     * Called around each step that does something (silent steps are not counted: the index is
     * the number of such steps before this one); tests throw from it to inject a failure at that
     * point, or end the process there to show what a kill leaves behind.
     */
    @FunctionalInterface
    public interface FaultInjector {
        void beforeStep(int index, Step step);

        /** Before step {@code index} of {@code plan}; by default {@link #beforeStep(int, Step)}. */
        default void beforeStep(Plan plan, int index, Step step) {
            beforeStep(index, step);
        }

        /** After step {@code index} of {@code plan} did its work. */
        default void afterStep(Plan plan, int index, Step step) {
        }
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

    /** Where a plan's progress goes before each step, so that a process killed mid-plan can be undone by the next. */
    @FunctionalInterface
    public interface Journal {
        /** Step {@code index} is about to run; returns once that is on disk. */
        void begin(int index);
    }

    /** Runs the steps; returns how many ran. */
    public int run(Plan plan) {
        return run(plan, null);
    }

    /** Runs the steps, telling {@code journal} (when not null) before each; returns how many ran. */
    public int run(Plan plan, Journal journal) {
        if (dryRun) {
            out.print(plan.render());
            return 0;
        }
        Deque<Step> done = new ArrayDeque<>();
        int index = 0;
        int acting = 0; // the fault injector counts the steps that do something
        for (Step s : plan.steps()) {
            if (s.action() != null) {
                LOG.debug(() -> script + ": " + s.description());
            }
            if (journal != null) {
                try {
                    journal.begin(index);
                } catch (RuntimeException e) {
                    // without the record nothing could undo this step after a crash: do not take it
                    throw new PlanFailedException(s, e, rollback(done));
                }
            }
            boolean silent = s.action() == null; // nothing to do, nothing to fail
            int point = silent ? -1 : acting++;
            try {
                if (faults != null && !silent) {
                    faults.beforeStep(plan, point, s);
                }
                if (!silent) {
                    s.action().run();
                }
                done.push(s);
                if (faults != null && !silent) {
                    faults.afterStep(plan, point, s);
                }
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
