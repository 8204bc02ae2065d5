// SPDX-License-Identifier: Apache-2.0
package org.xennet.log;

import java.util.function.Supplier;

/**
 * One logger per class. Checks the configured threshold first and hands a message to log4j2 only
 * when it passes, so log4j2 (about 95 ms to start) is initialised only on a call that really
 * logs. A successful hotplug call at the default level never pays for it.
 */
public final class Log {
    private static volatile LogConfig config = new LogConfig(Level.INFO, null, false, "xennet");
    private static volatile Sink sink;

    private final String name;

    private Log(String name) {
        this.name = name;
    }

    public static Log get(Class<?> c) {
        return new Log(c.getName());
    }

    /** Installs the configuration; called once by main before any script runs. */
    public static void configure(LogConfig c) {
        config = c;
    }

    public static LogConfig config() {
        return config;
    }

    public boolean enabled(Level level) {
        return config.level().admits(level);
    }

    public void error(String msg) {
        log(Level.ERROR, msg, null);
    }

    public void error(String msg, Throwable t) {
        log(Level.ERROR, msg, t);
    }

    public void warn(String msg) {
        log(Level.WARN, msg, null);
    }

    public void info(String msg) {
        log(Level.INFO, msg, null);
    }

    public void debug(String msg) {
        log(Level.DEBUG, msg, null);
    }

    /** For messages that cost something to build. */
    public void debug(Supplier<String> msg) {
        if (enabled(Level.DEBUG)) {
            log(Level.DEBUG, msg.get(), null);
        }
    }

    private void log(Level level, String msg, Throwable t) {
        if (!enabled(level)) {
            return;
        }
        Sink s = sink;
        if (s == null) {
            synchronized (Log.class) {
                if (sink == null) {
                    sink = Log4jSink.start(config);
                }
                s = sink;
            }
        }
        s.write(name, level, msg, t);
    }

    /** Where messages that passed the threshold go. */
    public interface Sink {
        void write(String logger, Level level, String message, Throwable t);
    }
}
