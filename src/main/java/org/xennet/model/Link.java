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
 */
public record Link(int index, String name, String kind, String slaveKind, int flags, int mtu, MacAddress mac,
        int masterIndex, int linkIndex, OperState operState, boolean carrier, BridgeInfo bridge, int vlanId,
        List<RawAttribute> unknown) {

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    public Link {
        unknown = unknown == null ? List.of() : List.copyOf(unknown);
    }

    /** Administratively up ({@code ip link set DEV up}). */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    public boolean isBridge() {
        return "bridge".equals(kind);
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

    /** Bridge settings: STP state and forward delay in centiseconds (the kernel's clock_t). */
    public record BridgeInfo(int stpState, int forwardDelayCentis) {
    }
}
