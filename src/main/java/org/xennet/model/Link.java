// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.util.List;

/**
 * A network interface as the kernel reports it ({@code ip -d link show}).
 *
 * @param index interface index
 * @param name interface name
 * @param kind IFLA_INFO_KIND ("bridge", "veth", "vlan", "vxlan"), null for a physical NIC
 * @param slaveKind IFLA_INFO_SLAVE_KIND ("bridge" for a bridge port), or null
 * @param flags IFF_* flags
 * @param mtu MTU in bytes
 * @param mac link-layer address when it is 6 bytes long, else null
 * @param masterIndex index of the master (bridge), 0 when none
 * @param linkIndex IFLA_LINK: the veth peer or VLAN parent, 0 when none
 * @param operState operational state
 * @param carrier IFLA_CARRIER
 * @param bridge bridge settings when kind is "bridge", else null
 * @param vlanId VLAN id when kind is "vlan", else 0
 * @param unknown attributes this code does not interpret, kept as they came
 * @param vlanProtocol the tag's protocol when kind is "vlan" ({@link #ETH_P_8021Q} or {@link #ETH_P_8021AD}), else 0
 * @param bond bond settings when kind is "bond", else null
 * @param bondSlave the port's state in its bond when slaveKind is "bond", else null
 */
public record Link(int index, String name, String kind, String slaveKind, int flags, int mtu, MacAddress mac,
        int masterIndex, int linkIndex, OperState operState, boolean carrier, BridgeInfo bridge, int vlanId,
        List<RawAttribute> unknown, int vlanProtocol, BondInfo bond, BondSlaveInfo bondSlave) {

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    /** 802.1Q, the usual VLAN tag (the kernel's default for a VLAN link). */
    public static final int ETH_P_8021Q = 0x8100;
    /** 802.1ad, the service tag of QinQ. */
    public static final int ETH_P_8021AD = 0x88a8;

    public Link {
        unknown = unknown == null ? List.of() : List.copyOf(unknown);
    }

    /** A link without VLAN protocol or bond details (what most links are). */
    public Link(int index, String name, String kind, String slaveKind, int flags, int mtu, MacAddress mac,
            int masterIndex, int linkIndex, OperState operState, boolean carrier, BridgeInfo bridge, int vlanId,
            List<RawAttribute> unknown) {
        this(index, name, kind, slaveKind, flags, mtu, mac, masterIndex, linkIndex, operState, carrier, bridge, vlanId,
                unknown, "vlan".equals(kind) ? ETH_P_8021Q : 0, null, null);
    }

    /** Administratively up ({@code ip link set DEV up}). */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    public boolean isBridge() {
        return "bridge".equals(kind);
    }

    public boolean isBond() {
        return "bond".equals(kind);
    }

    public boolean isVlan() {
        return "vlan".equals(kind);
    }

    /** A port of a bridge (its master is a bridge), as opposed to a bond's slave. */
    public boolean isBridgePort() {
        return masterIndex != 0 && (slaveKind == null || slaveKind.equals("bridge"));
    }

    /** Whether the bridge filters by VLAN (false for a link that is not a bridge). */
    public boolean vlanFiltering() {
        return bridge != null && bridge.vlanFiltering();
    }

    /** ARP on ({@code ip link} shows NOARP when it is off). */
    public boolean arp() {
        return (flags & IFF_NOARP) == 0;
    }

    public boolean multicast() {
        return (flags & IFF_MULTICAST) != 0;
    }

    public boolean isLoopback() {
        return (flags & IFF_LOOPBACK) != 0;
    }

    public boolean hasMaster() {
        return masterIndex != 0;
    }

    /**
     * Bridge settings: STP state, forward delay in centiseconds (the kernel's clock_t), and
     * whether it filters by VLAN ({@code vlan_filtering}).
     */
    public record BridgeInfo(int stpState, int forwardDelayCentis, boolean vlanFiltering) {
        public BridgeInfo(int stpState, int forwardDelayCentis) {
            this(stpState, forwardDelayCentis, false);
        }
    }

    /**
     * Bond settings: the mode (null for a number this code does not know), the active port's index
     * (0: none, or not a mode with one) and the link monitoring interval in ms ({@code miimon}).
     */
    public record BondInfo(BondMode mode, int activeSlaveIndex, int miimonMs) {
    }

    /**
     * A bond port's state: {@code active} (false: a backup), {@code miiUp} (its link is seen up),
     * and the MAC it had when it was enslaved, which it gets back when released.
     */
    public record BondSlaveInfo(boolean active, boolean miiUp, MacAddress permanentMac) {
    }
}
