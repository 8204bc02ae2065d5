package org.xennet.scripts.vif;

import java.util.ArrayList;
import java.util.List;
import org.xennet.firewall.Rule;

/**
 * The per-vif antispoof rules of Xen's vif-common.sh ({@code frob_iptable}): for every guest
 * address an ACCEPT of bridged traffic coming in on the vif from that source, one for DHCP
 * requests (always allowed), and one for bridged traffic going out to the vif; with no address,
 * one unrestricted rule each way. Xen inserted the out rule once per address (identical
 * copies); it is inserted once here, so a repeated online never duplicates a rule.
 */
public final class VifFirewall {
    public static final String FORWARD = "FORWARD";

    private VifFirewall() {
    }

    public static List<Rule> rules(String dev, List<String> addresses) {
        List<Rule> rules = new ArrayList<>();
        if (addresses.isEmpty()) {
            rules.add(in(dev));
        } else {
            for (String a : addresses) {
                Rule r = in(dev, "-s", a);
                if (!rules.contains(r)) {
                    rules.add(r);
                }
            }
            rules.add(in(dev, "-p", "udp", "--sport", "68", "--dport", "67"));
        }
        rules.add(Rule.of(FORWARD, "-m", "physdev", "--physdev-is-bridged", "--physdev-out", dev, "-j", "ACCEPT"));
        return rules;
    }

    private static Rule in(String dev, String... match) {
        List<String> spec = new ArrayList<>(List.of("-m", "physdev", "--physdev-is-bridged", "--physdev-in", dev));
        spec.addAll(List.of(match));
        spec.add("-j");
        spec.add("ACCEPT");
        return new Rule(FORWARD, spec);
    }
}
