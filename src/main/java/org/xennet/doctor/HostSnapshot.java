// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.doctor.Finding.Check;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.scripts.vif.VifFirewall;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * One reading of the host that every doctor check works from: the links (by index and by name),
 * the vif backends in XenStore (when it could be read), the firewall (read lazily, once) and the
 * sysctls; plus the checks that had to be skipped and why. Nothing here changes anything.
 */
final class HostSnapshot {
    /** Guest vifs (domain 0's vif0.N is the old netloop port, not a guest). */
    static final Pattern VIF = Pattern.compile("^vif([0-9]+)\\.([0-9]+)(-emu)?$");

    final Network net;
    final Map<Integer, Link> byIndex = new HashMap<>();
    final Map<String, Link> byName = new LinkedHashMap<>();
    /** The vif backends in XenStore, each once. */
    final List<XsVif> backends = new ArrayList<>();
    /** The same by interface name (the HVM tap vifD.N-emu too). */
    final Map<String, XsVif> known = new HashMap<>();
    /** Whether XenStore was read: only then is a guest's own mtu key known. */
    final boolean xsRead;
    final List<Report.Skipped> skipped = new ArrayList<>();

    private final Supplier<Firewall> firewall;
    private Firewall forwardDrops;
    private boolean fwRead;
    /** Each bridge's uplink, found once. */
    private final Map<Integer, Optional<Link>> uplinks = new HashMap<>();

    /** A vif backend as libxl wrote it under {@code backend/vif/D/N}. */
    record XsVif(int domid, int devid, String path, String dev, String domain, String bridge, String script,
            Integer mtu, String hotplugStatus, String hotplugError, String ip) {
        String scriptName() {
            return script == null ? "" : script.substring(script.lastIndexOf('/') + 1);
        }

        boolean bridged() {
            return scriptName().isEmpty() ? bridge != null : scriptName().equals("vif-bridge");
        }

        boolean routed() {
            return scriptName().equals("vif-route") || scriptName().equals("vif-nat");
        }

        String who() {
            return "domain " + domid + (domain == null || domain.isEmpty() ? "" : " (" + domain + ")");
        }

        /** The command that runs the vif script again for this backend, as libxl runs it. */
        String rerun(String script) {
            return "vif=" + dev + " XENBUS_PATH=" + path + " /etc/xen/scripts/" + script + " online";
        }
    }

    /**
     * @param xs XenStore, or null when it is not used; then {@code xsSkipped} says why
     * @param firewall opened only when a check needs it; an error from it skips the firewall checks
     */
    HostSnapshot(Network net, Supplier<Firewall> firewall, XenStore xs, String xsSkipped) {
        this.net = net;
        this.firewall = firewall;
        for (Link l : net.links().list()) {
            byIndex.put(l.index(), l);
            byName.put(l.name(), l);
        }
        this.xsRead = xs != null && readXenStore(xs);
        if (xs == null) {
            skipXenStore(xsSkipped);
        }
    }

    private boolean readXenStore(XenStore xs) {
        try {
            for (String d : list(xs, "backend/vif")) {
                if (!d.matches("[0-9]+")) {
                    continue;
                }
                for (String n : list(xs, "backend/vif/" + d)) {
                    if (!n.matches("[0-9]+")) {
                        continue;
                    }
                    String be = "backend/vif/" + d + "/" + n;
                    String vifname = xs.read(be + "/vifname").filter(s -> !s.isEmpty()).orElse(null);
                    String dev = vifname != null ? vifname : "vif" + d + "." + n;
                    Integer mtu = xs.read(be + "/mtu").filter(s -> s.matches("[0-9]{2,5}")).map(Integer::valueOf)
                            .orElse(null);
                    XsVif v = new XsVif(Integer.parseInt(d), Integer.parseInt(n), be, dev,
                            xs.read("/local/domain/" + d + "/name").orElse(null),
                            xs.read(be + "/bridge").filter(s -> !s.isEmpty()).orElse(null),
                            xs.read(be + "/script").orElse(null), mtu,
                            xs.read(be + "/hotplug-status").orElse(""), xs.read(be + "/hotplug-error").orElse(null),
                            xs.read(be + "/ip").filter(s -> !s.isBlank()).orElse(null));
                    backends.add(v);
                    known.put(dev, v);
                    known.putIfAbsent(dev + "-emu", v);
                }
            }
            return true;
        } catch (XennetException e) {
            backends.clear();
            known.clear();
            skipXenStore("XenStore failed: " + e.getMessage());
            return false;
        }
    }

    private static List<String> list(XenStore xs, String path) {
        try {
            return xs.directory(path);
        } catch (XenStoreException e) {
            if (e.isNotFound()) {
                return List.of();
            }
            throw e;
        }
    }

    private void skipXenStore(String why) {
        skipped.add(new Report.Skipped(String.join(", ", Check.needingXenStore()),
                why + "; the vif MTU is compared with its bridge's only"));
    }

    /** A sysctl that is 1. */
    boolean on(String key) {
        return "1".equals(net.sysctls().find(key).map(String::trim).orElse(null));
    }

    boolean isGuest(Link l) {
        return known.containsKey(l.name()) || isGuestName(l.name());
    }

    static boolean isGuestName(String name) {
        Matcher m = VIF.matcher(name);
        return m.matches() && !m.group(1).equals("0");
    }

    static String domidOf(String name) {
        Matcher m = VIF.matcher(name);
        return m.matches() ? m.group(1) : "?";
    }

    /** A NIC, or what stands for one (bond, VLAN); not a veth, tap, vif or tunnel. */
    static boolean physical(Link l) {
        return l.kind() == null || l.kind().equals("bond") || l.kind().equals("vlan") || l.kind().equals("team");
    }

    /** A bridge's uplink: its physical port, else another port that is not a guest's; found once. */
    Link uplink(Link br) {
        return uplinks.computeIfAbsent(br.index(), i -> {
            Link found = null;
            for (Link l : byName.values()) {
                if (l.masterIndex() == i && !isGuest(l) && (found == null || physical(l) && !physical(found))) {
                    found = l;
                }
            }
            return Optional.ofNullable(found);
        }).orElse(null);
    }

    /**
     * The firewall when FORWARD's policy is DROP, else null; read once. When iptables cannot be
     * read, the FORWARD checks are listed as skipped.
     */
    Firewall forwardDrops() {
        if (!fwRead) {
            fwRead = true;
            try {
                Firewall f = firewall.get();
                forwardDrops = "DROP".equals(f.policy(VifFirewall.FORWARD)) ? f : null;
            } catch (XennetException e) {
                skipped.add(new Report.Skipped(Check.FORWARD_DROP.id(), "cannot read iptables' FORWARD chain: "
                        + e.getMessage()));
            }
        }
        return forwardDrops;
    }
}
