// SPDX-License-Identifier: Apache-2.0
package org.xennet.log;

import java.util.Locale;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/** Log levels, in syslog's order of severity. */
public enum Level {
    ERROR(3), WARN(4), INFO(6), DEBUG(7);

    private final int syslogSeverity;

    Level(int syslogSeverity) {
        this.syslogSeverity = syslogSeverity;
    }

    public int syslogSeverity() {
        return syslogSeverity;
    }

    /** Whether a message at {@code message} level passes a threshold of this level. */
    public boolean admits(Level message) {
        return message.ordinal() <= ordinal();
    }

    public static Level parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "err": case "error": return ERROR;
            case "warn": case "warning": return WARN;
            case "info": case "notice": return INFO;
            case "debug": return DEBUG;
            default:
                throw new UsageException("invalid log level " + Printable.quote(s) + ": use error, warn, info or debug");
        }
    }
}
