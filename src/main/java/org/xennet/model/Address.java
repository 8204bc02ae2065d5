// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;


/**
 * An interface address ({@code ip addr show}).
 *
 * @param index interface index
 * @param prefix the local address with its prefix length
 * @param peer the peer of a point-to-point address, else null
 * @param broadcast the IPv4 broadcast address, else null
 * @param label the IPv4 label (e.g. "eth0:1"), else null
 * @param scope RT_SCOPE_* (0 global, 253 link, 254 host)
 * @param flags IFA_F_* flags
 * @param validLifetime seconds, {@link #FOREVER} when static
 * @param preferredLifetime seconds, {@link #FOREVER} when static
 */
public record Address(int index, IpPrefix prefix, IpAddress peer, IpAddress broadcast, String label, int scope,
        int flags, long validLifetime, long preferredLifetime) {

    public static final long FOREVER = 0xffff_ffffL;

    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_HOMEADDRESS = 0x10;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_MANAGETEMPADDR = 0x100;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    public static final int SCOPE_GLOBAL = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;

    /** A static global address on an interface, as {@code ip addr add PREFIX dev DEV}. */
    public static Address of(int index, IpPrefix prefix) {
        return new Address(index, prefix, null, null, null, SCOPE_GLOBAL, 0, FOREVER, FOREVER);
    }

    public int family() {
        return prefix.family();
    }

    /** A DHCP/SLAAC address with a lifetime ({@code dynamic} in {@code ip addr}). */
    public boolean isDynamic() {
        return validLifetime != FOREVER;
    }

    public boolean isSecondary() {
        return (flags & IFA_F_SECONDARY) != 0;
    }

    public Address withIndex(int newIndex) {
        return new Address(newIndex, prefix, peer, broadcast, label, scope, flags, validLifetime, preferredLifetime);
    }

    public Address withLabel(String newLabel) {
        return new Address(index, prefix, peer, broadcast, newLabel, scope, flags, validLifetime, preferredLifetime);
    }

    /**
     * The same address as a static one that {@code ip addr add} accepts: without lifetimes and
     * without the state flags the kernel sets by itself (secondary, tentative, deprecated, permanent...).
     * Only nodad, home-address, mngtmpaddr and noprefixroute are requests a user can make.
     */
    public Address asStatic() {
        int keep = flags & (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE);
        return new Address(index, prefix, peer, broadcast, label, scope, keep, FOREVER, FOREVER);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(prefix.toString());
        if (peer != null) {
            b.append(" peer ").append(peer);
        }
        if (broadcast != null) {
            b.append(" brd ").append(broadcast);
        }
        if (scope != SCOPE_GLOBAL) {
            b.append(" scope ").append(scope == SCOPE_LINK ? "link" : scope == SCOPE_HOST ? "host" : scope);
        }
        if (label != null) {
            b.append(" label ").append(label);
        }
        if ((flags & IFA_F_SECONDARY) != 0) {
            b.append(" secondary");
        }
        if ((flags & IFA_F_NOPREFIXROUTE) != 0) {
            b.append(" noprefixroute");
        }
        if (isDynamic()) {
            b.append(" dynamic");
        }
        return b.toString();
    }
}
