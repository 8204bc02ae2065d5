// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.xennet.doctor.Finding.Check;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.firewall.NftRules;
import org.xennet.firewall.NftTable;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.NftSteps;
import org.xennet.scripts.FirewallBackend;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.nat.VifNat;
import org.xennet.scripts.vif.VifGuard;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * doctor's checks of the nftables guards: every connected vif's set against what its XenStore
 * keys ask for (missing, or stale: another {@code ip} or {@code mac} than the one installed), sets
 * left for vifs that no longer exist, and, with this backend on, bridge-netfilter's cost without
 * the caveat that the guard needs it (it does not: it filters at layer 2). Each finding's fix is
 * the transaction the vif script would run; {@code xennet fix} applies it, since it touches
 * nothing but that vif's own chain. Only reads: links, sysctls, the vif backends in XenStore and
 * {@code nft list table} of xennet's two tables.
 */
public final class GuardChecks {
    static final String CONNTRACK = "net/netfilter/nf_conntrack_max";
    /** A guest's vif by Xen's name (vif0.N is dom0's netloop port). */
    private static final Pattern GUEST = Pattern.compile("vif[1-9][0-9]*\\.[0-9]+(-emu)?");

    private GuardChecks() {
    }

    /**
     * What the checks need of the firewall: the vifs' backend ({@link FirewallBackend#forVifs}),
     * xennet's nftables tables, and why the backend could not be told, if it could not.
     */
    public record Firewall(FirewallBackend backend, Supplier<NftablesFirewall> nft, String problem) {
        /** No guards to check (the unit tests' hosts, iptables-only hosts). */
        public static final Firewall NONE = new Firewall(FirewallBackend.NONE, () -> {
            throw new XennetException("no nftables here");
        }, null);

        /** The firewall of a call's context. */
        public static Firewall of(ScriptContext ctx) {
            Supplier<NftablesFirewall> nft = () -> new NftablesFirewall(ctx.nftables().get());
            try {
                return new Firewall(FirewallBackend.forVifs(ctx), nft, null);
            } catch (XennetException e) {
                return new Firewall(FirewallBackend.NONE, nft, e.getMessage());
            }
        }

        public boolean nftables() {
            return backend == FirewallBackend.NFTABLES;
        }
    }

    /** A vif backend as the guard checks read it. */
    private record Backend(int domid, int devid, String path, String dev, Map<String, String> keys) {
        String script() {
            String s = keys.getOrDefault("script", "");
            return s.substring(s.lastIndexOf('/') + 1);
        }

        boolean routed() {
            return script().equals("vif-route") || script().equals("vif-nat");
        }

        String rerun() {
            String s = script().isEmpty() ? "vif-bridge" : script();
            return "vif=" + dev + " XENBUS_PATH=" + path + " /etc/xen/scripts/" + s + " online";
        }
    }

    /** The findings; {@code xs} null when XenStore is not read (then only the sets of vanished vifs are looked for). */
    public static List<Finding> check(Network net, XenStore xs, Firewall fw) {
        List<Finding> out = new ArrayList<>();
        if (fw.problem() != null) {
            out.add(Finding.error(Check.GUARD_UNREADABLE, "xennet.conf", "the firewall backend cannot be told: "
                    + fw.problem(), "correct firewall= in /etc/xen/xennet.conf (nftables, iptables or none)"));
            return out;
        }
        Map<String, Link> links = new LinkedHashMap<>();
        Map<Integer, Link> byIndex = new HashMap<>();
        for (Link l : net.links().list()) {
            links.put(l.name(), l);
            byIndex.put(l.index(), l);
        }
        if (fw.nftables()) {
            bridgeNetfilter(net, links, byIndex, out);
        }
        Map<String, NftTable> tables = new LinkedHashMap<>();
        try {
            NftablesFirewall nft = fw.nft().get();
            for (Guard.Layer layer : Guard.Layer.values()) {
                nft.table(layer.family()).ifPresent(t -> tables.put(layer.family(), t));
            }
        } catch (XennetException e) {
            if (fw.nftables()) {
                out.add(Finding.error(Check.GUARD_UNREADABLE, "nftables", "the firewall is nftables, but xennet's "
                        + "tables cannot be read: " + e.getMessage() + "; no guest's guard can be checked",
                        "install the Debian package libnftables1, or set firewall=iptables in /etc/xen/xennet.conf"));
            }
            return out; // other backends: nothing of ours to look at
        }
        NftSteps steps = new NftSteps(fw.nft());
        for (NftTable t : tables.values()) {
            for (String dev : t.vifs().keySet()) {
                if (!links.containsKey(dev)) {
                    out.add(Finding.warning(Check.GUARD_VANISHED, dev, "table " + t.family() + " " + NftRules.TABLE
                            + " still holds the guard of " + dev + ", which no longer exists (its offline did not run)",
                            "").repairedBy(new GuardRepair(dev, "remove the set of " + dev + " from table " + t.family()
                                    + " " + NftRules.TABLE, steps.remove(t.family(), dev, t))));
                }
            }
        }
        if (xs == null || !fw.nftables()) {
            return out;
        }
        for (Backend b : backends(xs)) {
            if (!"connected".equals(b.keys().get("hotplug-status")) || !links.containsKey(b.dev())) {
                continue; // doctor's other checks speak of those
            }
            Guard want;
            try {
                want = expected(b);
            } catch (XennetException e) {
                continue; // keys the vif script refuses: its hotplug-error says so
            }
            NftTable t = tables.getOrDefault(want.layer().family(), new NftTable(want.layer().family(), Map.of(),
                    Map.of(), Map.of()));
            Optional<String> installed = t.guard(b.dev());
            String who = b.dev() + " (domain " + b.domid() + ")";
            GuardRepair repair = new GuardRepair(b.dev(), "put back the guard of " + b.dev() + " as " + b.script()
                    + " online does (one nft transaction)", steps.install(want));
            if (installed.isEmpty()) {
                out.add(Finding.error(Check.GUARD_MISSING, b.dev(), who + " has no guard in table "
                        + want.layer().family() + " " + NftRules.TABLE + ": its guest can send from any MAC and address "
                        + "(was the table flushed, e.g. by 'nft flush ruleset' in /etc/nftables.conf?)", "")
                        .repairedBy(repair));
            } else if (!installed.get().equals(NftRules.fingerprint(want))) {
                out.add(Finding.error(Check.GUARD_STALE, b.dev(), "the guard of " + who + " is not the one its XenStore "
                        + "keys ask for (ip=" + b.keys().getOrDefault("ip", "(none)") + ", mac="
                        + b.keys().getOrDefault("mac", "(none)") + "): the guest may be held to old addresses",
                        "").repairedBy(repair));
            }
        }
        return out;
    }

    private static Guard expected(Backend b) {
        if (b.script().equals("vif-nat")) {
            return VifNat.guard(b.dev(), b.domid(), b.devid(), b.keys());
        }
        return VifGuard.of(b.dev(), b.routed() ? Guard.Layer.ROUTED : Guard.Layer.BRIDGED, b.keys().get("mac"),
                b.keys().get("ip"));
    }

    private static List<Backend> backends(XenStore xs) {
        List<Backend> out = new ArrayList<>();
        for (String d : list(xs, "backend/vif")) {
            if (!d.matches("[0-9]{1,5}")) {
                continue;
            }
            for (String n : list(xs, "backend/vif/" + d)) {
                if (!n.matches("[0-9]{1,9}")) {
                    continue;
                }
                String be = "backend/vif/" + d + "/" + n;
                Map<String, String> keys = new LinkedHashMap<>();
                for (String k : List.of("script", "ip", "mac", "vifname", "hotplug-status", "frontend-id", "handle")) {
                    xs.read(be + "/" + k).filter(v -> !v.isEmpty()).ifPresent(v -> keys.put(k, v));
                }
                String dev = keys.getOrDefault("vifname", "vif" + d + "." + n);
                out.add(new Backend(Integer.parseInt(d), Integer.parseInt(n), be, dev, keys));
            }
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

    /** bridge-nf-call-iptables=1 costs bridged guests their fragments and buys the nftables guard nothing. */
    private static void bridgeNetfilter(Network net, Map<String, Link> links, Map<Integer, Link> byIndex,
            List<Finding> out) {
        boolean nfCall = "1".equals(net.sysctls().find(Sysctls.BRIDGE_NF_CALL_IPTABLES).map(String::trim).orElse(null));
        boolean guests = links.values().stream().anyMatch(l -> l.masterIndex() != 0
                && Optional.ofNullable(byIndex.get(l.masterIndex())).filter(Link::isBridge).isPresent()
                && GUEST.matcher(l.name()).matches());
        if (nfCall && guests && net.sysctls().find(CONNTRACK).isPresent()) {
            out.add(Finding.warning(Check.BRIDGE_NF_CONNTRACK, "net.bridge.bridge-nf-call-iptables",
                    "net.bridge.bridge-nf-call-iptables=1 with connection tracking loaded: every frame guests send "
                            + "across a bridge goes through iptables and conntrack, whose defragmentation of bridged "
                            + "IP fragments drops fragmented traffic (large UDP, e.g. NFS, DNS with big answers) and "
                            + "costs CPU on every packet; the guests' nftables guard does not need it",
                    "sysctl -w net.bridge.bridge-nf-call-iptables=0 and set it in /etc/sysctl.d/"));
        }
    }
}
