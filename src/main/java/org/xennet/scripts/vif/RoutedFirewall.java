// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import java.util.ArrayList;
import java.util.List;
import org.xennet.firewall.Rule;
import org.xennet.model.IpPrefix;
import org.xennet.plan.Plan;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.vif.VifFirewall;

/**
 * The per-vif FORWARD rules of a routed guest. Xen's vif-route calls the same
 * {@code handle_iptable} as vif-bridge, whose rules match {@code -m physdev --physdev-is-bridged};
 * routed traffic never crosses a bridge, so those rules never matched anything and a routed guest
 * behind a FORWARD policy of DROP was cut off. The same intent is expressed here with the matches
 * that routed packets do carry: {@code -i VIF -s ADDR -j ACCEPT} for every guest address (the
 * antispoof part: only the guest's own sources are forwarded from its vif) and one
 * {@code -o VIF -j ACCEPT} for traffic to the guest; with no address, one unrestricted rule each
 * way. Xen's DHCP rule ({@code --sport 68 --dport 67}) is left out: a routed guest's DHCP
 * broadcast ends in dom0 (INPUT), it is never forwarded. Inserted at the top of FORWARD, each
 * once (a repeated online never duplicates one); the switch is the one vif-bridge obeys
 * ({@code vif_iptables=no} in xennet.conf, or {@code XENNET_VIF_IPTABLES=no}).
 */
public final class RoutedFirewall {
    static final String FORWARD = "FORWARD";

    private RoutedFirewall() {
    }

    public static List<Rule> rules(String dev, List<IpPrefix> addresses) {
        List<Rule> rules = new ArrayList<>();
        if (addresses.isEmpty()) {
            rules.add(Rule.of(FORWARD, "-i", dev, "-j", "ACCEPT"));
        } else {
            for (IpPrefix a : addresses) {
                Rule r = Rule.of(FORWARD, "-i", dev, "-s", a.network().toString(), "-j", "ACCEPT");
                if (!rules.contains(r)) {
                    rules.add(r);
                }
            }
        }
        rules.add(outRule(dev));
        return rules;
    }

    /** The rule every routed (and NAT) guest's vif gets: routed traffic out to the guest. */
    public static Rule outRule(String dev) {
        return Rule.of(FORWARD, "-o", dev, "-j", "ACCEPT");
    }

    /** online: inserted unless present; offline: removed, best effort (see {@link VifFirewall}). */
    public static void add(Plan plan, ScriptContext ctx, String dev, List<IpPrefix> addresses, boolean online) {
        if (!VifFirewall.enabled(ctx)) {
            return;
        }
        if (online) {
            VifFirewall.insert(plan, ctx, rules(dev, addresses));
        } else {
            VifFirewall.remove(plan, ctx, rules(dev, addresses));
        }
    }
}
