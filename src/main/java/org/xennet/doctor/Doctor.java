// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.xennet.firewall.Firewall;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.xenstore.XenStore;

/**
 * What an admin checks by hand when a guest has no network ({@code brctl show}, {@code ethtool
 * peth0}, {@code ip link show vifX.Y}, {@code xl list} against {@code brctl show}, iptables'
 * FORWARD chain, the bridge-netfilter sysctls), done in one pass over one reading of the host
 * ({@link HostSnapshot}) by check groups that each turn it into findings: {@link PortChecks},
 * {@link BackendChecks}, {@link NetfilterChecks}, {@link StateRecordChecks}, {@link VlanChecks}, {@link OvsChecks}. It only reads. Every
 * finding names the fix; the safe ones carry a {@link Repair} for {@code xennet fix}.
 */
public final class Doctor {
    /** The sysctl whose presence says connection tracking is loaded. */
    public static final String CONNTRACK = NetfilterChecks.CONNTRACK;

    private final Network net;
    private final Supplier<Firewall> firewall;
    private final XenStore xs;
    private final String xsSkipped;
    private final Path stateDir;
    private final Supplier<OpenVswitch> ovs;

    /**
     * @param xs XenStore, or null when it is not used; then {@code xsSkipped} says why
     * @param firewall opened only when a check needs it; an error from it skips the firewall check
     */
    public Doctor(Network net, Supplier<Firewall> firewall, XenStore xs, String xsSkipped, Path stateDir) {
        this(net, firewall, xs, xsSkipped, stateDir, null);
    }

    /** @param ovs Open vSwitch's database, opened only where guests or records use it; null: no such checks */
    public Doctor(Network net, Supplier<Firewall> firewall, XenStore xs, String xsSkipped, Path stateDir,
            Supplier<OpenVswitch> ovs) {
        this.net = net;
        this.firewall = firewall;
        this.xs = xs;
        this.xsSkipped = xsSkipped;
        this.stateDir = stateDir;
        this.ovs = ovs;
    }

    private GuardChecks.Firewall guards = GuardChecks.Firewall.NONE;

    /** With the guards of {@code fw} checked too (see {@link GuardChecks}). */
    public Doctor guards(GuardChecks.Firewall fw) {
        this.guards = fw;
        return this;
    }

    public Report examine() {
        HostSnapshot s = new HostSnapshot(net, firewall, xs, xsSkipped);
        List<Finding> findings = new ArrayList<>();
        PortChecks ports = new PortChecks(s, findings);
        List<Report.Bridge> bridges = new ArrayList<>();
        s.byName.values().stream().filter(l -> l.isBridge()).forEach(br -> bridges.add(ports.checkBridge(br)));
        ports.checkGuestsOffBridges();
        BackendChecks backends = new BackendChecks(s, findings);
        backends.checkXenStoreVifs();
        backends.checkRouted();
        boolean guestsBridged = bridges.stream().flatMap(b -> b.ports().stream()).anyMatch(Report.Port::guest);
        boolean nfCall = s.on(Sysctls.BRIDGE_NF_CALL_IPTABLES);
        NetfilterChecks netfilter = new NetfilterChecks(s, findings);
        netfilter.checkBridgeNetfilter(nfCall && !guards.nftables(), guestsBridged); // GuardChecks says it for nftables
        netfilter.checkForward(nfCall, bridges);
        new StateRecordChecks(s, findings, stateDir).checkStateRecords();
        new VlanChecks(s, findings, stateDir).check();
        if (ovs != null) {
            findings.addAll(OvsChecks.examine(ovs, xs, s.byName::containsKey, stateDir));
        }
        findings.addAll(GuardChecks.check(net, xs, guards));
        findings.sort((a, b) -> a.severity().compareTo(b.severity()));
        return new Report(bridges, findings, s.skipped);
    }
}
