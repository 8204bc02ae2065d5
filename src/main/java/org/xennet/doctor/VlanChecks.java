// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.xennet.doctor.Finding.Check;
import org.xennet.doctor.HostSnapshot.XsVif;
import org.xennet.error.XennetException;
import org.xennet.model.BridgeVlan;
import org.xennet.model.Link;
import org.xennet.net.Sysctls;
import org.xennet.plan.NetSteps;
import org.xennet.scripts.BridgeSpec;
import org.xennet.scripts.bridge.GuestVlans;
import org.xennet.scripts.bridge.StateRecord;

/**
 * Guests on VLANs: a vif whose VLANs are not the ones its XenStore {@code bridge} key names
 * ({@code xenbr0.10}, {@code xenbr0:10:20} on a VLAN-aware bridge), a VLAN of a guest its
 * bridge's uplink does not carry, a VLAN bridge (network-bridge {@code netdev=eth0.10}) or a
 * VLAN-aware bridge whose uplink is down, a guest whose MTU is above its uplink's (its full-size
 * frames are dropped there, tagged or not), and bridge-netfilter looking into tagged frames
 * ({@code bridge-nf-filter-vlan-tagged}), which reassembles and drops fragmented tagged traffic.
 */
final class VlanChecks {
    static final String FILTER_VLAN_TAGGED = "net/bridge/bridge-nf-filter-vlan-tagged";

    private final HostSnapshot s;
    private final List<Finding> findings;
    private final Path stateDir;
    private boolean vlansInUse;

    VlanChecks(HostSnapshot s, List<Finding> findings, Path stateDir) {
        this.s = s;
        this.findings = findings;
        this.stateDir = stateDir;
    }

    void check() {
        for (XsVif v : s.backends) {
            if (v.bridged() && v.bridge() != null) {
                vlanSpec(v).ifPresent(spec -> checkGuest(v, spec));
            }
        }
        for (StateRecord r : records()) {
            if (r.topology() == StateRecord.Topology.VLAN && !r.interrupted()) {
                vlansInUse = true;
                Link br = s.byName.get(r.bridge());
                Link up = s.byName.get(r.pdev());
                if (br != null && up != null) {
                    checkUplink(br, up, "VLAN " + r.vlan().id());
                    guestsOf(br).forEach(g -> checkMtu(g, up, "VLAN " + r.vlan().id()));
                }
            }
        }
        if (vlansInUse && s.on(Sysctls.BRIDGE_NF_CALL_IPTABLES) && s.on(FILTER_VLAN_TAGGED)) {
            findings.add(Finding.warning(Check.BRIDGE_NF_VLAN_TAGGED, FILTER_VLAN_TAGGED.replace('/', '.'),
                    "guests are on VLANs and bridge-nf-filter-vlan-tagged is 1: bridged tagged frames go through "
                            + "iptables, whose connection tracking reassembles fragmented IP (lost fragments stall "
                            + "large UDP and path-MTU-less traffic) and drops what it cannot track",
                    "sysctl -w net.bridge.bridge-nf-filter-vlan-tagged=0 (and in /etc/sysctl.d), unless guests on "
                            + "VLANs are to be filtered by iptables; xennet's nftables guard needs neither"));
        }
    }

    /** The guest's VLAN notation, when its bridge key is one (the bridge name itself never is). */
    private Optional<BridgeSpec> vlanSpec(XsVif v) {
        try {
            return GuestVlans.of(s.net, Optional.of(v.bridge()));
        } catch (XennetException e) {
            return Optional.empty(); // a VLAN outside 1-4094: vif-bridge refuses it and says so in hotplug-error
        }
    }

    private void checkGuest(XsVif v, BridgeSpec spec) {
        vlansInUse = true;
        Link port = s.byName.get(v.dev());
        Link br = s.byName.get(spec.bridge());
        if (port == null || br == null || port.masterIndex() != br.index()) {
            return; // no interface, or on another bridge: the port checks say so
        }
        if (!br.vlanFiltering()) {
            findings.add(Finding.error(Check.VIF_WRONG_VLAN, v.dev(), v.dev() + " (" + v.who() + ") should be on "
                    + describe(spec) + " (" + v.path() + "/bridge=" + spec + "), but " + br.name()
                    + " has VLAN filtering off: it passes every VLAN to every port",
                    "network-bridge stop, then start with vlan_filtering=yes (or "
                            + NetSteps.vlanFilteringWords(br.name()) + "), then: " + v.rerun("vif-bridge")));
            return;
        }
        List<BridgeVlan> want = GuestVlans.portVlans(spec);
        List<BridgeVlan> have = s.net.bridgeVlans().list(port.name());
        if (!same(want, have)) {
            findings.add(Finding.error(Check.VIF_WRONG_VLAN, v.dev(), v.dev() + " (" + v.who() + ") carries "
                    + words(have) + ", but " + v.path() + "/bridge=" + spec + " wants " + words(want),
                    v.rerun("vif-bridge")));
        }
        for (String u : GuestVlans.uplinks(s.net, stateDir, br)) {
            Link up = s.byName.get(u);
            List<Integer> carried = s.net.bridgeVlans().list(u).stream().map(BridgeVlan::vid).collect(Collectors.toList());
            for (int vid : spec.vlans()) {
                if (!carried.contains(vid)) {
                    findings.add(Finding.warning(Check.VLAN_UPLINK, u, u + " (the uplink of " + br.name()
                            + ") does not carry VLAN " + vid + " of " + v.dev() + ": the guest reaches only guests "
                            + "of this host on it", NetSteps.bridgeVlanWords("add", u, new BridgeVlan(0, vid, false, false))));
                }
            }
            checkUplink(br, up, describe(spec));
            checkMtu(port, up, describe(spec));
        }
    }

    /** The uplink of a VLAN (a VLAN link, or a trunk port) up, with carrier, on a NIC that has it. */
    private void checkUplink(Link br, Link up, String what) {
        String why = null;
        if (!up.isUp()) {
            why = "is down";
        } else if (up.isVlan() && s.byIndex.containsKey(up.linkIndex()) && !s.byIndex.get(up.linkIndex()).isUp()) {
            why = "is on " + s.byIndex.get(up.linkIndex()).name() + ", which is down";
        } else if (!up.carrier()) {
            why = "has no carrier" + (up.isVlan() && s.byIndex.containsKey(up.linkIndex())
                    ? " (" + s.byIndex.get(up.linkIndex()).name() + "'s cable or switch port)" : "");
        }
        if (why != null) {
            Link dev = up.isVlan() && s.byIndex.containsKey(up.linkIndex()) && !s.byIndex.get(up.linkIndex()).isUp()
                    ? s.byIndex.get(up.linkIndex()) : up;
            findings.add(Finding.error(Check.VLAN_UPLINK, up.name(), up.name() + ", the uplink of " + br.name()
                    + " for " + what + ", " + why + ": the guests on it reach no other host",
                    dev.isUp() ? "check the cable and that the switch port is a trunk carrying the VLAN"
                            : NetSteps.linkWords(dev.name(), "up")));
        }
    }

    /** A guest port whose MTU is above its uplink's: its full-size frames are dropped at the uplink. */
    private void checkMtu(Link guest, Link up, String what) {
        if (up != null && guest.mtu() > up.mtu()) {
            findings.add(Finding.warning(Check.VLAN_MTU, guest.name(), guest.name() + " has MTU " + guest.mtu() + ", "
                    + "its uplink " + up.name() + " for " + what + " " + up.mtu() + ": the guest's frames over "
                    + up.mtu() + " bytes are dropped there, tagged frames included",
                    "give the guest mtu=" + up.mtu() + " (xl vif mtu=), or raise " + up.name() + "'s MTU"
                            + (up.isVlan() ? " and its NIC's" : "")));
        }
    }

    private Stream<Link> guestsOf(Link br) {
        return s.byName.values().stream().filter(l -> l.masterIndex() == br.index() && s.isGuest(l));
    }

    /** The records StateRecordChecks reads; a damaged one it reports, here it is passed by. */
    private List<StateRecord> records() {
        List<StateRecord> out = new ArrayList<>();
        for (Path f : StateRecordChecks.records(stateDir.resolve("network-bridge"))) {
            try {
                StateRecord.read(f).ifPresent(out::add);
            } catch (XennetException e) {
                // StateRecordChecks says what is wrong with it
            }
        }
        return out;
    }

    private static boolean same(List<BridgeVlan> want, List<BridgeVlan> have) {
        return want.size() == have.size() && want.stream().allMatch(w -> have.stream()
                .anyMatch(h -> h.vid() == w.vid() && h.pvid() == w.pvid() && h.untagged() == w.untagged()));
    }

    private static String words(List<BridgeVlan> vlans) {
        return vlans.isEmpty() ? "no VLAN" : "VLAN " + vlans.stream().map(BridgeVlan::describe)
                .collect(Collectors.joining(", "));
    }

    private static String describe(BridgeSpec spec) {
        List<String> parts = new ArrayList<>();
        if (spec.tag() != null) {
            parts.add("VLAN " + spec.tag());
        }
        if (!spec.trunks().isEmpty()) {
            parts.add("trunk " + spec.trunks().stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        return String.join(" and ", parts);
    }
}
