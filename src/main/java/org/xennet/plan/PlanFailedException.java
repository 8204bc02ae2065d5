// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import java.util.List;
import org.xennet.error.XennetException;

/**
 * A required step failed. The message is the step's own error; what the rollback could not undo
 * is listed after it, because then a person has to look.
 */
public class PlanFailedException extends XennetException {
    private static final long serialVersionUID = 1L;

    private final transient Step step;
    private final List<String> undoFailures;

    public PlanFailedException(Step step, RuntimeException cause, List<String> undoFailures) {
        super(message(cause, undoFailures), cause);
        this.step = step;
        this.undoFailures = List.copyOf(undoFailures);
    }

    private static String message(RuntimeException cause, List<String> undoFailures) {
        String m = cause.getMessage();
        if (undoFailures.isEmpty()) {
            return m;
        }
        return m + "; rollback incomplete: " + String.join("; ", undoFailures);
    }

    public Step step() {
        return step;
    }

    public List<String> undoFailures() {
        return undoFailures;
    }
}
