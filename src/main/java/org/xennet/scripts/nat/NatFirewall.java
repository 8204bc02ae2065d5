// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.util.ArrayList;
import java.util.List;
import org.xennet.firewall.Rule;
import org.xennet.scripts.vif.RoutedFirewall;
import org.xennet.model.IpPrefix;
import org.xennet.plan.Plan;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.vif.VifFirewall;

/**
 * The NAT scripts' iptables rules. network-nat: {@code -t nat POSTROUTING -o NETDEV -j MASQUERADE}.
 * vif-nat: for each guest address {@code FORWARD -i VIF -s ADDR -j ACCEPT} and one
 * {@code FORWARD -o VIF -j ACCEPT}, inserted at the top. Xen's vif-nat inserted vif-bridge's
 * physdev rules, which never match routed traffic (the vif is not a bridge port); these are their
 * routed equivalents. Switched off like vif-bridge's by {@code vif_iptables=no}.
 */
final class NatFirewall {
    static final String FORWARD = "FORWARD";
    static final String POSTROUTING = "POSTROUTING";

    private NatFirewall() {
    }

    static Rule masquerade(String netdev) {
        return Rule.nat(POSTROUTING, "-o", netdev, "-j", "MASQUERADE");
    }

    static List<Rule> vifRules(String dev, List<IpPrefix> addresses) {
        List<Rule> rules = new ArrayList<>();
        for (IpPrefix a : addresses) {
            Rule r = Rule.of(FORWARD, "-i", dev, "-s", a.toString(), "-j", "ACCEPT");
            if (!rules.contains(r)) {
                rules.add(r);
            }
        }
        rules.add(RoutedFirewall.outRule(dev));
        return rules;
    }

    static boolean enabled(ScriptContext ctx) {
        return VifFirewall.enabled(ctx);
    }

    static String words(Rule r) {
        return String.join(" ", r.spec());
    }

    /** online: each rule inserted unless present, undone if this run added it (see {@link VifFirewall}). */
    static void addVifRules(Plan plan, ScriptContext ctx, String dev, List<IpPrefix> addresses) {
        VifFirewall.insert(plan, ctx, vifRules(dev, addresses));
    }

    /** offline: every copy of each rule removed, best effort. */
    static void removeVifRules(Plan plan, ScriptContext ctx, String dev, List<IpPrefix> addresses) {
        VifFirewall.remove(plan, ctx, vifRules(dev, addresses));
    }
}
