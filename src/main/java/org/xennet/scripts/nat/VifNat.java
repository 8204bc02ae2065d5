package org.xennet.scripts.nat;

import org.xennet.error.XennetException;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;

/** {@code vif-nat}: being written; refuses clearly until then. */
public final class VifNat implements Script {
    private final ScriptSpec spec = Scripts.spec("vif-nat").orElseThrow();

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        throw new XennetException("vif-nat " + command + ": not implemented yet in this version of xennet (see README, "
                + "'What is not done'); nothing was changed");
    }
}
