package org.xennet.log;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up phase timing for profiling the hot path: with {@code XENNET_PROFILE=1} each phase's
 * time since the JVM started is printed on stderr at exit. Off by default, when a mark costs one
 * field read.
 */
public final class Startup {
    private static volatile boolean enabled;
    private static final List<String> MARKS = new ArrayList<>();
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
        }
    }
}
