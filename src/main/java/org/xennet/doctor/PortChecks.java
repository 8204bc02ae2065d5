// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.ArrayList;
import java.util.List;
import org.xennet.doctor.Finding.Check;
import org.xennet.doctor.HostSnapshot.XsVif;
import org.xennet.model.Link;
import org.xennet.plan.NetSteps;
import org.xennet.scripts.bridge.GuestVlans;

/**
 * Bridges, their ports and the guests' vifs: a bridge or port that is down or has no carrier,
 * a vif on the wrong bridge or on none, down, or with an MTU other than vif-bridge gives it.
 */
final class PortChecks {
    private final HostSnapshot s;
    private final List<Finding> findings;

    PortChecks(HostSnapshot s, List<Finding> findings) {
        this.s = s;
        this.findings = findings;
    }

    Report.Bridge checkBridge(Link br) {
        if (!br.isUp()) {
            findings.add(Finding.warning(Check.BRIDGE_DOWN, br.name(), "bridge " + br.name()
                    + " is down: nothing on it passes traffic", NetSteps.linkWords(br.name(), "up")));
        }
        List<Report.Port> ports = new ArrayList<>();
        for (Link p : s.byName.values()) {
            if (p.masterIndex() != br.index()) {
                continue;
            }
            XsVif v = s.known.get(p.name());
            boolean guest = v != null || HostSnapshot.isGuestName(p.name());
            String what = guest ? (v != null ? "vif of " + v.who() : "vif of domain " + HostSnapshot.domidOf(p.name()))
                    : HostSnapshot.physical(p) ? "physical" : p.kind();
            ports.add(new Report.Port(p, what, guest));
            if (guest) {
                checkVif(p, br, v);
            } else {
                checkPort(p, br);
            }
        }
        return new Report.Bridge(br, ports);
    }

    /** A port that is not a guest's: the NIC (or a bond, VLAN), dom0's netloop vif0.N, a tunnel. */
    private void checkPort(Link p, Link br) {
        if (!p.isUp()) {
            findings.add(Finding.error(Check.PORT_DOWN, p.name(), p.name() + " (a port of " + br.name()
                    + ") is down: " + (HostSnapshot.physical(p) ? "guests on " + br.name() + " cannot reach the network"
                            : "nothing passes through it"), NetSteps.linkWords(p.name(), "up")));
        } else if (!p.carrier()) {
            Link peer = "veth".equals(p.kind()) ? s.byIndex.get(p.linkIndex()) : null;
            if (HostSnapshot.physical(p)) {
                findings.add(Finding.error(Check.PORT_NO_CARRIER, p.name(), p.name() + " (a port of " + br.name()
                        + ") has no carrier: no link to the switch",
                        "check the cable and the switch port; 'ethtool " + p.name() + "' shows 'Link detected'"));
            } else if (peer != null) {
                findings.add(Finding.error(Check.PORT_NO_CARRIER, p.name(), p.name() + " (a port of " + br.name()
                        + ") has no carrier: its veth peer " + peer.name() + " is down",
                        NetSteps.linkWords(peer.name(), "up")));
            } else {
                findings.add(Finding.error(Check.PORT_NO_CARRIER, p.name(), p.name() + " (a port of " + br.name()
                        + ") has no carrier", "'ip -d link show " + p.name() + "' shows what it is connected to"));
            }
        }
    }

    /**
     * A guest vif on bridge {@code br} (null: on none): on the bridge its XenStore key names, if
     * it names one, then up and with the right MTU.
     */
    private void checkVif(Link p, Link br, XsVif v) {
        String wanted = v == null || v.bridge() == null ? null : bridgeOf(v);
        if (v != null && v.bridged() && wanted != null && (br == null || !wanted.equals(br.name()))) {
            Link expected = s.byName.get(wanted);
            if (expected != null && expected.isBridge()) {
                findings.add(Finding.error(Check.VIF_WRONG_BRIDGE, p.name(), p.name() + " (" + v.who() + ") is on "
                        + (br == null ? "no bridge" : br.name()) + ", expected " + wanted + " (" + v.path()
                        + "/bridge)", null).repairedBy(new Repair.Attach(p.name(), wanted,
                                br == null ? null : br.name())));
                checkVifState(p, expected, v);
                return;
            }
            bridgeMissing(p, v);
        }
        if (br != null) {
            checkVifState(p, br, v);
        } else if (v == null || !v.bridged() || v.bridge() == null) {
            if (!p.isUp()) {
                vifDown(p, v);
            }
        }
    }

    /**
     * Up, and with the MTU vif-bridge gives it: XenStore's mtu key, else the bridge's. A bridge
     * whose MTU nobody set follows its smallest port, so a vif with a small MTU drags the bridge
     * down with it: the bridge's uplink (its physical port, else another port that is not a
     * guest's) is the reference when it has one.
     */
    private void checkVifState(Link p, Link br, XsVif v) {
        Link uplink = s.uplink(br);
        Link ref = uplink != null ? uplink : br;
        int want = v != null && v.mtu() != null ? v.mtu() : ref.mtu();
        if (p.mtu() != want) {
            String why = v != null && v.mtu() != null ? "the guest's mtu is " + want + " (" + v.path() + "/mtu)"
                    : ref == br ? br.name() + "'s is " + want
                    : "the MTU of " + br.name() + "'s port " + uplink.name() + " is " + want
                            + (br.mtu() != want ? " (" + br.name() + " has followed the vif down to " + br.mtu() + ")"
                                    : "");
            Finding f = Finding.warning(Check.VIF_MTU, p.name(), p.name() + " has MTU " + p.mtu() + ", " + why
                    + ": frames bigger than the smaller one are dropped", null);
            Repair r = new Repair.Mtu(p.name(), want, p.mtu());
            // Without XenStore the guest's own mtu key is unknown: say so rather than guess.
            findings.add(!s.xsRead ? new Finding(f.severity(), f.check(), f.subject(), f.message(),
                    "check the guest's mtu setting (XenStore was not read), else: " + r.command(), null)
                    : f.repairedBy(r));
        }
        if (!p.isUp()) {
            vifDown(p, v);
        }
    }

    /**
     * The bridge device a guest's bridge key names: the key itself, or the bridge of its VLAN
     * notation ({@code xenbr0.10} when no link has that name; see {@link VlanChecks}).
     */
    private String bridgeOf(XsVif v) {
        return s.byName.containsKey(v.bridge()) ? v.bridge()
                : GuestVlans.bridgeOf(s.net, v.bridge()).map(Link::name).orElse(v.bridge());
    }

    private void vifDown(Link p, XsVif v) {
        findings.add(Finding.warning(Check.VIF_DOWN, p.name(), p.name() + (v != null ? " (" + v.who() + ")" : "")
                + " is down: the guest has no network on it", null).repairedBy(new Repair.Up(p.name())));
    }

    private void bridgeMissing(Link p, XsVif v) {
        findings.add(Finding.error(Check.BRIDGE_MISSING, p.name(), p.name() + " (" + v.who() + ") should be on "
                + v.bridge() + " (" + v.path() + "/bridge), which does not exist",
                "create it (network-bridge start bridge=" + v.bridge() + " netdev=NIC), or correct the guest's "
                        + "vif 'bridge=' setting"));
    }

    /** Guest vifs on no bridge at all: down ones, and bridged ones XenStore puts on a bridge. */
    void checkGuestsOffBridges() {
        for (Link p : s.byName.values()) {
            XsVif v = s.known.get(p.name());
            if (p.masterIndex() == 0 && (v != null || HostSnapshot.isGuestName(p.name()))) {
                checkVif(p, null, v);
            }
        }
    }
}
