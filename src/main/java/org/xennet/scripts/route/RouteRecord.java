// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.xennet.error.XennetException;
import org.xennet.model.InterfaceName;
import org.xennet.scripts.StateFiles;

/**
 * What a {@code network-route start} changed, kept under {@code STATE_DIR/network-route/NETDEV.state}
 * so that stop puts back exactly the old values: every sysctl start wrote with the value it had
 * before, and the FORWARD policy when antispoof changed it. Plain {@code key=value} lines, read
 * literally (never evaluated); written atomically. Only keys under {@code net/} are accepted,
 * so a damaged or planted record cannot make stop write anything else.
 */
record RouteRecord(String netdev, Map<String, String> sysctls, String oldForwardPolicy) {
    static final int VERSION = 1;

    RouteRecord {
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
    }

    static Path dir(Path stateDir) {
        return stateDir.resolve("network-route");
    }

    static Path path(Path stateDir, String netdev) {
        return dir(stateDir).resolve(netdev + ".state");
    }

    boolean isEmpty() {
        return sysctls.isEmpty() && oldForwardPolicy == null;
    }

    /** The host-wide entries of this record added to another's (the other's own old values win). */
    RouteRecord adoptGlobalsOf(RouteRecord from) {
        Map<String, String> m = new LinkedHashMap<>(sysctls);
        from.sysctls.forEach((k, v) -> {
            if (isGlobal(k)) {
                m.putIfAbsent(k, v);
            }
        });
        return new RouteRecord(netdev, m, oldForwardPolicy != null ? oldForwardPolicy : from.oldForwardPolicy);
    }

    /**
     * ip_forward and the forwarding flags it rewrites on every interface are host-wide; only
     * {@code proxy_arp} of netdev belongs to one netdev.
     */
    static boolean isGlobal(String key) {
        return !key.endsWith("/proxy_arp");
    }

    static Optional<RouteRecord> read(Path file) {
        return StateFiles.read(file, RouteRecord::parse, "move it away: stop then leaves the sysctls as they are");
    }

    /** Every record in the directory except the one for {@code netdev}. */
    static List<Path> others(Path stateDir, String netdev) {
        Path d = dir(stateDir);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (Stream<Path> s = Files.list(d)) {
            s.filter(f -> f.getFileName().toString().endsWith(".state")
                    && !f.getFileName().toString().equals(netdev + ".state")).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new XennetException("cannot list " + d + ": " + e.getMessage(), e);
        }
        return out;
    }

    static RouteRecord parse(List<String> lines) {
        String netdev = null;
        String policy = null;
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("line without '=': " + line);
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1);
            switch (k) {
                case "version":
                    if (!v.equals(String.valueOf(VERSION))) {
                        throw new IllegalArgumentException("version " + v + " (this xennet writes " + VERSION + ")");
                    }
                    break;
                case "netdev":
                    netdev = InterfaceName.check("netdev", v);
                    break;
                case "fw.policy":
                    if (!v.matches("ACCEPT|DROP|REJECT")) {
                        throw new IllegalArgumentException("policy " + v);
                    }
                    policy = v;
                    break;
                case "sysctl":
                    int e2 = v.lastIndexOf('=');
                    if (e2 < 0) {
                        throw new IllegalArgumentException("sysctl without value: " + v);
                    }
                    String key = v.substring(0, e2);
                    String val = v.substring(e2 + 1);
                    if (!key.matches("net/ipv4/(ip_forward|conf/[A-Za-z0-9_.+-]{1,15}/(proxy_arp|forwarding))")
                            || !val.matches("[0-9]{1,3}")) {
                        throw new IllegalArgumentException("sysctl " + v);
                    }
                    sysctls.put(key, val);
                    break;
                default:
                    throw new IllegalArgumentException("unknown key " + k);
            }
        }
        if (netdev == null) {
            throw new IllegalArgumentException("no netdev");
        }
        return new RouteRecord(netdev, sysctls, policy);
    }

    String render() {
        StringBuilder b = new StringBuilder();
        b.append("# what network-route start changed; network-route stop puts these values back\n");
        b.append("version=").append(VERSION).append('\n');
        b.append("netdev=").append(netdev).append('\n');
        sysctls.forEach((k, v) -> b.append("sysctl=").append(k).append('=').append(v).append('\n'));
        if (oldForwardPolicy != null) {
            b.append("fw.policy=").append(oldForwardPolicy).append('\n');
        }
        return b.toString();
    }

    void write(Path file) {
        StateFiles.write(file, render());
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new XennetException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }
}
