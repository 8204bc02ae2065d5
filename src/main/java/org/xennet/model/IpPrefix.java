// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/**
 * An address with a prefix length, as {@code ip addr add 192.0.2.10/24} takes it: the host bits
 * are kept (use {@link #network()} for the canonical route destination).
 */
public final class IpPrefix {
    private final IpAddress address;
    private final int length;

    public IpPrefix(IpAddress address, int length) {
        if (length < 0 || length > address.bits()) {
            throw new UsageException("invalid prefix length /" + length + " for " + address);
        }
        this.address = address;
        this.length = length;
    }

    /** Parses {@code addr/len}; a bare address is a host prefix (/32 or /128). */
    public static IpPrefix parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            IpAddress a = IpAddress.parse(s);
            return new IpPrefix(a, a.bits());
        }
        IpAddress a = IpAddress.parse(s.substring(0, slash));
        String len = s.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UsageException("invalid prefix " + Printable.quote(s) + ": " + Printable.quote(len) + " is not a prefix length");
        }
        int n = Integer.parseInt(len);
        if (n > a.bits()) {
            throw new UsageException("invalid prefix " + Printable.quote(s) + ": /" + n + " is longer than " + a.bits() + " bits");
        }
        return new IpPrefix(a, n);
    }

    /** The default route destination for a family: 0.0.0.0/0 or ::/0. */
    public static IpPrefix anyOf(int family) {
        return new IpPrefix(IpAddress.of(new byte[family == IpAddress.AF_INET ? 4 : 16]), 0);
    }

    public IpAddress address() {
        return address;
    }

    public int length() {
        return length;
    }

    public int family() {
        return address.family();
    }

    public boolean isDefault() {
        return length == 0;
    }

    public IpPrefix network() {
        return new IpPrefix(address.mask(length), length);
    }

    public boolean contains(IpAddress a) {
        return a.family() == family() && a.mask(length).equals(address.mask(length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix && ((IpPrefix) o).length == length && ((IpPrefix) o).address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + length;
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
