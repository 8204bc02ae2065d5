// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.error.XennetException;

/** Attribute parsing (NlAttrs, NlAttr) and building (MessageWriter), both directions. */
@Tag("codec")
class NlAttrsTest {

    private static List<NlAttr> parse(byte[] b) {
        return NlAttrs.parse(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()));
    }

    /** One attribute of each shape MessageWriter writes. */
    private static final String ALL_SHAPES = """
            0c00 0100  01020304 05060708     // type 1, raw 8 bytes
            0500 0200  2a 000000             // type 2, u8 42, 3 padding
            0600 0300  3412 0000             // type 3, u16 0x1234 native order
            0600 0400  12b5 0000             // type 4, be16 4789 (a port: network order)
            0800 0500  78563412              // type 5, u32 0x12345678
            0b00 0600  78656e627230 00 00    // type 6, string "xenbr0\\0": len 11, 1 padding
            1400 0700                        // type 7, nested, 20 bytes: written without NLA_F_NESTED
              0800 0100 01000000             //   type 1, u32 1
              0800 0200 02000000             //   type 2, u32 2
            """;

    @Test
    void writerEncodesEveryShapeWithPadding() {
        byte[] actual = new MessageWriter()
                .attr(1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8})
                .u8(2, 42)
                .u16(3, 0x1234)
                .be16(4, 4789)
                .u32(5, 0x12345678)
                .string(6, "xenbr0")
                .begin(7).u32(1, 1).u32(2, 2).end()
                .toBytes();
        assertArrayEquals(hex(ALL_SHAPES), actual);
    }

    @Test
    void writerPadsAStructAndNestsTwoDeep() {
        // A nest's length covers its children with their padding, as nla_nest_end() computes it.
        byte[] expected = hex("""
                010203 00                // struct of 3 bytes, padded to 4
                1800 0100                // type 1, nested, len 24
                  1400 0200              //   type 2, nested, len 20
                    0d00 0300            //     type 3, string, len 13
                    616263646566676800   //     "abcdefgh\\0"
                    000000               //     padding
                """);
        byte[] actual = new MessageWriter().struct(new byte[] {1, 2, 3})
                .begin(1).begin(2).string(3, "abcdefgh").end().end().toBytes();
        assertArrayEquals(expected, actual);
    }

    @Test
    void writerRefusesAnUnclosedNest() {
        assertThrows(IllegalStateException.class, () -> new MessageWriter().begin(1).toBytes());
    }

    @Test
    void writerReplaysAKeptAttributeWithItsNestedFlag() {
        byte[] actual = new MessageWriter().attr(new NlAttr(9, true, new byte[] {4, 0, 1, 0})).toBytes();
        assertArrayEquals(hex("0800 0980 04000100 // type 9 | NLA_F_NESTED, an empty nested type 1"), actual);
    }

    @Test
    void parsesEveryShape() {
        List<NlAttr> a = parse(hex(ALL_SHAPES));
        assertEquals(7, a.size());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, a.get(0).value());
        assertEquals(42, a.get(1).u8());
        assertEquals(1, a.get(1).length());
        assertEquals(0x1234, a.get(2).u16());
        assertEquals(4789, a.get(3).be16());
        assertEquals(0x12345678, a.get(4).u32());
        assertEquals("xenbr0", a.get(5).string());
        assertEquals(List.of(new NlAttr(1, new byte[] {1, 0, 0, 0}), new NlAttr(2, new byte[] {2, 0, 0, 0})),
                a.get(6).nested());
        assertEquals(5, NlAttrs.find(a, 5).orElseThrow().type());
        assertTrue(NlAttrs.find(a, 8).isEmpty());
    }

    @Test
    void parsesU64AndStopsAStringAtItsNul() {
        List<NlAttr> a = parse(hex("""
                0c00 0100 0100000002000000    // u64 0x0000000200000001
                0c00 0200 61620063 64656600   // "ab\\0cdef\\0": the string ends at the first NUL
                """));
        assertEquals(0x0000_0002_0000_0001L, a.get(0).u64());
        assertEquals("ab", a.get(1).string());
    }

    @Test
    void stripsTheNestedAndByteOrderFlagsFromTheTypeButRemembersNested() {
        List<NlAttr> a = parse(hex("""
                0400 0380        // type 3 | NLA_F_NESTED, empty
                0600 0f40 12b5 0000 // type 15 | NLA_F_NET_BYTEORDER
                """));
        assertEquals(3, a.get(0).type());
        assertTrue(a.get(0).nestedFlag());
        assertEquals(15, a.get(1).type());
        assertFalse(a.get(1).nestedFlag());
        assertEquals(4789, a.get(1).be16());
    }

    @Test
    void lastAttributeMayOmitItsPadding() {
        List<NlAttr> a = parse(hex("0500 1400 01 // RTA_PREF, len 5, buffer ends here"));
        assertEquals(1, a.get(0).u8());
    }

    @Test
    void truncatedAttributeIsMalformed() {
        byte[] b = hex("""
                0800 0400 dc050000   // IFLA_MTU 1500
                0c00 0300 78656e62   // IFLA_IFNAME claims 12 bytes, 8 left
                """);
        NetlinkFormatException e = assertThrows(NetlinkFormatException.class, () -> parse(b));
        assertTrue(e.getMessage().contains("attribute type 3 claims 12 bytes, 8 left"), e.getMessage());
    }

    @Test
    void attributeShorterThanItsHeaderIsMalformed() {
        assertThrows(NetlinkFormatException.class, () -> parse(hex("0200 0100 00000000")));
        assertThrows(NetlinkFormatException.class, () -> parse(hex("0000 0100 00000000")));
    }

    @Test
    void tooShortValueIsRefusedByTheAccessor() {
        // A kernel reply with a short value is malformed input, refused as xennet's own error.
        NlAttr a = new NlAttr(4, new byte[] {1, 2});
        NetlinkFormatException e = assertThrows(NetlinkFormatException.class, a::u32);
        assertEquals("malformed netlink message: attribute 4 has 2 bytes, expected 4", e.getMessage());
        assertInstanceOf(XennetException.class, e);
        e = assertThrows(NetlinkFormatException.class, a::u64);
        assertEquals("malformed netlink message: attribute 4 has 2 bytes, expected 8", e.getMessage());
        assertEquals(0x0201, a.u16());
        assertEquals(0x0102, a.be16());

        NlAttr empty = new NlAttr(7, new byte[0]);
        assertEquals("malformed netlink message: attribute 7 has 0 bytes, expected 1",
                assertThrows(NetlinkFormatException.class, empty::u8).getMessage());
        assertEquals("malformed netlink message: attribute 7 has 0 bytes, expected 2",
                assertThrows(NetlinkFormatException.class, empty::u16).getMessage());
        assertEquals("malformed netlink message: attribute 7 has 0 bytes, expected 2",
                assertThrows(NetlinkFormatException.class, empty::be16).getMessage());
    }

    @Test
    void valuesAreCopies() {
        byte[] v = {1, 2, 3, 4};
        NlAttr a = new NlAttr(1, v);
        v[0] = 9;
        a.value()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, a.value());
        assertEquals(new NlAttr(1, new byte[] {1, 2, 3, 4}), a);
    }
}
