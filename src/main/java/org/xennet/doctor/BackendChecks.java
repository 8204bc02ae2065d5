// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.doctor.Finding.Check;
import org.xennet.doctor.HostSnapshot.XsVif;
import org.xennet.firewall.Firewall;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Sysctls;
import org.xennet.plan.NetSteps;
import org.xennet.scripts.vif.RoutedFirewall;
import org.xennet.text.Printable;

/**
 * What XenStore says of the vif backends against the host: a failed hotplug script, a connected
 * backend without its interface, and routed (vif-route, vif-nat) guests that lost their route,
 * proxy ARP, forwarding or their FORWARD rule.
 */
final class BackendChecks {
    private final HostSnapshot s;
    private final List<Finding> findings;

    BackendChecks(HostSnapshot s, List<Finding> findings) {
        this.s = s;
        this.findings = findings;
    }

    /** Backends whose hotplug script failed, or that say connected with no interface. */
    void checkXenStoreVifs() {
        for (XsVif v : s.backends) {
            String script = v.script() == null ? "the vif script" : v.scriptName();
            String rerun = v.rerun(script);
            if (v.hotplugStatus().equals("error")) {
                findings.add(Finding.error(Check.VIF_HOTPLUG_ERROR, v.dev(), script + " failed for " + v.dev() + " ("
                        + v.who() + "): " + Printable.of(v.hotplugError() == null ? "(no hotplug-error)"
                                : v.hotplugError()), "correct the cause, then run: " + rerun));
            } else if (v.hotplugStatus().equals("connected") && !s.byName.containsKey(v.dev())) {
                findings.add(Finding.error(Check.VIF_NO_INTERFACE, v.dev(), v.dev() + " (" + v.who()
                        + ") is connected in XenStore (" + v.path() + ") but has no interface",
                        "restart the guest's network: xl network-detach/network-attach, or reboot the guest"));
            }
        }
    }

    /**
     * Guests of vif-route and vif-nat that XenStore says are connected: forwarding on, proxy ARP
     * on their vif, and each address of their {@code ip} key routed to their vif.
     */
    void checkRouted() {
        List<String> routed = new ArrayList<>();
        for (XsVif v : s.backends) {
            Link l = s.byName.get(v.dev());
            if (!v.routed() || l == null || !v.hotplugStatus().equals("connected")) {
                continue;
            }
            routed.add(v.dev());
            String rerun = v.rerun(v.scriptName());
            if (!s.on(Sysctls.proxyArp(v.dev()))) {
                findings.add(Finding.warning(Check.ROUTED_PROXY_ARP, v.dev(), "proxy ARP is off on " + v.dev() + " ("
                        + v.who() + ", " + v.scriptName() + "): dom0 does not answer the guest's ARP for its gateway",
                        NetSteps.sysctlWords(Sysctls.proxyArp(v.dev()), "1") + ", or run " + rerun));
            }
            Firewall drops = s.forwardDrops();
            if (drops != null && !drops.exists(RoutedFirewall.outRule(v.dev()))) {
                findings.add(Finding.error(Check.FORWARD_DROP, v.dev(), "iptables' FORWARD policy is DROP, but no rule "
                        + "accepts routed traffic to " + v.dev() + " (" + v.who() + "): the guest is cut off",
                        "run " + rerun + ", which adds its rules (unless vif_iptables=no)"));
            }
            if (v.ip() == null) {
                continue;
            }
            for (String word : v.ip().trim().split("[ ,]+")) {
                IpAddress a;
                try {
                    a = IpPrefix.parse(word).address();
                } catch (RuntimeException bad) {
                    continue; // vif-route refuses it and says so in hotplug-error
                }
                if (a.family() != IpAddress.AF_INET) {
                    continue;
                }
                Optional<Route> r = s.net.routes().lookup(a);
                if (r.isEmpty() || r.get().oif() != l.index()) {
                    String via = r.isEmpty() ? "no route" : "the route goes to "
                            + Optional.ofNullable(s.byIndex.get(r.get().oif())).map(Link::name).orElse("another link");
                    findings.add(Finding.error(Check.ROUTED_NO_ROUTE, v.dev(), "the guest address " + a + " of "
                            + v.dev() + " (" + v.who() + ") is not routed to it (" + via + "): its traffic from "
                            + "outside is lost", "run " + rerun + " (it adds: ip route add " + a + " dev " + v.dev()
                                    + " src DOM0_ADDRESS)"));
                }
            }
        }
        if (!routed.isEmpty() && !s.on(Sysctls.IPV4_FORWARD)) {
            findings.add(Finding.error(Check.ROUTED_FORWARDING, "net.ipv4.ip_forward", "net.ipv4.ip_forward is 0 and "
                    + String.join(", ", routed) + (routed.size() == 1 ? " is" : " are") + " routed: "
                    + (routed.size() == 1 ? "its guest reaches" : "their guests reach") + " dom0 only",
                    "network-route start (network-nat start for NAT), which sets it and restores it on stop"));
        }
    }
}
