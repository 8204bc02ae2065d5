package org.xennet.scripts.vif;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.config.ConfigFile;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.model.InterfaceName;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.net.Network;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * {@code vif-bridge online|offline|add|remove}: attaches a guest's backend interface to its
 * bridge. Parameters: environment, then VAR=VAL arguments, then the XenStore keys {@code bridge},
 * {@code ip}, {@code mac}, {@code mtu}, {@code vifname} under XENBUS_PATH. online/add is a plan
 * with undo: on any failure what this call changed is undone and {@code hotplug-error} (a specific
 * message) then {@code hotplug-status=error} are written in one transaction; on success
 * {@code hotplug-status=connected}. offline/remove is best effort and succeeds when the device or
 * the bridge is already gone.
 */
public final class VifBridge implements Script {
    private static final Log LOG = Log.get(VifBridge.class);
    static final List<String> KEYS = List.of("bridge", "ip", "mac", "mtu", "vifname");

    private final ScriptSpec spec = Scripts.spec("vif-bridge").orElseThrow();

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        String typeIf = p.get("type_if", "vif");
        boolean vifCommand = command.equals("online") || command.equals("offline");
        if (vifCommand != typeIf.equals("vif")) {
            // as upstream: online/offline are for vif, add/remove for tap; the other pairings do nothing
            LOG.debug(() -> "vif-bridge: " + command + " with type_if=" + typeIf + ": nothing to do");
            return ExitCodes.OK;
        }
        VifTarget target = VifTarget.resolve("vif-bridge", p);
        XenStore xs;
        try {
            xs = ctx.xenstore().get();
        } catch (XennetException e) {
            throw new XennetException("vif-bridge " + command + " " + target.dev() + ": " + e.getMessage()
                    + "; hotplug-status could not be written", e);
        }
        try (xs) {
            try {
                readKeys(xs, target, p);
                spec.validate(p);
                boolean up = command.equals("online") || command.equals("add");
                int rc = up ? online(command, target, p, dryRun, ctx, xs) : offline(command, target, p, dryRun, ctx);
                if (!dryRun && command.equals("online")) {
                    try {
                        xs.write(target.key("hotplug-status"), "connected");
                    } catch (XenStoreException e) {
                        // the interface is attached, but the toolstack would wait for nothing: undo is not
                        // worth it, the failure is reported the same way as any other
                        throw new XennetException("Writing " + target.key("hotplug-status")
                                + "=connected to xenstore failed: " + e.getMessage(), e);
                    }
                }
                LOG.debug(() -> "Successful vif-bridge " + command + " for " + target.dev() + ".");
                return rc;
            } catch (XennetException e) {
                if (!dryRun) {
                    fatal(xs, target, "vif-bridge " + command + " " + target.dev() + ": " + message(e));
                }
                throw e;
            }
        }
    }

    private static String message(XennetException e) {
        String m = e.getMessage();
        return m.startsWith("vif-bridge: ") ? m.substring("vif-bridge: ".length()) : m;
    }

    /** Xen's fatal(): hotplug-error then hotplug-status=error, together; a failure here is only logged. */
    static void fatal(XenStore xs, VifTarget t, String message) {
        Map<String, String> w = new LinkedHashMap<>();
        w.put(t.key("hotplug-error"), message);
        w.put(t.key("hotplug-status"), "error");
        try {
            xs.writeAll(w);
        } catch (XennetException e) {
            LOG.error("vif-bridge: could not write hotplug-error to " + t.xenbusPath() + ": " + e.getMessage());
        }
    }

    /** XenStore keys override the environment and the arguments; a missing key leaves them alone. */
    static void readKeys(XenStore xs, VifTarget t, Params p) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String k : KEYS) {
            try {
                xs.read(t.key(k)).ifPresent(v -> found.put(k, v));
            } catch (XenStoreException e) {
                throw new XennetException("cannot read " + t.key(k) + " from XenStore: " + e.getMessage(), e);
            }
        }
        p.overlay(found);
    }

    // ---------------------------------------------------------------- online / add

    private int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            String dev = t.dev();
            Link link = net.links().find(dev).orElseThrow(() -> new XennetException(dev
                    + " does not exist (the backend interface for " + t.xenbusPath() + ")"));
            Plan plan = new Plan("vif-bridge " + command);
            Optional<String> vifname = p.ifname("vifname").map(n -> t.typeIf().equals("tap") ? n + "-emu" : n);
            if (vifname.isPresent() && !vifname.get().equals(dev)) {
                String to = vifname.get();
                if (net.links().exists(to)) {
                    throw new XennetException("Cannot rename interface " + dev + ". An interface with name " + to
                            + " already exists.");
                }
                plan.add(Step.required("ip link set dev " + dev + " down", () -> net.links().setUp(dev, false)));
                plan.add(Step.required("ip link set dev " + dev + " name " + to, () -> net.links().rename(dev, to))
                        .undoneBy("ip link set dev " + to + " name " + dev, () -> {
                            net.links().setUp(to, false);
                            net.links().rename(to, dev);
                        }));
                link = new Link(link.index(), to, link.kind(), link.slaveKind(), link.flags() & ~Link.IFF_UP,
                        link.mtu(), link.mac(), link.masterIndex(), link.linkIndex(), link.operState(), link.carrier(),
                        link.bridge(), link.vlanId(), link.unknown());
            }
            String d = link.name();
            Link bridge = findBridge(net, p);
            int mtu = p.integer("mtu", bridge.mtu(), 68, 65535);
            if (link.mac() == null || !link.mac().equals(MacAddress.XEN_BACKEND)) {
                // the largest non-broadcast MAC, so the bridge never takes the guest's port address
                plan.add(Step.required("ip link set dev " + d + " down", () -> net.links().setUp(d, false)));
                plan.add(Step.bestEffort("ip link set dev " + d + " address " + MacAddress.XEN_BACKEND,
                        () -> net.links().setMac(d, MacAddress.XEN_BACKEND)));
            }
            if (link.mtu() != mtu) {
                int old = link.mtu();
                plan.add(Step.warn("ip link set dev " + d + " mtu " + mtu, () -> net.links().setMtu(d, mtu))
                        .undoneBy("ip link set dev " + d + " mtu " + old, () -> net.links().setMtu(d, old)));
            }
            if (link.masterIndex() != bridge.index()) {
                String previous = link.masterIndex() == 0 ? null
                        : net.links().find(link.masterIndex()).map(Link::name).orElse(null);
                plan.add(Step.required("ip link set dev " + d + " master " + bridge.name(),
                        () -> net.links().setMaster(d, bridge.name()))
                        .undoneBy(previous == null ? "ip link set dev " + d + " nomaster"
                                : "ip link set dev " + d + " master " + previous, () -> {
                                    if (previous == null) {
                                        net.links().setNoMaster(d);
                                    } else {
                                        net.links().setMaster(d, previous);
                                    }
                                }));
            }
            plan.add(Step.required("ip link set dev " + d + " up", () -> net.links().setUp(d, true))
                    .undoneBy("ip link set dev " + d + " down", () -> net.links().setUp(d, false)));
            if (t.typeIf().equals("vif")) {
                t.frontendMtuPath().ifPresent(path -> plan.add(Step.required("xenstore-write " + path + " " + mtu,
                        () -> xs.write(path, String.valueOf(mtu)))));
            }
            addFirewall(plan, ctx, d, p, true);
            Hooks.add(plan, ctx, "vif-bridge", command, d, t, p, bridge.name());
            ctx.runner("vif-bridge", dryRun).run(plan);
            return ExitCodes.OK;
        }
    }

    /**
     * The bridge: the {@code bridge} parameter, where a {@code xenbrN} that does not exist means
     * {@code ethN} when that is a bridge (old configs on a Xen 3.2+ host); without one, the first
     * bridge on the host.
     */
    static Link findBridge(Network net, Params p) {
        Optional<String> wanted = p.ifname("bridge");
        if (wanted.isEmpty()) {
            return net.links().list().stream().filter(Link::isBridge).min(Comparator.comparingInt(Link::index))
                    .orElseThrow(() -> new XennetException("Could not find bridge, and none was specified"));
        }
        String name = wanted.get();
        Optional<Link> l = net.links().find(name);
        if (l.isEmpty() && name.startsWith("xenbr")) {
            String eth = "eth" + name.substring("xenbr".length());
            Optional<Link> alt = InterfaceName.isValid(eth) ? net.links().find(eth).filter(Link::isBridge)
                    : Optional.empty();
            if (alt.isPresent()) {
                return alt.get();
            }
        }
        Link b = l.orElseThrow(() -> new XennetException("Could not find bridge device " + name));
        if (!b.isBridge()) {
            throw new XennetException(name + " is not a bridge (bridge=" + name + ")");
        }
        return b;
    }

    static void addFirewall(Plan plan, ScriptContext ctx, String dev, Params p, boolean online) {
        ConfigFile conf = ConfigFile.load(java.nio.file.Path.of(ctx.env().getOrDefault("XENNET_CONF",
                "/etc/xen/xennet.conf")));
        boolean enabled = ConfigFile.yes(ctx.env().getOrDefault("XENNET_VIF_IPTABLES",
                conf.get("vif_iptables").orElse("yes")));
        if (!enabled) {
            return;
        }
        List<String> ips = p.get("ip").map(v -> List.of(v.trim().split("[\\s,]+"))).orElse(List.of());
        List<Rule> rules = VifFirewall.rules(dev, ips);
        Firewall[] fw = {null};
        for (Rule r : rules) {
            String words = String.join(" ", r.spec());
            if (online) {
                boolean[] added = {false};
                plan.add(Step.warn("iptables -I FORWARD " + words, () -> {
                    if (fw[0] == null) {
                        fw[0] = ctx.firewall().get();
                    }
                    if (!fw[0].exists(r)) {
                        fw[0].insert(r);
                        added[0] = true;
                    }
                }).undoneBy("iptables -D FORWARD " + words, () -> {
                    if (added[0]) {
                        fw[0].delete(r);
                    }
                }));
            } else {
                plan.add(Step.bestEffort("iptables -D FORWARD " + words, () -> {
                    if (fw[0] == null) {
                        fw[0] = ctx.firewall().get();
                    }
                    while (fw[0].exists(r)) {
                        fw[0].delete(r); // also the copies Xen's script inserted once per address
                    }
                }));
            }
        }
    }

    // ---------------------------------------------------------------- offline / remove

    private int offline(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            String dev = t.dev();
            Optional<String> vifname = p.ifname("vifname").map(n -> t.typeIf().equals("tap") ? n + "-emu" : n);
            if (vifname.isPresent() && net.links().exists(vifname.get())) {
                dev = vifname.get();
            }
            String d = dev;
            Plan plan = new Plan("vif-bridge " + command);
            Optional<Link> link = net.links().find(d);
            if (link.isPresent()) {
                plan.add(Step.bestEffort("ip link set dev " + d + " down", () -> net.links().setUp(d, false)));
                if (link.get().hasMaster()) {
                    plan.add(Step.bestEffort("ip link set dev " + d + " nomaster", () -> net.links().setNoMaster(d)));
                }
            }
            addFirewall(plan, ctx, d, p, false);
            Hooks.add(plan, ctx, "vif-bridge", command, d, t, p, p.get("bridge", ""));
            ctx.runner("vif-bridge", dryRun).run(plan);
            return ExitCodes.OK;
        }
    }

}
