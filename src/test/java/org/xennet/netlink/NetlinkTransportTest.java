// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.captured;
import static org.xennet.testing.ScriptedSocket.capturedDatagram;
import static org.xennet.testing.ScriptedSocket.concat;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xennet.error.AlreadyExistsException;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.error.NotFoundException;
import org.xennet.error.PermissionException;
import org.xennet.error.XennetException;
import org.xennet.testing.ScriptedSocket;

/** The request/response protocol over scripted datagrams: ACKs, errors, seq and sender filtering, dumps. */
@Tag("ops")
class NetlinkTransportTest {
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_GETLINK = 18;
    private static final int RTM_GETROUTE = 26;
    private static final String OP = "link set master";
    private static final String SUBJECT = "vif5.0 -> xenbr0";

    /** ifinfomsg index 4 + IFLA_MASTER 2. */
    private static final byte[] SET_MASTER = hex("""
            00 00 0000 04000000 00000000 00000000 // ifinfomsg index 4
            0800 0a00 02000000                    // IFLA_MASTER 2
            """);
    private static final byte[] SET_MASTER_REQUEST = hex("""
            28000000    // len 40
            1000        // RTM_NEWLINK
            0500        // NLM_F_REQUEST | NLM_F_ACK
            00000000    // seq: the transport's
            00000000    // pid 0
            00 00 0000 04000000 00000000 00000000 // ifinfomsg index 4
            0800 0a00 02000000                    // IFLA_MASTER 2
            """);
    /** The kernel's ACK to it, capped (the socket sets NETLINK_CAP_ACK). */
    private static final byte[] ACK = hex("""
            24000000 0200 0001 00000000 00000000  // NLMSG_ERROR, NLM_F_CAPPED, seq patched by the script
            00000000                              // error 0: ACK
            28000000 1000 0500 00000000 00000000  // the request's header
            """);
    private static final byte[] ROUTE_DUMP_REQUEST = hex("""
            1c000000 1a00 0103 00000000 00000000  // len 28, RTM_GETROUTE, REQUEST | NLM_F_DUMP (0x300)
            02 00 00 00 00 00 00 00 00000000      // rtmsg AF_INET
            """);
    private static final byte[] ROUTE_DUMP = hex("02 00 00 00 00 00 00 00 00000000");

    private final ScriptedSocket socket = new ScriptedSocket();
    private final NetlinkTransport nl = new NetlinkTransport(socket, 100);

    @AfterEach
    void scriptPlayedToTheEnd() {
        socket.assertFinished();
    }

    /** A capped NLMSG_ERROR with this (negative) errno and seq. */
    private static byte[] error(int errno, int seq) {
        return ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(36).putShort((short) 2).putShort((short) 0x100).putInt(seq).putInt(0)
                .putInt(errno)
                .putInt(40).putShort((short) RTM_NEWLINK).putShort((short) 5).putInt(seq).putInt(0)
                .array();
    }

    /** One message of a dump: an rtmsg and nothing else, with the given flags. */
    private static byte[] route(int flags, int seq) {
        return ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(28).putShort((short) 24).putShort((short) flags).putInt(seq).putInt(0)
                .put(new byte[] {2, 24, 0, 0, (byte) 254, 2, (byte) 253, 1}).putInt(0)
                .array();
    }

    private static byte[] done(int flags) {
        return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(20).putShort((short) 3).putShort((short) flags).putInt(0).putInt(0).putInt(0).array();
    }

    private static int seqOf(byte[] request) {
        return ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    // ---- execute -------------------------------------------------------------------------

    @Test
    void executeSendsTheRequestWithAckAndReturnsOnTheAck() {
        socket.expect("set master", SET_MASTER_REQUEST).reply(ACK);
        nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
        assertEquals(101, seqOf(socket.sent().get(0)));
    }

    @Test
    void executeAddsTheCallersFlags() {
        socket.expect("create", hex("""
                28000000 1000 0506 00000000 00000000  // RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
                00 00 0000 04000000 00000000 00000000 0800 0a00 02000000
                """)).reply(ACK);
        nl.execute(OP, SUBJECT, RTM_NEWLINK, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, SET_MASTER);
    }

    @Test
    void sequenceNumbersIncreaseAndSkipZero() {
        NetlinkTransport wrapping = new NetlinkTransport(socket, -2);
        socket.expect("first", SET_MASTER_REQUEST).reply(ACK).expect("second", SET_MASTER_REQUEST).reply(ACK);
        wrapping.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
        wrapping.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
        assertEquals(-1, seqOf(socket.sent().get(0)));
        assertEquals(1, seqOf(socket.sent().get(1))); // 0 is skipped: the kernel's own notifications use it
    }

    @ParameterizedTest
    @CsvSource({
        "-19, NotFoundException,      No such device (ENODEV)",
        "-2,  NotFoundException,      No such file or directory (ENOENT)",
        "-99, NotFoundException,      Cannot assign requested address (EADDRNOTAVAIL)",
        "-17, AlreadyExistsException, File exists (EEXIST)",
        "-1,  PermissionException,    Operation not permitted (EPERM)",
        "-13, PermissionException,    Permission denied (EACCES)",
        "-95, KernelException,        Operation not supported (EOPNOTSUPP)",
        "-16, KernelException,        Device or resource busy (EBUSY)",
        "-245, KernelException,       Unknown error 245 (errno 245)",
    })
    void errorsBecomeTheExceptionACallerBranchesOn(int errno, String type, String text) {
        socket.expect("set master", SET_MASTER_REQUEST).reply(error(errno, 0));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER));
        assertEquals(type, e.getClass().getSimpleName());
        assertEquals("link set master vif5.0 -> xenbr0: " + text, e.getMessage());
        assertEquals(OP, e.operation());
        assertEquals(SUBJECT, e.subject());
        assertEquals(-errno, e.errno());
        assertNull(e.kernelMessage());
    }

    @Test
    void capturedErrorWithoutExtack() {
        socket.expect("set master", SET_MASTER_REQUEST).reply(capturedDatagram("err.txt"));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER));
        assertSame(KernelException.class, e.getClass());
        assertEquals(Errno.EOPNOTSUPP, e.errnoName());
        assertEquals("link set master vif5.0 -> xenbr0: Operation not supported (EOPNOTSUPP)", e.getMessage());
    }

    @Test
    void capturedErrorWithExtack() {
        byte[] setMtu = hex("00 00 0000 02000000 00000000 00000000 0800 0400 0a000000 // index 2, IFLA_MTU 10");
        socket.expect("set mtu", concat(hex("28000000 1000 0500 00000000 00000000"), setMtu))
                .reply(capturedDatagram("extack.txt"));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.execute("link set mtu", "xenbr0 10", RTM_NEWLINK, 0, setMtu));
        assertEquals("link set mtu xenbr0 10: Invalid argument (EINVAL); kernel: mtu less than device minimum",
                e.getMessage());
        assertEquals(22, e.errno());
        assertEquals("mtu less than device minimum", e.kernelMessage());
    }

    @Test
    void aReplyWithAnotherSeqIsALateAnswerAndSkipped() {
        socket.expect("set master", SET_MASTER_REQUEST)
                .replyAsIs(error(-17, 100)) // seq 100: an earlier request's, e.g. one that timed out
                .reply(ACK);
        nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
    }

    @Test
    void onlyTheMessagesWithOurSeqCountInAMixedDatagram() {
        socket.expect("set master", SET_MASTER_REQUEST)
                .replyAsIs(concat(error(-17, 100), error(0, 101))); // stale EEXIST, then our ACK
        nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
    }

    @Test
    void aReplyFromAnotherSocketIsSkipped() {
        socket.expect("set master", SET_MASTER_REQUEST)
                .replyFrom(4242, error(-1, 0)) // right seq, but not from the kernel (port 0)
                .reply(ACK);
        nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
    }

    @Test
    void aLateAckAfterATimeoutDoesNotAnswerTheNextRequest() {
        socket.expect("first", SET_MASTER_REQUEST).timeout()
                .expect("second", SET_MASTER_REQUEST)
                .replyAsIs(error(0, 101)) // the first request's ACK, arriving late
                .reply(error(-16, 0)); // the second's real answer
        assertThrows(NetlinkTimeoutException.class, () -> nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER));
        assertEquals(16, e.errno());
    }

    @Test
    void messagesBeforeTheAckAreSkipped() {
        byte[] echo = hex("""
                28000000 1000 0000 00000000 00000000  // an RTM_NEWLINK echoed before the ACK
                00 00 0000 04000000 00000000 00000000 0800 0a00 02000000
                """);
        socket.expect("set master", SET_MASTER_REQUEST).reply(concat(echo, ACK));
        nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER);
    }

    @Test
    void timeoutNamesTheOperation() {
        socket.expect("set master", SET_MASTER_REQUEST).timeout();
        NetlinkTimeoutException e = assertThrows(NetlinkTimeoutException.class,
                () -> nl.execute(OP, SUBJECT, RTM_NEWLINK, 0, SET_MASTER));
        assertEquals("link set master vif5.0 -> xenbr0: no reply from the kernel within 5000 ms", e.getMessage());
    }

    // ---- get -----------------------------------------------------------------------------

    private static final byte[] GET_XENBR0 = hex("""
            00 00 0000 00000000 00000000 00000000 // ifinfomsg, no index
            0b00 0300 78656e627230 00 00          // IFLA_IFNAME "xenbr0\\0"
            """);
    private static final byte[] GET_XENBR0_REQUEST = concat(hex("""
            2c000000 1200 0100 00000000 00000000  // len 44, RTM_GETLINK, NLM_F_REQUEST only
            """), GET_XENBR0);

    @Test
    void getReturnsTheReply() {
        socket.expect("get xenbr0", GET_XENBR0_REQUEST).reply(capturedDatagram("link.txt"));
        NlMessage m = nl.get("link show", "xenbr0", RTM_GETLINK, GET_XENBR0);
        assertEquals(RTM_NEWLINK, m.type());
        assertEquals(101, m.seq());
        assertEquals(1884 - 16, m.payload().length);
    }

    @Test
    void getOfAMissingLinkIsNotFound() {
        // enodev.txt: the kernel's answer to RTM_GETLINK of a name that does not exist.
        socket.expect("get xenbr0", GET_XENBR0_REQUEST).reply(capturedDatagram("enodev.txt"));
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> nl.get("link show", "xenbr0", RTM_GETLINK, GET_XENBR0));
        assertEquals("link show xenbr0: No such device (ENODEV)", e.getMessage());
    }

    @Test
    void getAnsweredWithAnAckIsAnError() {
        socket.expect("get xenbr0", GET_XENBR0_REQUEST).reply(ACK);
        XennetException e = assertThrows(XennetException.class,
                () -> nl.get("link show", "xenbr0", RTM_GETLINK, GET_XENBR0));
        assertFalse(e instanceof KernelException);
        assertEquals("link show xenbr0: kernel sent an ACK instead of a reply", e.getMessage());
    }

    @Test
    void getTimeoutNamesTheOperation() {
        socket.expect("get xenbr0", GET_XENBR0_REQUEST).timeout();
        NetlinkTimeoutException e = assertThrows(NetlinkTimeoutException.class,
                () -> nl.get("link show", "xenbr0", RTM_GETLINK, GET_XENBR0));
        assertTrue(e.getMessage().startsWith("link show xenbr0: "), e.getMessage());
    }

    // ---- dump ----------------------------------------------------------------------------

    @Test
    void dumpCollectsEveryDatagramUpToDone() {
        List<byte[]> reply = captured("route.txt"); // 4 routes in one datagram, DONE in a second
        socket.expect("route dump", ROUTE_DUMP_REQUEST).reply(reply);
        List<NlMessage> ms = nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP);
        assertEquals(4, ms.size());
        assertTrue(ms.stream().allMatch(m -> m.type() == 24 && m.seq() == 101));
        assertThrows(UnsupportedOperationException.class, () -> ms.add(ms.get(0)));
    }

    @Test
    void dumpSpreadOverManyDatagramsSkippingNoop() {
        byte[] noop = hex("10000000 0100 0200 00000000 00000000 // NLMSG_NOOP, MULTI");
        socket.expect("route dump", ROUTE_DUMP_REQUEST)
                .reply(route(2, 0), concat(noop, route(2, 0)), route(2, 0))
                .replyAsIs(route(2, 77)) // another request's, ignored
                .reply(done(2));
        assertEquals(3, nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP).size());
    }

    @Test
    void interruptedDumpIsRepeated() {
        socket.expect("route dump 1", ROUTE_DUMP_REQUEST)
                .reply(concat(route(0x12, 0), route(0x12, 0), done(0x12))) // MULTI | DUMP_INTR
                .expect("route dump 2", ROUTE_DUMP_REQUEST)
                .reply(concat(route(2, 0), done(2)));
        List<NlMessage> ms = nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP);
        assertEquals(1, ms.size()); // the second, complete dump only
        assertEquals(102, ms.get(0).seq());
        assertEquals(List.of(101, 102), socket.sent().stream().map(NetlinkTransportTest::seqOf).toList());
    }

    @Test
    void interruptedDumpGivesUpAfterFiveAttempts() {
        for (int i = 1; i <= 5; i++) {
            // DUMP_INTR on the DONE alone is enough: the kernel sets it on every message after the change
            socket.expect("route dump " + i, ROUTE_DUMP_REQUEST).reply(concat(route(2, 0), done(0x12)));
        }
        // xennet's own words, not the kernel's: a plain XennetException, no errno, no "kernel:" part.
        XennetException e = assertThrows(XennetException.class,
                () -> nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP));
        assertSame(XennetException.class, e.getClass());
        assertEquals("route show table all: the dump was interrupted 5 times by concurrent changes "
                + "(NLM_F_DUMP_INTR); try again", e.getMessage());
        assertEquals(5, socket.sent().size());
    }

    @Test
    void doneCarryingAnErrno() {
        socket.expect("route dump", ROUTE_DUMP_REQUEST).reply(concat(route(2, 0), hex("""
                14000000 0300 0200 00000000 00000000  // NLMSG_DONE, MULTI
                a6ffffff                              // error -90 EMSGSIZE
                """)));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP));
        assertEquals("route show table all: Message too long (EMSGSIZE)", e.getMessage());
    }

    @Test
    void doneCarryingAnErrnoAndExtack() {
        socket.expect("route dump", ROUTE_DUMP_REQUEST).reply(hex("""
                28000000 0300 0202 00000000 00000000  // NLMSG_DONE len 40, MULTI | ACK_TLVS
                eaffffff                              // error -22 EINVAL
                1300 0100 696e76616c69642066696c74657200 // NLMSGERR_ATTR_MSG "invalid filter\\0", len 19
                00                                    // padding
                """));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP));
        assertEquals("route show table all: Invalid argument (EINVAL); kernel: invalid filter", e.getMessage());
    }

    @Test
    void errorInsteadOfADump() {
        socket.expect("route dump", ROUTE_DUMP_REQUEST).reply(error(-97, 0));
        KernelException e = assertThrows(KernelException.class,
                () -> nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP));
        assertEquals("route show table all: Address family not supported by protocol (EAFNOSUPPORT)",
                e.getMessage());
    }

    @Test
    void timeoutInTheMiddleOfADumpNamesTheOperation() {
        socket.expect("route dump", ROUTE_DUMP_REQUEST).reply(route(2, 0)).timeout();
        NetlinkTimeoutException e = assertThrows(NetlinkTimeoutException.class,
                () -> nl.dump("route show", "table all", RTM_GETROUTE, ROUTE_DUMP));
        assertTrue(e.getMessage().startsWith("route show table all: no reply"), e.getMessage());
    }

    @Test
    void closeClosesTheSocket() {
        nl.close();
        assertTrue(socket.isClosed());
        assertInstanceOf(AutoCloseable.class, nl);
    }
}
