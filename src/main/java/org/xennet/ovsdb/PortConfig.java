// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a port is to be: the name of the port and of its one interface, the VLAN {@code tag}
 * (null for none), the {@code trunks} (empty: none given), the interface's {@code type} (""
 * for a system device) and the interface's {@code external_ids}.
 */
public record PortConfig(String name, Integer tag, List<Integer> trunks, String type, Map<String, String> externalIds) {

    public PortConfig {
        trunks = List.copyOf(trunks);
        externalIds = Map.copyOf(externalIds);
    }

    /** A system device with no VLAN settings and no external ids. */
    public static PortConfig system(String name) {
        return new PortConfig(name, null, List.of(), "", Map.of());
    }

    /**
     * The ovs-vsctl words: {@code add-port BRIDGE NAME [tag=T] [trunks=A,B] [-- set interface NAME
     * external-ids:K="V" ...]}, values in double quotes as ovs-vsctl reads them back.
     */
    public String vsctlWords(String bridge) {
        StringBuilder b = new StringBuilder("add-port " + bridge + " " + name);
        if (tag != null) {
            b.append(" tag=").append(tag);
        }
        if (!trunks.isEmpty()) {
            List<String> t = new ArrayList<>();
            trunks.forEach(x -> t.add(String.valueOf(x)));
            b.append(" trunks=").append(String.join(",", t));
        }
        if (!type.isEmpty()) {
            b.append(" -- set interface ").append(name).append(" type=").append(type);
        }
        if (!externalIds.isEmpty()) {
            b.append(" -- set interface ").append(name);
            new TreeMap<>(externalIds).forEach((k, v) -> b.append(" external-ids:").append(k).append('=')
                    .append(quote(v)));
        }
        return b.toString();
    }

    /** A value as ovs-vsctl's parser takes it: bare when plain, else in double quotes with C escapes. */
    static String quote(String v) {
        if (!v.isEmpty() && v.matches("[A-Za-z0-9_.:-]+") && !v.matches("[0-9].*")) {
            return v;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\%03o", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
