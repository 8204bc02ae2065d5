// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.model.InterfaceName;
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
 */
public record BridgeSettings(String netdev, int vifnum, String bridge, Topology topology, String pdev, String vdev,
        String vif0, boolean antispoof, boolean stp, int forwardDelaySeconds, String nfCallIptables,
        String nfCallIp6tables, boolean force) {

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
        String netdev = Netdev.of(p, net);
        Matcher m = TRAILING_DIGITS.matcher(netdev);
        int digits = m.find() && m.group(1).length() <= 4 ? Integer.parseInt(m.group(1)) : 0;
        int vifnum = p.integer("vifnum", digits, 0, 9999);
        String wanted = p.get("topology").orElseGet(() -> conf.get(CONF_TOPOLOGY).orElse("netloop"));
        if (!wanted.equals("netloop") && !wanted.equals("final")) {
            throw new UsageException("network-bridge: " + CONF_TOPOLOGY + "=" + Printable.quote(wanted) + " in "
                    + conf.path() + " must be netloop or final");
        }
        String bridge = p.ifname("bridge").orElse(wanted.equals("final") ? netdev : "xenbr" + vifnum);
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
                p.yesNo("force", false));
    }

    /** The interface that carries dom0's addresses once started: the ex-veth (netloop) or the bridge (final). */
    public String hostInterface() {
        return topology == Topology.FINAL ? bridge : netdev;
    }

    public boolean netloop() {
        return topology == Topology.NETLOOP;
    }
}
