// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * struct xsd_sockmsg framing and the payloads of docs/misc/xenstore.txt, both directions. The
 * golden bytes are written by hand from xs_wire.h (header: u32 type, req_id, tx_id, len in host
 * order, little-endian on every Xen platform) and checked against what xenstored's core.c and
 * libxenstore's xs.c put on the wire.
 */
@Tag("codec")
class XsMessageTest {

    private static void assertEncodes(String golden, XsMessage m) {
        byte[] expected = hex(golden);
        assertArrayEquals(expected, m.encode(), m.toString());
        assertEquals(m, XsMessage.decode(expected)); // and back
    }

    // ---- requests we send ----

    @Test
    void read() {
        assertEncodes("""
                02000000   // type XS_READ (2)
                07000000   // req_id 7
                00000000   // tx_id 0: no transaction
                05000000   // len 5
                2f612f62 00 // "/a/b" NUL
                """, new XsMessage(Xs.XS_READ, 7, 0, XsMessage.nulTerminated("/a/b")));
    }

    @Test
    void writeHasTheValueUnterminated() {
        assertEncodes("""
                0b000000   // type XS_WRITE (11)
                08000000   // req_id 8
                00000000   // tx_id 0
                0b000000   // len 11 = 5 + 6
                2f612f62 00 // "/a/b" NUL
                78656e627230 // "xenbr0", no NUL: xenstored stores every byte after the path's NUL
                """, new XsMessage(Xs.XS_WRITE, 8, 0, XsMessage.pathAndValue("/a/b", "xenbr0".getBytes())));
    }

    @Test
    void writeOfAnEmptyValueInATransaction() {
        assertEncodes("""
                0b000000   // XS_WRITE
                09000000   // req_id 9
                2a000000   // tx_id 42
                03000000   // len 3
                2f6100     // "/a" NUL, then nothing
                """, new XsMessage(Xs.XS_WRITE, 9, 42, XsMessage.pathAndValue("/a", new byte[0])));
    }

    @Test
    void mkdirRmDirectory() {
        assertEncodes("""
                0c000000 01000000 00000000 03000000 // XS_MKDIR (12), req 1, tx 0, len 3
                2f6400                              // "/d" NUL
                """, new XsMessage(Xs.XS_MKDIR, 1, 0, XsMessage.nulTerminated("/d")));
        assertEncodes("""
                0d000000 02000000 00000000 03000000 // XS_RM (13), req 2, tx 0, len 3
                2f6400                              // "/d" NUL
                """, new XsMessage(Xs.XS_RM, 2, 0, XsMessage.nulTerminated("/d")));
        assertEncodes("""
                01000000 03000000 00000000 02000000 // XS_DIRECTORY (1), req 3, tx 0, len 2
                2f00                                // "/" NUL
                """, new XsMessage(Xs.XS_DIRECTORY, 3, 0, XsMessage.nulTerminated("/")));
    }

    @Test
    void transactionStartAndEnd() {
        assertEncodes("""
                06000000   // XS_TRANSACTION_START (6)
                0a000000   // req_id 10
                00000000   // tx_id must be 0
                01000000   // len 1
                00         // one empty string, as xs_transaction_start sends ""
                """, new XsMessage(Xs.XS_TRANSACTION_START, 10, 0, XsMessage.nulTerminated("")));
        assertEncodes("""
                07000000 0b000000 2a000000 02000000 // XS_TRANSACTION_END (7), req 11, tx 42, len 2
                5400                                // "T" NUL: commit
                """, new XsMessage(Xs.XS_TRANSACTION_END, 11, 42, XsMessage.nulTerminated("T")));
        assertEncodes("""
                07000000 0c000000 feffffff 02000000 // XS_TRANSACTION_END, req 12, tx 4294967294, len 2
                4600                                // "F" NUL: abort
                """, new XsMessage(Xs.XS_TRANSACTION_END, 12, 0xfffffffe, XsMessage.nulTerminated("F")));
    }

    @Test
    void watchAndUnwatch() {
        assertEncodes("""
                04000000 0d000000 00000000 07000000 // XS_WATCH (4), req 13, tx 0, len 7
                2f6100                              // "/a" NUL: the path
                746f6b00                            // "tok" NUL: the token
                """, new XsMessage(Xs.XS_WATCH, 13, 0, XsMessage.nulTerminated("/a", "tok")));
        assertEncodes("""
                05000000 0e000000 00000000 07000000 // XS_UNWATCH (5), req 14, tx 0, len 7
                2f6100 746f6b00                     // "/a" NUL "tok" NUL
                """, new XsMessage(Xs.XS_UNWATCH, 14, 0, XsMessage.nulTerminated("/a", "tok")));
    }

    @Test
    void utf8IsSentAsUtf8() {
        assertArrayEquals(hex("c3a400 6100"), XsMessage.nulTerminated("ä", "a")); // U+00E4 is c3 a4
        assertArrayEquals(new byte[0], XsMessage.nulTerminated());
    }

    // ---- replies we receive ----

    @Test
    void readReplyIsTheRawValue() {
        XsMessage m = XsMessage.decode(hex("""
                02000000 07000000 00000000 06000000 // XS_READ, req 7, tx 0, len 6
                78656e627230                        // "xenbr0", no NUL
                """));
        assertEquals(Xs.XS_READ, m.type());
        assertEquals(7, m.reqId());
        assertEquals(0, m.txId());
        assertEquals("xenbr0", m.text());
        assertEquals(22, m.length());
    }

    @Test
    void directoryReplyIsOneStringPerChild() {
        XsMessage m = XsMessage.decode(hex("""
                01000000 03000000 00000000 08000000 // XS_DIRECTORY, req 3, tx 0, len 8
                3000 3100 76696600                  // "0" NUL "1" NUL "vif" NUL
                """));
        assertEquals(List.of("0", "1", "vif"), m.strings());
    }

    @Test
    void emptyDirectoryReplyHasNoPayload() {
        XsMessage m = XsMessage.decode(hex("01000000 03000000 00000000 00000000")); // len 0
        assertEquals(List.of(), m.strings());
    }

    @Test
    void bytesAfterTheLastNulAreNotAString() {
        XsMessage m = XsMessage.decode(hex("01000000 03000000 00000000 03000000 610062")); // "a" NUL "b"
        assertEquals(List.of("a"), m.strings());
        assertEquals("a", m.firstString());
    }

    @Test
    void ackIsOk() {
        XsMessage m = XsMessage.decode(hex("""
                0b000000 08000000 00000000 03000000 // XS_WRITE, req 8, tx 0, len 3
                4f4b00                              // "OK" NUL
                """));
        assertEquals("OK", m.firstString());
    }

    @Test
    void errorReplyCarriesTheErrnoName() {
        XsMessage m = XsMessage.decode(hex("""
                10000000   // XS_ERROR (16), whatever the request's type was
                07000000   // req_id 7, echoed
                2a000000   // tx_id 42, echoed
                07000000   // len 7
                454e4f454e5400 // "ENOENT" NUL
                """));
        assertEquals(Xs.XS_ERROR, m.type());
        assertEquals(42, m.txId());
        assertEquals("ENOENT", m.errorName());
    }

    @Test
    void transactionStartReplyIsTheIdInDecimal() {
        XsMessage m = XsMessage.decode(hex("""
                06000000 0a000000 00000000 03000000 // XS_TRANSACTION_START, req 10, tx 0, len 3
                343200                              // "42" NUL
                """));
        assertEquals(42, m.transactionId());
        XsMessage big = XsMessage.decode(hex("""
                06000000 0a000000 00000000 0b000000 // len 11
                34323934393637323935 00             // "4294967295" NUL: unsigned
                """));
        assertEquals(0xffffffff, big.transactionId());
        XsMessage bad = XsMessage.decode(hex("06000000 0a000000 00000000 02000000 7800")); // "x"
        assertThrows(XsFormatException.class, bad::transactionId);
    }

    @Test
    void watchEventCarriesPathAndToken() {
        XsMessage m = XsMessage.decode(hex("""
                0f000000   // XS_WATCH_EVENT (15)
                00000000   // req_id 0: not a reply
                00000000   // tx_id 0
                09000000   // len 9
                2f612f6200 // "/a/b" NUL: the node that changed
                746f6b00   // "tok" NUL
                """));
        assertEquals(new WatchEvent("/a/b", "tok"), m.watchEvent());
        XsMessage noToken = XsMessage.decode(hex("0f000000 00000000 00000000 03000000 2f6100"));
        assertThrows(XsFormatException.class, noToken::watchEvent);
    }

    @Test
    void payloadAccessorsCheckTheType() {
        XsMessage read = XsMessage.decode(hex("02000000 01000000 00000000 03000000 4f4b00"));
        assertThrows(XsFormatException.class, read::errorName);
        assertThrows(XsFormatException.class, read::watchEvent);
        assertThrows(XsFormatException.class, read::transactionId);
    }

    // ---- malformed input ----

    @Test
    void headerCarriesAllFourFields() {
        ByteBuffer b = ByteBuffer.wrap(hex("0f000000 01020304 05060708 00100000 ff")); // len 4096
        XsMessage.Header h = XsMessage.decodeHeader(b);
        assertEquals(new XsMessage.Header(15, 0x04030201, 0x08070605, 4096), h);
        assertEquals(16, b.position());
    }

    @Test
    void aLengthOverThePayloadMaxIsRefusedBeforeReading() {
        XsFormatException e = assertThrows(XsFormatException.class,
                () -> XsMessage.decodeHeader(ByteBuffer.wrap(hex("02000000 01000000 00000000 01100000")))); // 4097
        assertTrue(e.getMessage().contains("XS_READ claims a payload of 4097 bytes"), e.getMessage());
        assertThrows(XsFormatException.class,
                () -> XsMessage.decodeHeader(ByteBuffer.wrap(hex("02000000 01000000 00000000 ffffffff"))));
    }

    @Test
    void aShortOrLongFrameIsRefused() {
        assertThrows(XsFormatException.class, () -> XsMessage.decode(hex("02000000 01000000 00000000")));
        assertThrows(XsFormatException.class,
                () -> XsMessage.decode(hex("02000000 01000000 00000000 05000000 2f6100"))); // 3 of 5
        assertThrows(XsFormatException.class,
                () -> XsMessage.decode(hex("02000000 01000000 00000000 01000000 2f6100"))); // 3 for 1
    }

    @Test
    void payloadsAreAtMost4096Bytes() {
        assertEquals(16 + 4096, new XsMessage(Xs.XS_WRITE, 1, 0, new byte[4096]).encode().length);
        XsFormatException e = assertThrows(XsFormatException.class,
                () -> new XsMessage(Xs.XS_WRITE, 1, 0, new byte[4097]));
        assertTrue(e.getMessage().contains("4097"), e.getMessage());
    }

    // ---- names ----

    @Test
    void typeNumbersFollowXsWire() {
        int[] numbers = {Xs.XS_CONTROL, Xs.XS_DIRECTORY, Xs.XS_READ, Xs.XS_GET_PERMS, Xs.XS_WATCH, Xs.XS_UNWATCH,
            Xs.XS_TRANSACTION_START, Xs.XS_TRANSACTION_END, Xs.XS_INTRODUCE, Xs.XS_RELEASE, Xs.XS_GET_DOMAIN_PATH,
            Xs.XS_WRITE, Xs.XS_MKDIR, Xs.XS_RM, Xs.XS_SET_PERMS, Xs.XS_WATCH_EVENT, Xs.XS_ERROR,
            Xs.XS_IS_DOMAIN_INTRODUCED, Xs.XS_RESUME, Xs.XS_SET_TARGET, Xs.XS_RESET_WATCHES, Xs.XS_DIRECTORY_PART,
            Xs.XS_GET_FEATURE, Xs.XS_SET_FEATURE, Xs.XS_GET_QUOTA, Xs.XS_SET_QUOTA};
        int[] expected = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26};
        assertArrayEquals(expected, numbers);
        assertEquals("XS_WATCH_EVENT", Xs.typeName(15));
        assertEquals("XS_RESET_WATCHES", Xs.typeName(21));
        assertEquals("type 20", Xs.typeName(20)); // XS_RESTRICT, removed
        assertEquals("XS_INVALID", Xs.typeName(0xffff));
        assertEquals("XS_SET_QUOTA", Xs.typeName(26));
    }

    @Test
    void toStringShowsTypeIdsAndPayload() {
        assertEquals("XS_WRITE(req 8, tx 4294967295, \"/a\\0v\")",
                new XsMessage(Xs.XS_WRITE, 8, -1, XsMessage.pathAndValue("/a", "v".getBytes())).toString());
    }
}
