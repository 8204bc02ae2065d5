// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.capturedDatagram;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.model.BondMode;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.RawAttribute;
import org.xennet.model.MacAddress;
import org.xennet.model.OperState;
import org.xennet.netlink.NetlinkFormatException;
import org.xennet.netlink.NlAttr;
import org.xennet.netlink.NlMessage;

/**
 * RTM_*LINK payloads, golden bytes both ways.
 *
 * <p>Confirmed against iproute2 6.1 (kernel 6.18): the payload of the request {@code ip} itself
 * sends, read with {@code unshare -rn strace -f -e trace=sendmsg -e write=all ip ...}, is the
 * golden byte string below, byte for byte, where the test says "Confirmed". Where it says
 * "Differs", {@code ip} sends the same attributes but the stated bytes differ.
 */
@Tag("codec")
class LinkMessagesTest {

    /** The struct ifinfomsg of a request about no particular link. */
    private static final String IFINFOMSG_NONE = """
            00 00 0000      // ifinfomsg: family AF_UNSPEC, pad, type 0
            00000000        //   index 0
            00000000        //   flags 0
            00000000        //   change 0
            """;

    private static NlMessage reply(String capture) {
        List<NlMessage> ms = NlMessage.decodeAll(
                ByteBuffer.wrap(capturedDatagram(capture)).order(ByteOrder.nativeOrder()));
        assertEquals(1, ms.size());
        return ms.get(0);
    }

    // ---- requests ------------------------------------------------------------------------

    @Test
    void newBridge() {
        // Differs only in IFLA_INFO_KIND's length: `ip link add xenbr1 type bridge forward_delay 1500
        // stp_state 1` sends "bridge" without its NUL (len 10), we send it with (len 11). Same
        // padded size, so every other byte is confirmed.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0b00 0300 78656e627231 00 00   // IFLA_IFNAME "xenbr1\\0", len 11, 1 padding
                2400 1200                      // IFLA_LINKINFO, len 36
                  0b00 0100 627269646765 00 00 //   IFLA_INFO_KIND "bridge\\0", len 11
                  1400 0200                    //   IFLA_INFO_DATA, len 20
                    0800 0100 dc050000         //     IFLA_BR_FORWARD_DELAY 1500 (centiseconds)
                    0800 0500 01000000         //     IFLA_BR_STP_STATE 1
                """), LinkMessages.newBridge("xenbr1", true, 1500));
    }

    @Test
    void newBridgeWithoutStp() {
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0b00 0300 78656e627230 00 00   // IFLA_IFNAME "xenbr0\\0"
                2400 1200                      // IFLA_LINKINFO, len 36
                  0b00 0100 627269646765 00 00 //   IFLA_INFO_KIND "bridge\\0"
                  1400 0200                    //   IFLA_INFO_DATA, len 20
                    0800 0100 00000000         //     IFLA_BR_FORWARD_DELAY 0
                    0800 0500 00000000         //     IFLA_BR_STP_STATE 0
                """), LinkMessages.newBridge("xenbr0", false, 0));
    }

    @Test
    void newVeth() {
        // Differs only in IFLA_INFO_KIND: `ip link add veth0 type veth peer name veth1` sends "veth"
        // (len 8) and so a LINKINFO of 48; the peer's nested ifinfomsg and name are confirmed.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0a00 0300 7665746830 00 0000  // IFLA_IFNAME "veth0\\0", len 10
                3400 1200                     // IFLA_LINKINFO, len 52
                  0900 0100 76657468 00 000000 //  IFLA_INFO_KIND "veth\\0", len 9
                  2400 0200                   //   IFLA_INFO_DATA, len 36
                    2000 0100                 //     VETH_INFO_PEER, len 32: an ifinfomsg, then attributes
                      00 00 0000 00000000 00000000 00000000 // ifinfomsg of the peer, all zero
                      0a00 0300 7665746831 00 0000          // IFLA_IFNAME "veth1\\0"
                """), LinkMessages.newVeth("veth0", "veth1"));
    }

    @Test
    void newVlan() {
        // Differs only in IFLA_INFO_KIND ("vlan" without NUL, LINKINFO 24): `ip link add link xenbr0
        // name xenbr0.100 type vlan id 100`, xenbr0 being index 2.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0800 0500 02000000                  // IFLA_LINK 2: the parent
                0f00 0300 78656e6272302e313030 00 00 // IFLA_IFNAME "xenbr0.100\\0", len 15
                1c00 1200                           // IFLA_LINKINFO, len 28
                  0900 0100 766c616e 00 000000      //   IFLA_INFO_KIND "vlan\\0", len 9
                  0c00 0200                         //   IFLA_INFO_DATA, len 12
                    0600 0100 6400 0000             //     IFLA_VLAN_ID u16 100
                """), LinkMessages.newVlan("xenbr0.100", 2, 100));
    }

    @Test
    void newVlanWithQinqProtocol() {
        // Differs only in IFLA_INFO_KIND ("vlan" without NUL): `ip link add link xa name xa.20 type vlan
        // protocol 802.1ad id 20` (iproute2 6.1, kernel 6.1 in the vm tier), the parent being index 2.
        // IFLA_VLAN_PROTOCOL is big-endian (network order), and comes first, as ip sends it.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0800 0500 02000000              // IFLA_LINK 2: the parent
                0c00 0300 657468302e3230 00     // IFLA_IFNAME "eth0.20\\0", len 12
                2400 1200                       // IFLA_LINKINFO, len 36
                  0900 0100 766c616e 00 000000  //   IFLA_INFO_KIND "vlan\\0"
                  1400 0200                     //   IFLA_INFO_DATA, len 20
                    0600 0500 88a8 0000         //     IFLA_VLAN_PROTOCOL 0x88a8 (802.1ad), big-endian
                    0600 0100 1400 0000         //     IFLA_VLAN_ID u16 20
                """), LinkMessages.newVlan("eth0.20", 2, 20, Link.ETH_P_8021AD));
        // 802.1Q is the kernel's default: not sent, as ip does not send it unless asked
        assertArrayEquals(LinkMessages.newVlan("eth0.20", 2, 20), LinkMessages.newVlan("eth0.20", 2, 20,
                Link.ETH_P_8021Q));
    }

    @Test
    void newBond() {
        // Differs only in IFLA_INFO_KIND ("bond" without NUL, LINKINFO 32): `ip link add bond0 type bond
        // mode active-backup miimon 100` (iproute2 and kernel 6.1 in the vm tier).
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0a00 0300 626f6e6430 00 0000    // IFLA_IFNAME "bond0\\0", len 10
                2400 1200                       // IFLA_LINKINFO, len 36
                  0900 0100 626f6e64 00 000000  //   IFLA_INFO_KIND "bond\\0"
                  1400 0200                     //   IFLA_INFO_DATA, len 20
                    0500 0100 01 000000         //     IFLA_BOND_MODE u8 1 (active-backup)
                    0800 0300 64000000          //     IFLA_BOND_MIIMON 100 ms
                """), LinkMessages.newBond("bond0", BondMode.ACTIVE_BACKUP, 100, null));
    }

    @Test
    void newBondForLacpWithItsOwnSystemId() {
        // Differs only in IFLA_INFO_KIND, as newBond: `ip link add pbond0 type bond mode 802.3ad miimon 100
        // ad_actor_system 00:16:3e:00:00:10`.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0b00 0300 70626f6e6430 00 00    // IFLA_IFNAME "pbond0\\0", len 11
                3000 1200                       // IFLA_LINKINFO, len 48
                  0900 0100 626f6e64 00 000000  //   IFLA_INFO_KIND "bond\\0"
                  2000 0200                     //   IFLA_INFO_DATA, len 32
                    0500 0100 04 000000         //     IFLA_BOND_MODE u8 4 (802.3ad)
                    0800 0300 64000000          //     IFLA_BOND_MIIMON 100 ms
                    0a00 1a00 00163e000010 0000 //     IFLA_BOND_AD_ACTOR_SYSTEM, 6 bytes
                """), LinkMessages.newBond("pbond0", BondMode.IEEE_802_3AD, 100, MacAddress.parse("00:16:3e:00:00:10")));
    }

    @Test
    void newBridgeFilteringVlans() {
        // Differs only in IFLA_INFO_KIND ("bridge" without NUL): `ip link add xbr0 type bridge
        // forward_delay 0 stp_state 0 vlan_filtering 1` (6.1), attributes in the same order.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0b00 0300 78656e627230 00 00   // IFLA_IFNAME "xenbr0\\0"
                2c00 1200                      // IFLA_LINKINFO, len 44
                  0b00 0100 627269646765 00 00 //   IFLA_INFO_KIND "bridge\\0"
                  1c00 0200                    //   IFLA_INFO_DATA, len 28
                    0800 0100 00000000         //     IFLA_BR_FORWARD_DELAY 0
                    0800 0500 00000000         //     IFLA_BR_STP_STATE 0
                    0500 0700 01 000000        //     IFLA_BR_VLAN_FILTERING u8 1
                """), LinkMessages.newBridge("xenbr0", false, 0, true));
        assertArrayEquals(LinkMessages.newBridge("xenbr0", false, 0), LinkMessages.newBridge("xenbr0", false, 0, false));
    }

    @Test
    void setVlanFiltering() {
        // Differs only in IFLA_INFO_KIND ("bridge" without NUL, LINKINFO 28 both): `ip link set dev xbr1
        // type bridge vlan_filtering 1` (6.1), the bridge being index 2.
        assertArrayEquals(hex("""
                00 00 0000 02000000 00000000 00000000 // ifinfomsg index 2
                1c00 1200                      // IFLA_LINKINFO, len 28
                  0b00 0100 627269646765 00 00 //   IFLA_INFO_KIND "bridge\\0"
                  0c00 0200                    //   IFLA_INFO_DATA, len 12
                    0500 0700 01 000000        //     IFLA_BR_VLAN_FILTERING u8 1
                """), LinkMessages.setVlanFiltering(2, true));
    }

    @Test
    void newVxlanV4() {
        // Not the set ip sends: `ip link add vx0 type vxlan id 42 group 239.1.1.1 local 192.0.2.10
        // dev xenbr0 dstport 4789` orders LINK, ID, LOCAL, GROUP and adds IFLA_VXLAN_LEARNING 1;
        // each of the attributes below is byte-identical to ip's.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0800 0300 76783000          // IFLA_IFNAME "vx0\\0"
                3c00 1200                   // IFLA_LINKINFO, len 60
                  0a00 0100 76786c616e 00 0000 // IFLA_INFO_KIND "vxlan\\0", len 10
                  2c00 0200                 //   IFLA_INFO_DATA, len 44
                    0800 0100 2a000000      //     IFLA_VXLAN_ID 42
                    0800 0200 ef010101      //     IFLA_VXLAN_GROUP 239.1.1.1
                    0800 0400 c000020a      //     IFLA_VXLAN_LOCAL 192.0.2.10
                    0800 0300 02000000      //     IFLA_VXLAN_LINK 2
                    0600 0f00 12b5 0000     //     IFLA_VXLAN_PORT 4789, big-endian
                """), LinkMessages.newVxlan("vx0", 42, IpAddress.parse("239.1.1.1"),
                IpAddress.parse("192.0.2.10"), 2, 4789));
    }

    @Test
    void newVxlanV6WithoutDevice() {
        // `ip link add vx1 type vxlan id 42 remote 2001:db8::2 local 2001:db8::1 dstport 4789`
        // sends these attributes byte-identical, plus IFLA_VXLAN_LEARNING, in another order.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0800 0300 76783100          // IFLA_IFNAME "vx1\\0"
                4c00 1200                   // IFLA_LINKINFO, len 76
                  0a00 0100 76786c616e 00 0000 // IFLA_INFO_KIND "vxlan\\0"
                  3c00 0200                 //   IFLA_INFO_DATA, len 60
                    0800 0100 2a000000      //     IFLA_VXLAN_ID 42
                    1400 1000 20010db8000000000000000000000002 // IFLA_VXLAN_GROUP6 2001:db8::2
                    1400 1100 20010db8000000000000000000000001 // IFLA_VXLAN_LOCAL6 2001:db8::1
                    0600 0f00 12b5 0000     //     IFLA_VXLAN_PORT 4789
                """), LinkMessages.newVxlan("vx1", 42, IpAddress.parse("2001:db8::2"),
                IpAddress.parse("2001:db8::1"), 0, 4789));
    }

    @Test
    void delete() {
        // Confirmed: `ip link del veth0` (index 7).
        assertArrayEquals(hex("""
                00 00 0000  // AF_UNSPEC
                07000000    // index 7
                00000000    // flags
                00000000    // change
                """), LinkMessages.delete(7));
    }

    @Test
    void rename() {
        // Confirmed: `ip link set vif5.0 name vif6.0` (index 4).
        assertArrayEquals(hex("""
                00 00 0000 04000000 00000000 00000000 // ifinfomsg index 4
                0b00 0300 766966362e30 00 00          // IFLA_IFNAME "vif6.0\\0"
                """), LinkMessages.rename(4, "vif6.0"));
    }

    @Test
    void setUp() {
        // Confirmed: `ip link set vif6.0 up` (index 4).
        assertArrayEquals(hex("""
                00 00 0000  // AF_UNSPEC
                04000000    // index 4
                01000000    // flags IFF_UP
                01000000    // change IFF_UP: only this flag is touched
                """), LinkMessages.setUp(4, true));
    }

    @Test
    void setDown() {
        // Confirmed: `ip link set vif6.0 down`.
        assertArrayEquals(hex("""
                00 00 0000 04000000 // index 4
                00000000            // flags: IFF_UP clear
                01000000            // change IFF_UP
                """), LinkMessages.setUp(4, false));
    }

    @Test
    void setArpAndMulticast() {
        // Confirmed: `ip link set peth0 arp off` and `ip link set peth0 multicast on` (index 4).
        assertArrayEquals(hex("""
                00 00 0000 04000000 // index 4
                80000000            // flags IFF_NOARP: ARP off
                80000000            // change IFF_NOARP
                """), LinkMessages.setFlag(4, Link.IFF_NOARP, true));
        assertArrayEquals(hex("""
                00 00 0000 04000000 // index 4
                00100000            // flags IFF_MULTICAST
                00100000            // change IFF_MULTICAST
                """), LinkMessages.setFlag(4, Link.IFF_MULTICAST, true));
    }

    @Test
    void setMaster() {
        // Confirmed: `ip link set vif5.0 master xenbr0` (vif5.0 index 4, xenbr0 index 2).
        assertArrayEquals(hex("""
                00 00 0000 04000000 00000000 00000000 // ifinfomsg index 4
                0800 0a00 02000000                    // IFLA_MASTER 2
                """), LinkMessages.setMaster(4, 2));
    }

    @Test
    void setNoMaster() {
        // Confirmed: `ip link set vif6.0 nomaster`.
        assertArrayEquals(hex("""
                00 00 0000 04000000 00000000 00000000 // ifinfomsg index 4
                0800 0a00 00000000                    // IFLA_MASTER 0
                """), LinkMessages.setMaster(4, 0));
    }

    @Test
    void setMac() {
        // Confirmed: `ip link set xenbr0 address 02:00:00:00:00:01` (index 2).
        assertArrayEquals(hex("""
                00 00 0000 02000000 00000000 00000000 // ifinfomsg index 2
                0a00 0100 020000000001 0000           // IFLA_ADDRESS, 6 bytes, 2 padding
                """), LinkMessages.setMac(2, MacAddress.parse("02:00:00:00:00:01")));
    }

    @Test
    void setMtu() {
        // Confirmed: `ip link set xenbr0 mtu 1400`.
        assertArrayEquals(hex("""
                00 00 0000 02000000 00000000 00000000 // ifinfomsg index 2
                0800 0400 78050000                    // IFLA_MTU 1400
                """), LinkMessages.setMtu(2, 1400));
    }

    @Test
    void setNetnsFd() {
        // Confirmed: `ip link set vif5.0p netns /proc/self/ns/net` (index 3; ip had the file on fd 4).
        assertArrayEquals(hex("""
                00 00 0000 03000000 00000000 00000000 // ifinfomsg index 3
                0800 1c00 04000000                    // IFLA_NET_NS_FD 4
                """), LinkMessages.setNetnsFd(3, 4));
    }

    @Test
    void getByName() {
        // ip's own lookup (ll_name_to_index) also sends IFLA_EXT_MASK 9 (VF|SKIP_STATS).
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0b00 0300 78656e627230 00 00 // IFLA_IFNAME "xenbr0\\0"
                """), LinkMessages.getByName("xenbr0"));
    }

    @Test
    void getByIndex() {
        // Confirmed: the RTM_GETLINK `ip link set xenbr0 address ...` sends first (index 2).
        assertArrayEquals(hex("00 00 0000 02000000 00000000 00000000 // ifinfomsg index 2, nothing else"),
                LinkMessages.getByIndex(2));
    }

    @Test
    void dump() {
        // Differs in the family only: `ip link show` sends AF_PACKET (0x11), then the same IFLA_EXT_MASK.
        assertArrayEquals(hex(IFINFOMSG_NONE + """
                0800 1d00 01000000 // IFLA_EXT_MASK RTEXT_FILTER_VF
                """), LinkMessages.dump());
    }

    // ---- replies -------------------------------------------------------------------------

    @Test
    void decodesTheCapturedBridge() {
        Link l = LinkMessages.decode(reply("link.txt"));
        assertEquals(2, l.index());
        assertEquals("xenbr0", l.name());
        assertEquals("bridge", l.kind());
        assertNull(l.slaveKind());
        assertEquals(Link.IFF_UP | Link.IFF_BROADCAST | Link.IFF_MULTICAST, l.flags());
        assertTrue(l.isUp());
        assertEquals(1500, l.mtu());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), l.mac());
        assertEquals(0, l.masterIndex());
        assertEquals(0, l.linkIndex());
        assertEquals(OperState.DOWN, l.operState());
        assertFalse(l.carrier());
        assertEquals(new Link.BridgeInfo(0, 0), l.bridge());
        assertEquals(0, l.vlanId());
    }

    @Test
    void decodesTheCapturedQinqVlan() {
        // `ip link add link xa name xa.20 type vlan protocol 802.1ad id 20` (kernel 6.1, the vm tier)
        Link l = LinkMessages.decode(reply("link-vlan-qinq.txt"));
        assertEquals("xa.20", l.name());
        assertTrue(l.isVlan());
        assertEquals(20, l.vlanId());
        assertEquals(Link.ETH_P_8021AD, l.vlanProtocol());
        assertEquals(3, l.linkIndex(), "the parent, xa");
        assertEquals(MacAddress.parse("a2:48:9f:51:2e:00"), l.mac(), "the parent's MAC");
        assertNull(l.bond());
    }

    @Test
    void decodesTheCapturedBond() {
        // `ip link add xbond0 type bond mode active-backup miimon 100`, xc then xd enslaved, up (6.1):
        // `ip -d link` said "active_slave xd" (index 4) and the bond took xc's MAC, the first port's.
        Link l = LinkMessages.decode(reply("link-bond.txt"));
        assertEquals("xbond0", l.name());
        assertTrue(l.isBond());
        assertEquals(new Link.BondInfo(BondMode.ACTIVE_BACKUP, 4, 100), l.bond());
        assertEquals(MacAddress.parse("e2:53:de:51:d3:93"), l.mac());
        assertTrue(l.isUp());
        assertNull(l.bondSlave());
    }

    @Test
    void decodesTheCapturedBondPort() {
        // xc in xbond0: "bond_slave state BACKUP mii_status UP ... perm_hwaddr e2:53:de:51:d3:93"
        Link l = LinkMessages.decode(reply("link-bond-slave.txt"));
        assertEquals("xc", l.name());
        assertEquals("bond", l.slaveKind());
        assertEquals(8, l.masterIndex());
        assertFalse(l.isBridgePort());
        assertEquals(new Link.BondSlaveInfo(false, true, MacAddress.parse("e2:53:de:51:d3:93")), l.bondSlave());
    }

    @Test
    void decodesTheCapturedVlanFilteringBridge() {
        // `ip link add xbr0 type bridge forward_delay 0 stp_state 0 vlan_filtering 1` (6.1)
        Link l = LinkMessages.decode(reply("link-bridge-vlan-filtering.txt"));
        assertEquals("xbr0", l.name());
        assertEquals(new Link.BridgeInfo(0, 0, true), l.bridge());
        assertTrue(l.vlanFiltering());
    }

    @Test
    void decodesTheCapturedBridgeWithStp() {
        // `ip link add xenbr1 type bridge stp_state 1 forward_delay 1500`, down.
        Link l = LinkMessages.decode(reply("link-stp.txt"));
        assertEquals(5, l.index());
        assertEquals("xenbr1", l.name());
        assertEquals(Link.IFF_BROADCAST | Link.IFF_MULTICAST, l.flags());
        assertFalse(l.isUp());
        assertEquals(MacAddress.parse("f6:01:75:00:7e:88"), l.mac());
        assertEquals(new Link.BridgeInfo(1, 1500), l.bridge());
    }

    @Test
    void decodesTheCapturedBridgePort() {
        // vif5.0: a veth whose peer vif5.0p (index 3) is up, enslaved to xenbr0 (index 2), up.
        Link l = LinkMessages.decode(reply("link-veth.txt"));
        assertEquals(4, l.index());
        assertEquals("vif5.0", l.name());
        assertEquals("veth", l.kind());
        assertEquals("bridge", l.slaveKind());
        assertEquals(Link.IFF_UP | Link.IFF_BROADCAST | Link.IFF_RUNNING | Link.IFF_MULTICAST
                | Link.IFF_LOWER_UP, l.flags());
        assertEquals(MacAddress.XEN_BACKEND, l.mac());
        assertEquals(2, l.masterIndex());
        assertTrue(l.hasMaster());
        assertEquals(3, l.linkIndex());
        assertEquals(OperState.UP, l.operState());
        assertTrue(l.carrier());
        assertNull(l.bridge());
    }

    @Test
    void keepsEveryAttributeItDoesNotInterpretInOrder() {
        // Top-level attributes of link.txt minus the interpreted IFNAME, OPERSTATE, MTU, CARRIER and
        // ADDRESS (6 bytes: a MAC). LINKINFO (18) is interpreted and also kept whole, in its place;
        // 62 (IFLA_DEVLINK_PORT) and 65 (IFLA_DPLL_PIN) come with NLA_F_NESTED.
        Link l = LinkMessages.decode(reply("link.txt"));
        List<Integer> types = l.unknown().stream().map(RawAttribute::type).toList();
        assertEquals(List.of(13, 17, 67, 50, 51, 27, 30, 61, 31, 40, 41, 58, 63, 64, 59, 60, 66, 32, 35, 47, 48,
                68, 69, 39, 2, 23, 7, 43, 18, 6, 26, 14, 62, 65), types);
        assertEquals(new RawAttribute(13, new byte[] {(byte) 0xe8, 3, 0, 0}), l.unknown().get(0)); // IFLA_TXQLEN 1000
        assertEquals("noqueue", l.unknown().get(29).string()); // IFLA_QDISC
        assertTrue(l.unknown().get(32).nestedFlag());
        assertTrue(l.unknown().get(33).nestedFlag());
        assertFalse(l.unknown().get(0).nestedFlag());

        // The whole IFLA_LINKINFO (len 412 on the wire): kind "bridge" and the bridge's 0x18c bytes of data,
        // of which only STP state and forward delay are interpreted.
        NlAttr info = Rtnl.nl(l.unknown().get(28));
        assertEquals(408, info.length());
        assertFalse(info.nestedFlag());
        assertEquals(List.of(1, 2), info.nested().stream().map(NlAttr::type).toList());
        assertEquals("bridge", info.nested().get(0).string());
        assertEquals(0x18c - 4, info.nested().get(1).length());
        assertEquals("bridge", l.kind());
        assertEquals(new Link.BridgeInfo(0, 0), l.bridge());
    }

    @Test
    void keepsAHardwareAddressThatIsNotAMac() {
        // An ipip tunnel (ARPHRD_TUNNEL): its IFLA_ADDRESS and IFLA_BROADCAST are IPv4 addresses.
        byte[] payload = hex("""
                00 00 0003 07000000 c1000100 00000000 // ifinfomsg ARPHRD_TUNNEL, index 7, UP|RUNNING|NOARP|LOWER_UP
                0a00 0300 6970697030 00 0000          // IFLA_IFNAME "ipip0\\0"
                0800 0400 c8050000                    // IFLA_MTU 1480
                0800 0100 c000020a                    // IFLA_ADDRESS 192.0.2.10: 4 bytes, not a MAC
                0800 0200 c6336401                    // IFLA_BROADCAST 198.51.100.1 (never interpreted)
                1000 1200                             // IFLA_LINKINFO
                  0900 0100 69706970 00 000000        //   IFLA_INFO_KIND "ipip\\0"
                """);
        Link l = LinkMessages.decode(new NlMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, payload));
        assertEquals("ipip0", l.name());
        assertEquals("ipip", l.kind());
        assertEquals(1480, l.mtu());
        assertNull(l.mac());
        assertEquals(List.of(
                new RawAttribute(1, hex("c000020a")),
                new RawAttribute(2, hex("c6336401")),
                new RawAttribute(18, hex("0900 0100 69706970 00 000000"))), l.unknown());
    }

    @Test
    void decodesASyntheticVlanAndAShortHardwareAddress() {
        byte[] payload = hex("""
                00 00 0100 09000000 41100100 00000000 // ifinfomsg ARPHRD_ETHER, index 9, UP|RUNNING|MULTICAST|LOWER_UP
                0f00 0300 78656e6272302e313030 00 00  // IFLA_IFNAME "xenbr0.100\\0"
                0800 0500 02000000                    // IFLA_LINK 2
                0800 0100 7f000001                    // IFLA_ADDRESS of 4 bytes (an ipip tunnel has such): no MAC
                1c00 1200                             // IFLA_LINKINFO
                  0900 0100 766c616e 00 000000        //   IFLA_INFO_KIND "vlan\\0"
                  0c00 0200                           //   IFLA_INFO_DATA
                    0600 0100 6400 0000               //     IFLA_VLAN_ID 100
                0500 1000 06 000000                   // IFLA_OPERSTATE UP
                0500 2100 01 000000                   // IFLA_CARRIER 1
                """);
        Link l = LinkMessages.decode(new NlMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, payload));
        assertEquals("xenbr0.100", l.name());
        assertEquals("vlan", l.kind());
        assertEquals(100, l.vlanId());
        assertEquals(2, l.linkIndex());
        assertNull(l.mac());
        assertEquals(OperState.UP, l.operState());
        assertTrue(l.carrier());
    }

    @Test
    void truncatedAttributeIsMalformed() {
        byte[] payload = hex("""
                00 00 0100 02000000 00000000 00000000 // ifinfomsg index 2
                0800 0400 dc05                        // IFLA_MTU claims 8 bytes, 6 present
                """);
        assertThrows(NetlinkFormatException.class,
                () -> LinkMessages.decode(new NlMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, payload)));
    }

    @Test
    void payloadShorterThanIfinfomsgIsMalformed() {
        byte[] payload = hex("00 00 0100 02000000 // half an ifinfomsg");
        assertThrows(NetlinkFormatException.class,
                () -> LinkMessages.decode(new NlMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, payload)));
    }

    @Test
    void attributeTooShortForItsTypeIsMalformed() {
        byte[] payload = hex("""
                00 00 0100 02000000 00000000 00000000 // ifinfomsg index 2
                0600 0400 dc05 0000                   // IFLA_MTU with a 2-byte value
                """);
        assertThrows(NetlinkFormatException.class,
                () -> LinkMessages.decode(new NlMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, payload)));
    }
}
