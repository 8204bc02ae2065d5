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
}
