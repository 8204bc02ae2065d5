// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.captured;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** struct nlmsghdr framing, both directions. */
@Tag("codec")
class NlMessageTest {

    private static List<NlMessage> decode(byte[] datagram) {
        return NlMessage.decodeAll(ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder()));
    }

    @Test
    void encodesHeaderAndPadsThePayloadButNotTheLength() {
        byte[] expected = hex("""
                15000000  // nlmsg_len 21: header + 5 payload bytes, padding not counted
                1000      // nlmsg_type RTM_NEWLINK (16)
                0506      // nlmsg_flags REQUEST|ACK|EXCL|CREATE (0x605)
                2a000000  // nlmsg_seq 42
                00000000  // nlmsg_pid 0: the kernel
                0102030405 // payload
                000000    // padding to 24
                """);
        byte[] actual = new NlMessage(16, 0x605, 42, 0, new byte[] {1, 2, 3, 4, 5}).encode();
        assertArrayEquals(expected, actual);
    }

    @Test
    void decodesSeveralMessagesOfOneDatagramSkippingPadding() {
        byte[] datagram = hex("""
                15000000 1000 0200 2a000000 44330000  // len 21, RTM_NEWLINK, MULTI, seq 42, pid 0x3344
                0102030405 000000                     // 5 payload bytes + 3 padding
                14000000 0300 0200 2a000000 44330000  // len 20, NLMSG_DONE, MULTI
                00000000                              // DONE payload: error 0
                """);
        List<NlMessage> ms = decode(datagram);
        assertEquals(2, ms.size());
        assertEquals(new NlMessage(16, 0x2, 42, 0x3344, new byte[] {1, 2, 3, 4, 5}), ms.get(0));
        assertEquals(new NlMessage(3, 0x2, 42, 0x3344, new byte[4]), ms.get(1));
        assertEquals(21, ms.get(0).length());
    }

    @Test
    void decodesTheCapturedDumpEnd() {
        List<byte[]> dump = captured("addr.txt"); // second datagram: NLMSG_DONE alone
        NlMessage done = decode(dump.get(1)).get(0);
        assertEquals(Nl.NLMSG_DONE, done.type());
        assertEquals(Nl.NLM_F_MULTI, done.flags());
        assertEquals(42, done.seq());
        assertArrayEquals(new byte[4], done.payload());
    }

    @Test
    void lastMessageMayOmitItsPadding() {
        byte[] datagram = hex("""
                11000000 1000 0000 01000000 00000000  // len 17
                ff                                    // 1 payload byte, datagram ends unpadded
                """);
        assertArrayEquals(new byte[] {(byte) 0xff}, decode(datagram).get(0).payload());
    }

    @Test
    void lengthBeyondTheDatagramIsMalformed() {
        byte[] datagram = hex("""
                24000000 1000 0000 01000000 00000000  // claims 36 bytes
                00000000                              // only 20 present
                """);
        NetlinkFormatException e = assertThrows(NetlinkFormatException.class, () -> decode(datagram));
        assertTrue(e.getMessage().contains("claims 36 bytes, 20 left"), e.getMessage());
    }

    @Test
    void lengthShorterThanTheHeaderIsMalformed() {
        // A length under 16 would otherwise make the parser stand still or go backwards.
        byte[] datagram = hex("0c000000 1000 0000 01000000 00000000");
        assertThrows(NetlinkFormatException.class, () -> decode(datagram));
        assertThrows(NetlinkFormatException.class, () -> decode(hex("00000000 0300 0000 01000000 00000000")));
    }

    @Test
    void flagsAndSeqHelpers() {
        NlMessage m = new NlMessage(16, Nl.NLM_F_MULTI | Nl.NLM_F_DUMP_INTR, 7, 9, new byte[0]);
        assertTrue(m.hasFlag(Nl.NLM_F_DUMP_INTR));
        assertEquals(new NlMessage(16, 0x12, 8, 0, new byte[0]), m.withSeq(8, 0));
    }
}
