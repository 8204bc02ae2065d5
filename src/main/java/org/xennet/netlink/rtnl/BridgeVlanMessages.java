// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.xennet.netlink.rtnl.Rtnl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.xennet.model.BridgeVlan;
import org.xennet.netlink.MessageWriter;
import org.xennet.netlink.NetlinkFormatException;
import org.xennet.netlink.NlAttr;
import org.xennet.netlink.NlAttrs;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.Structs.IfInfoMsg;

/**
 * The VLAN table of bridge ports ({@code bridge vlan}): AF_BRIDGE link messages whose
 * IFLA_AF_SPEC holds {@code struct bridge_vlan_info { u16 flags; u16 vid; }} entries. An entry is
 * added with RTM_SETLINK and removed with RTM_DELLINK, both with this payload; a dump of
 * RTM_GETLINK in family AF_BRIDGE with RTEXT_FILTER_BRVLAN lists each port's VLANs.
 */
public final class BridgeVlanMessages {
    private BridgeVlanMessages() {
    }

    private static MessageWriter header(int index) {
        return new MessageWriter().struct(new IfInfoMsg(AF_BRIDGE, 0, index, 0, 0).encode());
    }

    /** Payload of the RTM_GETLINK dump {@code bridge vlan show} makes (one VLAN per entry, no ranges). */
    public static byte[] dump() {
        return header(0).u32(IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN).toBytes();
    }

    /**
     * Payload of RTM_SETLINK ({@code bridge vlan add dev DEV vid VID [pvid] [untagged]}) and of
     * RTM_DELLINK ({@code bridge vlan del dev DEV vid VID}, flags 0): one entry for port
     * {@code index}, applied by its bridge (no IFLA_BRIDGE_FLAGS: {@code master}, the default).
     */
    public static byte[] entry(int index, int vid, boolean pvid, boolean untagged) {
        int flags = (pvid ? BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
        byte[] info = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) flags)
                .putShort((short) vid).array();
        return header(index).begin(IFLA_AF_SPEC).attr(IFLA_BRIDGE_VLAN_INFO, info).end().toBytes();
    }

    /**
     * The VLANs of one AF_BRIDGE link message from the kernel (a port, or the bridge itself):
     * entries one by one, or ranges (RANGE_BEGIN ... RANGE_END) as a compressed dump sends them.
     */
    public static List<BridgeVlan> decode(NlMessage m) {
        ByteBuffer b = m.payloadBuffer();
        if (b.remaining() < IfInfoMsg.SIZE) {
            throw new NetlinkFormatException("ifinfomsg of " + b.remaining() + " bytes, expected " + IfInfoMsg.SIZE);
        }
        IfInfoMsg h = IfInfoMsg.decode(b);
        List<BridgeVlan> out = new ArrayList<>();
        List<NlAttr> attrs = NlAttrs.parse(b.slice().order(b.order()));
        List<NlAttr> spec = NlAttrs.find(attrs, IFLA_AF_SPEC).map(NlAttr::nested).orElse(List.of());
        int rangeStart = -1;
        for (NlAttr a : spec) {
            if (a.type() != IFLA_BRIDGE_VLAN_INFO) {
                continue;
            }
            if (a.length() < 4) {
                throw new NetlinkFormatException("bridge_vlan_info of " + a.length() + " bytes, expected 4");
            }
            ByteBuffer v = ByteBuffer.wrap(a.value()).order(ByteOrder.nativeOrder());
            int flags = v.getShort() & 0xffff;
            int vid = v.getShort() & 0xffff;
            if ((flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) != 0) {
                rangeStart = vid;
                continue;
            }
            int from = (flags & BRIDGE_VLAN_INFO_RANGE_END) != 0 && rangeStart >= 0 ? rangeStart : vid;
            for (int id = from; id <= vid; id++) {
                out.add(new BridgeVlan(h.index(), id, (flags & BRIDGE_VLAN_INFO_PVID) != 0,
                        (flags & BRIDGE_VLAN_INFO_UNTAGGED) != 0));
            }
            rangeStart = -1;
        }
        return out;
    }
}
