// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.List;
import org.xennet.doctor.Finding.Check;
import org.xennet.doctor.HostSnapshot.XsVif;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Rule;
import org.xennet.net.Sysctls;
import org.xennet.plan.NetSteps;
import org.xennet.scripts.bridge.NetworkBridge;
import org.xennet.scripts.vif.VifFirewall;

/**
 * Bridge netfilter and the FORWARD chain: bridge-nf-call-iptables with conntrack (fragmented
 * traffic between guests dropped), and a FORWARD policy of DROP without the rule a port needs.
 */
final class NetfilterChecks {
    static final String CONNTRACK = "net/netfilter/nf_conntrack_max";

    private final HostSnapshot s;
    private final List<Finding> findings;

    NetfilterChecks(HostSnapshot s, List<Finding> findings) {
        this.s = s;
        this.findings = findings;
    }

    void checkBridgeNetfilter(boolean nfCall, boolean guestsBridged) {
        if (nfCall && guestsBridged && s.net.sysctls().find(CONNTRACK).isPresent()) {
            findings.add(Finding.warning(Check.BRIDGE_NF_CONNTRACK, "net.bridge.bridge-nf-call-iptables",
                    "net.bridge.bridge-nf-call-iptables=1 with connection tracking loaded: every frame guests send "
                            + "across a bridge goes through iptables and conntrack, whose defragmentation of bridged "
                            + "IP fragments drops fragmented traffic (large UDP, e.g. NFS, DNS with big answers) and "
                            + "costs CPU on every packet",
                    NetSteps.sysctlWords(Sysctls.BRIDGE_NF_CALL_IPTABLES, "0") + " and set it in /etc/sysctl.d/ (this turns the "
                            + "per-vif antispoof rules off too: they need it)"));
        }
    }

    void checkForward(boolean nfCall, List<Report.Bridge> bridges) {
        if (!nfCall) {
            return; // bridged frames do not traverse FORWARD; physdev rules never match
        }
        Firewall drops = s.forwardDrops();
        if (drops == null) {
            return;
        }
        for (Report.Bridge b : bridges) {
            for (Report.Port p : b.ports()) {
                String dev = p.link().name();
                Rule rule = p.guest() ? VifFirewall.outRule(dev)
                        : HostSnapshot.physical(p.link()) ? NetworkBridge.uplinkRule(dev) : null;
                if (rule == null || drops.exists(rule)) {
                    continue;
                }
                XsVif v = s.known.get(dev);
                String fix = p.guest()
                        ? "run vif-bridge online again for it (" + (v != null ? v.rerun("vif-bridge")
                                : "vif=" + dev + " XENBUS_PATH=backend/vif/D/N /etc/xen/scripts/vif-bridge online")
                                + "), which adds its rules"
                        : "iptables " + rule.asAppend() + " (network-bridge antispoof=yes adds it)";
                findings.add(Finding.error(Check.FORWARD_DROP, dev, "iptables' FORWARD policy is DROP and "
                        + "bridge-nf-call-iptables=1, but no rule accepts traffic " + (p.guest() ? "to " : "from ")
                        + dev + " on " + b.link().name() + ": it is dropped", fix));
            }
        }
    }
}
