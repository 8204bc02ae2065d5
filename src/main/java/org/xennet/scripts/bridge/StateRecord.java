// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xennet.firewall.Rule;
import org.xennet.model.Address;
import org.xennet.model.BondMode;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.RawAttribute;
import org.xennet.model.Route;
import org.xennet.netlink.MessageWriter;
import org.xennet.netlink.NlAttrs;
import org.xennet.netlink.rtnl.Rtnl;
import org.xennet.scripts.StateFiles;
import org.xennet.text.Printable;

/**
 * Everything network-bridge start found and decided, on disk before its first change and kept
 * under /var/run while the bridge is up: the topology and names, what the NIC carried (MAC, MTU,
 * up, every global address, every route of every table), the FORWARD policy and rules it adds,
 * or, on the nftables backend, the ports its antispoof chain trusts ({@code nftTrusted}, empty
 * without one), the sysctls it changes with their old values, and how far it got ({@link Phase} and the step
 * last begun). The start plan is a function of this record alone, so any later process can
 * rebuild it and take back exactly the steps that ran: stop after a finished start, and the
 * rollback after a start or stop that was killed. Plain {@code key=value} lines, read literally;
 * written atomically and synced.
 *
 * <p>What start makes beyond the bridge is there too: the VLAN link of the {@link Topology#VLAN}
 * layout ({@link VlanPort}: its lower device, by name and index, and whether that was up), the
 * bond made from NICs ({@link BondPorts}: each NIC as it was, which is what stop gives back), and
 * the bridge's VLAN filtering. A record with any of them is version 3; one without is written as
 * version 2, which older xennet reads.
 */
public record StateRecord(Phase phase, int step, Topology topology, String netdev, String pdev, String bridge,
        String vdev, String vif0, boolean stp, int forwardDelayCentis, NicState nic, String oldForwardPolicy,
        List<Rule> rules, List<SysctlChange> sysctls, List<String> nftTrusted, boolean vlanFiltering, VlanPort vlan,
        BondPorts bond) implements BridgeRecord {

    /**
     * Version 2 adds the phase, the step, stp/forward_delay and the sysctls' new values; version 3
     * the VLAN link, the bond and VLAN filtering. Versions 1 and 2 are still read.
     */
    public static final int VERSION = 3;

    public StateRecord {
        rules = List.copyOf(rules);
        sysctls = List.copyOf(sysctls);
        nftTrusted = List.copyOf(nftTrusted);
    }

    /** A record without an nftables antispoof chain. */
    public StateRecord(Phase phase, int step, Topology topology, String netdev, String pdev, String bridge,
            String vdev, String vif0, boolean stp, int forwardDelayCentis, NicState nic, String oldForwardPolicy,
            List<Rule> rules, List<SysctlChange> sysctls) {
        this(phase, step, topology, netdev, pdev, bridge, vdev, vif0, stp, forwardDelayCentis, nic, oldForwardPolicy,
                rules, sysctls, List.of());
    }

    /** A record of the layouts before version 3: no VLAN link, no bond, no VLAN filtering. */
    public StateRecord(Phase phase, int step, Topology topology, String netdev, String pdev, String bridge,
            String vdev, String vif0, boolean stp, int forwardDelayCentis, NicState nic, String oldForwardPolicy,
            List<Rule> rules, List<SysctlChange> sysctls, List<String> nftTrusted) {
        this(phase, step, topology, netdev, pdev, bridge, vdev, vif0, stp, forwardDelayCentis, nic, oldForwardPolicy,
                rules, sysctls, nftTrusted, false, null, null);
    }

    /**
     * The VLAN link start makes as the bridge's port ({@link #pdev}): VLAN {@code id} of
     * {@code protocol} on {@code lower} (its interface index {@code lowerIndex}, so that a rename
     * of the NIC by another network-bridge meanwhile does not mislead stop), with {@code mtu};
     * {@code lowerWasUp} false when start brought the lower device up (stop takes it down again).
     */
    public record VlanPort(String lower, int lowerIndex, int id, int protocol, int mtu, boolean lowerWasUp) {
    }

    /** The bond start makes (named {@link #pdev}) from NICs, each as it was before: what stop gives back. */
    public record BondPorts(BondMode mode, int miimonMs, List<Slave> slaves) {
        public BondPorts {
            slaves = List.copyOf(slaves);
        }
    }

    /** A NIC of a bond start makes, as it was. */
    public record Slave(String name, NicState state) {
    }

    /** How far the change got. */
    public enum Phase {
        /** start is (or was, when killed) running: {@link #step} tells the step last begun. */
        STARTING,
        /** start finished: the bridge is up. */
        STARTED,
        /** stop is (or was, when killed) running. */
        STOPPING
    }

    /** A sysctl start changes: set to {@code value}, {@code old} before. */
    public record SysctlChange(String key, String value, String old) {
    }

    public StateRecord withPhase(Phase p, int s) {
        return new StateRecord(p, s, topology, netdev, pdev, bridge, vdev, vif0, stp, forwardDelayCentis, nic,
                oldForwardPolicy, rules, sysctls, nftTrusted, vlanFiltering, vlan, bond);
    }

    /**
     * The interface that carries dom0's addresses while started: the ex-veth (netloop) or the bridge
     * (final, and the VLAN layout, where dom0 has none).
     */
    public String hostInterface() {
        return topology == Topology.NETLOOP ? netdev : bridge;
    }

    /** Whether a start or stop was cut short (killed) before it finished. */
    public boolean interrupted() {
        return phase != Phase.STARTED;
    }

    public static Path path(Path stateDir, String bridge) {
        return stateDir.resolve("network-bridge").resolve(bridge + ".state");
    }

    public static Optional<StateRecord> read(Path file) {
        return StateFiles.read(file, StateRecord::parse,
                "move it away and run stop again to derive the state from the interfaces");
    }

    public void write(Path file) {
        StateFiles.write(file, render());
    }

    static StateRecord parse(List<String> lines) {
        int version = 0;
        Phase phase = Phase.STARTED;
        int step = -1;
        String topology = null;
        String netdev = null;
        String pdev = null;
        String bridge = null;
        String vdev = null;
        String vif0 = null;
        boolean stp = false;
        int forwardDelay = 0;
        NicFields nic = new NicFields();
        String policy = null;
        List<Rule> rules = new ArrayList<>();
        List<SysctlChange> sysctls = new ArrayList<>();
        List<String> nftTrusted = new ArrayList<>();
        boolean filtering = false;
        String vlanLower = null;
        int vlanLowerIndex = 0;
        int vlanId = 0;
        int vlanProtocol = Link.ETH_P_8021Q;
        int vlanMtu = 0;
        boolean vlanLowerUp = true;
        BondMode bondMode = null;
        int miimon = 0;
        java.util.TreeMap<Integer, String> slaveNames = new java.util.TreeMap<>();
        java.util.TreeMap<Integer, NicFields> slaves = new java.util.TreeMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("line " + Printable.quote(line) + " is not KEY=VALUE");
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1);
            java.util.regex.Matcher sm = SLAVE_KEY.matcher(k);
            if (sm.matches()) {
                int n = Integer.parseInt(sm.group(1));
                if (sm.group(2).equals("name")) {
                    slaveNames.put(n, v);
                } else if (!slaves.computeIfAbsent(n, i -> new NicFields()).set(sm.group(2), v)) {
                    throw new IllegalArgumentException("unknown key " + k);
                }
                continue;
            }
            if (k.startsWith("nic.") && nic.set(k.substring(4), v)) {
                continue;
            }
            switch (k) {
                case "version":
                    version = Integer.parseInt(v);
                    if (version < 1 || version > VERSION) {
                        throw new IllegalArgumentException("version " + version);
                    }
                    break;
                case "phase": phase = Phase.valueOf(v.toUpperCase(Locale.ROOT)); break;
                case "step": step = Integer.parseInt(v); break;
                case "topology": topology = v; break;
                case "netdev": netdev = v; break;
                case "pdev": pdev = v; break;
                case "bridge": bridge = v; break;
                case "vdev": vdev = v.isEmpty() ? null : v; break;
                case "vif0": vif0 = v.isEmpty() ? null : v; break;
                case "stp": stp = v.equals("yes"); break;
                case "forward_delay": forwardDelay = Integer.parseInt(v); break;
                case "fw.policy": policy = v; break;
                case "vlan_filtering": filtering = v.equals("yes"); break;
                case "vlan.lower": vlanLower = v; break;
                case "vlan.lower_index": vlanLowerIndex = Integer.parseInt(v); break;
                case "vlan.id": vlanId = Integer.parseInt(v); break;
                case "vlan.protocol": vlanProtocol = Integer.parseInt(v, 16); break;
                case "vlan.mtu": vlanMtu = Integer.parseInt(v); break;
                case "vlan.lower_up": vlanLowerUp = v.equals("yes"); break;
                case "bond.mode":
                    bondMode = BondMode.byWord(v).orElseThrow(() -> new IllegalArgumentException("bond mode " + v));
                    break;
                case "bond.miimon": miimon = Integer.parseInt(v); break;
                case "fw.rule": rules.add(parseRule(v)); break;
                case "fw.nft_antispoof": nftTrusted.addAll(List.of(v.split(" "))); break;
                case "sysctl": sysctls.add(parseSysctl(v, version)); break;
                default:
                    throw new IllegalArgumentException("unknown key " + k);
            }
        }
        if (version == 0 || topology == null || netdev == null || pdev == null || bridge == null) {
            throw new IllegalArgumentException("version, topology, netdev, pdev or bridge missing");
        }
        Topology t = Topology.valueOf(topology.toUpperCase(Locale.ROOT));
        VlanPort vlan = null;
        if (t == Topology.VLAN) {
            if (vlanLower == null || vlanId == 0) {
                throw new IllegalArgumentException("vlan.lower or vlan.id missing");
            }
            vlan = new VlanPort(vlanLower, vlanLowerIndex, vlanId, vlanProtocol, vlanMtu, vlanLowerUp);
        }
        BondPorts bond = null;
        if (bondMode != null) {
            List<Slave> list = new ArrayList<>();
            for (var e : slaves.entrySet()) {
                String name = slaveNames.get(e.getKey());
                if (name == null) {
                    throw new IllegalArgumentException("slave" + e.getKey() + ".name missing");
                }
                list.add(new Slave(name, e.getValue().state()));
            }
            if (list.isEmpty() || list.size() != slaveNames.size()) {
                throw new IllegalArgumentException("a bond without its NICs");
            }
            bond = new BondPorts(bondMode, miimon, list);
        }
        return new StateRecord(phase, step, t, netdev, pdev, bridge, vdev, vif0, stp, forwardDelay, nic.state(), policy,
                rules, sysctls, nftTrusted, filtering, vlan, bond);
    }

    private static final java.util.regex.Pattern SLAVE_KEY = java.util.regex.Pattern.compile("slave([0-9]{1,2})\\.(.+)");

    /** The fields of a NicState as the record's lines give them, one key at a time. */
    private static final class NicFields {
        int index;
        MacAddress mac;
        int mtu;
        boolean up;
        boolean arp = true;
        boolean multicast = true;
        String v6;
        final List<Address> addrs = new ArrayList<>();
        final List<Route> routes = new ArrayList<>();

        /** Takes the field {@code k} (without its prefix); false for a key that is not a NIC's. */
        boolean set(String k, String v) {
            switch (k) {
                case "index": index = Integer.parseInt(v); break;
                case "mac": mac = v.isEmpty() ? null : MacAddress.parse(v); break;
                case "mtu": mtu = Integer.parseInt(v); break;
                case "up": up = v.equals("yes"); break;
                case "arp": arp = v.equals("yes"); break;
                case "multicast": multicast = v.equals("yes"); break;
                case "disable_ipv6": v6 = v.isEmpty() ? null : v; break;
                case "addr": addrs.add(parseAddress(v)); break;
                case "route": routes.add(parseRoute(v)); break;
                default: return false;
            }
            return true;
        }

        NicState state() {
            return new NicState(index, mac, mtu, up, arp, multicast, v6, addrs, routes);
        }
    }

    private static void renderNic(StringBuilder b, String prefix, NicState nic) {
        b.append(prefix).append("index=").append(nic.index()).append('\n');
        b.append(prefix).append("mac=").append(nic.mac() == null ? "" : nic.mac()).append('\n');
        b.append(prefix).append("mtu=").append(nic.mtu()).append('\n');
        b.append(prefix).append("up=").append(nic.up() ? "yes" : "no").append('\n');
        b.append(prefix).append("arp=").append(nic.arp() ? "yes" : "no").append('\n');
        b.append(prefix).append("multicast=").append(nic.multicast() ? "yes" : "no").append('\n');
        b.append(prefix).append("disable_ipv6=").append(nic.ipv6Disabled() == null ? "" : nic.ipv6Disabled()).append('\n');
        for (Address a : nic.addresses()) {
            b.append(prefix).append("addr=").append(formatAddress(a)).append('\n');
        }
        for (Route r : nic.routes()) {
            b.append(prefix).append("route=").append(formatRoute(r)).append('\n');
        }
    }

    public String render() {
        StringBuilder b = new StringBuilder("# xennet network-bridge state: what stop restores. Do not edit.\n");
        boolean v3 = vlanFiltering || vlan != null || bond != null || topology == Topology.VLAN;
        b.append("version=").append(v3 ? VERSION : 2).append('\n');
        b.append("phase=").append(phase.name().toLowerCase(Locale.ROOT)).append('\n');
        b.append("step=").append(step).append('\n');
        b.append("topology=").append(topology.name().toLowerCase(Locale.ROOT)).append('\n');
        b.append("netdev=").append(netdev).append('\n');
        b.append("pdev=").append(pdev).append('\n');
        b.append("bridge=").append(bridge).append('\n');
        b.append("vdev=").append(vdev == null ? "" : vdev).append('\n');
        b.append("vif0=").append(vif0 == null ? "" : vif0).append('\n');
        b.append("stp=").append(stp ? "yes" : "no").append('\n');
        b.append("forward_delay=").append(forwardDelayCentis).append('\n');
        renderNic(b, "nic.", nic);
        if (vlanFiltering) {
            b.append("vlan_filtering=yes\n");
        }
        if (vlan != null) {
            b.append("vlan.lower=").append(vlan.lower()).append('\n');
            b.append("vlan.lower_index=").append(vlan.lowerIndex()).append('\n');
            b.append("vlan.id=").append(vlan.id()).append('\n');
            b.append("vlan.protocol=").append(Integer.toHexString(vlan.protocol())).append('\n');
            b.append("vlan.mtu=").append(vlan.mtu()).append('\n');
            b.append("vlan.lower_up=").append(vlan.lowerWasUp() ? "yes" : "no").append('\n');
        }
        if (bond != null) {
            b.append("bond.mode=").append(bond.mode().word()).append('\n');
            b.append("bond.miimon=").append(bond.miimonMs()).append('\n');
            for (int i = 0; i < bond.slaves().size(); i++) {
                b.append("slave").append(i).append(".name=").append(bond.slaves().get(i).name()).append('\n');
                renderNic(b, "slave" + i + ".", bond.slaves().get(i).state());
            }
        }
        if (oldForwardPolicy != null) {
            b.append("fw.policy=").append(oldForwardPolicy).append('\n');
        }
        for (Rule r : rules) {
            b.append("fw.rule=").append(r.table().equals(Rule.FILTER) ? "" : "table:" + r.table() + " ")
                    .append(r.chain()).append(' ').append(String.join(" ", r.spec())).append('\n');
        }
        if (!nftTrusted.isEmpty()) {
            b.append("fw.nft_antispoof=").append(String.join(" ", nftTrusted)).append('\n');
        }
        for (SysctlChange s : sysctls) {
            b.append("sysctl=").append(s.key()).append(' ').append(s.value()).append(' ').append(s.old()).append('\n');
        }
        return b.toString();
    }

    private static Rule parseRule(String v) {
        String[] w = v.split(" ");
        return w[0].startsWith("table:") ? new Rule(w[0].substring(6), w[1], List.of(w).subList(2, w.length))
                : new Rule(w[0], List.of(w).subList(1, w.length));
    }

    /** Version 2: {@code KEY VALUE OLD}; version 1: {@code KEY=OLD} (the new value was not kept). */
    private static SysctlChange parseSysctl(String v, int version) {
        if (version == 1) {
            int e = v.lastIndexOf('=');
            return new SysctlChange(v.substring(0, e), v.substring(e + 1).equals("1") ? "0" : "1", v.substring(e + 1));
        }
        String[] w = v.split(" ");
        if (w.length != 3) {
            throw new IllegalArgumentException("sysctl line is not 'KEY VALUE OLD'");
        }
        return new SysctlChange(w[0], w[1], w[2]);
    }

    private static String opt(Object o) {
        return o == null ? "-" : o.toString();
    }

    static String formatAddress(Address a) {
        return a.prefix() + "|" + opt(a.peer()) + "|" + opt(a.broadcast()) + "|" + opt(a.label()) + "|" + a.scope()
                + "|" + a.flags();
    }

    static Address parseAddress(String s) {
        String[] f = s.split("\\|", -1);
        return new Address(0, IpPrefix.parse(f[0]), f[1].equals("-") ? null : IpAddress.parse(f[1]),
                f[2].equals("-") ? null : IpAddress.parse(f[2]), f[3].equals("-") ? null : f[3],
                Integer.parseInt(f[4]), Integer.parseInt(f[5]), Address.FOREVER, Address.FOREVER);
    }

    static String formatRoute(Route r) {
        MessageWriter w = new MessageWriter();
        for (RawAttribute a : r.extra()) {
            w.attr(Rtnl.nl(a));
        }
        return r.family() + "|" + r.table() + "|" + r.destination() + "|" + opt(r.gateway()) + "|"
                + Integer.toUnsignedString(r.metric()) + "|" + r.scope() + "|" + r.protocol() + "|" + r.type() + "|"
                + opt(r.prefsrc()) + "|" + r.flags() + "|" + HexFormat.of().formatHex(w.toBytes());
    }

    static Route parseRoute(String s) {
        String[] f = s.split("\\|", -1);
        List<RawAttribute> extra = NlAttrs.parse(ByteBuffer.wrap(HexFormat.of().parseHex(f[10]))
                .order(ByteOrder.nativeOrder())).stream().map(Rtnl::raw).toList();
        return new Route(Integer.parseInt(f[0]), Integer.parseInt(f[1]), IpPrefix.parse(f[2]),
                f[3].equals("-") ? null : IpAddress.parse(f[3]), 0, Integer.parseUnsignedInt(f[4]),
                Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]),
                f[8].equals("-") ? null : IpAddress.parse(f[8]), Integer.parseInt(f[9]), extra);
    }

    /** The two shapes network-bridge builds. */
    public enum Topology {
        /** bridge xenbrN, veth pair vethN/vif0.N, the veth end becomes dom0's netdev (Xen 3.0-3.1). */
        NETLOOP,
        /** the bridge takes the NIC's name and carries dom0's addresses (Xen 3.2-4.4). */
        FINAL,
        /** a VLAN link start made is the bridge's only port; dom0 has no address there (xennet). */
        VLAN
    }
}
