// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.error.XennetException;

/** Plan/apply with rollback. */
@Tag("ops")
class PlanRunnerTest {
    private final List<String> log = new ArrayList<>();

    private Step step(String name) {
        return Step.required(name, () -> log.add(name)).undoneBy("undo " + name, () -> log.add("undo " + name));
    }

    private static Step failing(String name) {
        return Step.required(name, () -> {
            throw new XennetException(name + " failed");
        });
    }

    @Test
    void runsEveryStepInOrder() {
        Plan p = new Plan("t").add(step("a")).add(step("b"));
        assertEquals(2, new PlanRunner("t").run(p));
        assertEquals(List.of("a", "b"), log);
    }

    @Test
    void aRequiredFailureUndoesWhatRanInReverseThenReportsTheOriginalError() {
        Plan p = new Plan("t").add(step("a")).add(Step.required("no undo", () -> log.add("no undo")))
                .add(step("b")).add(failing("c")).add(step("d"));
        PlanFailedException e = assertThrows(PlanFailedException.class, () -> new PlanRunner("t").run(p));
        assertEquals("c failed", e.getMessage());
        assertEquals("c", e.step().description());
        assertEquals(List.of("a", "no undo", "b", "undo b", "undo a"), log);
    }

    @Test
    void bestEffortAndWarnFailuresDoNotStopThePlan() {
        Plan p = new Plan("t").add(step("a")).add(Step.bestEffort("x", () -> {
            throw new XennetException("x");
        })).add(Step.warn("y", () -> {
            throw new XennetException("y");
        })).add(step("b"));
        new PlanRunner("t").run(p);
        assertEquals(List.of("a", "b"), log);
    }

    @Test
    void anUndoThatFailsIsReportedAfterTheOriginalError() {
        Plan p = new Plan("t").add(Step.required("a", () -> log.add("a")).undoneBy("ip link del a", () -> {
            throw new XennetException("gone");
        })).add(failing("b"));
        PlanFailedException e = assertThrows(PlanFailedException.class, () -> new PlanRunner("t").run(p));
        assertEquals("b failed; rollback incomplete: ip link del a: gone", e.getMessage());
        assertEquals(List.of("ip link del a: gone"), e.undoFailures());
    }

    @Test
    void aDryRunPrintsThePlanAndRunsNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Plan p = new Plan("t").add(step("ip link add xenbr0 type bridge")).add(Step.bestEffort("ip link set x up",
                () -> log.add("x")));
        new PlanRunner("t", true, new PrintStream(out, true, StandardCharsets.UTF_8), null).run(p);
        assertEquals("ip link add xenbr0 type bridge\nip link set x up   # errors ignored\n",
                out.toString(StandardCharsets.UTF_8));
        assertTrue(log.isEmpty());
    }

    @Test
    void aFaultInjectedAtEveryStepLeavesNothingBehind() {
        int steps = 4;
        for (int k = 0; k < steps; k++) {
            log.clear();
            List<String> state = new ArrayList<>();
            Plan p = new Plan("t");
            for (int i = 0; i < steps; i++) {
                String n = "s" + i;
                p.add(Step.required(n, () -> state.add(n)).undoneBy("undo " + n, () -> state.remove(n)));
            }
            int at = k;
            assertThrows(PlanFailedException.class, () -> new PlanRunner("t", false, System.out, (i, s) -> {
                if (i == at) {
                    throw new XennetException("injected at " + i);
                }
            }).run(p));
            assertEquals(List.of(), state, "fault at step " + k);
        }
    }

    @Test
    void theInverseUndoesTheStepsThatRanLastFirstAndItsRollbackRedoesThem() {
        Plan p = new Plan("t").add(step("a")).add(Step.required("b", () -> log.add("b"))).add(step("c"));
        Plan inv = p.inverse("t back", 3);
        assertEquals("undo c\nundo a\n", inv.render(), "a step without an undo is silent");
        new PlanRunner("t").run(inv);
        assertEquals(List.of("undo c", "undo a"), log);
        log.clear();
        new PlanRunner("t").run(p.inverse("t back", 2));
        assertEquals(List.of("undo a"), log, "only the steps that had begun");
        log.clear();
        Plan failing = p.inverse("t back", 3).add(failing("x"));
        assertThrows(PlanFailedException.class, () -> new PlanRunner("t").run(failing));
        assertEquals(List.of("undo c", "undo a", "a", "b", "c"), log, "the failed inverse does the plan again");
    }

    @Test
    void theJournalHearsOfEachStepBeforeItRunsAndItsFailureStopsThePlan() {
        List<Integer> journal = new ArrayList<>();
        Plan p = new Plan("t").add(step("a")).add(step("b")).add(step("c"));
        new PlanRunner("t").run(p, i -> {
            journal.add(i);
            log.add("journal " + i);
        });
        assertEquals(List.of(0, 1, 2), journal);
        assertEquals(List.of("journal 0", "a", "journal 1", "b", "journal 2", "c"), log);
        log.clear();
        assertThrows(PlanFailedException.class, () -> new PlanRunner("t").run(p, i -> {
            if (i == 2) {
                throw new XennetException("disk full");
            }
        }));
        assertEquals(List.of("a", "b", "undo b", "undo a"), log, "no step is taken that the journal could not record");
    }
}
