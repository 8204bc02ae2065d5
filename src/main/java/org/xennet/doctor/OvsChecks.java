// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.xennet.doctor.Finding.Check;
import org.xennet.error.XennetException;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.ovsdb.OvsPort;
import org.xennet.scripts.BridgeSpec;
import org.xennet.scripts.bridge.OvsStateRecord;
import org.xennet.text.Printable;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * doctor's Open vSwitch checks, for the guests of vif-openvswitch and network-bridge's Open
 * vSwitch bridges. Read only: XenStore's vif backends, Open vSwitch's database, and the state
 * records. Silent on a host that uses no Open vSwitch (no such guest, no such record).
 *
 * <ul>
 * <li>{@code ovs-down}: guests or a bridge need Open vSwitch, and ovsdb-server cannot be reached;
 * <li>{@code ovs-not-applied}: ovs-vswitchd has not applied the configuration (stopped or hung:
 * ports added since are not forwarding);
 * <li>{@code ovs-vif-wrong-port}: a connected vif-openvswitch guest whose port is missing, on
 * another bridge, or on another VLAN (tag or trunks) than its XenStore {@code bridge} key says;
 * <li>{@code ovs-interface-error}: ovs-vswitchd reports an error for an interface, or a port's
 * device is gone from the kernel (typically a vif whose guest died without offline);
 * <li>{@code start-interrupted}: an Open vSwitch network-bridge start or stop was killed.
 * </ul>
 */
public final class OvsChecks {
    private OvsChecks() {
    }

    /** A vif-openvswitch backend as XenStore has it. */
    record Guest(String path, String dev, String bridgeKey, String status) {
    }

    /**
     * Every finding about Open vSwitch on this host.
     *
     * @param ovs opens the connection to ovsdb-server (closed here)
     * @param xs XenStore, or null when it could not be read (the guest checks are then skipped)
     * @param links whether the kernel has a link of that name (a port's device)
     * @param stateDir xennet's state directory (network-bridge's records)
     */
    public static List<Finding> examine(Supplier<OpenVswitch> ovs, XenStore xs, Predicate<String> links, Path stateDir) {
        List<Finding> findings = new ArrayList<>();
        List<Guest> guests = xs == null ? List.of() : guests(xs);
        List<OvsStateRecord> records = records(stateDir, findings);
        for (OvsStateRecord r : records) {
            if (r.interrupted()) {
                String args = "bridge_type=openvswitch netdev=" + r.netdev() + " bridge=" + r.bridge();
                findings.add(Finding.error(Check.START_INTERRUPTED, r.bridge(), "network-bridge "
                        + (r.phase() == org.xennet.scripts.bridge.StateRecord.Phase.STARTING ? "start" : "stop")
                        + " of Open vSwitch bridge " + r.bridge() + " on " + r.netdev() + " was killed at step "
                        + (r.step() + 1) + ": the host may be half-bridged and " + r.netdev() + " offline",
                        "network-bridge stop " + args + " (takes back exactly what it did), then network-bridge start "
                                + args + " if the bridge is wanted"));
            }
        }
        if (guests.isEmpty() && records.isEmpty()) {
            return findings;
        }
        String who = !guests.isEmpty() ? guests.size() + " vif-openvswitch guest" + (guests.size() == 1 ? "" : "s")
                : "network-bridge's Open vSwitch bridge " + records.get(0).bridge();
        OpenVswitch o;
        try {
            o = ovs.get();
        } catch (XennetException e) {
            findings.add(Finding.error(Check.OVS_DOWN, "ovsdb-server", "Open vSwitch is down, and " + who + " need"
                    + (guests.size() == 1 || guests.isEmpty() ? "s" : "") + " it: " + e.getMessage(),
                    "systemctl start openvswitch-switch"));
            return findings;
        }
        try (o) {
            if (!applied(o)) {
                findings.add(Finding.error(Check.OVS_NOT_APPLIED, "ovs-vswitchd", "ovs-vswitchd has not applied Open "
                        + "vSwitch's configuration (cur_cfg is behind next_cfg): it is stopped or hung, and ports added "
                        + "since do not forward", "systemctl restart openvswitch-switch (ovs-appctl -t ovs-vswitchd "
                        + "version tells whether it answers)"));
            }
            List<OvsPort> ports = o.ports();
            Map<String, OvsPort> byName = new TreeMap<>();
            ports.forEach(p -> byName.put(p.name(), p));
            for (Guest g : guests) {
                checkGuest(g, byName.get(g.dev()), findings);
            }
            for (OvsPort p : ports) {
                if (p.type().isEmpty() && p.error() == null && !links.test(p.name())) {
                    // the userspace datapath keeps such a port without an error until ovs-vswitchd restarts
                    findings.add(Finding.error(Check.OVS_INTERFACE_ERROR, p.name(), "Open vSwitch port " + p.name()
                            + " on " + p.bridge() + " has no device: " + p.name() + " is gone from the kernel",
                            isVifName(p.name()) ? "ovs-vsctl del-port " + p.name() + " (its guest went without "
                                    + "vif-openvswitch offline)" : "ovs-vsctl del-port " + p.name()
                                    + ", or bring the device back"));
                } else if (p.error() != null) {
                    findings.add(Finding.error(Check.OVS_INTERFACE_ERROR, p.name(), "Open vSwitch port " + p.name()
                            + " on " + p.bridge() + " does not work: " + p.error(), isVifName(p.name())
                                    ? "ovs-vsctl del-port " + p.name() + " if its guest is gone, else run "
                                            + "vif-openvswitch online for it again"
                                    : "check the device " + p.name() + " (ip link show " + p.name() + ")"));
                }
            }
        } catch (XennetException e) {
            findings.add(Finding.error(Check.OVS_DOWN, "ovsdb-server", "Open vSwitch's database could not be read: "
                    + e.getMessage(), "systemctl restart openvswitch-switch"));
        }
        return findings;
    }

    /** cur_cfg behind next_cfg, twice a second apart: a busy ovs-vswitchd catches up within that. */
    private static boolean applied(OpenVswitch o) {
        if (o.applied()) {
            return true;
        }
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return o.applied();
    }

    private static void checkGuest(Guest g, OvsPort port, List<Finding> findings) {
        if (!g.status().equals("connected")) {
            return; // not up, or its failure is doctor's vif-hotplug-error
        }
        String rerun = "vif=" + g.dev() + " XENBUS_PATH=" + g.path() + " /etc/xen/scripts/vif-openvswitch online";
        BridgeSpec spec;
        try {
            spec = BridgeSpec.parse(Optional.ofNullable(g.bridgeKey()));
        } catch (XennetException e) {
            findings.add(Finding.error(Check.OVS_VIF_WRONG_PORT, g.dev(), g.dev() + "'s XenStore bridge key "
                    + Printable.quote(String.valueOf(g.bridgeKey())) + " is not BRIDGE[.VLAN][:TRUNK...]: "
                    + e.getMessage(), "correct " + g.path() + "/bridge, then " + rerun));
            return;
        }
        String wanted = describe(spec.bridge(), spec.tag(), spec.trunks());
        if (port == null) {
            findings.add(Finding.error(Check.OVS_VIF_WRONG_PORT, g.dev(), g.dev() + " is connected but is no port of "
                    + "any Open vSwitch bridge; expected " + wanted, rerun));
            return;
        }
        String now = describe(port.bridge(), port.tag(), port.trunks());
        if (!now.equals(wanted)) {
            findings.add(Finding.error(Check.OVS_VIF_WRONG_PORT, g.dev(), g.dev() + " is on " + now + ", expected "
                    + wanted + " (XenStore bridge=" + g.bridgeKey() + ")", rerun));
        }
    }

    /** "xenbr0 VLAN 10", "xenbr0 trunk 10,20", "xenbr0 (untagged, all VLANs)". */
    static String describe(String bridge, Integer tag, List<Integer> trunks) {
        StringBuilder b = new StringBuilder(bridge);
        if (tag != null) {
            b.append(" VLAN ").append(tag);
        }
        if (!trunks.isEmpty()) {
            List<String> t = new ArrayList<>();
            trunks.forEach(x -> t.add(String.valueOf(x)));
            b.append(" trunk ").append(String.join(",", t));
        }
        if (tag == null && trunks.isEmpty()) {
            b.append(" (untagged, all VLANs)");
        }
        return b.toString();
    }

    private static boolean isVifName(String name) {
        return name.matches("vif[0-9]+\\.[0-9]+(-emu)?");
    }

    /** The vif backends whose script is vif-openvswitch. */
    static List<Guest> guests(XenStore xs) {
        List<Guest> out = new ArrayList<>();
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
                    String script = xs.read(be + "/script").orElse("");
                    if (!script.substring(script.lastIndexOf('/') + 1).equals("vif-openvswitch")) {
                        continue;
                    }
                    String dev = xs.read(be + "/vifname").filter(s -> !s.isEmpty()).orElse("vif" + d + "." + n);
                    out.add(new Guest(be, dev, xs.read(be + "/bridge").filter(s -> !s.isEmpty()).orElse(null),
                            xs.read(be + "/hotplug-status").orElse("")));
                }
            }
        } catch (XennetException e) {
            return List.of(); // doctor reports an unreadable XenStore itself
        }
        return out;
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

    private static List<OvsStateRecord> records(Path stateDir, List<Finding> findings) {
        List<OvsStateRecord> out = new ArrayList<>();
        Path dir = stateDir.resolve("network-bridge");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.ovs")) {
            ds.forEach(files::add);
        } catch (IOException e) {
            throw new XennetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        files.sort(null);
        for (Path f : files) {
            try {
                OvsStateRecord.read(f).ifPresent(out::add);
            } catch (XennetException e) {
                findings.add(Finding.error(Check.STATE_RECORD, f.toString(), e.getMessage(), "mv " + f + " " + f
                        + ".damaged"));
            }
        }
        return out;
    }
}
