// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

/**
 * One change: a description in the words of the equivalent command ({@code ip link set eth0
 * down}), what to do, how a failure counts, and, when it creates or changes something, how to
 * undo it. Undos are written to be idempotent and to check before they act (an interface that
 * is not there is not renamed), so that the same undo serves a rollback in this process, a stop,
 * and the recovery after a kill, when it is not known whether the step itself got to run.
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
    private final Policy undoPolicy;

    private Step(String description, Policy policy, Action action, String undoDescription, Action undo,
            Policy undoPolicy) {
        this.description = description;
        this.policy = policy;
        this.action = action;
        this.undoDescription = undoDescription;
        this.undo = undo;
        this.undoPolicy = undoPolicy;
    }

    public static Step required(String description, Action action) {
        return new Step(description, Policy.REQUIRED, action, null, null, Policy.REQUIRED);
    }

    public static Step bestEffort(String description, Action action) {
        return new Step(description, Policy.BEST_EFFORT, action, null, null, Policy.REQUIRED);
    }

    public static Step warn(String description, Action action) {
        return new Step(description, Policy.WARN, action, null, null, Policy.REQUIRED);
    }

    /** The same step with an undo, run in reverse order if a later required step fails. */
    public Step undoneBy(String undoDescription, Action undo) {
        return new Step(description, policy, action, undoDescription, undo, undoPolicy);
    }

    /** The same step with another policy. */
    public Step withPolicy(Policy p) {
        return new Step(description, p, action, undoDescription, undo, undoPolicy);
    }

    /**
     * How a failure of the undo counts when it runs as a step of its own, in the inverse of a plan
     * ({@link Plan#inverse}): clean-up (deleting what the plan created, putting a sysctl back) is
     * a warning there, since the host is already restored when it runs.
     */
    public Step undoPolicy(Policy p) {
        return new Step(description, policy, action, undoDescription, undo, p);
    }

    /**
     * This step turned around: the undo as the action, the action as its undo. A step without an
     * undo becomes a silent one, which does nothing and prints nothing, but does its original
     * work again if a later step of the inverse fails and the inverse is rolled back.
     */
    Step inverse() {
        if (undo == null) {
            return new Step(null, Policy.BEST_EFFORT, null, description, action, policy);
        }
        return new Step(undoDescription, undoPolicy, undo, description, action, policy);
    }

    /** The command this step equals; null for a silent step. */
    public String description() {
        return description;
    }

    public Policy policy() {
        return policy;
    }

    /** The work; null for a silent step. */
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
        return description == null ? "(nothing; " + undoDescription + " on rollback)" : description;
    }
}
