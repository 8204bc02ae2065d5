// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.model.BridgeVlan;
import org.xennet.model.InterfaceName;
import org.xennet.text.Printable;

/**
 * Xen's vif-openvswitch bridge value, {@code BRIDGE[.VLAN][:TRUNK[:TRUNK...]]}: the bridge, the
 * VLAN of an access port ({@code tag}; null for none) and the VLANs a trunk port carries
 * ({@code trunks}). Xen's grammar, with the values checked as Open vSwitch's schema checks them
 * (VLANs 0-4095) and the name as an interface name, before anything changes. vif-bridge takes the
 * same notation for a VLAN-aware Linux bridge ({@link #checkLinuxBridge} narrows the VLANs to the
 * kernel's 1-4094).
 */
public record BridgeSpec(String bridge, Integer tag, List<Integer> trunks) {
    private static final Pattern SPEC = Pattern.compile("([^.:]+)(?:\\.([0-9]+))?(?::([0-9]+(?::[0-9]+)*))?");
    public static final int MAX_VLAN = 4095;

    public BridgeSpec {
        trunks = List.copyOf(trunks);
    }

    /** Xen's "No valid bridge was specified", with what is wrong; an absent value is refused the same way. */
    public static BridgeSpec parse(Optional<String> value) {
        if (value.isEmpty() || value.get().isEmpty()) {
            throw new XennetException("No valid bridge was specified (set the vif's bridge= to "
                    + "BRIDGE[.VLAN][:TRUNK[:TRUNK...]])");
        }
        String v = value.get();
        Matcher m = SPEC.matcher(v);
        if (!m.matches()) {
            throw new XennetException("No valid bridge was specified: bridge=" + Printable.quote(v)
                    + " is not BRIDGE[.VLAN][:TRUNK[:TRUNK...]]");
        }
        String name;
        try {
            name = InterfaceName.check("bridge", m.group(1));
        } catch (UsageException e) {
            throw new XennetException("No valid bridge was specified: " + e.getMessage());
        }
        Integer tag = m.group(2) == null ? null : vlan(v, m.group(2));
        List<Integer> trunks = new ArrayList<>();
        if (m.group(3) != null) {
            for (String t : m.group(3).split(":")) {
                int n = vlan(v, t);
                if (!trunks.contains(n)) {
                    trunks.add(n);
                }
            }
            trunks.sort(null);
        }
        return new BridgeSpec(name, tag, trunks);
    }

    private static int vlan(String v, String digits) {
        if (digits.length() > 4 || Integer.parseInt(digits) > MAX_VLAN) {
            throw new XennetException("No valid bridge was specified: bridge=" + Printable.quote(v) + ": VLAN " + digits
                    + " is outside 0-" + MAX_VLAN);
        }
        return Integer.parseInt(digits);
    }

    /** Whether the value names VLANs (an access VLAN or trunks), not only a bridge. */
    public boolean hasVlans() {
        return tag != null || !trunks.isEmpty();
    }

    /** Every VLAN the port carries: the access VLAN first, then the trunks. */
    public List<Integer> vlans() {
        List<Integer> out = new ArrayList<>();
        if (tag != null) {
            out.add(tag);
        }
        trunks.stream().filter(t -> !t.equals(tag)).forEach(out::add);
        return out;
    }

    /** This spec, refused with {@code what} when a VLAN is one a Linux bridge does not take (0 and 4095). */
    public BridgeSpec checkLinuxBridge(String what) {
        for (int v : vlans()) {
            if (v < BridgeVlan.MIN_VID || v > BridgeVlan.MAX_VID) {
                throw new XennetException(what + ": VLAN " + v + " is outside " + BridgeVlan.MIN_VID + "-" + BridgeVlan.MAX_VID
                        + " (bridge=" + Printable.quote(toString()) + ")");
            }
        }
        return this;
    }

    /** As Xen writes it back: {@code xenbr0.10}, {@code xenbr0:10:20}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(bridge);
        if (tag != null) {
            b.append('.').append(tag);
        }
        for (int t : trunks) {
            b.append(':').append(t);
        }
        return b.toString();
    }
}
