// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink attribute: its type (with the nested / byte-order flags stripped) and its raw
 * value. Attributes the code does not know are carried as they came, never dropped.
 */
public final class NlAttr {
    private final int type;
    private final boolean nestedFlag;
    private final byte[] value;

    public NlAttr(int type, byte[] value) {
        this(type, false, value);
    }

    public NlAttr(int type, boolean nestedFlag, byte[] value) {
        this.type = type & Nl.NLA_TYPE_MASK;
        this.nestedFlag = nestedFlag;
        this.value = value.clone();
    }

    public int type() {
        return type;
    }

    /** Whether NLA_F_NESTED was set on the wire. */
    public boolean nestedFlag() {
        return nestedFlag;
    }

    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    public int u8() {
        check(1);
        return value[0] & 0xff;
    }

    public int u16() {
        check(2);
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getShort() & 0xffff;
    }

    /** A big-endian 16-bit value (ports). */
    public int be16() {
        check(2);
        return ByteBuffer.wrap(value).order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
    }

    public int u32() {
        check(4);
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    public long u64() {
        check(8);
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
    }

    /** A NUL-terminated string; the terminator (and anything after it) is dropped. */
    public String string() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** The value parsed as a list of attributes. */
    public List<NlAttr> nested() {
        return NlAttrs.parse(ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()));
    }

    private void check(int n) {
        if (value.length < n) {
            throw new NetlinkFormatException("attribute " + type + " has " + value.length + " bytes, expected " + n);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NlAttr && ((NlAttr) o).type == type && ((NlAttr) o).nestedFlag == nestedFlag
                && Arrays.equals(((NlAttr) o).value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("attr(").append(type).append(nestedFlag ? ",nested" : "").append(':');
        for (byte x : value) {
            b.append(String.format("%02x", x));
        }
        return b.append(')').toString();
    }
}
