// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing {@code xennet doctor} found: how bad it is, which check found it (a stable id, see
 * {@link Check}), the interface or file it is about, what is wrong, and the fix, as a command an
 * operator can type. {@code repair} is set when the fix is safe to apply unattended, which is
 * what {@code xennet fix} does.
 */
public record Finding(Severity severity, Check check, String subject, String message, String fix, Repair repair) {

    public enum Severity {
        /** Guests or the host lose traffic. */
        ERROR,
        /** Works now, but wrong in a way that bites later (a down vif, an MTU mismatch, a stale record). */
        WARNING;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The checks, with the ids that --json prints; an id never changes meaning. */
    public enum Check {
        BRIDGE_DOWN("bridge-down", false),
        PORT_DOWN("port-down", false),
        PORT_NO_CARRIER("port-no-carrier", false),
        VIF_DOWN("vif-down", false),
        VIF_WRONG_BRIDGE("vif-wrong-bridge", true),
        VIF_NO_INTERFACE("vif-no-interface", true),
        VIF_HOTPLUG_ERROR("vif-hotplug-error", true),
        BRIDGE_MISSING("bridge-missing", true),
        VIF_MTU("vif-mtu", false),
        BRIDGE_NF_CONNTRACK("bridge-nf-conntrack", false),
        FORWARD_DROP("forward-drop", false),
        ROUTED_FORWARDING("routed-forwarding", true),
        ROUTED_PROXY_ARP("routed-proxy-arp", true),
        ROUTED_NO_ROUTE("routed-no-route", true),
        STATE_RECORD("state-record", false),
        START_INTERRUPTED("start-interrupted", false),
        OVS_DOWN("ovs-down", false),
        OVS_NOT_APPLIED("ovs-not-applied", false),
        OVS_VIF_WRONG_PORT("ovs-vif-wrong-port", true),
        OVS_INTERFACE_ERROR("ovs-interface-error", false),
        GUARD_MISSING("guard-missing", false),
        GUARD_STALE("guard-stale", false),
        GUARD_VANISHED("guard-vanished", false),
        GUARD_UNREADABLE("guard-unreadable", false),
        VIF_WRONG_VLAN("vif-wrong-vlan", true),
        VLAN_UPLINK("vlan-uplink", false),
        VLAN_MTU("vlan-mtu", false),
        BRIDGE_NF_VLAN_TAGGED("bridge-nf-vlan-tagged", false);

        private final String id;
        private final boolean needsXenStore;

        Check(String id, boolean needsXenStore) {
            this.id = id;
            this.needsXenStore = needsXenStore;
        }

        public String id() {
            return id;
        }

        /** The checks that cannot be made without XenStore's vif backends. */
        public static java.util.List<String> needingXenStore() {
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (Check c : values()) {
                if (c.needsXenStore) {
                    ids.add(c.id);
                }
            }
            return ids;
        }
    }

    public static Finding error(Check check, String subject, String message, String fix) {
        return new Finding(Severity.ERROR, check, subject, message, fix, null);
    }

    public static Finding warning(Check check, String subject, String message, String fix) {
        return new Finding(Severity.WARNING, check, subject, message, fix, null);
    }

    /** The same finding, fixed by {@code xennet fix} with {@code r} (whose command is the fix). */
    public Finding repairedBy(Repair r) {
        return new Finding(severity, check, subject, message, r.command(), r);
    }

    /** One line: severity, subject, what is wrong, and the fix. */
    public String line() {
        return severity.word() + ": " + message + "; fix: " + fix + (repair != null ? "  [xennet fix]" : "");
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("severity", severity.word());
        m.put("check", check.id());
        m.put("subject", subject);
        m.put("message", message);
        m.put("fix", fix);
        m.put("automatic", repair != null);
        return m;
    }
}
