// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.capturedDatagram;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NLMSG_ERROR decoding: plain ACK, errno only (NLM_F_CAPPED), extended ACK with the request
 * capped (how xennet's socket is set up) and not capped (the kernel default).
 */
@Tag("codec")
class NlErrorTest {

    private static NlMessage only(byte[] datagram) {
        List<NlMessage> ms = NlMessage.decodeAll(ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder()));
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    @Test
    void ack() {
        NlError e = NlError.decode(only(hex("""
                24000000 0200 0001 2a000000 00000000  // NLMSG_ERROR, flags CAPPED, len 36
                00000000                              // error 0: an ACK
                28000000 1000 0500 2a000000 00000000  // the request's header: len 40, RTM_NEWLINK, REQUEST|ACK, seq 42
                """)));
        assertTrue(e.isAck());
        assertEquals(0, e.error());
        assertEquals(16, e.requestType());
        assertEquals(42, e.requestSeq());
        assertNull(e.message());
        assertEquals(-1, e.offset());
    }

    @Test
    void cappedErrnoWithoutExtack() {
        // Captured: "ip link set" of a veth's master to another veth -> EOPNOTSUPP.
        NlError e = NlError.decode(only(capturedDatagram("err.txt")));
        assertFalse(e.isAck());
        assertEquals(-95, e.error());
        assertEquals(16, e.requestType());
        assertEquals(42, e.requestSeq());
        assertNull(e.message());
        assertEquals(-1, e.offset());
    }

    @Test
    void cappedWithExtack() {
        // Captured: mtu 10 on a bridge -> EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS.
        NlMessage m = only(capturedDatagram("extack.txt"));
        assertEquals(Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS, m.flags());
        NlError e = NlError.decode(m);
        assertEquals(-22, e.error());
        assertEquals(16, e.requestType());
        assertEquals(42, e.requestSeq());
        assertEquals("mtu less than device minimum", e.message());
        assertEquals(-1, e.offset());
    }

    @Test
    void uncappedWithExtackSkipsTheEchoedRequest() {
        NlError e = NlError.decode(only(hex("""
                68000000 0200 0002 2a000000 00000000  // NLMSG_ERROR len 104, flags ACK_TLVS only: request echoed
                eaffffff                              // error -22 EINVAL
                28000000 1000 0500 2a000000 00000000  // echoed request header: len 40, RTM_NEWLINK
                00 00 0000 02000000 00000000 00000000 //   ifinfomsg index 2
                0800 0400 0a000000                    //   IFLA_MTU 10
                2100 0100                             // NLMSGERR_ATTR_MSG, len 33
                6d7475206c657373207468616e20646576696365206d696e696d756d00 // "mtu less than device minimum\\0"
                000000                                // padding
                0800 0200 20000000                    // NLMSGERR_ATTR_OFFS 32: IFLA_MTU in the request
                """)));
        assertEquals(-22, e.error());
        assertEquals(16, e.requestType());
        assertEquals(42, e.requestSeq());
        assertEquals("mtu less than device minimum", e.message());
        assertEquals(32, e.offset());
    }

    @Test
    void extackWithoutMessageHasOnlyTheOffset() {
        NlError e = NlError.decode(only(hex("""
                2c000000 0200 0003 2a000000 00000000  // len 44, CAPPED | ACK_TLVS
                eaffffff                              // -22
                28000000 1000 0500 2a000000 00000000  // request header
                0800 0200 20000000                    // NLMSGERR_ATTR_OFFS 32
                """)));
        assertNull(e.message());
        assertEquals(32, e.offset());
    }

    @Test
    void payloadShorterThanErrnoAndHeaderIsMalformed() {
        byte[] b = hex("""
                18000000 0200 0000 2a000000 00000000  // len 24
                edffffff 00000000                     // errno and half a header
                """);
        assertThrows(NetlinkFormatException.class, () -> NlError.decode(only(b)));
    }

    @Test
    void onlyDecodesErrors() {
        assertThrows(IllegalArgumentException.class,
                () -> NlError.decode(new NlMessage(Nl.NLMSG_DONE, 0, 1, 0, new byte[4])));
    }

    @Test
    void echoedRequestLongerThanThePayloadIsMalformed() {
        byte[] b = hex("""
                2c000000 0200 0002 2a000000 00000000  // len 44, ACK_TLVS, not capped: request should follow
                eaffffff                              // -22
                00010000 1000 0500 2a000000 00000000  // echoed header claims 256 bytes
                0800 0200 20000000                    // but only 8 more bytes are there
                """);
        assertThrows(NetlinkFormatException.class, () -> NlError.decode(only(b)));
    }
}
