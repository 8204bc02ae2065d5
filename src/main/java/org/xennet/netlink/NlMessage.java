// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One netlink message: the 16-byte {@code struct nlmsghdr} fields and the payload after it.
 * Encoding and decoding are pure and work in native byte order.
 */
public final class NlMessage {
    private final int type;
    private final int flags;
    private final int seq;
    private final int pid;
    private final byte[] payload;

    public NlMessage(int type, int flags, int seq, int pid, byte[] payload) {
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.pid = pid;
        this.payload = payload.clone();
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public int seq() {
        return seq;
    }

    public int pid() {
        return pid;
    }

    public byte[] payload() {
        return payload.clone();
    }

    /** The payload as a native-order buffer over a copy, so that no reader can change the message. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload.clone()).order(ByteOrder.nativeOrder());
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public NlMessage withSeq(int newSeq, int newPid) {
        return new NlMessage(type, flags, newSeq, newPid, payload);
    }

    /** Total length on the wire including header (not padded). */
    public int length() {
        return Nl.NLMSG_HDRLEN + payload.length;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(Nl.align(length())).order(ByteOrder.nativeOrder());
        b.putInt(length()).putShort((short) type).putShort((short) flags).putInt(seq).putInt(pid).put(payload);
        return b.array();
    }

    /** Decodes every message in a datagram (position to limit). */
    public static List<NlMessage> decodeAll(ByteBuffer in) {
        ByteBuffer b = in.duplicate().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        while (b.remaining() >= Nl.NLMSG_HDRLEN) {
            int start = b.position();
            int len = b.getInt();
            int type = b.getShort() & 0xffff;
            int flags = b.getShort() & 0xffff;
            int seq = b.getInt();
            int pid = b.getInt();
            if (len < Nl.NLMSG_HDRLEN || start + len > b.limit()) {
                throw new NetlinkFormatException("message type " + type + " claims " + len + " bytes, "
                        + (b.limit() - start) + " left");
            }
            byte[] p = new byte[len - Nl.NLMSG_HDRLEN];
            b.get(p);
            out.add(new NlMessage(type, flags, seq, pid, p));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NlMessage)) {
            return false;
        }
        NlMessage m = (NlMessage) o;
        return m.type == type && m.flags == flags && m.seq == seq && m.pid == pid && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + flags) * 31 + seq) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "nlmsg(type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + seq + ", pid=" + pid
                + ", " + payload.length + " bytes)";
    }
}
