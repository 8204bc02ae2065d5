// SPDX-License-Identifier: Apache-2.0
package org.xennet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Values shown in messages: escaped, cut, never able to split a line or drive a terminal. */
@Tag("ops")
class PrintableTest {
    @Test
    void controlCharactersAreEscapedAndBackslashesDoubled() {
        assertEquals("a\\x0ab\\x1b[31mc\\x7f\\u009bd\\\\x0a", Printable.of("a\nb\u001b[31mc\u007f\u009bd\\x0a"));
        assertEquals("'xenbr0'", Printable.quote("xenbr0"));
        assertEquals("(none)", Printable.quote(null));
    }

    @Test
    void longValuesAreCutWithTheirLengthStated() {
        String q = Printable.quote("x".repeat(100_000));
        assertEquals("'" + "x".repeat(Printable.SHOWN) + "...' (100000 bytes)", q);
        String c = Printable.cut("é".repeat(300), 10);
        assertEquals("é".repeat(10) + "... (600 bytes in all)", c);
    }

    @Test
    void controlsLeavesAnEscapedMessageAloneAndFixesARawOne() {
        String escaped = "bridge='a\\x0ab' is not valid";
        assertEquals(escaped, Printable.controls(escaped));
        assertEquals("line1\\x0aline2\\x1b", Printable.controls("line1\nline2\u001b"));
        assertTrue(Printable.controls("plain").equals("plain"));
    }
}
