// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds a netlink payload: a fixed header struct followed by attributes, with nesting.
 * Native byte order, every attribute padded to 4 bytes.
 *
 * <pre>
 * byte[] p = new MessageWriter()
 *     .struct(IfInfoMsg.encode(...))
 *     .string(IFLA_IFNAME, "xenbr0")
 *     .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "bridge").end()
 *     .toBytes();
 * </pre>
 */
public final class MessageWriter {
    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    /** Raw bytes (a fixed struct such as ifinfomsg), padded to 4. */
    public MessageWriter struct(byte[] bytes) {
        ensure(Nl.align(bytes.length));
        buf.put(bytes);
        pad();
        return this;
    }

    public MessageWriter attr(int type, byte[] value) {
        int len = Nl.NLA_HDRLEN + value.length;
        ensure(Nl.align(len));
        buf.putShort((short) len).putShort((short) type).put(value);
        pad();
        return this;
    }

    public MessageWriter attr(NlAttr a) {
        return attr(a.type() | (a.nestedFlag() ? Nl.NLA_F_NESTED : 0), a.value());
    }

    public MessageWriter u8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public MessageWriter u16(int type, int v) {
        return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    public MessageWriter be16(int type, int v) {
        return attr(type, ByteBuffer.allocate(2).order(ByteOrder.BIG_ENDIAN).putShort((short) v).array());
    }

    public MessageWriter u32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** A NUL-terminated string attribute. */
    public MessageWriter string(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(b, b.length + 1));
    }

    /** Opens a nested attribute; close it with {@link #end()}. */
    public MessageWriter begin(int type) {
        ensure(Nl.NLA_HDRLEN);
        open.push(buf.position());
        buf.putShort((short) 0).putShort((short) type);
        return this;
    }

    public MessageWriter end() {
        int start = open.pop();
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    private void pad() {
        while ((buf.position() & 3) != 0) {
            buf.put((byte) 0);
        }
    }

    public byte[] toBytes() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }
}
