// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.xennet.error.XennetException;
import org.xennet.model.BridgeVlan;
import org.xennet.model.InterfaceName;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.BridgeSpec;
import org.xennet.scripts.StateFiles;

/**
 * Per-guest VLANs on one VLAN-aware Linux bridge, in Xen's vif-openvswitch notation: a vif's
 * {@code bridge=xenbr0.10} makes it an access port of VLAN 10 (frames enter and leave it
 * untagged, in VLAN 10 only), {@code bridge=xenbr0:10:20} a trunk of VLANs 10 and 20 (tagged, no
 * untagged VLAN), {@code bridge=xenbr0.10:20} both (VLAN 10 untagged, 20 tagged). The bridge must
 * have {@code vlan_filtering} on (network-bridge {@code vlan_filtering=yes}); xennet does not
 * switch it on under running guests, which would cut off every guest that tags its own frames.
 *
 * <p>The bridge's uplinks carry every VLAN its guests use, tagged: the ports network-bridge made
 * the bridge with (the NIC's port, and in the netloop layout dom0's {@code vif0.N}), known from
 * its state record. A VLAN an uplink lacks is added and noted in
 * {@code /var/run/xennet/vif-bridge/BRIDGE.vlans} before it is added (so a later offline, also
 * after a crash, knows it is xennet's to take away); the offline of a guest takes a noted VLAN off
 * the uplinks when no other guest port of the bridge has it. A VLAN the admin gave an uplink is
 * never noted and never removed. On a bridge network-bridge did not make the uplinks are the
 * admin's: {@code bridge vlan add dev UPLINK vid N} once. Everything here runs under the
 * bridge's hotplug lock, so two guests' calls never both decide about one uplink VLAN.
 */
public final class GuestVlans {
    private GuestVlans() {
    }

    /** The hotplug lock of one bridge's VLANs (taken after the vif's own lock, never the other way). */
    static String lockName(String bridge) {
        return "xennet-vlans-" + bridge;
    }

    /**
     * The VLAN notation of a {@code bridge} value, when it is one: not the name of a link (a
     * network-bridge VLAN bridge is named {@code xenbr0.10} too, and is joined as it is), but
     * {@code NAME.VLAN[:TRUNK...]} or {@code NAME:TRUNK...} of an existing link {@code NAME}.
     */
    public static Optional<BridgeSpec> of(Network net, Optional<String> value) {
        if (value.isEmpty() || value.get().isEmpty()
                || InterfaceName.isValid(value.get()) && net.links().find(value.get()).isPresent()) {
            return Optional.empty();
        }
        String v = value.get();
        if (v.indexOf('.') < 0 && v.indexOf(':') < 0) {
            return Optional.empty();
        }
        BridgeSpec spec;
        try {
            spec = BridgeSpec.parse(value);
        } catch (XennetException e) {
            return Optional.empty(); // not the notation: "Could not find bridge device" says the rest
        }
        if (!spec.hasVlans() || net.links().find(spec.bridge()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(spec.checkLinuxBridge("bridge=" + v));
    }

    /**
     * The bridge device a {@code bridge} value names: the link of that name, else the bridge of its
     * VLAN notation; empty when neither exists or the value is neither (never an error: for
     * offline and doctor, which take what online accepted).
     */
    public static Optional<Link> bridgeOf(Network net, String value) {
        if (InterfaceName.isValid(value)) {
            Optional<Link> l = net.links().find(value);
            if (l.isPresent()) {
                return l;
            }
        }
        try {
            return of(net, Optional.of(value)).flatMap(s -> net.links().find(s.bridge()));
        } catch (XennetException e) {
            return Optional.empty(); // a VLAN a Linux bridge does not take: online refused it
        }
    }

    /** What the guest's port carries: the access VLAN as pvid, untagged; trunks tagged. */
    public static List<BridgeVlan> portVlans(BridgeSpec spec) {
        List<BridgeVlan> out = new ArrayList<>();
        for (int v : spec.vlans()) {
            boolean access = spec.tag() != null && spec.tag() == v;
            out.add(new BridgeVlan(0, v, access, access));
        }
        return out;
    }

    /** The bridge must filter VLANs; the error says how to make it so. */
    static void checkFiltering(Link bridge, BridgeSpec spec) {
        if (!bridge.vlanFiltering()) {
            throw new XennetException("bridge=" + spec + " needs VLAN filtering on " + bridge.name()
                    + ", which is off: start it with network-bridge vlan_filtering=yes (or run "
                    + NetSteps.vlanFilteringWords(bridge.name()) + ")");
        }
    }

    /**
     * The uplinks of {@code bridge}: the ports network-bridge started it with (its state record),
     * as far as they are ports of it now; none for a bridge it did not make.
     */
    public static List<String> uplinks(Network net, Path stateDir, Link bridge) {
        Optional<StateRecord> r = StateRecord.read(StateRecord.path(stateDir, bridge.name()));
        if (r.isEmpty()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(r.get().pdev());
        if (r.get().topology() == StateRecord.Topology.NETLOOP && r.get().vif0() != null) {
            names.add(r.get().vif0());
        }
        return names.stream().filter(n -> net.links().find(n).filter(l -> l.masterIndex() == bridge.index()).isPresent())
                .collect(Collectors.toList());
    }

    /**
     * online: {@code port} gets exactly the VLANs of {@code spec} (the bridge's default VLAN it
     * got on joining taken away), and every uplink the VLANs it lacks, each noted first.
     */
    static void online(Plan plan, NetSteps ns, Network net, Path stateDir, Link bridge, String port, BridgeSpec spec) {
        plan.add(portExactly(ns, net, port, portVlans(spec)));
        Ledger ledger = new Ledger(stateDir, bridge.name());
        for (String up : uplinks(net, stateDir, bridge)) {
            Set<Integer> has = net.bridgeVlans().list(up).stream().map(BridgeVlan::vid).collect(Collectors.toSet());
            for (int v : spec.vlans()) {
                if (!has.contains(v)) {
                    BridgeVlan tagged = new BridgeVlan(0, v, false, false);
                    plan.add(Step.required(NetSteps.bridgeVlanWords("add", up, tagged), () -> {
                        ledger.add(up, v);
                        net.bridgeVlans().add(up, v, false, false);
                    }).undoneBy(NetSteps.bridgeVlanWords("del", up, tagged), () -> {
                        ns.bridgeVlanDelete(up, tagged).action().run();
                        ledger.remove(up, v);
                    }));
                }
            }
        }
    }

    /**
     * offline (and any call that finds a bridge's ledger): each uplink VLAN xennet added that no
     * guest port of the bridge other than {@code leaving} has any more is taken off the uplink.
     */
    static void release(Plan plan, NetSteps ns, Network net, Path stateDir, Link bridge, String leaving) {
        Ledger ledger = new Ledger(stateDir, bridge.name());
        List<String[]> noted = ledger.entries();
        if (noted.isEmpty()) {
            return;
        }
        List<String> uplinks = uplinks(net, stateDir, bridge);
        Set<Integer> guests = new HashSet<>();
        for (Link l : net.links().list()) {
            if (l.masterIndex() == bridge.index() && !l.name().equals(leaving) && !uplinks.contains(l.name())) {
                guests.add(l.index());
            }
        }
        // one dump of every port's VLANs (a per-port list is a dump each: a hundred on a busy bridge)
        Set<Integer> inUse = new TreeSet<>();
        net.bridgeVlans().list().stream().filter(b -> guests.contains(b.index())).forEach(b -> inUse.add(b.vid()));
        for (String[] e : noted) {
            String up = e[0];
            int v = Integer.parseInt(e[1]);
            if (inUse.contains(v)) {
                continue;
            }
            BridgeVlan tagged = new BridgeVlan(0, v, false, false);
            plan.add(Step.bestEffort(NetSteps.bridgeVlanWords("del", up, tagged) + " (no guest on VLAN " + v + " left)",
                    () -> {
                        ns.bridgeVlanDelete(up, tagged).action().run();
                        ledger.remove(up, v);
                    }));
        }
    }

    /** {@code bridge vlan} of PORT made exactly {@code wanted}; undone by giving it back what it had. */
    private static Step portExactly(NetSteps ns, Network net, String port, List<BridgeVlan> wanted) {
        List<BridgeVlan> before = new ArrayList<>();
        String words = wanted.stream().map(w -> NetSteps.bridgeVlanWords("add", port, w)).collect(Collectors.joining("; "));
        return Step.required(words + " (and no other VLAN)", () -> {
            before.clear();
            before.addAll(net.bridgeVlans().list(port));
            for (BridgeVlan w : wanted) {
                ns.bridgeVlanAdd(port, w, null).action().run();
            }
            for (BridgeVlan b : before) {
                if (wanted.stream().noneMatch(w -> w.vid() == b.vid())) {
                    ns.bridgeVlanDelete(port, b).action().run();
                }
            }
        }).undoneBy("bridge vlan of " + port + " as before", () -> {
            for (BridgeVlan w : wanted) {
                if (before.stream().noneMatch(b -> b.vid() == w.vid())) {
                    ns.bridgeVlanDelete(port, w).action().run();
                }
            }
            for (BridgeVlan b : before) {
                ns.bridgeVlanAdd(port, b, null).action().run();
            }
        });
    }

    /**
     * The uplink VLANs xennet added to one bridge, one {@code PORT VID} line each, written (atomic,
     * synced) before the VLAN is added and after it is taken away.
     */
    static final class Ledger {
        private final Path file;

        Ledger(Path stateDir, String bridge) {
            this.file = stateDir.resolve("vif-bridge").resolve(bridge + ".vlans");
        }

        List<String[]> entries() {
            List<String[]> out = new ArrayList<>();
            for (String line : StateFiles.read(file).orElse(List.of())) {
                String[] f = line.trim().split(" ");
                if (f.length == 2 && f[1].matches("[0-9]{1,4}")) {
                    out.add(f);
                }
            }
            return out;
        }

        void add(String port, int vid) {
            Set<String> lines = lines();
            if (lines.add(port + " " + vid)) {
                save(lines);
            }
        }

        void remove(String port, int vid) {
            Set<String> lines = lines();
            if (lines.remove(port + " " + vid)) {
                save(lines);
            }
        }

        private Set<String> lines() {
            Set<String> out = new LinkedHashSet<>();
            entries().forEach(e -> out.add(e[0] + " " + e[1]));
            return out;
        }

        private void save(Set<String> lines) {
            if (lines.isEmpty()) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new XennetException("cannot remove " + file + ": " + e.getMessage(), e);
                }
                return;
            }
            StateFiles.write(file, String.join("\n", lines) + "\n");
        }
    }
}
