// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

/** One of Xen's network scripts. */
public interface Script {
    ScriptSpec spec();

    /**
     * Runs a command whose arguments were already checked against {@link #spec()}.
     *
     * @return the exit status (0 success or nothing to do)
     */
    int run(String command, Params params, boolean dryRun, ScriptContext ctx);

    /**
     * The call was refused or failed with {@code message} before {@link #run} could report it
     * itself (bad arguments, a bad variable): a script whose caller waits for an answer elsewhere
     * tells it there (the vif scripts write hotplug-error for libxl). {@code command} may be null.
     */
    default void refused(String command, Params params, String message, ScriptContext ctx) {
    }
}
