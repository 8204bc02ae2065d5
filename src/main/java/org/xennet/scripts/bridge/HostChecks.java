// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.scripts.ScriptContext;

/**
 * Reasons not to touch a NIC: the root file system is reached through it (taking it down would
 * hang the host), or a network manager owns it (it would fight the change). Each refusal says
 * how to override it ({@code force=yes}).
 */
final class HostChecks {
    private HostChecks() {
    }

    /**
     * Everything that stops a start before it changes anything: a NIC that is a bridge or a port
     * already, names start would create that exist, a network root, a network manager.
     */
    static void refuseUnsafe(BridgeSettings s, Network net, Link nic, ScriptContext ctx) {
        refuseNic(s, s.netdev(), nic, net, ctx);
        refuseTaken(s, net);
    }

    /**
     * A NIC start would take down: not a bridge, not a port already, and (unless force=yes) not
     * the way to the root file system, not a network manager's.
     */
    static void refuseNic(BridgeSettings s, String name, Link nic, Network net, ScriptContext ctx) {
        if (nic.isBridge()) {
            throw new XennetException(name + " is already a bridge; network-bridge bridges a physical "
                    + "interface (set netdev=)");
        }
        if (nic.hasMaster()) {
            String master = net.links().find(nic.masterIndex()).map(Link::name).orElse("#" + nic.masterIndex());
            throw new XennetException(name + " is already a port of " + master + "; detach it first "
                    + "(ip link set " + name + " nomaster) or choose another netdev");
        }
        if (!s.force()) {
            refuseNetworkRoot(name, nic, net, ctx);
            refuseManaged(name, nic, ctx);
        }
    }

    /** The names start would create, none of which may exist (for a bond: the bond, pNETDEV, too). */
    static void refuseTaken(BridgeSettings s, Network net) {
        List<String> taken = new ArrayList<>();
        List<String> made = new ArrayList<>(s.netloop() ? List.of(s.bridge(), s.vdev(), s.vif0())
                : s.bridge().equals(s.netdev()) ? List.of(BridgeSettings.TMP_BRIDGE)
                : List.of(BridgeSettings.TMP_BRIDGE, s.bridge()));
        if (s.bond() != null) {
            made.add(0, s.netdev());
            made.add(1, s.pdev());
        }
        for (String n : made) {
            if (net.links().exists(n)) {
                taken.add(n);
            }
        }
        if (!taken.isEmpty()) {
            throw new XennetException(String.join(", ", taken) + (taken.size() == 1 ? " exists" : " exist")
                    + " but was not made by xennet for " + s.netdev() + "; remove "
                    + (taken.size() == 1 ? "it" : "them") + " or choose another bridge=/vifnum=");
        }
    }

    /** Xen's network-root check, done right: NFS or {@code _netdev} root reached through netdev. */
    static void refuseNetworkRoot(String netdev, Link nic, Network net, ScriptContext ctx) {
        Optional<String[]> root = rootMount(ctx.host("proc/mounts"));
        if (root.isEmpty()) {
            return;
        }
        String[] f = root.get();
        String source = f[0];
        String type = f[2];
        boolean network = type.startsWith("nfs") || type.equals("cifs") || type.equals("smb3")
                || List.of(f[3].split(",")).contains("_netdev");
        if (!network) {
            return;
        }
        Optional<IpAddress> server = serverOf(source);
        if (server.isPresent()) {
            Optional<Route> r = net.routes().lookup(server.get());
            if (r.isEmpty() || r.get().oif() != nic.index()) {
                return; // the root is reached through another interface
            }
        }
        throw new XennetException("the root file system (" + source + ", " + type + ") is reached through "
                + netdev + "; taking " + netdev + " down to bridge it would hang the host. Use another netdev=, or "
                + "force=yes if you are sure");
    }

    /** The fields of the "/" line of /proc/mounts (the last one wins, as it is the visible one). */
    static Optional<String[]> rootMount(Path mounts) {
        String text;
        try {
            text = Files.readString(mounts, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new XennetException("cannot read " + mounts + ": " + e.getMessage(), e);
        }
        String[] found = null;
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 4 && f[1].equals("/")) {
                found = f;
            }
        }
        return Optional.ofNullable(found);
    }

    /** "192.0.2.1:/export" gives 192.0.2.1; a host name is not resolved (no DNS in a hotplug call). */
    static Optional<IpAddress> serverOf(String source) {
        String host = source.startsWith("[") && source.contains("]:") ? source.substring(1, source.indexOf("]:"))
                : source.contains(":") ? source.substring(0, source.indexOf(':')) : "";
        try {
            return host.isEmpty() ? Optional.empty() : Optional.of(IpAddress.parse(host));
        } catch (UsageException e) {
            return Optional.empty();
        }
    }

    /** NetworkManager and systemd-networkd keep per-ifindex state under /run when they manage a link. */
    static void refuseManaged(String netdev, Link nic, ScriptContext ctx) {
        Path nm = ctx.host("run/NetworkManager/devices/" + nic.index());
        if (Files.exists(nm)) {
            throw new XennetException(netdev + " is managed by NetworkManager, which would undo the bridge; let "
                    + "NetworkManager build it (nmcli connection add type bridge ...), mark " + netdev
                    + " unmanaged, or use force=yes");
        }
        Path nd = ctx.host("run/systemd/netif/links/" + nic.index());
        if (!Files.exists(nd)) {
            return;
        }
        String s;
        try {
            s = Files.readString(nd, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // unreadable state is not evidence of management
        }
        if (s.contains("NETWORK_FILE=") && !s.contains("ADMIN_STATE=unmanaged")) {
            throw new XennetException(netdev + " is managed by systemd-networkd, which would undo the bridge; "
                    + "configure the bridge in systemd-networkd, or use force=yes");
        }
    }
}
