// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as ovsdb-server speaks it (RFC 7047 over RFC 8259): parsed into {@code Map} (key order
 * kept), {@code List}, {@code String}, {@code Long} (integers), {@code Double} (reals),
 * {@code Boolean} and {@link #NULL}; written compact, one value per message. Strict: a
 * malformed message is an {@link OvsdbFormatException}, never a guess. Also finds where one
 * message ends in a stream, since ovsdb-server sends them back to back with no framing.
 */
public final class OvsdbJson {
    /** JSON's null, so that a map can hold it and a missing key stays distinct. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Messages are at most this long; anything longer is a broken or hostile peer. */
    public static final int MAX_MESSAGE = 64 << 20;

    private static final int MAX_DEPTH = 128;

    private OvsdbJson() {
    }

    // ---------------------------------------------------------------- writing

    /** The value as compact JSON. Accepts what {@link #parse} returns, plus Integer. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null || v == NULL) {
            b.append("null");
        } else if (v instanceof String s) {
            string(b, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new IllegalArgumentException("not a JSON number: " + d);
            }
            b.append(d);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
                if (it.hasNext()) {
                    b.append(',');
                }
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(b, l.get(i));
            }
            b.append(']');
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
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    // ---------------------------------------------------------------- framing

    /**
     * Where the first complete JSON value in {@code buf[0..len)} ends (the index after it), or -1
     * when it is not complete yet. Only objects and arrays are framed (JSON-RPC messages are
     * objects); leading whitespace is allowed.
     *
     * @throws OvsdbFormatException when the stream cannot be a JSON-RPC message
     */
    public static int frameEnd(byte[] buf, int len) {
        int depth = 0;
        boolean inString = false;
        boolean escape = false;
        for (int i = 0; i < len; i++) {
            byte c = buf[i];
            if (inString) {
                if (escape) {
                    escape = false;
                } else if (c == '\\') {
                    escape = true;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> {
                    if (depth == 0) {
                        throw new OvsdbFormatException("a message starts with a string, not an object");
                    }
                    inString = true;
                }
                case '{', '[' -> {
                    if (++depth > MAX_DEPTH) {
                        throw new OvsdbFormatException("nested deeper than " + MAX_DEPTH);
                    }
                }
                case '}', ']' -> {
                    if (--depth == 0) {
                        return i + 1;
                    }
                    if (depth < 0) {
                        throw new OvsdbFormatException("unbalanced '" + (char) c + "'");
                    }
                }
                case ' ', '\t', '\n', '\r' -> {
                }
                default -> {
                    if (depth == 0) {
                        throw new OvsdbFormatException("a message starts with '" + (char) (c & 0xff) + "', not an object");
                    }
                }
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- parsing

    /** One JSON text (whitespace around it allowed, nothing else). */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != text.length()) {
            throw p.error("text after the value");
        }
        return v;
    }

    public static Object parse(byte[] utf8, int off, int len) {
        return parse(new String(utf8, off, len, StandardCharsets.UTF_8));
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        OvsdbFormatException error(String what) {
            return new OvsdbFormatException(what + " at offset " + pos);
        }

        void ws() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
            if (pos >= s.length()) {
                throw error("end of input where a value was expected");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return NULL;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected '" + c + "'");
            }
        }

        void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
        }

        Map<String, Object> object(int depth) {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++; // {
            ws();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                ws();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String k = string();
                ws();
                if (peek() != ':') {
                    throw error("expected ':'");
                }
                pos++;
                ws();
                if (m.put(k, value(depth + 1)) != null) {
                    throw error("duplicate member " + k);
                }
                ws();
                char c = peek();
                pos++;
                if (c == '}') {
                    return m;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) {
            List<Object> l = new ArrayList<>();
            pos++; // [
            ws();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                ws();
                l.add(value(depth + 1));
                ws();
                char c = peek();
                pos++;
                if (c == ']') {
                    return l;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("end of input");
            }
            return s.charAt(pos);
        }

        String string() {
            pos++; // "
            StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = peek();
                pos++;
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> {
                        pos--;
                        throw error("bad escape \\" + e);
                    }
                }
            }
        }

        Object number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            digits();
            boolean real = false;
            if (pos < s.length() && s.charAt(pos) == '.') {
                real = true;
                pos++;
                digits();
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                real = true;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                digits();
            }
            String n = s.substring(start, pos);
            if (!real) {
                try {
                    return Long.parseLong(n);
                } catch (NumberFormatException e) {
                    // beyond 64 bits: a real, as ovsdb-server reads it
                }
            }
            return Double.parseDouble(n);
        }

        void digits() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == start) {
                throw error("expected a digit");
            }
        }
    }
}
