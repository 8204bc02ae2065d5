// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.xennet.netlink.rtnl.Rtnl.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.RawAttribute;
import org.xennet.model.Route;
import org.xennet.netlink.MessageWriter;
import org.xennet.netlink.NetlinkFormatException;
import org.xennet.netlink.NlAttr;
import org.xennet.netlink.NlAttrs;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.Structs.RtMsg;

/** Pure encoders of RTM_*ROUTE requests and the decoder of the kernel's route messages. */
public final class RouteMessages {
    private RouteMessages() {
    }

    /**
     * The rtm_flags a request may carry: RTNH_F_PERVASIVE and RTNH_F_ONLINK. The others (dead,
     * linkdown, cloned, offload...) are state the kernel reports and refuses to be sent.
     */
    static final int USER_FLAGS = 0x2 | 0x4;

    /** Payload of an RTM_GETROUTE dump for a family; the kernel returns every table. */
    public static byte[] dump(int family) {
        return new MessageWriter().struct(new RtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0).encode()).toBytes();
    }

    /** RTM_GETROUTE for one destination: {@code ip route get ADDR}. */
    public static byte[] get(IpAddress destination) {
        return new MessageWriter().struct(new RtMsg(destination.family(), destination.bits(), 0, 0, 0, 0, 0, 0, 0)
                .encode()).attr(RTA_DST, destination.bytes()).toBytes();
    }

    /** RTM_NEWROUTE / RTM_DELROUTE: {@code ip route add|replace|del ...}. */
    public static byte[] encode(Route r) {
        int table = r.table();
        MessageWriter w = new MessageWriter().struct(new RtMsg(r.family(), r.destination().length(), 0, 0,
                table < 256 ? table : RT_TABLE_COMPAT, r.protocol(), r.scope(), r.type(),
                r.flags() & USER_FLAGS).encode());
        w.u32(RTA_TABLE, table);
        if (!r.destination().isDefault()) {
            w.attr(RTA_DST, r.destination().address().bytes());
        }
        if (r.prefsrc() != null) {
            w.attr(RTA_PREFSRC, r.prefsrc().bytes());
        }
        if (r.gateway() != null) {
            w.attr(RTA_GATEWAY, r.gateway().bytes());
        }
        if (r.oif() != 0) {
            w.u32(RTA_OIF, r.oif());
        }
        if (r.metric() != 0) {
            w.u32(RTA_PRIORITY, r.metric());
        }
        for (RawAttribute a : r.extra()) {
            w.attr(Rtnl.nl(a));
        }
        return w.toBytes();
    }

    /**
     * RTM_DELROUTE as {@code ip route del} sends it: protocol 0, scope NOWHERE and type 0 mean
     * "any", so a route is found by table, destination, and the gateway, device and metric given.
     */
    public static byte[] encodeDelete(Route r) {
        return encode(new Route(r.family(), r.table(), r.destination(), r.gateway(), r.oif(), r.metric(), 255, 0, 0,
                r.prefsrc(), r.flags(), List.of()));
    }

    public static Route decode(NlMessage m) {
        ByteBuffer b = m.payloadBuffer();
        if (b.remaining() < RtMsg.SIZE) {
            throw new NetlinkFormatException("rtmsg of " + b.remaining() + " bytes, expected " + RtMsg.SIZE);
        }
        RtMsg h = RtMsg.decode(b);
        List<NlAttr> attrs = NlAttrs.parse(b.slice().order(b.order()));
        int table = h.table();
        IpAddress dst = null;
        IpAddress gw = null;
        IpAddress src = null;
        int oif = 0;
        int metric = 0;
        List<RawAttribute> extra = new ArrayList<>();
        for (NlAttr a : attrs) {
            switch (a.type()) {
                case RTA_TABLE: table = a.u32(); break;
                case RTA_DST: dst = IpAddress.of(a.value()); break;
                case RTA_GATEWAY: gw = IpAddress.of(a.value()); break;
                case RTA_PREFSRC: src = IpAddress.of(a.value()); break;
                case RTA_OIF: oif = a.u32(); break;
                case RTA_PRIORITY: metric = a.u32(); break;
                case RTA_CACHEINFO:
                case RTA_EXPIRES:
                    break; // kernel bookkeeping, not part of the route a user adds
                default:
                    extra.add(Rtnl.raw(a));
            }
        }
        IpPrefix dest = dst == null ? IpPrefix.anyOf(h.family()) : new IpPrefix(dst, h.dstLength());
        return new Route(h.family(), table, dest, gw, oif, metric, h.scope(), h.protocol(), h.type(), src,
                h.flags(), extra);
    }
}
