// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.util.Locale;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/** A 48-bit Ethernet address, printed lower-case with colons as {@code ip link} does. */
public final class MacAddress {
    /** The address Xen gives backend ports: the largest non-broadcast one, so a bridge never adopts it. */
    public static final MacAddress XEN_BACKEND = parse("fe:ff:ff:ff:ff:ff");

    private final long value;

    private MacAddress(long value) {
        this.value = value & 0xffff_ffff_ffffL;
    }

    public static MacAddress of(byte[] b) {
        if (b.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + b.length);
        }
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return new MacAddress(v);
    }

    /** Parses {@code 00:16:3e:0a:0b:0c} (also with '-'); anything else is refused with a message naming the value. */
    public static MacAddress parse(String s) {
        String[] parts = s.split("[:-]", -1);
        if (parts.length != 6) {
            throw new UsageException("invalid MAC address " + Printable.quote(s) + ": expected six hex bytes like 00:16:3e:12:34:56");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2 || !p.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new UsageException("invalid MAC address " + Printable.quote(s) + ": " + Printable.quote(p) + " is not a hex byte");
            }
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 5; i >= 0; i--) {
            b[5 - i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    public boolean isMulticast() {
        return ((value >>> 40) & 1) != 0;
    }

    public boolean isBroadcast() {
        return value == 0xffff_ffff_ffffL;
    }

    public boolean isZero() {
        return value == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress && ((MacAddress) o).value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        byte[] b = bytes();
        return String.format(Locale.ROOT, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
}
