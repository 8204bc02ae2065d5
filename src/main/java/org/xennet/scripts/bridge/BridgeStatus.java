// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.StatusJson;
import org.xennet.text.Table;

/**
 * {@code network-bridge status}: the bridge and its ports (a brctl-show-like table with carrier
 * and MAC), then the addresses and routes of the interface that carries dom0's network. Exits 3
 * when the bridge does not exist.
 */
public final class BridgeStatus {
    private BridgeStatus() {
    }

    static int print(BridgeSettings s, Network net, ScriptContext ctx) {
        if (net.links().find(s.bridge()).filter(Link::isBridge).isEmpty()) {
            ctx.out().println("bridge " + s.bridge() + " does not exist: network-bridge is not started for "
                    + s.netdev());
            return ExitCodes.NOT_RUNNING;
        }
        ctx.out().print(render(net, s.bridge(), s.hostInterface()));
        return ExitCodes.OK;
    }

    /** The report for a bridge and the interface carrying the host's addresses. */
    public static String render(Network net, String bridge, String hostIf) {
        Link br = net.links().get(bridge);
        StringBuilder b = new StringBuilder();
        b.append("bridge ").append(br.name()).append("  ").append(br.isUp() ? "up" : "DOWN").append("  mac ")
                .append(br.mac()).append("  mtu ").append(br.mtu());
        if (br.bridge() != null) {
            b.append("  stp ").append(br.bridge().stpState() == 0 ? "off" : "on").append("  forward delay ")
                    .append(br.bridge().forwardDelayCentis() / 100).append(" s");
        }
        b.append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"  PORT", "STATE", "CARRIER", "MAC", "MTU"});
        for (Link l : ports(net, br)) {
            rows.add(new String[] {"  " + l.name(), l.isUp() ? "up" : "DOWN", l.carrier() ? "yes" : "NO",
                    String.valueOf(l.mac()), String.valueOf(l.mtu())});
        }
        b.append(rows.size() == 1 ? "  (no ports)\n" : Table.format(rows));
        if (net.links().find(hostIf).isPresent()) {
            b.append("\naddresses on ").append(hostIf).append(":\n");
            for (Address a : net.addresses().list(hostIf)) {
                b.append("  ").append(a).append('\n');
            }
            b.append("routes via ").append(hostIf).append(":\n");
            for (String r : hostRoutes(net, hostIf)) {
                b.append("  ").append(r).append('\n');
            }
        }
        return b.toString();
    }

    private static List<Link> ports(Network net, Link br) {
        List<Link> ports = new ArrayList<>();
        for (Link l : net.links().list()) {
            if (l.masterIndex() == br.index()) {
                ports.add(l);
            }
        }
        return ports;
    }

    /** The routes through the host's interface, as ip route prints them, without the local table and fe80::/64. */
    static List<String> hostRoutes(Network net, String hostIf) {
        int idx = net.links().get(hostIf).index();
        List<String> routes = new ArrayList<>();
        for (Route r : net.routes().list()) {
            if (r.oif() == idx && r.table() != Route.TABLE_LOCAL
                    && !(r.family() == 10 && r.destination().address().isLinkLocal())) {
                routes.add(r.describe(hostIf));
            }
        }
        return routes;
    }

    /**
     * The same report as data: {@code bridge} (null when not started) with its ports, the
     * addresses and routes of the interface carrying the host's network, and the state record.
     */
    public static StatusJson.Status json(Params p, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            BridgeSettings s = BridgeSettings.resolve(p, net, ctx.config().get());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", StatusJson.VERSION);
            m.put("script", "network-bridge");
            Link br = net.links().find(s.bridge()).filter(Link::isBridge).orElse(null);
            m.put("running", br != null);
            m.put("netdev", s.netdev());
            m.put("topology", s.topology().name().toLowerCase(java.util.Locale.ROOT));
            if (br == null) {
                m.put("bridge", null);
            } else {
                Map<String, Object> b = link(br);
                b.put("stp", br.bridge() != null && br.bridge().stpState() != 0);
                b.put("forward_delay_centis", br.bridge() == null ? null : br.bridge().forwardDelayCentis());
                b.put("vlan_filtering", br.vlanFiltering());
                List<Object> ports = new ArrayList<>();
                for (Link l : ports(net, br)) {
                    Map<String, Object> pm = link(l);
                    pm.put("carrier", l.carrier());
                    ports.add(pm);
                }
                b.put("ports", ports);
                m.put("bridge", b);
            }
            List<Object> addrs = new ArrayList<>();
            List<Object> routes = new ArrayList<>();
            if (br != null && net.links().find(s.hostInterface()).isPresent()) {
                for (Address a : net.addresses().list(s.hostInterface())) {
                    addrs.add(a.toString());
                }
                routes.addAll(hostRoutes(net, s.hostInterface()));
            }
            m.put("addresses", addrs);
            m.put("routes", routes);
            Path record = StateRecord.path(ctx.stateDir(), s.bridge());
            m.put("state_record", Files.exists(record) ? record.toString() : null);
            return new StatusJson.Status(br != null ? ExitCodes.OK : ExitCodes.NOT_RUNNING, m);
        }
    }

    /** A link's name, up, mtu and mac, the first keys of every link in xennet's JSON. */
    public static Map<String, Object> link(Link l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", l.name());
        m.put("up", l.isUp());
        m.put("mtu", l.mtu());
        m.put("mac", l.mac() == null ? null : l.mac().toString());
        return m;
    }
}
