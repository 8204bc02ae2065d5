package org.xennet.plan;

/**
 * One change: a description in the words of the equivalent command ({@code ip link set eth0
 * down}), what to do, how a failure counts, and, when it creates or changes something, how to
 * undo it.
 */
public final class Step {
    /** How a failure of this step counts. */
    public enum Policy {
        /** The shell's {@code do_or_die}: a failure undoes this run and fails the call. */
        REQUIRED,
        /** The shell's {@code do_without_error}: a failure is logged at debug and ignored. */
        BEST_EFFORT,
        /** A failure is logged as a warning and the run goes on. */
        WARN
    }

    /** Work that may fail with an exception. */
    @FunctionalInterface
    public interface Action {
        void run();
    }

    private final String description;
    private final Policy policy;
    private final Action action;
    private final String undoDescription;
    private final Action undo;

    private Step(String description, Policy policy, Action action, String undoDescription, Action undo) {
        this.description = description;
        this.policy = policy;
        this.action = action;
        this.undoDescription = undoDescription;
        this.undo = undo;
    }

    public static Step required(String description, Action action) {
        return new Step(description, Policy.REQUIRED, action, null, null);
    }

    public static Step bestEffort(String description, Action action) {
        return new Step(description, Policy.BEST_EFFORT, action, null, null);
    }

    public static Step warn(String description, Action action) {
        return new Step(description, Policy.WARN, action, null, null);
    }

    /** The same step with an undo, run in reverse order if a later required step fails. */
    public Step undoneBy(String undoDescription, Action undo) {
        return new Step(description, policy, action, undoDescription, undo);
    }

    public String description() {
        return description;
    }

    public Policy policy() {
        return policy;
    }

    public Action action() {
        return action;
    }

    public String undoDescription() {
        return undoDescription;
    }

    public Action undo() {
        return undo;
    }

    @Override
    public String toString() {
        return description;
    }
}
