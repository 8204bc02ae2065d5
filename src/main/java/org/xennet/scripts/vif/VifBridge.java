package org.xennet.scripts.vif;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.InterfaceName;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.xenstore.XenStore;

/**
 * {@code vif-bridge online|offline|add|remove}: attaches a guest's backend interface to its
 * bridge. Parameters: environment, then VAR=VAL arguments, then the XenStore keys {@code bridge},
 * {@code ip}, {@code mac}, {@code mtu}, {@code vifname} under XENBUS_PATH. online/add is a plan
 * with undo: on any failure what this call changed is undone and {@code hotplug-error} (a specific
 * message) then {@code hotplug-status=error} are written in one transaction; on success
 * {@code hotplug-status=connected}. offline/remove is best effort and succeeds when the device or
 * the bridge is already gone.
 */
public final class VifBridge extends VifScript {
    static final List<String> KEYS = List.of("bridge", "ip", "mac", "mtu", "vifname");

    public VifBridge() {
        super("vif-bridge", KEYS);
    }

    // ---------------------------------------------------------------- online / add

    @Override
    protected int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            String dev = t.dev();
            Link link = backendLink(net, t);
            Plan plan = new Plan("vif-bridge " + command);
            if (planRename(plan, net, t, p)) {
                String to = wantedName(t, p).orElseThrow();
                link = new Link(link.index(), to, link.kind(), link.slaveKind(), link.flags() & ~Link.IFF_UP,
                        link.mtu(), link.mac(), link.masterIndex(), link.linkIndex(), link.operState(), link.carrier(),
                        link.bridge(), link.vlanId(), link.unknown());
            }
            String d = link.name();
            Link bridge = findBridge(net, p);
            int mtu = p.integer("mtu", bridge.mtu(), 68, 65535);
            boolean down = !link.isUp(); // a rename above has taken it down
            if (link.mac() == null || !link.mac().equals(MacAddress.XEN_BACKEND)) {
                // the largest non-broadcast MAC, so the bridge never takes the guest's port address;
                // set while the link is down
                if (!down) {
                    plan.add(Step.required("ip link set dev " + d + " down", () -> net.links().setUp(d, false)));
                    down = true;
                }
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
            String v6 = Sysctls.disableIpv6(d);
            // checked under the name the device has now: a vifname rename happens in the plan
            if (!net.sysctls().find(Sysctls.disableIpv6(dev)).orElse("1").equals("1")) {
                // a pure layer-2 port: every vif has MAC fe:ff:ff:ff:ff:ff, so they would all claim the
                // same IPv6 link-local address and fail duplicate address detection
                plan.add(Step.bestEffort("sysctl -w net.ipv6.conf." + d + ".disable_ipv6=1",
                        () -> net.sysctls().set(v6, "1")));
            }
            if (down) {
                plan.add(Step.required("ip link set dev " + d + " up", () -> net.links().setUp(d, true))
                        .undoneBy("ip link set dev " + d + " down", () -> net.links().setUp(d, false)));
            }
            if (t.typeIf().equals("vif")) {
                t.frontendMtuPath().filter(path -> !xs.read(path).equals(Optional.of(String.valueOf(mtu))))
                        .ifPresent(path -> plan.add(Step.required("xenstore-write " + path + " " + mtu,
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
     * {@code ethN} when that is a bridge (old configs on a Xen 3.2+ host); without one, the bridge
     * of the first bridge port, else the first bridge.
     */
    static Link findBridge(Network net, Params p) {
        Optional<String> wanted = p.ifname("bridge");
        if (wanted.isEmpty()) {
            // Xen's script takes the master of the first bridge port ('bridge link'); when no bridge
            // has a port yet it found nothing and failed, here the first bridge is taken then.
            List<Link> links = net.links().list();
            Map<Integer, Link> bridges = new LinkedHashMap<>();
            links.stream().filter(Link::isBridge).forEach(b -> bridges.put(b.index(), b));
            return links.stream().filter(l -> bridges.containsKey(l.masterIndex()))
                    .min(Comparator.comparingInt(Link::index)).map(l -> bridges.get(l.masterIndex()))
                    .or(() -> bridges.values().stream().min(Comparator.comparingInt(Link::index)))
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
        if (!VifFirewall.enabled(ctx)) {
            return;
        }
        List<String> ips = p.get("ip").map(v -> List.of(v.trim().split("[\\s,]+"))).orElse(List.of());
        List<Rule> rules = VifFirewall.rules(dev, ips);
        if (online) {
            VifFirewall.insert(plan, ctx, rules);
        } else {
            VifFirewall.remove(plan, ctx, rules);
        }
    }

    // ---------------------------------------------------------------- offline / remove

    @Override
    protected int offline(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            String dev = currentName(net, t, p);
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
