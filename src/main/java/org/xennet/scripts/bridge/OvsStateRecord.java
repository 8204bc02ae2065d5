// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xennet.model.Address;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.scripts.StateFiles;
import org.xennet.scripts.bridge.StateRecord.Phase;
import org.xennet.text.Printable;

/**
 * What {@code network-bridge start bridge_type=openvswitch} found and decided, on disk before its
 * first change: the NIC (MAC, MTU, up, IPv6 switch, every global address, every route of every
 * table), the Open vSwitch bridge to make (name, datapath type, spanning tree), and how far start
 * or stop got. {@link OvsBridgePlan} builds the plan from this alone, as {@link BridgePlan} does
 * from a {@link StateRecord}, so stop is the inverse of start and a kill at any step is taken
 * back by the next call. Kept beside the Linux bridge's records as {@code BRIDGE.ovs} (a name
 * holds one kind of bridge at a time).
 */
public record OvsStateRecord(Phase phase, int step, String netdev, String bridge, String datapathType, boolean stp,
        NicState nic) implements BridgeRecord {

    public static final int VERSION = 1;

    /** The external id that marks a bridge as network-bridge's: one left by a start before a reboot is ours to remove. */
    public static final String MARKER_KEY = "xennet";
    public static final String MARKER_VALUE = "network-bridge";

    public OvsStateRecord withPhase(Phase p, int s) {
        return new OvsStateRecord(p, s, netdev, bridge, datapathType, stp, nic);
    }

    public boolean interrupted() {
        return phase != Phase.STARTED;
    }

    public static Path path(Path stateDir, String bridge) {
        return stateDir.resolve("network-bridge").resolve(bridge + ".ovs");
    }

    public static Optional<OvsStateRecord> read(Path file) {
        return StateFiles.read(file, OvsStateRecord::parse, "move it away and take the bridge down by hand "
                + "(ovs-vsctl del-br, then the NIC's addresses back)");
    }

    public void write(Path file) {
        StateFiles.write(file, render());
    }

    public String render() {
        StringBuilder b = new StringBuilder("# xennet network-bridge (Open vSwitch) state: what stop restores. Do not edit.\n");
        b.append("version=").append(VERSION).append('\n');
        b.append("phase=").append(phase.name().toLowerCase(Locale.ROOT)).append('\n');
        b.append("step=").append(step).append('\n');
        b.append("netdev=").append(netdev).append('\n');
        b.append("bridge=").append(bridge).append('\n');
        b.append("datapath_type=").append(datapathType).append('\n');
        b.append("stp=").append(stp ? "yes" : "no").append('\n');
        b.append("nic.index=").append(nic.index()).append('\n');
        b.append("nic.mac=").append(nic.mac() == null ? "" : nic.mac()).append('\n');
        b.append("nic.mtu=").append(nic.mtu()).append('\n');
        b.append("nic.up=").append(nic.up() ? "yes" : "no").append('\n');
        b.append("nic.disable_ipv6=").append(nic.ipv6Disabled() == null ? "" : nic.ipv6Disabled()).append('\n');
        for (Address a : nic.addresses()) {
            b.append("nic.addr=").append(StateRecord.formatAddress(a)).append('\n');
        }
        for (Route r : nic.routes()) {
            b.append("nic.route=").append(StateRecord.formatRoute(r)).append('\n');
        }
        return b.toString();
    }

    static OvsStateRecord parse(List<String> lines) {
        int version = 0;
        Phase phase = null;
        int step = -1;
        String netdev = null;
        String bridge = null;
        String datapath = "";
        boolean stp = false;
        int index = 0;
        MacAddress mac = null;
        int mtu = 0;
        boolean up = false;
        String v6 = null;
        List<Address> addrs = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
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
            switch (k) {
                case "version":
                    version = Integer.parseInt(v);
                    if (version != VERSION) {
                        throw new IllegalArgumentException("version " + version);
                    }
                    break;
                case "phase": phase = Phase.valueOf(v.toUpperCase(Locale.ROOT)); break;
                case "step": step = Integer.parseInt(v); break;
                case "netdev": netdev = v; break;
                case "bridge": bridge = v; break;
                case "datapath_type": datapath = v; break;
                case "stp": stp = v.equals("yes"); break;
                case "nic.index": index = Integer.parseInt(v); break;
                case "nic.mac": mac = v.isEmpty() ? null : MacAddress.parse(v); break;
                case "nic.mtu": mtu = Integer.parseInt(v); break;
                case "nic.up": up = v.equals("yes"); break;
                case "nic.disable_ipv6": v6 = v.isEmpty() ? null : v; break;
                case "nic.addr": addrs.add(StateRecord.parseAddress(v)); break;
                case "nic.route": routes.add(StateRecord.parseRoute(v)); break;
                default:
                    throw new IllegalArgumentException("unknown key " + k);
            }
        }
        if (version == 0 || phase == null || netdev == null || bridge == null) {
            throw new IllegalArgumentException("version, phase, netdev or bridge missing");
        }
        return new OvsStateRecord(phase, step, netdev, bridge, datapath, stp,
                new NicState(index, mac, mtu, up, true, true, v6, addrs, routes));
    }
}
