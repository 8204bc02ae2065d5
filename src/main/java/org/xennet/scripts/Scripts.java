// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.xennet.scripts.Variable.Kind.*;

import java.util.List;
import java.util.Optional;

/**
 * The scripts xennet stands in for, by the names Xen invokes them with: their commands and
 * variables, as data (the implementations are made by the CLI's {@code ScriptFactory}, so that
 * no script depends on this registry of all of them).
 */
public final class Scripts {
    private Scripts() {
    }

    public static final List<String> NAMES = List.of("network-bridge", "network-route", "network-nat",
            "network-wrapper", "vif-bridge", "vif-route", "vif-nat", "vif-openvswitch");

    private static final Variable NETDEV = Variable.of("netdev", IFNAME, "device of the IPv4 default route, else eth0",
            "physical interface");
    private static final Variable ANTISPOOF = Variable.of("antispoof", YES_NO, "no",
            "yes: FORWARD policy DROP and accept only what comes in on the physical port");
    private static final Variable VIF = Variable.of("vif", IFNAME, "from the environment",
            "backend interface (vifD.N), set by the toolstack");
    private static final Variable XENBUS_PATH = Variable.of("XENBUS_PATH", Variable.Kind.XENSTORE_PATH,
            "from the environment", "backend XenStore directory (backend/vif/D/N)");
    private static final Variable IP = Variable.of("ip", IP_LIST, "", "guest addresses (space separated)");
    private static final Variable MAC = Variable.of("mac", Variable.Kind.MAC, "", "guest MAC address");
    private static final Variable VIFNAME = Variable.of("vifname", IFNAME, "", "rename the backend interface to this");
    private static final String NAT_DHCP_DEFAULT =
            "yes when nat_dhcp is set in /etc/xen/xennet.conf or /etc/dhcpd.conf exists, else no";
    private static final Variable TOPOLOGY = Variable.choice("topology",
            "network_bridge_topology in /etc/xen/xennet.conf, else netloop",
            "netloop (Xen 3.0: xenbrN, veth pair) or final (Xen 3.2-4.4: the bridge takes the NIC's name)",
            "netloop", "final");
    private static final Variable TYPE_IF = Variable.choice("type_if", "vif", "backend type", "vif", "tap");

    public static Optional<ScriptSpec> spec(String name) {
        switch (name) {
            case "network-bridge":
                return Optional.of(new ScriptSpec(name,
                        "Creates the bridge for guests on a physical interface and moves the host's "
                                + "addresses and routes onto it; stop restores the previous state. Layout: "
                                + "netloop (Xen 3.0, the default: bridge xenbrN with the NIC as pNETDEV and a "
                                + "veth pair vethN/vif0.N, whose veth takes the NIC's name, MAC and addresses), "
                                + "or final (Xen 3.2-4.4: the bridge takes the NIC's name and addresses, the NIC "
                                + "becomes pNETDEV) with topology=final, bridge=NETDEV or "
                                + "network_bridge_topology=final in /etc/xen/xennet.conf.",
                        List.of("start", "stop", "status"),
                        List.of(NETDEV,
                                Variable.of("bridge", BRIDGE, "xenbr${vifnum} (netloop), netdev (final)",
                                        "bridge name; 'null' does nothing; equal to netdev: the bridge takes the NIC's name"),
                                TOPOLOGY,
                                Variable.of("vifnum", NUMBER, "trailing digits of netdev, else 0",
                                        "number of the bridge and of the veth/vif0.N pair"),
                                ANTISPOOF,
                                Variable.of("stp", YES_NO, "no", "spanning tree on the new bridge"),
                                Variable.of("forward_delay", NUMBER, "0", "bridge forward delay in seconds"),
                                Variable.choice("bridge_nf_call_iptables", "unchanged",
                                        "set net.bridge.bridge-nf-call-iptables (br_netfilter)", "0", "1"),
                                Variable.choice("bridge_nf_call_ip6tables", "unchanged",
                                        "set net.bridge.bridge-nf-call-ip6tables (br_netfilter)", "0", "1"),
                                Variable.of("force", YES_NO, "no",
                                        "bridge a NIC managed by NetworkManager or systemd-networkd"),
                                Variable.choice("bridge_type", "network_bridge_type in /etc/xen/xennet.conf, else linux",
                                        "openvswitch: an Open vSwitch bridge (xenbrN) takes the host's addresses and the "
                                                + "NIC, keeping its name, becomes its port", "linux", "openvswitch"),
                                Variable.choice("ovs_datapath", "system",
                                        "bridge_type=openvswitch: the kernel datapath, or netdev (userspace)", "system",
                                        "netdev"),
                                Variable.of("vlan", NUMBER, "none",
                                        "VLAN 1-4094 of netdev: bridge netdev.VLAN (made when missing, as netdev=eth0.10 is)"),
                                Variable.of("mtu", Variable.Kind.MTU, "the NIC's",
                                        "MTU of a VLAN interface network-bridge makes (at most its NIC's)"),
                                Variable.of("vlan_filtering", YES_NO, "no",
                                        "the bridge is made with VLAN filtering on (its ports then carry VLAN 1 untagged until set otherwise)"),
                                Variable.of("slaves", TEXT, "none",
                                        "NICs (eth0,eth1) of a bond to make as netdev (default bond0) and bridge"),
                                Variable.choice("bond_mode", "active-backup", "mode of the bond slaves= makes",
                                        "active-backup", "802.3ad"))));
            case "network-route":
                return Optional.of(new ScriptSpec(name,
                        "Routed networking: IPv4 forwarding on and proxy ARP on netdev; stop undoes it.",
                        List.of("start", "stop", "status"), List.of(NETDEV, ANTISPOOF)));
            case "network-nat":
                return Optional.of(new ScriptSpec(name,
                        "NAT networking: forwarding on and MASQUERADE out of netdev; stop removes it.",
                        List.of("start", "stop", "status"), List.of(NETDEV, ANTISPOOF,
                                Variable.of("dhcp", YES_NO, NAT_DHCP_DEFAULT, "set up DHCP for the guests"))));
            case "network-wrapper":
                return Optional.of(new ScriptSpec(name,
                        "Runs network-bridge for every netdev/bridge pair in a list.",
                        List.of("start", "stop", "status"), List.of(
                                Variable.of("config", PATH, "/etc/xen/xennet-bridges.conf",
                                        "file listing 'netdev bridge [VAR=VALUE...]' lines"),
                                Variable.of("bridges", TEXT, "", "pairs as netdev:bridge[,netdev:bridge...]"),
                                TOPOLOGY,
                                ANTISPOOF, Variable.of("stp", YES_NO, "no", "passed to every network-bridge"),
                                Variable.of("forward_delay", NUMBER, "0", "passed to every network-bridge"),
                                Variable.of("force", YES_NO, "no", "passed to every network-bridge"))));
            case "vif-bridge":
                return Optional.of(new ScriptSpec(name,
                        "Attaches a guest's backend interface to its bridge and reports to XenStore.",
                        List.of("online", "offline", "add", "remove"), List.of(VIF, XENBUS_PATH,
                                Variable.of("bridge", VLAN_BRIDGE, "the first bridge on the host",
                                        "bridge to join; BRIDGE.VLAN[:TRUNK...] on a VLAN-aware bridge: access VLAN, trunked VLANs"),
                                IP, MAC, Variable.of("mtu", Variable.Kind.MTU, "the bridge's", "MTU of the interface"),
                                Variable.of("vlan", NUMBER, "none", "access VLAN on a VLAN-aware bridge (xl's vlan=)"),
                                VIFNAME, TYPE_IF, Variable.of("INTERFACE", IFNAME, "", "tap device (type_if=tap)"))));
            case "vif-route":
                return Optional.of(new ScriptSpec(name,
                        "Routes a guest's addresses to its backend interface with proxy ARP.",
                        List.of("online", "offline", "add", "remove"),
                        List.of(VIF, XENBUS_PATH, Variable.of("netdev", IFNAME,
                                "XenStore gatewaydev, else the device of the IPv4 default route, else eth0",
                                "dom0's interface whose address the vif borrows"), IP, MAC, VIFNAME, TYPE_IF,
                                Variable.of("INTERFACE", IFNAME, "", "tap device (type_if=tap)"))));
            case "vif-nat":
                return Optional.of(new ScriptSpec(name,
                        "Gives a guest's backend interface a router address and NATs its traffic.",
                        List.of("online", "offline", "add", "remove"), List.of(VIF, XENBUS_PATH, NETDEV, IP, MAC,
                                VIFNAME, TYPE_IF, Variable.of("dhcp", YES_NO, NAT_DHCP_DEFAULT,
                                        "add a DHCP host entry for the guest"))));
            case "vif-openvswitch":
                return Optional.of(new ScriptSpec(name,
                        "Makes a guest's backend interface a port of an Open vSwitch bridge (VLAN access port "
                                + "or trunk, OVN logical port) and reports to XenStore. The port carries the external "
                                + "ids Xen sets; with ovn=yes also iface-id, for ovn-controller.",
                        List.of("online", "offline", "add", "remove"), List.of(VIF, XENBUS_PATH,
                                Variable.of("bridge", TEXT, "none (required)",
                                        "BRIDGE[.VLAN][:TRUNK[:TRUNK...]]: Open vSwitch bridge, access VLAN, trunked VLANs"),
                                IP, MAC, Variable.of("mtu", Variable.Kind.MTU, "the bridge's", "MTU of the interface"),
                                VIFNAME, TYPE_IF, Variable.of("INTERFACE", IFNAME, "", "tap device (type_if=tap)"),
                                Variable.of("ovn", YES_NO, "ovn in /etc/xen/xennet.conf, else no",
                                        "set external_ids:iface-id so that ovn-controller binds the port"),
                                Variable.of("ovn_iface_id", TEXT, "ovn_iface_id in /etc/xen/xennet.conf, else ${uuid}-${devid}",
                                        "the OVN logical switch port: a template over ${uuid}, ${devid}, ${mac}, ${name}"))));
            default:
                return Optional.empty();
        }
    }
}
