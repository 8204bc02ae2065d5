// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON of the ovsdb protocol both ways, and where one message ends in the stream. */
@Tag("codec")
class OvsdbJsonTest {

    @Test
    void writesCompactJsonInMapOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "transact");
        m.put("params", List.of("Open_vSwitch", Map.of("op", "select")));
        m.put("id", 7L);
        assertEquals("{\"method\":\"transact\",\"params\":[\"Open_vSwitch\",{\"op\":\"select\"}],\"id\":7}",
                OvsdbJson.write(m));
    }

    @Test
    void escapesWhatJsonNeedsAndKeepsUnicode() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\\u007f \u00e9\"", OvsdbJson.write("a\"b\\c\n\u0001\u007f \u00e9"));
        assertEquals("a\"b\\c\n\u0001\u007f \u00e9", OvsdbJson.parse(OvsdbJson.write("a\"b\\c\n\u0001\u007f \u00e9")));
    }

    @Test
    void parsesEveryKind() {
        Object v = OvsdbJson.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null, \"x\\u00e9\\/\"], \"b\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, true, false, OvsdbJson.NULL, "x\u00e9/"), m.get("a"));
        assertEquals(Map.of(), m.get("b"));
        assertEquals(Long.MAX_VALUE, OvsdbJson.parse("[9223372036854775807]") instanceof List<?> l ? l.get(0) : null);
    }

    @Test
    void writesWhatItParses() {
        String text = "{\"id\":1,\"result\":[{\"rows\":[{\"_uuid\":[\"uuid\",\"0a\"],\"tag\":[\"set\",[]],"
                + "\"external_ids\":[\"map\",[[\"k\",\"v\"]]]}]}],\"error\":null}";
        assertEquals(text, OvsdbJson.write(OvsdbJson.parse(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\"}", "{\"a\":}", "[1,]", "{\"a\":1,}", "[01x]", "[\"\\x\"]", "[\"a\nb\"]",
        "{\"a\":1}x", "[tru]", "{\"a\":1,\"a\":2}", "[-]", "[1.]", "[\"\\u12\"]"})
    void refusesMalformedJson(String bad) {
        assertThrows(OvsdbFormatException.class, () -> OvsdbJson.parse(bad));
    }

    @Test
    void refusesDeepNesting() {
        String deep = "[".repeat(200) + "]".repeat(200);
        assertThrows(OvsdbFormatException.class, () -> OvsdbJson.parse(deep));
        byte[] b = deep.getBytes(StandardCharsets.US_ASCII);
        assertThrows(OvsdbFormatException.class, () -> OvsdbJson.frameEnd(b, b.length));
    }

    @Test
    void findsTheEndOfOneMessageInAStream() {
        byte[] b = "{\"a\":\"}{\\\"\"}{\"b\":[1]}".getBytes(StandardCharsets.UTF_8);
        int end = OvsdbJson.frameEnd(b, b.length);
        assertEquals("{\"a\":\"}{\\\"\"}", new String(b, 0, end, StandardCharsets.UTF_8),
                "braces and quotes inside a string do not count");
        assertEquals(-1, OvsdbJson.frameEnd(b, end - 1), "not complete yet");
        byte[] ws = "\n {\"x\":1}".getBytes(StandardCharsets.UTF_8);
        assertEquals(ws.length, OvsdbJson.frameEnd(ws, ws.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"x\"", "1", "}", "x{}"})
    void aStreamThatDoesNotStartWithAnObjectIsRefused(String bad) {
        byte[] b = bad.getBytes(StandardCharsets.UTF_8);
        OvsdbFormatException e = assertThrows(OvsdbFormatException.class, () -> OvsdbJson.frameEnd(b, b.length));
        assertTrue(e.getMessage().contains("not an object") || e.getMessage().contains("unbalanced"), e.getMessage());
    }
}
