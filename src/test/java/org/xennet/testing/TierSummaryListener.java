// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, at the end of a run, how many tests of each tier (JUnit tag) passed, failed and were
 * skipped, with every skip reason (a missing kernel module is named there), and appends the same
 * lines to target/tier-summary.txt for .ci/run to check that the system tiers really ran.
 */
public final class TierSummaryListener implements TestExecutionListener {
    private final Map<String, int[]> counts = new TreeMap<>();
    private final Set<String> skipReasons = new TreeSet<>();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    private String tier(TestIdentifier id) {
        TestIdentifier cur = id;
        while (cur != null) {
            for (TestTag t : cur.getTags()) {
                return t.getName();
            }
            cur = plan.getParent(cur).orElse(null);
        }
        return "untagged";
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            counts.computeIfAbsent(tier(id), k -> new int[3])[2]++;
            skipReasons.add(tier(id) + ": " + reason);
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (!id.isTest()) {
            return;
        }
        int[] c = counts.computeIfAbsent(tier(id), k -> new int[3]);
        switch (result.getStatus()) {
            case SUCCESSFUL:
                c[0]++;
                break;
            case ABORTED:
                c[2]++;
                skipReasons.add(tier(id) + ": " + result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
                break;
            default:
                c[1]++;
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (counts.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        // The native run of the *IT tests (-Dxennet.executable) is counted apart: "tier cli (native): ..."
        String run = System.getProperty("xennet.executable", "").isEmpty() ? "" : " (native)";
        counts.forEach((tier, c) -> b.append("tier ").append(tier).append(run).append(": ").append(c[0]).append(" passed, ")
                .append(c[1]).append(" failed, ").append(c[2]).append(" skipped\n"));
        for (String r : skipReasons) {
            b.append("  skipped ").append(r).append('\n');
        }
        System.out.print("\n" + b);
        String dir = System.getProperty("xennet.project.dir");
        if (dir != null) {
            try {
                Files.writeString(Path.of(dir, "target", "tier-summary.txt"), b.toString(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.out.println("cannot write tier summary: " + e);
            }
        }
    }
}
