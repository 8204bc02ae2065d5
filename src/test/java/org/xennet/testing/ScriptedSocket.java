// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;
import org.xennet.netlink.NetlinkSocket;
import org.xennet.netlink.NetlinkTimeoutException;

/**
 * A {@link NetlinkSocket} that plays a script: each request the code sends must equal the next
 * expected request byte for byte, and each receive gets the next scripted datagram.
 *
 * <p>The transport picks its own sequence numbers ({@code RtnetlinkNetwork} builds its transport
 * with a time-based first one), so the seq field of a request (bytes 8-11) is not compared;
 * everything else, the pid included, is. Scripted replies are rewritten to answer the request
 * sent last: every message's nlmsg_seq and nlmsg_pid, and in an NLMSG_ERROR the seq of the echoed
 * request header. {@link #replyAsIs} skips that rewriting, to script a stale reply.
 *
 * <p>A mismatch fails with both messages decoded field by field (header, fixed struct,
 * top-level attributes), so a wrong attribute is seen at a glance.
 *
 * <p>The static helpers read golden bytes written as annotated hex ({@link #hex}) and the
 * captured kernel replies under {@code src/test/resources/kernel-replies} ({@link #captured}).
 * Golden bytes are little-endian, the byte order of every platform xennet ships for (x86-64,
 * aarch64); elsewhere the tests that use them are skipped.
 */
public final class ScriptedSocket implements NetlinkSocket {
    /** The port id this socket pretends the kernel gave it. */
    public static final int PORT_ID = 0x4242;

    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_ERROR = 2;

    private sealed interface Step permits Expect, Reply, Timeout {
    }

    private record Expect(String what, byte[] request) implements Step {
    }

    private record Reply(byte[] datagram, int senderPort, boolean patch) implements Step {
    }

    private record Timeout() implements Step {
    }

    private final Deque<Step> script = new ArrayDeque<>();
    private final List<byte[]> sent = new ArrayList<>();
    private int lastSeq;
    private boolean closed;

    /** The next request must be exactly these bytes (seq excepted); {@code what} names it in failures. */
    public ScriptedSocket expect(String what, byte[] request) {
        script.add(new Expect(what, request.clone()));
        return this;
    }

    /** Datagrams from the kernel answering the request sent last, one per receive. */
    public ScriptedSocket reply(byte[]... datagrams) {
        return reply(List.of(datagrams));
    }

    /** Datagrams from the kernel answering the request sent last, one per receive. */
    public ScriptedSocket reply(List<byte[]> datagrams) {
        for (byte[] d : datagrams) {
            script.add(new Reply(d.clone(), 0, true));
        }
        return this;
    }

    /** A datagram whose seq and pid are delivered as written (a late answer to an older request). */
    public ScriptedSocket replyAsIs(byte[] datagram) {
        script.add(new Reply(datagram.clone(), 0, false));
        return this;
    }

    /** A datagram answering the last request but sent by another socket (port id != 0). */
    public ScriptedSocket replyFrom(int senderPort, byte[] datagram) {
        script.add(new Reply(datagram.clone(), senderPort, true));
        return this;
    }

    /** The next receive times out, as the JNA socket does when SO_RCVTIMEO expires. */
    public ScriptedSocket timeout() {
        script.add(new Timeout());
        return this;
    }

    /** Every request sent so far, as sent. */
    public List<byte[]> sent() {
        return List.copyOf(sent);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Fails unless the whole script was played. */
    public void assertFinished() {
        if (!script.isEmpty()) {
            StringBuilder b = new StringBuilder("the script was not played to the end; still pending:");
            for (Step s : script) {
                b.append("\n  ").append(describe(s));
            }
            throw new AssertionFailedError(b.toString());
        }
    }

    @Override
    public void send(byte[] datagram) {
        if (closed) {
            throw new AssertionFailedError("send on a closed socket");
        }
        byte[] actual = datagram.clone();
        sent.add(actual);
        Step next = script.poll();
        if (!(next instanceof Expect e)) {
            throw new AssertionFailedError("request #" + sent.size() + " was not expected; the script "
                    + (next == null ? "has ended" : "wanted " + describe(next)) + ". Sent:\n" + render(actual));
        }
        if (actual.length < NLMSG_HDRLEN) {
            throw new AssertionFailedError("request #" + sent.size() + " (" + e.what() + ") is only "
                    + actual.length + " bytes: " + toHex(actual));
        }
        lastSeq = le(actual).getInt(8);
        byte[] expected = e.request().clone();
        if (expected.length >= 12) {
            System.arraycopy(actual, 8, expected, 8, 4);
        }
        if (!Arrays.equals(expected, actual)) {
            int at = Arrays.mismatch(expected, actual);
            String exp = render(expected);
            String act = render(actual);
            throw new AssertionFailedError("request #" + sent.size() + " (" + e.what() + ") differs at byte " + at
                    + " (seq not compared)\nexpected:\n" + exp + "\nactual:\n" + act, exp, act);
        }
    }

    @Override
    public Datagram receive() {
        if (closed) {
            throw new AssertionFailedError("receive on a closed socket");
        }
        Step next = script.poll();
        if (next instanceof Timeout) {
            throw new NetlinkTimeoutException("no reply from the kernel within 5000 ms");
        }
        if (!(next instanceof Reply r)) {
            throw new AssertionFailedError("the code waits for a reply, but the script "
                    + (next == null ? "has ended" : "wants " + describe(next) + " first"));
        }
        return new Datagram(r.patch() ? answer(r.datagram(), lastSeq) : r.datagram().clone(), r.senderPort());
    }

    @Override
    public int portId() {
        return PORT_ID;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The datagram with each message's seq/pid (and an NLMSG_ERROR's echoed seq) set to answer seq. */
    private static byte[] answer(byte[] datagram, int seq) {
        byte[] out = datagram.clone();
        ByteBuffer b = le(out);
        int o = 0;
        while (o + NLMSG_HDRLEN <= out.length) {
            int len = b.getInt(o);
            if (len < NLMSG_HDRLEN || o + len > out.length) {
                break; // deliberately malformed: leave the rest alone
            }
            b.putInt(o + 8, seq).putInt(o + 12, PORT_ID);
            if ((b.getShort(o + 4) & 0xffff) == NLMSG_ERROR && len >= NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) {
                b.putInt(o + NLMSG_HDRLEN + 4 + 8, seq);
            }
            o += (len + 3) & ~3;
        }
        return out;
    }

    private static String describe(Step s) {
        if (s instanceof Expect e) {
            return "request " + e.what();
        } else if (s instanceof Reply r) {
            return "a reply of " + r.datagram().length + " bytes" + (r.senderPort() != 0 ? " from port " + r.senderPort() : "");
        }
        return "a receive timeout";
    }

    // ---- rendering -------------------------------------------------------------------------

    /** Size of the fixed struct after nlmsghdr for rtnetlink message types, else 0. */
    private static int structSize(int type) {
        if (type >= 16 && type <= 19) {
            return 16; // ifinfomsg
        } else if (type >= 20 && type <= 23) {
            return 8; // ifaddrmsg
        } else if (type >= 24 && type <= 27) {
            return 12; // rtmsg
        } else if (type == NLMSG_ERROR) {
            return 4 + NLMSG_HDRLEN; // error + echoed header
        }
        return 0;
    }

    /** One line per netlink header field group, fixed struct and top-level attribute. */
    private static String render(byte[] datagram) {
        StringBuilder s = new StringBuilder();
        ByteBuffer b = le(datagram);
        int o = 0;
        while (o + NLMSG_HDRLEN <= datagram.length) {
            int len = b.getInt(o);
            int type = b.getShort(o + 4) & 0xffff;
            s.append(String.format("  nlmsghdr len=%d type=%d flags=0x%x seq=%d pid=%d%n", len, type,
                    b.getShort(o + 6) & 0xffff, b.getInt(o + 8), b.getInt(o + 12)));
            if (len < NLMSG_HDRLEN || o + len > datagram.length) {
                s.append("  !! length ").append(len).append(" does not fit the ").append(datagram.length - o)
                        .append(" bytes left: ").append(toHex(Arrays.copyOfRange(datagram, o + NLMSG_HDRLEN,
                                datagram.length))).append('\n');
                return s.toString();
            }
            int p = o + NLMSG_HDRLEN;
            int end = o + len;
            int st = Math.min(structSize(type), end - p);
            if (st > 0) {
                s.append("    struct ").append(toHex(Arrays.copyOfRange(datagram, p, p + st))).append('\n');
                p += st;
            }
            while (p + 4 <= end) {
                int alen = b.getShort(p) & 0xffff;
                int atype = b.getShort(p + 2) & 0xffff;
                if (alen < 4 || p + alen > end) {
                    s.append("    !! attr header ").append(toHex(Arrays.copyOfRange(datagram, p, p + 4)))
                            .append(" then ").append(toHex(Arrays.copyOfRange(datagram, p + 4, end))).append('\n');
                    p = end;
                    break;
                }
                s.append(String.format("    attr type=%d%s len=%d: %s%n", atype & 0x3fff,
                        (atype & 0x8000) != 0 ? "|NESTED" : "", alen,
                        toHex(Arrays.copyOfRange(datagram, p + 4, p + alen))));
                p += (alen + 3) & ~3;
            }
            if (p < end) {
                s.append("    trailing ").append(toHex(Arrays.copyOfRange(datagram, p, end))).append('\n');
            }
            o += (len + 3) & ~3;
        }
        if (o < datagram.length) {
            s.append("  trailing ").append(toHex(Arrays.copyOfRange(datagram, o, datagram.length))).append('\n');
        }
        return s.toString();
    }

    // ---- golden bytes ----------------------------------------------------------------------

    /**
     * Bytes written as annotated hex: whitespace is ignored and {@code //} starts a comment to the
     * end of the line, so each field can sit on its own line with what it is. Skips the calling
     * test on a big-endian machine, where no golden byte string would hold.
     */
    public static byte[] hex(String annotated) {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "golden netlink bytes are little-endian");
        StringBuilder digits = new StringBuilder();
        for (String line : annotated.split("\n", -1)) {
            int c = line.indexOf("//");
            digits.append((c >= 0 ? line.substring(0, c) : line).replaceAll("\\s+", ""));
        }
        String h = digits.toString();
        if ((h.length() & 1) != 0 || !h.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw new IllegalArgumentException("not an even number of hex digits: " + h);
        }
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(h, 2 * i, 2 * i + 2, 16);
        }
        return out;
    }

    /** Concatenation, for a datagram made of several golden messages. */
    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    public static String toHex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }

    /**
     * The datagrams of a captured kernel reply ({@code kernel-replies/NAME}, one hex datagram per
     * line), as the kernel sent them to a request with seq 42. Besides link, addr, route, err and
     * extack.txt, these were captured with CaptureKernelReplies (kernel 6.18) in {@code unshare -rn}
     * after: {@code ip link add xenbr0 address 02:00:00:00:00:01 type bridge stp_state 0
     * forward_delay 0; ip link set xenbr0 up; ip link add vif5.0 address fe:ff:ff:ff:ff:ff type veth
     * peer name vif5.0p; ip link set vif5.0 master xenbr0; ip link set vif5.0 up; ip link set vif5.0p
     * up; ip link add xenbr1 type bridge stp_state 1 forward_delay 1500; ip -6 addr add
     * 2001:db8::10/64 dev xenbr0 nodad; ip -6 route add 2001:db8:1::/48 via 2001:db8::1 dev xenbr0
     * metric 1024 table 100}:
     * link-veth.txt ({@code link vif5.0}), link-stp.txt ({@code link xenbr1}), addr6.txt
     * ({@code addr 10}), route6.txt ({@code route 10}), enodev.txt ({@code link nosuch0}).
     */
    public static List<byte[]> captured(String name) {
        try (InputStream in = ScriptedSocket.class.getResourceAsStream("/kernel-replies/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no captured reply kernel-replies/" + name);
            }
            List<byte[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank()) {
                    out.add(hex(line.trim()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The only datagram of a single-datagram capture. */
    public static byte[] capturedDatagram(String name) {
        List<byte[]> d = captured(name);
        if (d.size() != 1) {
            throw new IllegalArgumentException("kernel-replies/" + name + " has " + d.size() + " datagrams");
        }
        return d.get(0);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
