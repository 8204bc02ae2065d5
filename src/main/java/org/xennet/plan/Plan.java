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

    public String name() {
        return name;
    }

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** The plan as the equivalent commands, one per line. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            b.append(s.description());
            if (s.policy() == Step.Policy.BEST_EFFORT) {
                b.append("   # errors ignored");
            }
            b.append('\n');
        }
        return b.toString();
    }
}
