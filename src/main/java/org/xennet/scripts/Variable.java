// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.List;
import java.util.Optional;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.model.InterfaceName;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;
import org.xennet.text.Printable;

/**
 * A variable a script reads from the environment, a VAR=VAL argument or XenStore, with the check
 * its value must pass before anything is changed.
 */
public record Variable(String name, Kind kind, String defaultText, String description, List<String> choices) {

    /** What a value must look like. */
    public enum Kind {
        IFNAME, BRIDGE, VLAN_BRIDGE, YES_NO, NUMBER, MAC, IP_LIST, MTU, XENSTORE_PATH, CHOICE, PATH, TEXT
    }

    public static Variable of(String name, Kind kind, String defaultText, String description) {
        return new Variable(name, kind, defaultText, description, List.of());
    }

    public static Variable choice(String name, String defaultText, String description, String... choices) {
        return new Variable(name, Kind.CHOICE, defaultText, description, List.of(choices));
    }

    /** Throws a {@link UsageException} naming the variable and the value when the value is malformed. */
    public void check(String script, String value) {
        if (value == null || value.isEmpty()) {
            return; // empty counts as unset, as with ${var:-default}
        }
        String shown = Printable.quote(value);
        try {
            switch (kind) {
                case IFNAME:
                    InterfaceName.check(name, value);
                    break;
                case BRIDGE:
                    if (!value.equals("null")) {
                        InterfaceName.check(name, value);
                    }
                    break;
                case VLAN_BRIDGE:
                    // an interface name, or Xen's BRIDGE[.VLAN][:TRUNK...] of one (vif-bridge on a VLAN-aware bridge)
                    if (!InterfaceName.isValid(value)) {
                        try {
                            BridgeSpec.parse(Optional.of(value));
                        } catch (XennetException e) {
                            InterfaceName.check(name, value);
                        }
                    }
                    break;
                case YES_NO:
                    try {
                        ConfigFile.yes(value);
                    } catch (UsageException e) {
                        throw new UsageException(name + "=" + shown + " must be yes or no");
                    }
                    break;
                case NUMBER:
                    if (!value.matches("[0-9]{1,9}")) {
                        throw new UsageException(name + "=" + shown + " is not a number");
                    }
                    break;
                case MTU:
                    if (!value.matches("[0-9]{2,5}") || Integer.parseInt(value) < 68 || Integer.parseInt(value) > 65535) {
                        throw new UsageException(name + "=" + shown + " is not an MTU (68-65535)");
                    }
                    break;
                case MAC: {
                    // the guest's own address: it gets DHCP entries and guards, so it must be one station's
                    MacAddress m = MacAddress.parse(value);
                    if (m.isZero()) {
                        throw new UsageException(name + "=" + shown + " is all zeros; a guest's MAC must be unicast");
                    }
                    if (m.isMulticast()) {
                        throw new UsageException(name + "=" + shown + " is a " + (m.isBroadcast() ? "broadcast"
                                : "multicast") + " address; a guest's MAC must be unicast");
                    }
                    break;
                }
                case IP_LIST:
                    // vif scripts take "ip" as a space- or comma-separated list of addresses or prefixes
                    for (String a : value.trim().split("[\\s,]+")) {
                        IpPrefix.parse(a);
                    }
                    break;
                case XENSTORE_PATH:
                    if (!value.matches("[A-Za-z0-9_./@:-]+") || value.contains("//") || value.length() > 3072) {
                        throw new UsageException(name + "=" + shown + " is not a XenStore path");
                    }
                    break;
                case CHOICE:
                    if (!choices.contains(value)) {
                        throw new UsageException(name + "=" + shown + " must be one of " + String.join(", ", choices));
                    }
                    break;
                case PATH:
                    if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0 || value.length() > 4096) {
                        throw new UsageException(name + "=" + shown + " is not a file name");
                    }
                    break;
                default:
                    break;
            }
        } catch (UsageException e) {
            String m = e.getMessage();
            throw new UsageException(script + ": " + (m.startsWith(name + "=") ? m : name + "=" + shown + ": " + m));
        }
    }
}
