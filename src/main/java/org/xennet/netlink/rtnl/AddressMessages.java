// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.xennet.netlink.rtnl.Rtnl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.xennet.model.Address;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.netlink.MessageWriter;
import org.xennet.netlink.NetlinkFormatException;
import org.xennet.netlink.NlAttr;
import org.xennet.netlink.NlAttrs;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.Structs.IfAddrMsg;

/** Pure encoders of RTM_*ADDR requests and the decoder of the kernel's address messages. */
public final class AddressMessages {
    private AddressMessages() {
    }

    /** Payload of an RTM_GETADDR dump for a family (AF_UNSPEC for all). */
    public static byte[] dump(int family) {
        return new MessageWriter().struct(new IfAddrMsg(family, 0, 0, 0, 0).encode()).toBytes();
    }

    /**
     * RTM_NEWADDR / RTM_DELADDR: {@code ip addr add|del PREFIX [peer P] [broadcast B] [label L]
     * [scope S] [noprefixroute] dev DEV}. Lifetimes are sent only when not forever.
     */
    public static byte[] encode(Address a) {
        IpPrefix p = a.prefix();
        int flags = a.flags();
        MessageWriter w = new MessageWriter()
                .struct(new IfAddrMsg(p.family(), p.length(), flags & 0xff, a.scope(), a.index()).encode())
                .attr(IFA_LOCAL, p.address().bytes())
                .attr(IFA_ADDRESS, (a.peer() != null ? a.peer() : p.address()).bytes());
        if (a.broadcast() != null) {
            w.attr(IFA_BROADCAST, a.broadcast().bytes());
        }
        if (a.label() != null) {
            w.string(IFA_LABEL, a.label());
        }
        if ((flags & ~0xff) != 0) {
            w.u32(IFA_FLAGS, flags);
        }
        if (a.isDynamic()) {
            w.attr(IFA_CACHEINFO, ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                    .putInt((int) a.preferredLifetime()).putInt((int) a.validLifetime()).putInt(0).putInt(0).array());
        }
        return w.toBytes();
    }

    public static Address decode(NlMessage m) {
        ByteBuffer b = m.payloadBuffer();
        if (b.remaining() < IfAddrMsg.SIZE) {
            throw new NetlinkFormatException("ifaddrmsg of " + b.remaining() + " bytes, expected " + IfAddrMsg.SIZE);
        }
        IfAddrMsg h = IfAddrMsg.decode(b);
        List<NlAttr> attrs = NlAttrs.parse(b.slice().order(b.order()));
        IpAddress local = NlAttrs.find(attrs, IFA_LOCAL).map(x -> IpAddress.of(x.value())).orElse(null);
        IpAddress address = NlAttrs.find(attrs, IFA_ADDRESS).map(x -> IpAddress.of(x.value())).orElse(null);
        // IPv4 sends both (they differ only for point-to-point); IPv6 sends IFA_ADDRESS alone
        // unless there is a peer, then IFA_LOCAL is the local one.
        IpAddress mine = local != null ? local : address;
        IpAddress peer = local != null && address != null && !address.equals(local) ? address : null;
        IpAddress brd = NlAttrs.find(attrs, IFA_BROADCAST).map(x -> IpAddress.of(x.value())).orElse(null);
        String label = NlAttrs.find(attrs, IFA_LABEL).map(NlAttr::string).orElse(null);
        int flags = NlAttrs.find(attrs, IFA_FLAGS).map(NlAttr::u32).orElse(h.flags());
        long preferred = Address.FOREVER;
        long valid = Address.FOREVER;
        NlAttr ci = NlAttrs.find(attrs, IFA_CACHEINFO).orElse(null);
        if (ci != null && ci.length() >= 8) {
            ByteBuffer c = ByteBuffer.wrap(ci.value()).order(ByteOrder.nativeOrder());
            preferred = c.getInt() & 0xffff_ffffL;
            valid = c.getInt() & 0xffff_ffffL;
        }
        return new Address(h.index(), new IpPrefix(mine, h.prefixLength()), peer, brd, label, h.scope(), flags,
                valid, preferred);
    }
}
