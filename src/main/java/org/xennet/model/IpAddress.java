// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/**
 * An IPv4 or IPv6 address. Parsing is strict and never resolves names: the input is data from
 * argv or XenStore, and a host name would mean a DNS lookup in a hotplug call.
 */
public final class IpAddress implements Comparable<IpAddress> {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static IpAddress of(byte[] b) {
        if (b.length != 4 && b.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + b.length);
        }
        return new IpAddress(b.clone());
    }

    public static IpAddress parse(String s) {
        if (s.indexOf(':') >= 0) {
            return parse6(s);
        }
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            throw bad(s);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (p[i].isEmpty() || p[i].length() > 3 || !p[i].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw bad(s);
            }
            if (p[i].length() > 1 && p[i].charAt(0) == '0') {
                // iproute2 reads 010 as octal (8), inet_pton refuses it: ambiguous, so refused.
                throw new UsageException("invalid IP address " + Printable.quote(s) + ": leading zero in '" + p[i]
                        + "' is ambiguous (octal to iproute2)");
            }
            int v = Integer.parseInt(p[i]);
            if (v > 255) {
                throw bad(s);
            }
            b[i] = (byte) v;
        }
        return new IpAddress(b);
    }

    private static IpAddress parse6(String s) {
        // Only hex digits, ':' and '.', so InetAddress treats it as a literal and never does a lookup.
        if (s.length() > 45 || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw bad(s);
        }
        try {
            InetAddress a = InetAddress.getByName("[" + s + "]");
            byte[] b = a.getAddress();
            if (!(a instanceof Inet6Address) && b.length == 4) {
                // ::ffff:1.2.3.4 is returned as IPv4 by Java; keep the IPv6 form the user wrote.
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(b, 0, m, 12, 4);
                b = m;
            }
            return new IpAddress(b);
        } catch (UnknownHostException e) {
            throw bad(s);
        }
    }

    private static UsageException bad(String s) {
        return new UsageException("invalid IP address " + Printable.quote(s));
    }

    public int family() {
        return bytes.length == 4 ? AF_INET : AF_INET6;
    }

    public boolean isV4() {
        return bytes.length == 4;
    }

    public int bits() {
        return bytes.length * 8;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Zero for an all-zero (unspecified) address. */
    public boolean isAny() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean isLinkLocal() {
        return isV4() ? (bytes[0] & 0xff) == 169 && (bytes[1] & 0xff) == 254
                : (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xc0) == 0x80;
    }

    /** This address with the bits after {@code length} cleared. */
    public IpAddress mask(int length) {
        byte[] b = bytes.clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, length - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        return new IpAddress(b);
    }

    @Override
    public int compareTo(IpAddress o) {
        if (bytes.length != o.bytes.length) {
            return bytes.length - o.bytes.length;
        }
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress && Arrays.equals(((IpAddress) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        if (isV4()) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        return format6(bytes);
    }

    /** RFC 5952 text: lower case, longest run of zero groups (2 or more) as "::", ::ffff:a.b.c.d mixed. */
    private static String format6(byte[] b) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
