// SPDX-License-Identifier: Apache-2.0
package org.xennet.log;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.filter.ThresholdFilter;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.xennet.jna.UnixDatagram;

/**
 * The log4j2 backend, configured in code (no configuration file search, no plugin scan of the
 * class path beyond log4j-core's own index): the hotplug log file that Xen's scripts append their
 * stderr to, and syslog facility daemon through /dev/log, tagged with the script's name.
 */
final class Log4jSink implements Log.Sink {
    private final LogConfig config;

    private Log4jSink(LogConfig config) {
        this.config = config;
    }

    static Log4jSink start(LogConfig c) {
        System.setProperty("log4j2.disableJmx", "true");
        System.setProperty("log4j2.is.webapp", "false");
        Configurator.initialize(new Config(c));
        return new Log4jSink(c);
    }

    @Override
    public void write(String logger, Level level, String message, Throwable t) {
        Logger l = LogManager.getLogger(logger);
        l.log(toLog4j(level), message, t);
    }

    static org.apache.logging.log4j.Level toLog4j(Level l) {
        switch (l) {
            case ERROR: return org.apache.logging.log4j.Level.ERROR;
            case WARN: return org.apache.logging.log4j.Level.WARN;
            case INFO: return org.apache.logging.log4j.Level.INFO;
            default: return org.apache.logging.log4j.Level.DEBUG;
        }
    }

    private static final class Config extends AbstractConfiguration {
        private final LogConfig c;

        Config(LogConfig c) {
            super(null, ConfigurationSource.NULL_SOURCE);
            this.c = c;
            setName("xennet");
        }

        @Override
        protected void doConfigure() {
            PatternLayout layout = PatternLayout.newBuilder().withConfiguration(this)
                    .withPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} " + c.tag() + "[%pid] %-5level %c{1}: %msg%n%throwable")
                    .build();
            LoggerConfig root = getRootLogger();
            root.setLevel(toLog4j(c.level()));
            boolean any = false;
            if (c.fileWritable()) {
                Appender file = FileAppender.newBuilder().setConfiguration(this).setName("hotplug-log")
                        .withFileName(c.file()).withAppend(true).withImmediateFlush(true).setLayout(layout)
                        .build();
                if (file != null) {
                    file.start();
                    addAppender(file);
                    root.addAppender(file, null, null);
                    any = true;
                }
            }
            if (c.syslog() && Files.exists(Path.of(DevLogAppender.DEV_LOG))) {
                Appender sys = new DevLogAppender(c.tag());
                sys.start();
                addAppender(sys);
                root.addAppender(sys, null, null);
                any = true;
            }
            if (!any) {
                // Neither the hotplug log nor syslog can be reached: warnings and debug go to stderr.
                // Errors are not repeated there, the command line already printed them.
                Appender err = ConsoleAppender.newBuilder().setConfiguration(this).setName("stderr")
                        .setTarget(ConsoleAppender.Target.SYSTEM_ERR).setLayout(layout)
                        .setFilter(ThresholdFilter.createFilter(org.apache.logging.log4j.Level.ERROR,
                                Filter.Result.DENY, Filter.Result.NEUTRAL))
                        .build();
                err.start();
                addAppender(err);
                root.addAppender(err, null, null);
            }
        }
    }

    /** RFC 3164 messages to the local syslog socket, facility daemon. */
    static final class DevLogAppender extends AbstractAppender {
        static final String DEV_LOG = "/dev/log";
        private static final int FACILITY_DAEMON = 3;
        private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
        private final String tag;
        private final long pid = ProcessHandle.current().pid();

        DevLogAppender(String tag) {
            super("syslog", (Filter) null, null, true, Property.EMPTY_ARRAY);
            this.tag = tag;
        }

        @Override
        public void append(LogEvent event) {
            Level l = Level.valueOf(event.getLevel().name().equals("FATAL") ? "ERROR"
                    : event.getLevel().name().equals("TRACE") ? "DEBUG" : event.getLevel().name());
            String line = "<" + (FACILITY_DAEMON * 8 + l.syslogSeverity()) + ">" + LocalDateTime.now().format(STAMP)
                    + " " + tag + "[" + pid + "]: " + event.getMessage().getFormattedMessage();
            UnixDatagram.sendQuietly(DEV_LOG, line.getBytes(StandardCharsets.UTF_8));
        }
    }
}
