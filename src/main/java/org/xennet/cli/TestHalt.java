// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.util.Map;
import org.xennet.jna.Signals;
import org.xennet.plan.Plan;
import org.xennet.plan.PlanRunner;
import org.xennet.plan.Step;

/**
 * A test hook that kills the process with SIGKILL at one step of one plan, to show what a kill
 * there leaves behind and that the recovery an operator would run puts the host back. Set by
 * {@code XENNET_TEST_HALT=PLAN:before|after:N}, e.g. {@code network-bridge start:after:7} (the
 * plan's name as its dry run prints it); absent, nothing happens. Only the environment of the
 * call can set it, which is root's (the toolstack's) to give.
 */
final class TestHalt implements PlanRunner.FaultInjector {
    private final String plan;
    private final boolean after;
    private final int index;

    private TestHalt(String plan, boolean after, int index) {
        this.plan = plan;
        this.after = after;
        this.index = index;
    }

    static TestHalt from(Map<String, String> env) {
        String v = env.get("XENNET_TEST_HALT");
        if (v == null) {
            return null;
        }
        String[] f = v.split(":");
        if (f.length != 3 || !(f[1].equals("before") || f[1].equals("after")) || !f[2].matches("[0-9]{1,4}")) {
            return null;
        }
        return new TestHalt(f[0], f[1].equals("after"), Integer.parseInt(f[2]));
    }

    @Override
    public void beforeStep(int i, Step step) {
    }

    @Override
    public void beforeStep(Plan p, int i, Step step) {
        if (!after && i == index && p.name().equals(plan)) {
            halt();
        }
    }

    @Override
    public void afterStep(Plan p, int i, Step step) {
        if (after && i == index && p.name().equals(plan)) {
            halt();
        }
    }

    private static void halt() {
        System.out.flush();
        Signals.killSelf();
        Runtime.getRuntime().halt(137);
    }
}
