// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 reader for tests of xennet's --json output: objects become LinkedHashMaps,
 * arrays Lists, integers Longs and other numbers Doubles, and anything malformed (trailing
 * commas, bare words, leading zeros, garbage after the value) is an error. Used for xennet's
 * --json output and for the native-image metadata.
 */
public final class JsonReader {
    private final String s;
    private int i;

    private JsonReader(String s) {
        this.s = s;
    }

    public static Object parse(String text) {
        JsonReader r = new JsonReader(text);
        Object v = r.value();
        r.blank();
        if (r.i != text.length()) {
            throw r.error("text after the value");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        return (Map<String, Object>) v;
    }

    private Object value() {
        blank();
        if (i >= s.length()) {
            throw error("value expected");
        }
        char c = s.charAt(i);
        switch (c) {
            case '{':
                return obj();
            case '[':
                return arr();
            case '"':
                return str();
            case 't':
                return word("true", Boolean.TRUE);
            case 'f':
                return word("false", Boolean.FALSE);
            case 'n':
                return word("null", null);
            default:
                return num();
        }
    }

    private Map<String, Object> obj() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        blank();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            blank();
            if (peek() != '"') {
                throw error("key expected");
            }
            String k = str();
            blank();
            expect(':');
            if (m.put(k, value()) != null) {
                throw error("duplicate key " + k);
            }
            blank();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> arr() {
        List<Object> l = new ArrayList<>();
        i++;
        blank();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            l.add(value());
            blank();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect(']');
            return l;
        }
    }

    private String str() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object word(String w, Object v) {
        if (!s.startsWith(w, i)) {
            throw error("bad literal");
        }
        i += w.length();
        return v;
    }

    /** An integer as a Long (what xennet prints), a fraction or exponent as a Double. */
    private Object num() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        int digits = i;
        while (Character.isDigit(peek())) {
            i++;
        }
        if (i == digits || s.charAt(digits) == '0' && i - digits > 1) {
            throw error("bad number");
        }
        boolean real = false;
        if (peek() == '.') {
            real = true;
            i++;
            int f = i;
            while (Character.isDigit(peek())) {
                i++;
            }
            if (i == f) {
                throw error("bad fraction");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            real = true;
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            int e = i;
            while (Character.isDigit(peek())) {
                i++;
            }
            if (i == e) {
                throw error("bad exponent");
            }
        }
        String n = s.substring(start, i);
        return real ? (Object) Double.valueOf(n) : (Object) Long.valueOf(n);
    }

    private void blank() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        i++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON: " + what + " at offset " + i + " of: " + s);
    }
}
