// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines the NAT scripts put into the DHCP server's files, and how their own lines are
 * recognised again: by an exact match of the host name (Xen's {@code grep "host dom1"} also
 * removed {@code host dom12}), of the vif's word in the args file, and of the single-line subnet
 * declaration they write.
 */
final class DhcpEntries {
    static final String SUBNET = "subnet 10.0.0.0 netmask 255.255.0.0";

    private static final Pattern HOST = Pattern.compile("^\\s*host\\s+([^\\s{]+)\\s*(?:\\{.*)?$");
    private static final Pattern ARGS = Pattern.compile("^(DHCPDARGS|DHCPD_INTERFACE|INTERFACES)=(.*)$");

    private DhcpEntries() {
    }

    // ---------------------------------------------------------------- ISC dhcpd.conf

    /** Xen's host entry, one line. */
    static String iscHost(String hostname, String mac, String ip, String router) {
        return "host " + hostname + " { hardware ethernet " + mac + "; fixed-address " + ip + "; option routers "
                + router + "; option host-name \"" + hostname + "\"; }";
    }

    static boolean isIscHost(String line, String hostname) {
        Matcher m = HOST.matcher(line);
        return m.matches() && m.group(1).equals(hostname);
    }

    /**
     * network-nat's subnet declaration with the domain and name server of resolv.conf; Xen wrote
     * empty options when resolv.conf had none, which dhcpd refuses, so they are left out then.
     */
    static String iscSubnet(String domain, String nameserver) {
        StringBuilder b = new StringBuilder(SUBNET).append(" {");
        if (domain != null && !domain.isEmpty()) {
            b.append(" option domain-name \"").append(domain).append("\";");
        }
        if (nameserver != null && !nameserver.isEmpty()) {
            b.append(" option domain-name-servers ").append(nameserver).append(';');
        }
        return b.append(" }").toString();
    }

    /** Xen's test before adding: any line that mentions the subnet (so an admin's own declaration is kept). */
    static boolean mentionsSubnet(List<String> lines) {
        return lines.stream().anyMatch(l -> l.contains("subnet 10.0.0.0"));
    }

    /** The single-line declaration network-nat writes (Xen's or ours), and nothing else. */
    static boolean isOwnSubnet(String line) {
        String t = line.trim();
        return t.startsWith(SUBNET + " {") && t.endsWith("}");
    }

    /** Adds the vif's word to DHCPDARGS=, DHCPD_INTERFACE= and INTERFACES= (the result double-quoted, as Xen's). */
    static List<String> argsWith(List<String> lines, String dev) {
        return editArgs(lines, dev, true);
    }

    /** Removes exactly the vif's word from those lines. */
    static List<String> argsWithout(List<String> lines, String dev) {
        return editArgs(lines, dev, false);
    }

    private static List<String> editArgs(List<String> lines, String dev, boolean add) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            Matcher m = ARGS.matcher(line);
            if (!m.matches()) {
                out.add(line);
                continue;
            }
            String v = m.group(2).trim();
            if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
                v = v.substring(1, v.length() - 1);
            }
            Set<String> words = new LinkedHashSet<>();
            for (String w : v.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
            boolean present = words.contains(dev);
            if (add == present) {
                out.add(line);
                continue;
            }
            if (add) {
                words.add(dev);
            } else {
                words.remove(dev);
            }
            out.add(m.group(1) + "=\"" + String.join(" ", words) + "\"");
        }
        return out;
    }

    // ---------------------------------------------------------------- dnsmasq dhcp-hostsfile

    /** dnsmasq's {@code dhcp-host} syntax: MAC,IP,HOSTNAME. */
    static String dnsmasqHost(String hostname, String mac, String ip) {
        return mac + "," + ip + "," + hostname;
    }

    static boolean isDnsmasqHost(String line, String hostname) {
        String t = line.trim();
        if (t.isEmpty() || t.startsWith("#")) {
            return false;
        }
        String[] f = t.split(",");
        return f.length >= 3 && f[f.length - 1].trim().equals(hostname);
    }

    // ---------------------------------------------------------------- either

    /** The lines without the guest's entry, then (when {@code entry} is not null) with it appended. */
    static List<String> replaceHost(List<String> lines, DhcpSetup.Backend backend, String hostname, String entry) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (!isHost(l, backend, hostname)) {
                out.add(l);
            }
        }
        if (entry != null) {
            out.add(entry);
        }
        return out;
    }

    static boolean isHost(String line, DhcpSetup.Backend backend, String hostname) {
        return backend == DhcpSetup.Backend.ISC ? isIscHost(line, hostname) : isDnsmasqHost(line, hostname);
    }

    static List<String> hostLines(List<String> lines, DhcpSetup.Backend backend, String hostname) {
        return lines.stream().filter(l -> isHost(l, backend, hostname)).toList();
    }

    /** The number of guest entries in a dnsmasq hosts file. */
    static long dnsmasqEntries(List<String> lines) {
        return lines.stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
    }

    // ---------------------------------------------------------------- resolv.conf

    /**
     * network-nat's reading of resolv.conf: lines with '#' ignored, case-insensitive; the domain
     * is field 2 of the last line mentioning search or domain, the name server field 2 of the
     * first line mentioning nameserver.
     */
    static String[] resolvConf(List<String> lines) {
        String domain = null;
        String ns = null;
        for (String line : lines) {
            if (line.contains("#")) {
                continue;
            }
            String lower = line.toLowerCase(Locale.ROOT);
            String[] f = line.trim().split("\\s+");
            if ((lower.contains("search") || lower.contains("domain")) && f.length >= 2) {
                domain = f[1];
            }
            if (ns == null && lower.contains("nameserver") && f.length >= 2) {
                ns = f[1];
            }
        }
        return new String[] {safe(domain), safe(ns)};
    }

    /** Only what a dhcpd.conf option can hold without quoting trouble. */
    private static String safe(String v) {
        return v != null && v.matches("[A-Za-z0-9.:_-]{1,253}") ? v : null;
    }
}
