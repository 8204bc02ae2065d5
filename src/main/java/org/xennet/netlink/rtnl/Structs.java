// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The fixed headers of rtnetlink messages: ifinfomsg (16 bytes), ifaddrmsg (8), rtmsg (12). */
public final class Structs {
    private Structs() {
    }

    static ByteBuffer alloc(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
    }

    /** struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }. */
    public record IfInfoMsg(int family, int type, int index, int flags, int change) {
        public static final int SIZE = 16;

        public byte[] encode() {
            return alloc(SIZE).put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags)
                    .putInt(change).array();
        }

        public static IfInfoMsg decode(ByteBuffer b) {
            int family = b.get() & 0xff;
            b.get();
            int type = b.getShort() & 0xffff;
            return new IfInfoMsg(family, type, b.getInt(), b.getInt(), b.getInt());
        }
    }

    /** struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }. */
    public record IfAddrMsg(int family, int prefixLength, int flags, int scope, int index) {
        public static final int SIZE = 8;

        public byte[] encode() {
            return alloc(SIZE).put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope)
                    .putInt(index).array();
        }

        public static IfAddrMsg decode(ByteBuffer b) {
            return new IfAddrMsg(b.get() & 0xff, b.get() & 0xff, b.get() & 0xff, b.get() & 0xff, b.getInt());
        }
    }

    /** struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }. */
    public record RtMsg(int family, int dstLength, int srcLength, int tos, int table, int protocol, int scope,
            int type, int flags) {
        public static final int SIZE = 12;

        public byte[] encode() {
            return alloc(SIZE).put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos)
                    .put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags).array();
        }

        public static RtMsg decode(ByteBuffer b) {
            return new RtMsg(b.get() & 0xff, b.get() & 0xff, b.get() & 0xff, b.get() & 0xff, b.get() & 0xff,
                    b.get() & 0xff, b.get() & 0xff, b.get() & 0xff, b.getInt());
        }
    }
}
