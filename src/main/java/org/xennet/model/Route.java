// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.util.List;

/**
 * A route ({@code ip route show table all}).
 *
 * @param family AF_INET or AF_INET6
 * @param table routing table id (254 main, 255 local)
 * @param destination destination prefix (length 0 for the default route)
 * @param gateway next hop, or null
 * @param oif output interface index, 0 when none
 * @param metric RTA_PRIORITY, 0 when unset
 * @param scope RT_SCOPE_*
 * @param protocol RTPROT_* (2 kernel, 3 boot, 4 static, 16 dhcp)
 * @param type RTN_* (1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable)
 * @param prefsrc preferred source address, or null
 * @param flags RTM_F_* / RTNH_F_* flags
 * @param extra attributes this code does not interpret (metrics, preference...), re-sent as they came
 */
public record Route(int family, int table, IpPrefix destination, IpAddress gateway, int oif, int metric, int scope,
        int protocol, int type, IpAddress prefsrc, int flags, List<RawAttribute> extra) {

    public static final int TABLE_UNSPEC = 0;
    public static final int TABLE_DEFAULT = 253;
    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;

    public static final int PROTO_UNSPEC = 0;
    public static final int PROTO_KERNEL = 2;
    public static final int PROTO_BOOT = 3;
    public static final int PROTO_STATIC = 4;
    public static final int PROTO_RA = 9;
    public static final int PROTO_DHCP = 16;

    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;

    public static final int TYPE_UNICAST = 1;
    public static final int TYPE_LOCAL = 2;
    public static final int TYPE_BROADCAST = 3;
    public static final int TYPE_MULTICAST = 5;
    public static final int TYPE_BLACKHOLE = 6;
    public static final int TYPE_UNREACHABLE = 7;
    public static final int TYPE_PROHIBIT = 8;

    public Route {
        extra = extra == null ? List.of() : List.copyOf(extra);
    }

    /**
     * A unicast route as {@code ip route add DEST [via GW] dev DEV} makes it: main table, boot
     * protocol, link scope when there is no gateway, universe scope otherwise.
     */
    public static Route unicast(IpPrefix destination, IpAddress gateway, int oif) {
        return new Route(destination.family(), TABLE_MAIN, destination.network(), gateway, oif, 0,
                gateway == null ? SCOPE_LINK : SCOPE_UNIVERSE, PROTO_BOOT, TYPE_UNICAST, null, 0, List.of());
    }

    public boolean isDefault() {
        return destination.isDefault();
    }

    public Route withTable(int t) {
        return new Route(family, t, destination, gateway, oif, metric, scope, protocol, type, prefsrc, flags, extra);
    }

    public Route withOif(int o) {
        return new Route(family, table, destination, gateway, o, metric, scope, protocol, type, prefsrc, flags, extra);
    }

    public Route withMetric(int m) {
        return new Route(family, table, destination, gateway, oif, m, scope, protocol, type, prefsrc, flags, extra);
    }

    public Route withPrefsrc(IpAddress p) {
        return new Route(family, table, destination, gateway, oif, metric, scope, protocol, type, p, flags, extra);
    }

    public Route withProtocol(int p) {
        return new Route(family, table, destination, gateway, oif, metric, scope, p, type, prefsrc, flags, extra);
    }

    /** The route in {@code ip route} words, with the device given by the caller (we only know its index). */
    public String describe(String dev) {
        StringBuilder b = new StringBuilder();
        if (type != TYPE_UNICAST) {
            b.append(typeName(type)).append(' ');
        }
        b.append(destination.isDefault() ? "default" : destination.toString());
        if (gateway != null) {
            b.append(" via ").append(gateway);
        }
        if (dev != null) {
            b.append(" dev ").append(dev);
        }
        if (table != TABLE_MAIN) {
            b.append(" table ").append(table == TABLE_LOCAL ? "local" : String.valueOf(table));
        }
        if (protocol != PROTO_BOOT) {
            b.append(" proto ").append(protoName(protocol));
        }
        boolean linkByDefault = family == IpAddress.AF_INET && gateway == null && type == TYPE_UNICAST;
        if (scope != (linkByDefault ? SCOPE_LINK : SCOPE_UNIVERSE)) {
            b.append(" scope ").append(scope == SCOPE_LINK ? "link" : scope == SCOPE_HOST ? "host"
                    : scope == SCOPE_UNIVERSE ? "global" : String.valueOf(scope));
        }
        if (prefsrc != null) {
            b.append(" src ").append(prefsrc);
        }
        if (metric != 0) {
            b.append(" metric ").append(Integer.toUnsignedString(metric));
        }
        return b.toString();
    }

    static String protoName(int p) {
        switch (p) {
            case PROTO_KERNEL: return "kernel";
            case PROTO_BOOT: return "boot";
            case PROTO_STATIC: return "static";
            case PROTO_RA: return "ra";
            case PROTO_DHCP: return "dhcp";
            default: return String.valueOf(p);
        }
    }

    static String typeName(int t) {
        switch (t) {
            case TYPE_LOCAL: return "local";
            case TYPE_BROADCAST: return "broadcast";
            case TYPE_MULTICAST: return "multicast";
            case TYPE_BLACKHOLE: return "blackhole";
            case TYPE_UNREACHABLE: return "unreachable";
            case TYPE_PROHIBIT: return "prohibit";
            default: return "type" + t;
        }
    }
}
