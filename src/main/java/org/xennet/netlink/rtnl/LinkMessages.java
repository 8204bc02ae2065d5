// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.xennet.model.Link.ETH_P_8021Q;
import static org.xennet.netlink.rtnl.Rtnl.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.xennet.model.BondMode;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.RawAttribute;
import org.xennet.model.OperState;
import org.xennet.netlink.MessageWriter;
import org.xennet.netlink.NetlinkFormatException;
import org.xennet.netlink.NlAttr;
import org.xennet.netlink.NlAttrs;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.Structs.IfInfoMsg;

/** Pure encoders of RTM_*LINK requests and the decoder of the kernel's link messages. */
public final class LinkMessages {
    private LinkMessages() {
    }

    private static MessageWriter header(int index) {
        return new MessageWriter().struct(new IfInfoMsg(AF_UNSPEC, 0, index, 0, 0).encode());
    }

    /** Payload of an RTM_GETLINK dump. */
    public static byte[] dump() {
        return header(0).u32(IFLA_EXT_MASK, RTEXT_FILTER_VF).toBytes();
    }

    /** Payload of RTM_GETLINK for one link by name. */
    public static byte[] getByName(String name) {
        return header(0).string(IFLA_IFNAME, name).toBytes();
    }

    /** Payload of RTM_GETLINK for one link by index. */
    public static byte[] getByIndex(int index) {
        return header(index).toBytes();
    }

    /** RTM_NEWLINK: {@code ip link add NAME type bridge stp_state S forward_delay D}. */
    public static byte[] newBridge(String name, boolean stp, int forwardDelayCentis) {
        return header(0).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "bridge")
                .begin(IFLA_INFO_DATA)
                .u32(IFLA_BR_FORWARD_DELAY, forwardDelayCentis)
                .u32(IFLA_BR_STP_STATE, stp ? 1 : 0)
                .end().end().toBytes();
    }

    /**
     * RTM_NEWLINK: {@code ip link add NAME type bridge stp_state S forward_delay D vlan_filtering 1};
     * without VLAN filtering the same bytes as {@link #newBridge(String, boolean, int)}.
     */
    public static byte[] newBridge(String name, boolean stp, int forwardDelayCentis, boolean vlanFiltering) {
        if (!vlanFiltering) {
            return newBridge(name, stp, forwardDelayCentis);
        }
        return header(0).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "bridge")
                .begin(IFLA_INFO_DATA)
                .u32(IFLA_BR_FORWARD_DELAY, forwardDelayCentis)
                .u32(IFLA_BR_STP_STATE, stp ? 1 : 0)
                .u8(IFLA_BR_VLAN_FILTERING, 1)
                .end().end().toBytes();
    }

    /** RTM_NEWLINK on an existing bridge: {@code ip link set dev BR type bridge vlan_filtering 0|1}. */
    public static byte[] setVlanFiltering(int index, boolean on) {
        return header(index)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "bridge")
                .begin(IFLA_INFO_DATA).u8(IFLA_BR_VLAN_FILTERING, on ? 1 : 0).end()
                .end().toBytes();
    }

    /** RTM_NEWLINK: {@code ip link add NAME type veth peer name PEER}. */
    public static byte[] newVeth(String name, String peer) {
        return header(0).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "veth")
                .begin(IFLA_INFO_DATA)
                .begin(VETH_INFO_PEER).struct(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0).encode())
                .string(IFLA_IFNAME, peer).end()
                .end().end().toBytes();
    }

    /** RTM_NEWLINK: {@code ip link add link PARENT name NAME type vlan id ID}. */
    public static byte[] newVlan(String name, int parentIndex, int id) {
        return header(0).u32(IFLA_LINK, parentIndex).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "vlan")
                .begin(IFLA_INFO_DATA).u16(IFLA_VLAN_ID, id).end()
                .end().toBytes();
    }

    /**
     * RTM_NEWLINK: {@code ip link add link PARENT name NAME type vlan protocol P id ID}; the
     * protocol attribute is sent only when it is not 802.1Q, the kernel's default (as {@code ip}
     * sends it only when asked).
     */
    public static byte[] newVlan(String name, int parentIndex, int id, int protocol) {
        if (protocol == 0 || protocol == Link.ETH_P_8021Q) {
            return newVlan(name, parentIndex, id);
        }
        return header(0).u32(IFLA_LINK, parentIndex).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "vlan")
                .begin(IFLA_INFO_DATA).be16(IFLA_VLAN_PROTOCOL, protocol).u16(IFLA_VLAN_ID, id).end()
                .end().toBytes();
    }

    /**
     * RTM_NEWLINK: {@code ip link add NAME type bond mode MODE miimon MS [ad_actor_system MAC]}
     * (actorSystem null: none; the bond's own MAC is then LACP's system id).
     */
    public static byte[] newBond(String name, BondMode mode, int miimonMs, MacAddress actorSystem) {
        MessageWriter w = header(0).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "bond")
                .begin(IFLA_INFO_DATA)
                .u8(IFLA_BOND_MODE, mode.number())
                .u32(IFLA_BOND_MIIMON, miimonMs);
        if (actorSystem != null) {
            w.attr(IFLA_BOND_AD_ACTOR_SYSTEM, actorSystem.bytes());
        }
        return w.end().end().toBytes();
    }

    /**
     * RTM_NEWLINK: {@code ip link add NAME type vxlan id VNI [group|remote ADDR] [local ADDR] [dev DEV] dstport PORT}.
     * Group and local are optional (null); devIndex 0 means none.
     */
    public static byte[] newVxlan(String name, int vni, IpAddress group, IpAddress local, int devIndex, int port) {
        MessageWriter w = header(0).string(IFLA_IFNAME, name)
                .begin(IFLA_LINKINFO).string(IFLA_INFO_KIND, "vxlan")
                .begin(IFLA_INFO_DATA).u32(IFLA_VXLAN_ID, vni);
        if (group != null) {
            w.attr(group.isV4() ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6, group.bytes());
        }
        if (local != null) {
            w.attr(local.isV4() ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, local.bytes());
        }
        if (devIndex != 0) {
            w.u32(IFLA_VXLAN_LINK, devIndex);
        }
        return w.be16(IFLA_VXLAN_PORT, port).end().end().toBytes();
    }

    /** RTM_DELLINK: {@code ip link del DEV}. */
    public static byte[] delete(int index) {
        return header(index).toBytes();
    }

    /** RTM_NEWLINK on an existing link: {@code ip link set DEV name NEW}. */
    public static byte[] rename(int index, String newName) {
        return header(index).string(IFLA_IFNAME, newName).toBytes();
    }

    /** RTM_NEWLINK: {@code ip link set DEV up|down}. */
    public static byte[] setUp(int index, boolean up) {
        return new MessageWriter()
                .struct(new IfInfoMsg(AF_UNSPEC, 0, index, up ? Link.IFF_UP : 0, Link.IFF_UP).encode()).toBytes();
    }

    /**
     * RTM_NEWLINK: {@code ip link set DEV arp on|off} ({@code flag} IFF_NOARP, set when ARP is
     * off) or {@code multicast on|off} (IFF_MULTICAST): that one flag changed, nothing else.
     */
    public static byte[] setFlag(int index, int flag, boolean set) {
        return new MessageWriter()
                .struct(new IfInfoMsg(AF_UNSPEC, 0, index, set ? flag : 0, flag).encode()).toBytes();
    }

    /** RTM_NEWLINK: {@code ip link set DEV master BR} (masterIndex 0 = {@code nomaster}). */
    public static byte[] setMaster(int index, int masterIndex) {
        return header(index).u32(IFLA_MASTER, masterIndex).toBytes();
    }

    /** RTM_NEWLINK: {@code ip link set DEV address MAC}. */
    public static byte[] setMac(int index, MacAddress mac) {
        return header(index).attr(IFLA_ADDRESS, mac.bytes()).toBytes();
    }

    /** RTM_NEWLINK: {@code ip link set DEV mtu N}. */
    public static byte[] setMtu(int index, int mtu) {
        return header(index).u32(IFLA_MTU, mtu).toBytes();
    }

    /** RTM_NEWLINK: {@code ip link set DEV netns FD}. */
    public static byte[] setNetnsFd(int index, int fd) {
        return header(index).u32(IFLA_NET_NS_FD, fd).toBytes();
    }

    /** Decodes an RTM_NEWLINK message from the kernel. */
    public static Link decode(NlMessage m) {
        ByteBuffer b = m.payloadBuffer();
        if (b.remaining() < IfInfoMsg.SIZE) {
            throw new NetlinkFormatException("ifinfomsg of " + b.remaining() + " bytes, expected " + IfInfoMsg.SIZE);
        }
        IfInfoMsg h = IfInfoMsg.decode(b);
        List<NlAttr> attrs = NlAttrs.parse(b.slice().order(b.order()));
        String name = null;
        String kind = null;
        String slaveKind = null;
        int mtu = 0;
        MacAddress mac = null;
        int master = 0;
        int link = 0;
        OperState oper = OperState.UNKNOWN;
        boolean carrier = false;
        Link.BridgeInfo bridge = null;
        int vlanId = 0;
        int vlanProtocol = 0;
        Link.BondInfo bond = null;
        Link.BondSlaveInfo bondSlave = null;
        List<RawAttribute> unknown = new ArrayList<>();
        for (NlAttr a : attrs) {
            switch (a.type()) {
                case IFLA_IFNAME: name = a.string(); break;
                case IFLA_MTU: mtu = a.u32(); break;
                case IFLA_ADDRESS:
                    if (a.length() == 6) {
                        mac = MacAddress.of(a.value());
                    } else {
                        unknown.add(Rtnl.raw(a)); // tunnels and others: not a MAC, kept raw
                    }
                    break;
                case IFLA_MASTER: master = a.u32(); break;
                case IFLA_LINK: link = a.u32(); break;
                case IFLA_OPERSTATE: oper = OperState.of(a.u8()); break;
                case IFLA_CARRIER: carrier = a.u8() != 0; break;
                case IFLA_LINKINFO:
                    for (NlAttr i : a.nested()) {
                        if (i.type() == IFLA_INFO_KIND) {
                            kind = i.string();
                        } else if (i.type() == IFLA_INFO_SLAVE_KIND) {
                            slaveKind = i.string();
                        }
                    }
                    List<NlAttr> data = NlAttrs.find(a.nested(), IFLA_INFO_DATA).map(NlAttr::nested).orElse(List.of());
                    if ("bridge".equals(kind)) {
                        bridge = new Link.BridgeInfo(
                                NlAttrs.find(data, IFLA_BR_STP_STATE).map(NlAttr::u32).orElse(0),
                                NlAttrs.find(data, IFLA_BR_FORWARD_DELAY).map(NlAttr::u32).orElse(0),
                                NlAttrs.find(data, IFLA_BR_VLAN_FILTERING).map(NlAttr::u8).orElse(0) != 0);
                    } else if ("vlan".equals(kind)) {
                        vlanId = NlAttrs.find(data, IFLA_VLAN_ID).map(NlAttr::u16).orElse(0);
                        vlanProtocol = NlAttrs.find(data, IFLA_VLAN_PROTOCOL).map(NlAttr::be16).orElse(ETH_P_8021Q);
                    } else if ("bond".equals(kind)) {
                        bond = new Link.BondInfo(
                                NlAttrs.find(data, IFLA_BOND_MODE).map(NlAttr::u8).flatMap(BondMode::of).orElse(null),
                                NlAttrs.find(data, IFLA_BOND_ACTIVE_SLAVE).map(NlAttr::u32).orElse(0),
                                NlAttrs.find(data, IFLA_BOND_MIIMON).map(NlAttr::u32).orElse(0));
                    }
                    if ("bond".equals(slaveKind)) {
                        List<NlAttr> sd = NlAttrs.find(a.nested(), IFLA_INFO_SLAVE_DATA).map(NlAttr::nested)
                                .orElse(List.of());
                        bondSlave = new Link.BondSlaveInfo(
                                NlAttrs.find(sd, IFLA_BOND_SLAVE_STATE).map(NlAttr::u8).orElse(1) == BOND_STATE_ACTIVE,
                                NlAttrs.find(sd, IFLA_BOND_SLAVE_MII_STATUS).map(NlAttr::u8).orElse(2) == BOND_LINK_UP,
                                NlAttrs.find(sd, IFLA_BOND_SLAVE_PERM_HWADDR).filter(x -> x.length() == 6)
                                        .map(x -> MacAddress.of(x.value())).orElse(null));
                    }
                    unknown.add(Rtnl.raw(a)); // the whole link info, for what is not interpreted above
                    break;
                default:
                    unknown.add(Rtnl.raw(a));
            }
        }
        return new Link(h.index(), name, kind, slaveKind, h.flags(), mtu, mac, master, link, oper, carrier, bridge,
                vlanId, unknown, vlanProtocol, bond, bondSlave);
    }
}
