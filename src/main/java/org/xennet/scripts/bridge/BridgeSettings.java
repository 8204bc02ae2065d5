// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.model.BondMode;
import org.xennet.model.BridgeVlan;
import org.xennet.model.InterfaceName;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.scripts.Params;
import org.xennet.scripts.Netdev;
import org.xennet.scripts.bridge.StateRecord.Topology;
import org.xennet.text.Printable;

/**
 * network-bridge's variables with their defaults resolved: netdev is the device of the IPv4
 * default route (any name: enp0s3, eno1, bond0, eth0.10; Xen's pattern turned enp0s3 into enp0),
 * else eth0; vifnum is netdev's trailing digits, else 0; bridge is xenbr${vifnum}. A bridge named
 * like netdev selects the final topology, any other name the netloop one.
 *
 * <p>A VLAN netdev ({@code eth0.10}, or {@code netdev=eth0 vlan=10}) that does not exist is made
 * by start as the only port of its own bridge, {@code xenbr0.10} by default (the parent's number,
 * a dot and the VLAN: the name Xen's netloop script gave it, unique per NIC and VLAN, at most 14
 * bytes); that is the {@link Topology#VLAN} layout. {@code slaves=eth0,eth1} makes netdev
 * (default bond0) a bond of those NICs, which then is bridged like a NIC.
 */
public record BridgeSettings(String netdev, int vifnum, String bridge, Topology topology, String pdev, String vdev,
        String vif0, boolean antispoof, boolean stp, int forwardDelaySeconds, String nfCallIptables,
        String nfCallIp6tables, boolean force, VlanUplink vlan, BondUplink bond, boolean vlanFiltering, Integer mtu) {

    /** A VLAN netdev: VLAN {@code id} on {@code parent} (named as given; start finds the NIC under it). */
    public record VlanUplink(String parent, int id) {
    }

    /** A bond network-bridge makes from the NICs {@code slaves}, in {@code mode}. */
    public record BondUplink(List<String> slaves, BondMode mode) {
        public BondUplink {
            slaves = List.copyOf(slaves);
        }
    }

    /** The bonding modes {@code bond_mode} takes. */
    public static final List<BondMode> BOND_MODES = List.of(BondMode.ACTIVE_BACKUP, BondMode.IEEE_802_3AD);

    private static final Pattern VLAN_NAME = Pattern.compile("(.+)\\.([0-9]{1,4})");

    /** The xennet.conf key that chooses the default topology. */
    public static final String CONF_TOPOLOGY = "network_bridge_topology";

    /** Temporary name of the bridge in the final topology until the NIC has given up its name. */
    public static final String TMP_BRIDGE = "xn-tmpbr";

    private static final Pattern TRAILING_DIGITS = Pattern.compile("([0-9]+)$");

    public static BridgeSettings resolve(Params p, Network net) {
        return resolve(p, net, ConfigFile.empty());
    }

    /**
     * With xennet.conf's {@code network_bridge_topology} as the default of {@code topology}: final
     * is Xen 3.2-4.4's layout, where {@code bridge} defaults to netdev and the bridge carries the
     * host's addresses; netloop (the default) is Xen 3.0's. A bridge named like netdev is the final
     * layout whatever the setting.
     */
    public static BridgeSettings resolve(Params p, Network net, ConfigFile conf) {
        BondUplink bond = bond(p);
        String netdev = bond != null ? p.ifname("netdev").orElse("bond0") : Netdev.of(p, net);
        VlanUplink vlan = null;
        if (p.get("vlan").isPresent()) {
            int id = p.integer("vlan", 0, BridgeVlan.MIN_VID, BridgeVlan.MAX_VID);
            String name = netdev + "." + id;
            if (!InterfaceName.isValid(name)) {
                throw new UsageException("network-bridge: the VLAN interface " + Printable.quote(name) + " would be "
                        + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes, over the kernel's "
                        + "15; make it yourself (ip link add link " + netdev + " name NAME type vlan id " + id
                        + ") and give netdev=NAME");
            }
            vlan = new VlanUplink(netdev, id);
            netdev = name;
        } else {
            vlan = vlanOf(netdev, net);
        }
        if (bond != null && vlan != null) {
            throw new UsageException("network-bridge: slaves= makes a bond, netdev=" + netdev + " is a VLAN: start "
                    + "the bond first (netdev=bond0 slaves=...), then the VLAN on it (netdev=bond0.N)");
        }
        Matcher m = TRAILING_DIGITS.matcher(vlan != null ? vlan.parent() : netdev);
        int digits = m.find() && m.group(1).length() <= 4 ? Integer.parseInt(m.group(1)) : 0;
        Matcher own = TRAILING_DIGITS.matcher(netdev);
        int vifnum = p.integer("vifnum", own.find() && own.group(1).length() <= 4 ? Integer.parseInt(own.group(1)) : 0,
                0, 9999);
        String wanted = p.get("topology").orElseGet(() -> conf.get(CONF_TOPOLOGY).orElse("netloop"));
        if (!wanted.equals("netloop") && !wanted.equals("final")) {
            throw new UsageException("network-bridge: " + CONF_TOPOLOGY + "=" + Printable.quote(wanted) + " in "
                    + conf.path() + " must be netloop or final");
        }
        Optional<String> named = p.ifname("bridge");
        String vlanBridge = vlan == null ? null : "xenbr" + p.integer("vifnum", digits, 0, 9999) + "." + vlan.id();
        Optional<Link> dev = net.links().find(netdev);
        boolean made = vlan != null && (dev.isEmpty() || isPortOf(net, dev.get(), named.orElse(vlanBridge)));
        // a VLAN link someone else made is bridged as before (xenbr${vifnum}, or its own name in final)
        String bridge = named.orElse(made ? vlanBridge : wanted.equals("final") ? netdev : "xenbr" + vifnum);
        Integer mtu = p.get("mtu").isPresent() ? p.integer("mtu", 0, 68, 65535) : null;
        boolean filtering = p.yesNo("vlan_filtering", false);
        if (made) {
            String port = bridge.equals(netdev) ? InterfaceName.check("p${netdev} (the VLAN port)", "p" + netdev) : netdev;
            return new BridgeSettings(netdev, vifnum, bridge, Topology.VLAN, port, null, null,
                    p.yesNo("antispoof", false), p.yesNo("stp", false), p.integer("forward_delay", 0, 0, 30),
                    p.get("bridge_nf_call_iptables").orElse(null), p.get("bridge_nf_call_ip6tables").orElse(null),
                    p.yesNo("force", false), vlan, null, filtering, mtu);
        }
        if (mtu != null) {
            throw new UsageException("network-bridge: mtu= sets the MTU of a VLAN interface network-bridge makes; "
                    + netdev + " " + (vlan != null ? "exists already" : "is not a VLAN") + " and keeps its own ("
                    + "ip link set dev " + netdev + " mtu " + mtu + " before start)");
        }
        Topology topology = bridge.equals(netdev) || wanted.equals("final") ? Topology.FINAL : Topology.NETLOOP;
        if (p.get("topology").filter("netloop"::equals).isPresent() && bridge.equals(netdev)) {
            throw new UsageException("network-bridge: topology=netloop needs a bridge other than netdev (" + netdev
                    + "); bridge=" + netdev + " is the final topology");
        }
        String pdev = InterfaceName.check("p${netdev} (the renamed NIC)", "p" + netdev);
        boolean netloop = topology == Topology.NETLOOP;
        return new BridgeSettings(netdev, vifnum, bridge, topology, pdev,
                netloop ? InterfaceName.check("veth${vifnum}", "veth" + vifnum) : null,
                netloop ? InterfaceName.check("vif0.${vifnum}", "vif0." + vifnum) : null,
                p.yesNo("antispoof", false), p.yesNo("stp", false), p.integer("forward_delay", 0, 0, 30),
                p.get("bridge_nf_call_iptables").orElse(null), p.get("bridge_nf_call_ip6tables").orElse(null),
                p.yesNo("force", false), null, bond, filtering, null);
    }

    /** {@code slaves=eth0,eth1 [bond_mode=active-backup|802.3ad]}, checked; null without slaves. */
    private static BondUplink bond(Params p) {
        Optional<String> v = p.get("slaves");
        if (v.isEmpty()) {
            if (p.get("bond_mode").isPresent()) {
                throw new UsageException("network-bridge: bond_mode= needs slaves= (the NICs of the bond to make)");
            }
            return null;
        }
        List<String> slaves = new ArrayList<>();
        for (String s : v.get().split(",", -1)) {
            String n = InterfaceName.check("slaves", s.trim());
            if (slaves.contains(n)) {
                throw new UsageException("network-bridge: slaves=" + Printable.quote(v.get()) + " names " + n + " twice");
            }
            slaves.add(n);
        }
        String mode = p.get("bond_mode", BondMode.ACTIVE_BACKUP.word());
        BondMode m = BondMode.byWord(mode).filter(BOND_MODES::contains).orElseThrow(() -> new UsageException(
                "network-bridge: bond_mode=" + Printable.quote(mode) + " must be active-backup or 802.3ad"));
        return new BondUplink(slaves, m);
    }

    /**
     * netdev as a VLAN: a VLAN link (its parent and id from the kernel), or, when there is no
     * such link, a name PARENT.ID whose parent exists (or was renamed pPARENT by network-bridge);
     * else null.
     */
    static VlanUplink vlanOf(String netdev, Network net) {
        Optional<Link> l = net.links().find(netdev);
        if (l.isPresent()) {
            if (!l.get().isVlan()) {
                return null;
            }
            String parent = net.links().find(l.get().linkIndex()).map(Link::name).orElse(null);
            Matcher m = VLAN_NAME.matcher(netdev);
            // named after the parent it had when made (eth0.10 on what is now peth0): that name
            return parent == null ? null : new VlanUplink(m.matches() ? m.group(1) : parent, l.get().vlanId());
        }
        Matcher m = VLAN_NAME.matcher(netdev);
        if (!m.matches()) {
            return null;
        }
        int id = Integer.parseInt(m.group(2));
        String parent = m.group(1);
        if (id < BridgeVlan.MIN_VID || id > BridgeVlan.MAX_VID || !InterfaceName.isValid(parent)
                || !net.links().exists(parent) && !(InterfaceName.isValid("p" + parent) && net.links().exists("p" + parent))) {
            return null;
        }
        return new VlanUplink(parent, id);
    }

    private static boolean isPortOf(Network net, Link dev, String bridge) {
        return dev.masterIndex() != 0 && net.links().find(dev.masterIndex()).filter(b -> b.isBridge()
                && b.name().equals(bridge)).isPresent();
    }

    /**
     * The interface that carries dom0's addresses once started: the ex-veth (netloop) or the bridge
     * (final; and for a VLAN network-bridge made, which dom0 has no address on).
     */
    public String hostInterface() {
        return topology == Topology.NETLOOP ? netdev : bridge;
    }

    public boolean netloop() {
        return topology == Topology.NETLOOP;
    }
}
