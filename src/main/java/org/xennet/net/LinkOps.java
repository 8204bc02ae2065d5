// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.xennet.error.NotFoundException;
import org.xennet.model.BondMode;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;

/** Link operations ({@code ip link ...}). Names are validated before anything is sent. */
public interface LinkOps {

    /** Equivalent to: {@code ip -d link show}. */
    List<Link> list();

    /** Equivalent to: {@code ip -d link show dev NAME}; empty when there is no such link. */
    Optional<Link> find(String name);

    /** Like {@link #find(String)}, by interface index. */
    Optional<Link> find(int index);

    /** Like {@link #find(String)}, but a missing link is a {@link NotFoundException}. */
    default Link get(String name) {
        return find(name).orElseThrow(() -> NotFoundException.device("link show", name));
    }

    default boolean exists(String name) {
        return find(name).isPresent();
    }

    /** Names of the ports of a bridge ({@code bridge link show master BR}), in index order. */
    default List<Link> ports(String bridge) {
        int idx = get(bridge).index();
        return list().stream().filter(l -> l.masterIndex() == idx).toList();
    }

    /** Equivalent to: {@code ip link add NAME type bridge stp_state 0|1 forward_delay CENTIS}. */
    default void addBridge(String name, boolean stp, int forwardDelayCentis) {
        addBridge(name, stp, forwardDelayCentis, false);
    }

    /** Equivalent to: {@code ip link add NAME type bridge stp_state 0|1 forward_delay CENTIS vlan_filtering 0|1}. */
    void addBridge(String name, boolean stp, int forwardDelayCentis, boolean vlanFiltering);

    /** Equivalent to: {@code ip link set dev BRIDGE type bridge vlan_filtering 0|1}. */
    void setVlanFiltering(String bridge, boolean on);

    /** Equivalent to: {@code ip link add NAME type veth peer name PEER}. */
    void addVeth(String name, String peer);

    /** Equivalent to: {@code ip link add link PARENT name NAME type vlan id ID}. */
    default void addVlan(String name, String parent, int id) {
        addVlan(name, parent, id, org.xennet.model.Link.ETH_P_8021Q);
    }

    /**
     * Equivalent to: {@code ip link add link PARENT name NAME type vlan protocol 802.1Q|802.1ad id ID}
     * (protocol {@link org.xennet.model.Link#ETH_P_8021Q} or {@link org.xennet.model.Link#ETH_P_8021AD}).
     */
    void addVlan(String name, String parent, int id, int protocol);

    /**
     * Equivalent to: {@code ip link add NAME type bond mode MODE miimon MS [ad_actor_system MAC]}
     * (actorSystem null: LACP uses the bond's own MAC). Its ports join with
     * {@link #setMaster(String, String)}, taken down first: the kernel enslaves only a link that is down.
     */
    void addBond(String name, BondMode mode, int miimonMs, MacAddress actorSystem);

    /** Equivalent to: {@code ip link add NAME type vxlan id VNI [group G] [local L] [dev DEV] dstport PORT}. */
    void addVxlan(String name, int vni, IpAddress group, IpAddress local, String dev, int port);

    /** Equivalent to: {@code ip link del NAME}. */
    void delete(String name);

    /** Equivalent to: {@code ip link set NAME name NEW} (the link must be down). */
    void rename(String name, String newName);

    /** Equivalent to: {@code ip link set NAME up|down}. */
    void setUp(String name, boolean up);

    /** Equivalent to: {@code ip link set DEV arp on|off} (IFF_NOARP cleared or set). */
    void setArp(String name, boolean on);

    /** Equivalent to: {@code ip link set DEV multicast on|off}. */
    void setMulticast(String name, boolean on);

    /** Equivalent to: {@code ip link set DEV master MASTER} (a bridge, or a bond for a link that is down). */
    void setMaster(String dev, String bridge);

    /** Equivalent to: {@code ip link set DEV nomaster}. */
    void setNoMaster(String dev);

    /** Equivalent to: {@code ip link set DEV address MAC}. */
    void setMac(String dev, MacAddress mac);

    /** Equivalent to: {@code ip link set DEV mtu MTU}. */
    void setMtu(String dev, int mtu);

    /** Equivalent to: {@code ip link set DEV netns NS} where NS is a namespace file. */
    void moveToNetns(String dev, Path netns);
}
