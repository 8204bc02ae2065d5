// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import org.xennet.model.RawAttribute;
import org.xennet.netlink.NlAttr;

/** rtnetlink constants, spelled as in {@code <linux/rtnetlink.h>} and {@code <linux/if_link.h>}. */
public final class Rtnl {
    private Rtnl() {
    }

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;

    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;

    // struct ifinfomsg attributes
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_TXQLEN = 13;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKMODE = 17;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_IFALIAS = 20;
    public static final int IFLA_GROUP = 27;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_CARRIER = 33;
    public static final int IFLA_AF_SPEC = 26;
    public static final int IFLA_MIN_MTU = 50;
    public static final int IFLA_MAX_MTU = 51;

    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_INFO_SLAVE_KIND = 4;
    public static final int IFLA_INFO_SLAVE_DATA = 5;

    public static final int IFLA_BR_FORWARD_DELAY = 1;
    public static final int IFLA_BR_STP_STATE = 5;
    public static final int IFLA_BR_VLAN_FILTERING = 7;

    // IFLA_AF_SPEC of an AF_BRIDGE message (<linux/if_bridge.h>)
    public static final int IFLA_BRIDGE_FLAGS = 0;
    public static final int IFLA_BRIDGE_VLAN_INFO = 2;
    public static final int BRIDGE_FLAGS_MASTER = 1;
    public static final int BRIDGE_FLAGS_SELF = 2;
    public static final int BRIDGE_VLAN_INFO_MASTER = 1;
    public static final int BRIDGE_VLAN_INFO_PVID = 2;
    public static final int BRIDGE_VLAN_INFO_UNTAGGED = 4;
    public static final int BRIDGE_VLAN_INFO_RANGE_BEGIN = 8;
    public static final int BRIDGE_VLAN_INFO_RANGE_END = 16;

    public static final int VETH_INFO_PEER = 1;

    public static final int IFLA_VLAN_ID = 1;
    public static final int IFLA_VLAN_PROTOCOL = 5;

    public static final int IFLA_BOND_MODE = 1;
    public static final int IFLA_BOND_ACTIVE_SLAVE = 2;
    public static final int IFLA_BOND_MIIMON = 3;
    public static final int IFLA_BOND_AD_ACTOR_SYSTEM = 26;

    public static final int IFLA_BOND_SLAVE_STATE = 1;
    public static final int IFLA_BOND_SLAVE_MII_STATUS = 2;
    public static final int IFLA_BOND_SLAVE_PERM_HWADDR = 4;
    /** IFLA_BOND_SLAVE_STATE: the port carries the bond's traffic (1 is BOND_STATE_BACKUP). */
    public static final int BOND_STATE_ACTIVE = 0;
    /** IFLA_BOND_SLAVE_MII_STATUS: the port's link is up (1 fail, 2 down, 3 coming back). */
    public static final int BOND_LINK_UP = 0;

    public static final int IFLA_VXLAN_ID = 1;
    public static final int IFLA_VXLAN_GROUP = 2;
    public static final int IFLA_VXLAN_LINK = 3;
    public static final int IFLA_VXLAN_LOCAL = 4;
    public static final int IFLA_VXLAN_PORT = 15;
    public static final int IFLA_VXLAN_GROUP6 = 16;
    public static final int IFLA_VXLAN_LOCAL6 = 17;

    public static final int RTEXT_FILTER_VF = 1;
    /** Dump filter: each bridge port's VLANs one by one (not compressed into ranges). */
    public static final int RTEXT_FILTER_BRVLAN = 2;

    // struct ifaddrmsg attributes
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_ANYCAST = 5;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFA_FLAGS = 8;

    // struct rtmsg attributes
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_CACHEINFO = 12;
    public static final int RTA_TABLE = 15;
    public static final int RTA_PREF = 20;
    public static final int RTA_EXPIRES = 23;

    /** rtm_table value meaning "see RTA_TABLE" for tables above 255. */
    public static final int RT_TABLE_COMPAT = 252;

    /** A raw attribute as the model keeps it. */
    public static RawAttribute raw(NlAttr a) {
        return new RawAttribute(a.type(), a.nestedFlag(), a.value());
    }

    /** A raw attribute of the model as the codec writes it. */
    public static NlAttr nl(RawAttribute a) {
        return new NlAttr(a.type(), a.nestedFlag(), a.value());
    }
}
