package org.xennet.scripts.bridge;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.model.InterfaceName;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.scripts.Params;
import org.xennet.scripts.bridge.StateRecord.Topology;

/**
 * network-bridge's variables with their defaults resolved: netdev is the device of the IPv4
 * default route (any name: enp0s3, eno1, bond0, eth0.10; Xen's pattern turned enp0s3 into enp0),
 * else eth0; vifnum is netdev's trailing digits, else 0; bridge is xenbr${vifnum}. A bridge named
 * like netdev selects the final topology, any other name the netloop one.
 */
public record BridgeSettings(String netdev, int vifnum, String bridge, Topology topology, String pdev, String vdev,
        String vif0, boolean antispoof, boolean stp, int forwardDelaySeconds, String nfCallIptables,
        String nfCallIp6tables, boolean force) {

    /** Temporary name of the bridge in the final topology until the NIC has given up its name. */
    public static final String TMP_BRIDGE = "xn-tmpbr";

    private static final Pattern TRAILING_DIGITS = Pattern.compile("([0-9]+)$");

    /** netdev: the variable, else the device of the IPv4 default route, else eth0 (as Xen's scripts). */
    public static String netdev(Params p, Network net) {
        return p.ifname("netdev").orElseGet(() -> defaultNetdev(net).orElse("eth0"));
    }

    public static BridgeSettings resolve(Params p, Network net) {
        String netdev = netdev(p, net);
        Matcher m = TRAILING_DIGITS.matcher(netdev);
        int digits = m.find() && m.group(1).length() <= 4 ? Integer.parseInt(m.group(1)) : 0;
        int vifnum = p.integer("vifnum", digits, 0, 9999);
        String bridge = p.ifname("bridge").orElse("xenbr" + vifnum);
        Topology topology = bridge.equals(netdev) ? Topology.FINAL : Topology.NETLOOP;
        String pdev = InterfaceName.check("p${netdev} (the renamed NIC)", "p" + netdev);
        boolean netloop = topology == Topology.NETLOOP;
        return new BridgeSettings(netdev, vifnum, bridge, topology, pdev,
                netloop ? InterfaceName.check("veth${vifnum}", "veth" + vifnum) : null,
                netloop ? InterfaceName.check("vif0.${vifnum}", "vif0." + vifnum) : null,
                p.yesNo("antispoof", false), p.yesNo("stp", false), p.integer("forward_delay", 0, 0, 30),
                p.get("bridge_nf_call_iptables").orElse(null), p.get("bridge_nf_call_ip6tables").orElse(null),
                p.yesNo("force", false));
    }

    /** The device of the main table's IPv4 default route with the lowest metric. */
    public static Optional<String> defaultNetdev(Network net) {
        return net.routes().list().stream()
                .filter(r -> r.family() == IpAddress.AF_INET && r.table() == Route.TABLE_MAIN && r.isDefault()
                        && r.type() == Route.TYPE_UNICAST && r.oif() != 0)
                .min(Comparator.comparingInt(r -> r.metric()))
                .flatMap(r -> net.links().find(r.oif()))
                .map(Link::name);
    }

    /** The interface that carries dom0's addresses once started: the ex-veth (netloop) or the bridge (final). */
    public String hostInterface() {
        return netdev;
    }

    public boolean netloop() {
        return topology == Topology.NETLOOP;
    }
}
