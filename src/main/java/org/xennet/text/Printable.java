// SPDX-License-Identifier: Apache-2.0
package org.xennet.text;

import java.nio.charset.StandardCharsets;

/**
 * Text from argv, the environment or XenStore made safe to show on a terminal, in a log line or
 * in XenStore's hotplug-error: control characters (C0, DEL and C1, which terminals read as escape
 * sequences) as {@code \xNN} or {@code \u0085}, a backslash doubled so the escapes stay
 * unambiguous, and long values cut with their full length stated, so one hostile value can
 * neither split a message into lines nor bury it.
 */
public final class Printable {
    /** Characters of a value shown in a message before it is cut. */
    public static final int SHOWN = 80;

    private Printable() {
    }

    /** Every control character escaped; nothing cut. */
    public static String of(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else if (c >= 0x80 && c <= 0x9f || c == 0x2028 || c == 0x2029) {
                b.append(String.format("\\u%04x", (int) c));
            } else if (c == '\\') {
                b.append("\\\\");
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Only the control characters escaped, backslashes left alone: a last guard on a message
     * whose quoted values are escaped already, before it reaches a terminal or XenStore.
     */
    public static String controls(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = c < 0x20 || c == 0x7f || c >= 0x80 && c <= 0x9f || c == 0x2028 || c == 0x2029;
            if (bad && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (!bad) {
                    b.append(c);
                } else if (c < 0x80) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** Escaped and cut to {@code max} characters; a cut value ends in "..." and says how long it was. */
    public static String cut(String s, int max) {
        String e = of(s);
        if (e.length() <= max) {
            return e;
        }
        int end = max;
        if (Character.isHighSurrogate(e.charAt(end - 1))) {
            end--;
        }
        return e.substring(0, end) + "... (" + s.getBytes(StandardCharsets.UTF_8).length + " bytes in all)";
    }

    /** A value as messages quote it: {@code 'value'}, escaped, cut at {@value #SHOWN} characters. */
    public static String quote(String s) {
        if (s == null) {
            return "(none)";
        }
        String e = of(s);
        if (e.length() <= SHOWN) {
            return "'" + e + "'";
        }
        int end = SHOWN;
        if (Character.isHighSurrogate(e.charAt(end - 1))) {
            end--;
        }
        return "'" + e.substring(0, end) + "...' (" + s.getBytes(StandardCharsets.UTF_8).length + " bytes)";
    }
}
