// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An attribute of a link or a route that xennet does not interpret (queue length, metrics, route
 * preference...), kept as the kernel sent it so that it can be sent back unchanged: its type
 * (flags stripped), whether it came flagged as nested, and its bytes. A model type, so that the
 * model does not depend on the netlink codec that reads and writes it.
 */
public final class RawAttribute {
    private final int type;
    private final boolean nestedFlag;
    private final byte[] value;

    public RawAttribute(int type, boolean nestedFlag, byte[] value) {
        this.type = type;
        this.nestedFlag = nestedFlag;
        this.value = value.clone();
    }

    public RawAttribute(int type, byte[] value) {
        this(type, false, value);
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

    /** The value as a NUL-terminated string. */
    public String string() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawAttribute r && r.type == type && r.nestedFlag == nestedFlag
                && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "attr " + type + (nestedFlag ? " (nested)" : "") + " " + HexFormat.of().formatHex(value);
    }
}
