package org.xennet.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.xennet.firewall.Rule;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.scripts.bridge.BridgeSettings;
import org.xennet.scripts.bridge.NetworkBridge;
import org.xennet.scripts.bridge.StateRecord;
import org.xennet.scripts.vif.RoutedFirewall;
import org.xennet.scripts.vif.VifFirewall;
import org.xennet.text.Printable;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * What an admin checks by hand when a guest has no network ({@code brctl show}, {@code ethtool
 * peth0}, {@code ip link show vifX.Y}, {@code xl list} against {@code brctl show}, iptables'
 * FORWARD chain, the bridge-netfilter sysctls), done in one pass over one snapshot of the host.
 * It only reads: the links over rtnetlink, sysctls, the FORWARD chain, the vif backends in
 * XenStore and xennet's state records. Every finding names the fix; the safe ones carry a
 * {@link Repair} for {@code xennet fix}.
 */
public final class Doctor {
    /** Guest vifs (domain 0's vif0.N is the old netloop port, not a guest). */
    static final Pattern VIF = Pattern.compile("^vif([0-9]+)\\.([0-9]+)(-emu)?$");

    static final String CONNTRACK = "net/netfilter/nf_conntrack_max";

    private final Network net;
    private final Supplier<Firewall> firewall;
    private final XenStore xs;
    private final String xsSkipped;
    private final Path stateDir;

    private final List<Finding> findings = new ArrayList<>();
    private final List<Report.Skipped> skipped = new ArrayList<>();
    private final Map<Integer, Link> byIndex = new HashMap<>();
    private final Map<String, Link> byName = new LinkedHashMap<>();
    /** The vif backends in XenStore, each once. */
    private final List<XsVif> backends = new ArrayList<>();
    /** The same by interface name (the HVM tap vifD.N-emu too). */
    private final Map<String, XsVif> known = new HashMap<>();
    /** Whether XenStore was read: only then is a guest's own mtu key known. */
    private boolean xsRead;
    /** Each bridge's uplink, found once. */
    private final Map<Integer, Optional<Link>> uplinks = new HashMap<>();

    /**
     * @param xs XenStore, or null when it is not used; then {@code xsSkipped} says why
     * @param firewall opened only when a check needs it; an error from it skips the firewall check
     */
    public Doctor(Network net, Supplier<Firewall> firewall, XenStore xs, String xsSkipped, Path stateDir) {
        this.net = net;
        this.firewall = firewall;
        this.xs = xs;
        this.xsSkipped = xsSkipped;
        this.stateDir = stateDir;
    }

    private GuardChecks.Firewall guards = GuardChecks.Firewall.NONE;

    /** With the guards of {@code fw} checked too (see {@link GuardChecks}). */
    public Doctor guards(GuardChecks.Firewall fw) {
        this.guards = fw;
        return this;
    }

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

    public Report examine() {
        for (Link l : net.links().list()) {
            byIndex.put(l.index(), l);
            byName.put(l.name(), l);
        }
        readXenStore();
        List<Report.Bridge> bridges = new ArrayList<>();
        for (Link br : byName.values()) {
            if (br.isBridge()) {
                bridges.add(checkBridge(br));
            }
        }
        checkGuestsOffBridges();
        checkXenStoreVifs();
        checkRouted();
        boolean guestsBridged = bridges.stream().flatMap(b -> b.ports().stream()).anyMatch(Report.Port::guest);
        boolean nfCall = on(Sysctls.BRIDGE_NF_CALL_IPTABLES);
        checkBridgeNetfilter(nfCall && !guards.nftables(), guestsBridged); // GuardChecks says it for nftables
        checkForward(nfCall, bridges);
        checkStateRecords();
        findings.addAll(GuardChecks.check(net, xs, guards));
        findings.sort((a, b) -> a.severity().compareTo(b.severity()));
        return new Report(bridges, findings, skipped);
    }

    /** A sysctl that is 1. */
    private boolean on(String key) {
        return "1".equals(net.sysctls().find(key).map(String::trim).orElse(null));
    }

    // ---------------------------------------------------------------- XenStore

    private void readXenStore() {
        if (xs == null) {
            skipXenStore(xsSkipped);
            return;
        }
        try {
            for (String d : list("backend/vif")) {
                if (!d.matches("[0-9]+")) {
                    continue;
                }
                for (String n : list("backend/vif/" + d)) {
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
            xsRead = true;
        } catch (XennetException e) {
            backends.clear();
            known.clear();
            skipXenStore("XenStore failed: " + e.getMessage());
        }
    }

    private List<String> list(String path) {
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

    // ---------------------------------------------------------------- bridges and ports

    private Report.Bridge checkBridge(Link br) {
        if (!br.isUp()) {
            findings.add(Finding.warning(Check.BRIDGE_DOWN, br.name(), "bridge " + br.name()
                    + " is down: nothing on it passes traffic", "ip link set dev " + br.name() + " up"));
        }
        List<Report.Port> ports = new ArrayList<>();
        for (Link p : byName.values()) {
            if (p.masterIndex() != br.index()) {
                continue;
            }
            XsVif v = known.get(p.name());
            boolean guest = v != null || isGuestName(p.name());
            String what = guest ? (v != null ? "vif of " + v.who() : "vif of domain " + domidOf(p.name()))
                    : physical(p) ? "physical" : p.kind();
            ports.add(new Report.Port(p, what, guest));
            if (guest) {
                checkVif(p, br, v);
            } else {
                checkPort(p, br);
            }
        }
        return new Report.Bridge(br, ports);
    }

    private boolean isGuest(Link l) {
        return known.containsKey(l.name()) || isGuestName(l.name());
    }

    static boolean isGuestName(String name) {
        Matcher m = VIF.matcher(name);
        return m.matches() && !m.group(1).equals("0");
    }

    private static String domidOf(String name) {
        Matcher m = VIF.matcher(name);
        return m.matches() ? m.group(1) : "?";
    }

    /** A NIC, or what stands for one (bond, VLAN); not a veth, tap, vif or tunnel. */
    static boolean physical(Link l) {
        return l.kind() == null || l.kind().equals("bond") || l.kind().equals("vlan") || l.kind().equals("team");
    }

    /** A port that is not a guest's: the NIC (or a bond, VLAN), dom0's netloop vif0.N, a tunnel. */
    private void checkPort(Link p, Link br) {
        if (!p.isUp()) {
            findings.add(Finding.error(Check.PORT_DOWN, p.name(), p.name() + " (a port of " + br.name()
                    + ") is down: " + (physical(p) ? "guests on " + br.name() + " cannot reach the network"
                            : "nothing passes through it"), "ip link set dev " + p.name() + " up"));
        } else if (!p.carrier()) {
            Link peer = "veth".equals(p.kind()) ? byIndex.get(p.linkIndex()) : null;
            if (physical(p)) {
                findings.add(Finding.error(Check.PORT_NO_CARRIER, p.name(), p.name() + " (a port of " + br.name()
                        + ") has no carrier: no link to the switch",
                        "check the cable and the switch port; 'ethtool " + p.name() + "' shows 'Link detected'"));
            } else if (peer != null) {
                findings.add(Finding.error(Check.PORT_NO_CARRIER, p.name(), p.name() + " (a port of " + br.name()
                        + ") has no carrier: its veth peer " + peer.name() + " is down",
                        "ip link set dev " + peer.name() + " up"));
            } else {
                findings.add(Finding.error(Check.PORT_NO_CARRIER, p.name(), p.name() + " (a port of " + br.name()
                        + ") has no carrier", "'ip -d link show " + p.name() + "' shows what it is connected to"));
            }
        }
    }

    /**
     * A guest vif on bridge {@code br} (null: on none): on the bridge its XenStore key names, if
     * it names one, then up and with the right MTU.
     */
    private void checkVif(Link p, Link br, XsVif v) {
        if (v != null && v.bridged() && v.bridge() != null && (br == null || !v.bridge().equals(br.name()))) {
            Link expected = byName.get(v.bridge());
            if (expected != null && expected.isBridge()) {
                findings.add(Finding.error(Check.VIF_WRONG_BRIDGE, p.name(), p.name() + " (" + v.who() + ") is on "
                        + (br == null ? "no bridge" : br.name()) + ", expected " + v.bridge() + " (" + v.path()
                        + "/bridge)", null).repairedBy(new Repair.Attach(p.name(), v.bridge(),
                                br == null ? null : br.name())));
                checkVifState(p, expected, v);
                return;
            }
            bridgeMissing(p, v);
        }
        if (br != null) {
            checkVifState(p, br, v);
        } else if (v == null || !v.bridged() || v.bridge() == null) {
            if (!p.isUp()) {
                vifDown(p, v);
            }
        }
    }

    /**
     * Up, and with the MTU vif-bridge gives it: XenStore's mtu key, else the bridge's. A bridge
     * whose MTU nobody set follows its smallest port, so a vif with a small MTU drags the bridge
     * down with it: the bridge's uplink (its physical port, else another port that is not a
     * guest's) is the reference when it has one.
     */
    private void checkVifState(Link p, Link br, XsVif v) {
        Link uplink = uplinks.computeIfAbsent(br.index(), i -> {
            Link found = null;
            for (Link l : byName.values()) {
                if (l.masterIndex() == i && !isGuest(l) && (found == null || physical(l) && !physical(found))) {
                    found = l;
                }
            }
            return Optional.ofNullable(found);
        }).orElse(null);
        Link ref = uplink != null ? uplink : br;
        int want = v != null && v.mtu() != null ? v.mtu() : ref.mtu();
        if (p.mtu() != want) {
            String why = v != null && v.mtu() != null ? "the guest's mtu is " + want + " (" + v.path() + "/mtu)"
                    : ref == br ? br.name() + "'s is " + want
                    : "the MTU of " + br.name() + "'s port " + uplink.name() + " is " + want
                            + (br.mtu() != want ? " (" + br.name() + " has followed the vif down to " + br.mtu() + ")"
                                    : "");
            Finding f = Finding.warning(Check.VIF_MTU, p.name(), p.name() + " has MTU " + p.mtu() + ", " + why
                    + ": frames bigger than the smaller one are dropped", null);
            Repair r = new Repair.Mtu(p.name(), want, p.mtu());
            // Without XenStore the guest's own mtu key is unknown: say so rather than guess.
            findings.add(!xsRead ? new Finding(f.severity(), f.check(), f.subject(), f.message(),
                    "check the guest's mtu setting (XenStore was not read), else: " + r.command(), null)
                    : f.repairedBy(r));
        }
        if (!p.isUp()) {
            vifDown(p, v);
        }
    }

    private void vifDown(Link p, XsVif v) {
        findings.add(Finding.warning(Check.VIF_DOWN, p.name(), p.name() + (v != null ? " (" + v.who() + ")" : "")
                + " is down: the guest has no network on it", null).repairedBy(new Repair.Up(p.name())));
    }

    private void bridgeMissing(Link p, XsVif v) {
        findings.add(Finding.error(Check.BRIDGE_MISSING, p.name(), p.name() + " (" + v.who() + ") should be on "
                + v.bridge() + " (" + v.path() + "/bridge), which does not exist",
                "create it (network-bridge start bridge=" + v.bridge() + " netdev=NIC), or correct the guest's "
                        + "vif 'bridge=' setting"));
    }

    /** Guest vifs on no bridge at all: down ones, and bridged ones XenStore puts on a bridge. */
    private void checkGuestsOffBridges() {
        for (Link p : byName.values()) {
            XsVif v = known.get(p.name());
            if (p.masterIndex() == 0 && (v != null || isGuestName(p.name()))) {
                checkVif(p, null, v);
            }
        }
    }

    /** Backends whose hotplug script failed, or that say connected with no interface. */
    private void checkXenStoreVifs() {
        for (XsVif v : backends) {
            String script = v.script() == null ? "the vif script" : v.scriptName();
            String rerun = v.rerun(script);
            if (v.hotplugStatus().equals("error")) {
                findings.add(Finding.error(Check.VIF_HOTPLUG_ERROR, v.dev(), script + " failed for " + v.dev() + " ("
                        + v.who() + "): " + Printable.of(v.hotplugError() == null ? "(no hotplug-error)"
                                : v.hotplugError()), "correct the cause, then run: " + rerun));
            } else if (v.hotplugStatus().equals("connected") && !byName.containsKey(v.dev())) {
                findings.add(Finding.error(Check.VIF_NO_INTERFACE, v.dev(), v.dev() + " (" + v.who()
                        + ") is connected in XenStore (" + v.path() + ") but has no interface",
                        "restart the guest's network: xl network-detach/network-attach, or reboot the guest"));
            }
        }
    }

    /**
     * Guests of vif-route and vif-nat that XenStore says are connected: forwarding on, proxy ARP
     * on their vif, and each address of their {@code ip} key routed to their vif.
     */
    private void checkRouted() {
        List<String> routed = new ArrayList<>();
        for (XsVif v : backends) {
            Link l = byName.get(v.dev());
            if (!v.routed() || l == null || !v.hotplugStatus().equals("connected")) {
                continue;
            }
            routed.add(v.dev());
            String rerun = v.rerun(v.scriptName());
            if (!on(Sysctls.proxyArp(v.dev()))) {
                findings.add(Finding.warning(Check.ROUTED_PROXY_ARP, v.dev(), "proxy ARP is off on " + v.dev() + " ("
                        + v.who() + ", " + v.scriptName() + "): dom0 does not answer the guest's ARP for its gateway",
                        "sysctl -w net.ipv4.conf." + v.dev() + ".proxy_arp=1, or run " + rerun));
            }
            Firewall drops = forwardDrops();
            if (drops != null && !drops.exists(RoutedFirewall.outRule(v.dev()))) {
                findings.add(Finding.error(Check.FORWARD_DROP, v.dev(), "iptables' FORWARD policy is DROP, but no rule "
                        + "accepts routed traffic to " + v.dev() + " (" + v.who() + "): the guest is cut off",
                        "run " + rerun + ", which adds its rules (unless vif_iptables=no)"));
            }
            if (v.ip() == null) {
                continue;
            }
            for (String word : v.ip().trim().split("[ ,]+")) {
                IpAddress a;
                try {
                    a = IpPrefix.parse(word).address();
                } catch (RuntimeException bad) {
                    continue; // vif-route refuses it and says so in hotplug-error
                }
                if (a.family() != IpAddress.AF_INET) {
                    continue;
                }
                Optional<Route> r = net.routes().lookup(a);
                if (r.isEmpty() || r.get().oif() != l.index()) {
                    String via = r.isEmpty() ? "no route" : "the route goes to "
                            + Optional.ofNullable(byIndex.get(r.get().oif())).map(Link::name).orElse("another link");
                    findings.add(Finding.error(Check.ROUTED_NO_ROUTE, v.dev(), "the guest address " + a + " of "
                            + v.dev() + " (" + v.who() + ") is not routed to it (" + via + "): its traffic from "
                            + "outside is lost", "run " + rerun + " (it adds: ip route add " + a + " dev " + v.dev()
                                    + " src DOM0_ADDRESS)"));
                }
            }
        }
        if (!routed.isEmpty() && !on(Sysctls.IPV4_FORWARD)) {
            findings.add(Finding.error(Check.ROUTED_FORWARDING, "net.ipv4.ip_forward", "net.ipv4.ip_forward is 0 and "
                    + String.join(", ", routed) + (routed.size() == 1 ? " is" : " are") + " routed: "
                    + (routed.size() == 1 ? "its guest reaches" : "their guests reach") + " dom0 only",
                    "network-route start (network-nat start for NAT), which sets it and restores it on stop"));
        }
    }

    // ---------------------------------------------------------------- netfilter

    private void checkBridgeNetfilter(boolean nfCall, boolean guestsBridged) {
        if (nfCall && guestsBridged && net.sysctls().find(CONNTRACK).isPresent()) {
            findings.add(Finding.warning(Check.BRIDGE_NF_CONNTRACK, "net.bridge.bridge-nf-call-iptables",
                    "net.bridge.bridge-nf-call-iptables=1 with connection tracking loaded: every frame guests send "
                            + "across a bridge goes through iptables and conntrack, whose defragmentation of bridged "
                            + "IP fragments drops fragmented traffic (large UDP, e.g. NFS, DNS with big answers) and "
                            + "costs CPU on every packet",
                    "sysctl -w net.bridge.bridge-nf-call-iptables=0 and set it in /etc/sysctl.d/ (this turns the "
                            + "per-vif antispoof rules off too: they need it)"));
        }
    }

    private Firewall fw;
    private boolean fwRead;

    /**
     * The firewall when FORWARD's policy is DROP, else null; read once. When iptables cannot be
     * read, the FORWARD checks are listed as skipped.
     */
    private Firewall forwardDrops() {
        if (!fwRead) {
            fwRead = true;
            try {
                Firewall f = firewall.get();
                fw = "DROP".equals(f.policy(VifFirewall.FORWARD)) ? f : null;
            } catch (XennetException e) {
                skipped.add(new Report.Skipped(Check.FORWARD_DROP.id(), "cannot read iptables' FORWARD chain: "
                        + e.getMessage()));
            }
        }
        return fw;
    }

    private void checkForward(boolean nfCall, List<Report.Bridge> bridges) {
        if (!nfCall) {
            return; // bridged frames do not traverse FORWARD; physdev rules never match
        }
        Firewall drops = forwardDrops();
        if (drops == null) {
            return;
        }
        for (Report.Bridge b : bridges) {
            for (Report.Port p : b.ports()) {
                String dev = p.link().name();
                Rule rule = p.guest() ? VifFirewall.outRule(dev)
                        : physical(p.link()) ? NetworkBridge.uplinkRule(dev) : null;
                if (rule == null || drops.exists(rule)) {
                    continue;
                }
                XsVif v = known.get(dev);
                String fix = p.guest()
                        ? "run vif-bridge online again for it (" + (v != null ? v.rerun("vif-bridge")
                                : "vif=" + dev + " XENBUS_PATH=backend/vif/D/N /etc/xen/scripts/vif-bridge online")
                                + "), which adds its rules"
                        : "iptables " + rule.asAppend() + " (network-bridge antispoof=yes adds it)";
                findings.add(Finding.error(Check.FORWARD_DROP, dev, "iptables' FORWARD policy is DROP and "
                        + "bridge-nf-call-iptables=1, but no rule accepts traffic " + (p.guest() ? "to " : "from ")
                        + dev + " on " + b.link().name() + ": it is dropped", fix));
            }
        }
    }

    // ---------------------------------------------------------------- state records

    private void checkStateRecords() {
        boolean tmpExplained = false;
        int first = findings.size();
        for (Path f : records(stateDir.resolve("network-bridge"))) {
            Optional<StateRecord> r;
            try {
                r = StateRecord.read(f);
            } catch (XennetException e) {
                findings.add(Finding.error(Check.STATE_RECORD, f.toString(), e.getMessage(), "mv " + f + " "
                        + f + ".damaged"));
                continue;
            }
            if (r.isEmpty()) {
                continue;
            }
            StateRecord s = r.get();
            boolean bridge = byName.containsKey(s.bridge()) && byName.get(s.bridge()).isBridge();
            boolean pdev = byName.containsKey(s.pdev());
            String args = "netdev=" + s.netdev() + " bridge=" + s.bridge();
            if (s.interrupted()) {
                tmpExplained |= s.topology() == StateRecord.Topology.FINAL;
                findings.add(Finding.error(Check.START_INTERRUPTED, s.bridge(), "network-bridge "
                        + (s.phase() == StateRecord.Phase.STARTING ? "start" : "stop") + " of " + s.bridge() + " on "
                        + s.netdev() + " was killed " + NetworkBridge.whereInterrupted(s, net)
                        + ": the host may be half-bridged and " + s.netdev() + " offline",
                        "network-bridge stop " + args + " (takes back exactly what it did, from " + f
                                + "), then network-bridge start " + args + " if the bridge is wanted"));
            } else if (!bridge && !pdev) {
                findings.add(Finding.warning(Check.STATE_RECORD, f.toString(), "state record " + f + " describes "
                        + s.bridge() + " and " + s.pdev() + ", which are gone (undone by hand?)",
                        "rm " + f + " (network-bridge start also removes it)"));
            } else if (!bridge) {
                findings.add(Finding.error(Check.START_INTERRUPTED, s.pdev(), s.pdev() + " exists but "
                        + s.bridge() + " does not: the bridge was removed by hand and " + s.netdev()
                        + "'s NIC is still named " + s.pdev(),
                        "network-bridge stop " + args + " (gives the NIC back its name, addresses and routes)"));
            }
        }
        String tmp = BridgeSettings.TMP_BRIDGE;
        if (byName.containsKey(tmp) && !tmpExplained) {
            findings.add(first, Finding.error(Check.START_INTERRUPTED, tmp, "bridge " + tmp
                    + " exists: a network-bridge start (bridge named like the NIC) was killed before it finished",
                    "ip link del " + tmp + ", check the NIC's name and addresses, then run network-bridge "
                            + "start again"));
        }
        for (String script : List.of("network-route", "network-nat")) {
            for (Path f : records(stateDir.resolve(script))) {
                String netdev = f.getFileName().toString().replaceFirst("\\.state$", "");
                if (!byName.containsKey(netdev)) {
                    findings.add(Finding.warning(Check.STATE_RECORD, f.toString(), "state record " + f + " is for "
                            + netdev + ", which does not exist: " + script + " stop cannot restore it",
                            "rm " + f + " once you have checked ip_forward and iptables -S"));
                }
            }
        }
    }

    private static List<Path> records(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.state")) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new XennetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }
}
