// SPDX-License-Identifier: Apache-2.0
package org.xennet.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child processes with a real deadline: hung, flooding and forking children, against real processes. */
@Tag("ops")
class LocalProcessRunnerTest {
    @TempDir
    Path tmp;

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aProgramThatHangsIsKilledAtItsLimitWithAClearError() {
        long t0 = System.nanoTime();
        ProcessTimeoutException e = assertThrows(ProcessTimeoutException.class,
                () -> ProcessRunner.local().run(List.of("sleep", "600"), Map.of(), Duration.ofMillis(500)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 5_000, "ended after " + ms + " ms");
        assertTrue(e.getMessage().startsWith("sleep 600: no answer within 500 ms") || e.getMessage()
                .startsWith("sleep 600: no answer within 0.5 s"), e.getMessage());
        assertTrue(e.getMessage().contains("killed it and its process group"), e.getMessage());
    }

    @Test
    void whatTheProgramStartedIsKilledWithIt() throws Exception {
        Path pidFile = tmp.resolve("grandchild.pid");
        // a hook that starts a background helper and then hangs
        assertThrows(ProcessTimeoutException.class, () -> ProcessRunner.local().run(List.of("bash", "-c",
                "sleep 600 & echo $! > " + pidFile + "; sleep 600"), Map.of(), Duration.ofMillis(800)));
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        for (int i = 0; i < 50 && alive(grandchild); i++) {
            Thread.sleep(50);
        }
        assertTrue(!alive(grandchild), "the background sleep " + grandchild + " is gone too");
    }

    @Test
    void aProgramFloodingStderrWhileStdoutIsFullDoesNotDeadlockAndCostsNoMemory() {
        // 20 MB on each stream at once: the old runner read stdout to EOF first and hung here
        ProcessRunner.Result r = ProcessRunner.local().run(List.of("bash", "-c",
                "head -c 20000000 /dev/zero | tr '\\0' e >&2 & head -c 20000000 /dev/zero | tr '\\0' o; wait; exit 3"),
                Map.of(), Duration.ofSeconds(60));
        assertEquals(3, r.status());
        assertTrue(r.stdout().startsWith("oooo"), r.stdout().substring(0, 10));
        assertTrue(r.stdout().length() < LocalProcessRunner.KEEP + 100, "kept " + r.stdout().length());
        assertTrue(r.stdout().endsWith("[" + (20_000_000 - LocalProcessRunner.KEEP) + " more bytes not kept]"),
                r.stdout().substring(r.stdout().length() - 60));
        assertTrue(r.stderr().startsWith("eeee"));
    }

    @Test
    void theCallsBudgetCapsEachRun() {
        Deadline d = Deadline.in(Duration.ofMillis(300));
        long t0 = System.nanoTime();
        assertThrows(ProcessTimeoutException.class,
                () -> ProcessRunner.local(d).run(List.of("sleep", "600"), Map.of(), Duration.ofSeconds(30)));
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
        ProcessTimeoutException e = assertThrows(ProcessTimeoutException.class,
                () -> ProcessRunner.local(d).run(List.of("true"), Map.of(), Duration.ofSeconds(30)));
        assertTrue(e.getMessage().contains("budget is used up"), e.getMessage());
    }

    @Test
    void outputEnvironmentAndStatusComeBackAndStdinIsEmpty() {
        ProcessRunner.Result r = ProcessRunner.local().run(List.of("bash", "-c", "cat; echo \"$XN_T\"; echo err >&2; exit 4"),
                Map.of("XN_T", "v a l"), Duration.ofSeconds(10));
        assertEquals(4, r.status());
        assertEquals("v a l\n", r.stdout());
        assertEquals("err\n", r.stderr());
    }
}
