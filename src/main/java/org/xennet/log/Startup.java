// SPDX-License-Identifier: Apache-2.0
package org.xennet.log;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up phase timing for profiling the hot path: with {@code XENNET_PROFILE=1} each phase's
 * time since the JVM started is printed on stderr at exit. Off by default, when a mark costs one
 * field read.
 */
public final class Startup {
    private static volatile boolean enabled;
    private static final List<String> MARKS = new ArrayList<>();
    private static final Map<String, Long> SPENT = new LinkedHashMap<>();
    private static long jvmStart;

    private Startup() {
    }

    /** Called by main with the environment. */
    public static void init(boolean on) {
        enabled = on;
        if (on) {
            jvmStart = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
            mark("main");
        }
    }

    public static void mark(String phase) {
        if (enabled) {
            synchronized (MARKS) {
                MARKS.add(phase + " " + (System.currentTimeMillis() - jvmStart));
            }
        }
    }

    /** The start of a span of work to add to a total ({@link #spent}); 0 when profiling is off. */
    public static long clock() {
        return enabled ? System.nanoTime() : 0;
    }

    /**
     * Adds the time since {@code start} (from {@link #clock}) to the total of {@code what}, which
     * the report prints as {@code what N.NNN ms}: for work spread over a call, such as the firewall's
     * (choosing the backend, reading the rules, applying them).
     */
    public static void spent(String what, long start) {
        if (enabled) {
            long d = System.nanoTime() - start;
            synchronized (MARKS) {
                SPENT.merge(what, d, Long::sum);
            }
        }
    }

    /** Prints "phase ms-since-JVM-start" lines, then the total. */
    public static void report(PrintStream err) {
        if (!enabled) {
            return;
        }
        mark("exit");
        synchronized (MARKS) {
            for (String m : MARKS) {
                err.println("xennet profile: " + m + " ms");
            }
            SPENT.forEach((what, nanos) -> err.println("xennet profile: " + what + " total "
                    + String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e6) + " ms"));
        }
    }
}
