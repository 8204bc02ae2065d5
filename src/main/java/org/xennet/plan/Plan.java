// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An ordered list of steps, built from a diff of current and wanted state, run by a {@link PlanRunner}. */
public final class Plan {
    private final String name;
    private final List<Step> steps = new ArrayList<>();

    public Plan(String name) {
        this.name = name;
    }

    public Plan add(Step step) {
        steps.add(step);
        return this;
    }

    public Plan addAll(List<Step> more) {
        steps.addAll(more);
        return this;
    }

    public String name() {
        return name;
    }

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /**
     * The plan that undoes the first {@code count} steps of this one: their undos, last first.
     * It is what a failure rolls back, and it is also how a finished plan is taken back later
     * (network-bridge stop is the inverse of start) and how a plan cut short by a kill is taken
     * back by the next process: undos check before they act, so it does not matter whether the
     * last step had run. Its own rollback does the original steps again.
     */
    public Plan inverse(String inverseName, int count) {
        Plan p = new Plan(inverseName);
        for (int i = Math.min(count, steps.size()) - 1; i >= 0; i--) {
            p.add(steps.get(i).inverse());
        }
        return p;
    }

    /** The plan as the equivalent commands, one per line; silent steps print nothing. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            if (s.description() == null) {
                continue;
            }
            b.append(s.description());
            if (s.policy() == Step.Policy.BEST_EFFORT) {
                b.append("   # errors ignored");
            }
            b.append('\n');
        }
        return b.toString();
    }
}
