package org.xennet.scripts.bridge;

import java.util.ArrayList;
import java.util.List;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.ScriptContext;
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
        ctx.out().print(render(net, s.bridge(), s.netdev()));
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
        for (Link l : net.links().list()) {
            if (l.masterIndex() == br.index()) {
                rows.add(new String[] {"  " + l.name(), l.isUp() ? "up" : "DOWN", l.carrier() ? "yes" : "NO",
                        String.valueOf(l.mac()), String.valueOf(l.mtu())});
            }
        }
        b.append(rows.size() == 1 ? "  (no ports)\n" : Table.format(rows));
        if (net.links().find(hostIf).isPresent()) {
            int idx = net.links().get(hostIf).index();
            b.append("\naddresses on ").append(hostIf).append(":\n");
            for (Address a : net.addresses().list(hostIf)) {
                b.append("  ").append(a).append('\n');
            }
            b.append("routes via ").append(hostIf).append(":\n");
            for (Route r : net.routes().list()) {
                if (r.oif() == idx && r.table() != Route.TABLE_LOCAL
                        && !(r.family() == 10 && r.destination().address().isLinkLocal())) {
                    b.append("  ").append(r.describe(hostIf)).append('\n');
                }
            }
        }
        return b.toString();
    }
}
