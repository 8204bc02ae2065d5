// SPDX-License-Identifier: Apache-2.0
package org.xennet.text;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON xennet prints ({@code --json}): maps (in their iteration order, so a LinkedHashMap
 * gives a stable key order), lists, strings, numbers, booleans and null, two-space indented,
 * one key per line, so that the output diffs well and reads with jq or a person. Strings are
 * escaped per RFC 8259; everything outside printable ASCII is written as a \\u escape, so the
 * output is ASCII whatever an interface or XenStore value holds.
 */
public final class Json {
    private Json() {
    }

    /** The value as a JSON text ending in a newline. */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, "");
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, String indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            string(b, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            String inner = indent + "  ";
            b.append("{\n");
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                b.append(inner);
                string(b, String.valueOf(e.getKey()));
                b.append(": ");
                write(b, e.getValue(), inner);
                b.append(it.hasNext() ? ",\n" : "\n");
            }
            b.append(indent).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            String inner = indent + "  ";
            b.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                b.append(inner);
                write(b, l.get(i), inner);
                b.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            b.append(indent).append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
