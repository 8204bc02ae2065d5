// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.firewall.Rule;
import org.xennet.log.Startup;
import org.xennet.model.BridgeVlan;
import org.xennet.model.InterfaceName;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.BridgeSpec;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.FirewallBackend;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.vif.Hooks;
import org.xennet.scripts.vif.VifFirewall;
import org.xennet.scripts.vif.VifGuard;
import org.xennet.scripts.vif.VifScript;
import org.xennet.scripts.vif.VifTarget;
import org.xennet.xenstore.XenStore;

/**
 * {@code vif-bridge online|offline|add|remove}: attaches a guest's backend interface to its
 * bridge. Parameters: environment, then VAR=VAL arguments, then the XenStore keys {@code bridge},
 * {@code ip}, {@code mac}, {@code mtu}, {@code vifname} under XENBUS_PATH. online/add is a plan
 * in which every step that changes something has its undo: on any failure what this call changed
 * is undone (name, MAC, MTU, IPv6 switch, bridge, up, rules, the frontend's MTU node) and
 * {@code hotplug-error} (a specific message) then {@code hotplug-status=error} are written in one
 * transaction; on success {@code hotplug-status=connected}. offline/remove is best effort and
 * succeeds when the device or the bridge is already gone.
 */
public final class VifBridge extends VifScript {
    static final List<String> KEYS = List.of("bridge", "ip", "mac", "mtu", "vifname", "vlan");

    public VifBridge() {
        super("vif-bridge", KEYS);
    }

    // ---------------------------------------------------------------- online / add

    @Override
    protected int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            Optional<BridgeSpec> vlans = vlanSpec(net, p);
            if (vlans.isEmpty()) {
                return attach(command, t, p, dryRun, ctx, xs, net, null);
            }
            return ctx.locked(GuestVlans.lockName(vlans.get().bridge()), dryRun,
                    () -> attach(command, t, p, dryRun, ctx, xs, net, vlans.get()));
        }
    }

    /**
     * The guest's VLANs: the {@code bridge} value in the BRIDGE.VLAN[:TRUNK...] notation (see
     * {@link GuestVlans}), or the {@code vlan} key libxl writes for xl's {@code vlan=} (Xen 4.19 and
     * later; no Xen script reads it) as the access VLAN of the bridge named.
     */
    static Optional<BridgeSpec> vlanSpec(Network net, Params p) {
        Optional<BridgeSpec> spec = GuestVlans.of(net, p.get("bridge"));
        Optional<String> key = p.get("vlan").map(String::trim).filter(v -> !v.isEmpty());
        if (key.isEmpty()) {
            return spec;
        }
        int vlan = p.integer("vlan", 0, BridgeVlan.MIN_VID, BridgeVlan.MAX_VID);
        if (spec.isPresent()) {
            Integer tag = spec.get().tag();
            if (tag != null && tag != vlan) {
                throw new XennetException("the vlan key says " + vlan + ", bridge=" + spec.get() + " says " + tag
                        + ": correct one of them in the guest's configuration");
            }
            return Optional.of(new BridgeSpec(spec.get().bridge(), vlan, spec.get().trunks()));
        }
        return Optional.of(new BridgeSpec(findBridge(net, p).name(), vlan, List.of()));
    }

    private int attach(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs,
            Network net, BridgeSpec vlans) {
        NetSteps ns = new NetSteps(net);
        String dev = t.dev();
        Link link = backendLink(net, t);
        Plan plan = new Plan("vif-bridge " + command);
        boolean wasUp = link.isUp();
        boolean down = !wasUp;
        String d = dev;
        if (planRename(plan, ns, t, p, wasUp)) {
            d = wantedName(t, p).orElseThrow();
            down = true;
        }
        String name = d;
        Link bridge = vlans == null ? findBridge(net, p) : vlanBridge(net, vlans);
        int mtu = p.integer("mtu", bridge.mtu(), 68, 65535);
        if (link.mac() == null || !link.mac().equals(MacAddress.XEN_BACKEND)) {
            // the largest non-broadcast MAC, so the bridge never takes the guest's port address;
            // set while the link is down
            if (!down) {
                plan.add(ns.down(name, true));
                down = true;
            }
            plan.add(ns.mac(name, MacAddress.XEN_BACKEND, link.mac()).withPolicy(Step.Policy.BEST_EFFORT));
        }
        if (link.mtu() != mtu) {
            plan.add(ns.mtu(name, mtu, link.mtu()).withPolicy(Step.Policy.WARN));
        }
        if (link.masterIndex() != bridge.index()) {
            String previous = link.masterIndex() == 0 ? null
                    : net.links().find(link.masterIndex()).map(Link::name).orElse(null);
            plan.add(ns.master(name, bridge.name(), previous));
        }
        // checked under the name the device has now: a vifname rename happens in the plan
        Optional<String> v6 = net.sysctls().find(Sysctls.disableIpv6(dev));
        if (v6.isPresent() && !v6.get().trim().equals("1")) {
            // a pure layer-2 port: every vif has MAC fe:ff:ff:ff:ff:ff, so they would all claim the
            // same IPv6 link-local address and fail duplicate address detection
            plan.add(ns.layer2Only(name, v6.get().trim()).withPolicy(Step.Policy.BEST_EFFORT));
        }
        if (vlans != null) {
            // before the port comes up, so that it never passes a frame in the bridge's default VLAN
            GuestVlans.online(plan, ns, net, ctx.stateDir(), bridge, name, vlans);
        }
        if (down) {
            plan.add(ns.up(name));
        }
        if (t.typeIf().equals("vif")) {
            frontendMtu(plan, t, xs, mtu);
        }
        addFirewall(plan, ctx, name, p, true);
        Hooks.add(plan, ctx, "vif-bridge", command, name, t, p, bridge.name());
        ctx.runner("vif-bridge", dryRun).run(plan);
        return ExitCodes.OK;
    }

    /** The VLAN-aware bridge a BRIDGE.VLAN value names: a bridge, with VLAN filtering on. */
    private static Link vlanBridge(Network net, BridgeSpec spec) {
        Link b = net.links().find(spec.bridge())
                .orElseThrow(() -> new XennetException("Could not find bridge device " + spec.bridge()));
        if (!b.isBridge()) {
            throw new XennetException(spec.bridge() + " is not a bridge (bridge=" + spec + ")");
        }
        GuestVlans.checkFiltering(b, spec);
        return b;
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
        long t0 = Startup.clock();
        try {
            planFirewall(plan, ctx, dev, p, online);
        } finally {
            Startup.spent("firewall", t0);
        }
    }

    private static void planFirewall(Plan plan, ScriptContext ctx, String dev, Params p, boolean online) {
        FirewallBackend backend = FirewallBackend.forVifs(ctx);
        if (backend == FirewallBackend.NFTABLES) {
            if (online) {
                VifGuard.online(plan, ctx, VifGuard.of(dev, Guard.Layer.BRIDGED, p));
            } else {
                VifFirewall.removeAllFor(plan, ctx, dev);
            }
            return;
        }
        if (backend == FirewallBackend.NONE) {
            return;
        }
        List<String> ips = p.get("ip").map(v -> List.of(v.trim().split("[\\s,]+"))).orElse(List.of());
        List<Rule> rules = VifFirewall.rules(dev, ips, p.get("mac").orElse(null));
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
            String d = currentName(net, t, p);
            Optional<Link> link = net.links().find(d);
            // a port of a VLAN-aware bridge: its leaving may free an uplink VLAN, decided under the bridge's
            // lock; its bridge is its master, or, when netback has removed it already (xl destroy), the
            // bridge its bridge key names
            Optional<Link> vlanAware = link.filter(Link::hasMaster).flatMap(l -> net.links().find(l.masterIndex()))
                    .or(() -> link.isPresent() ? Optional.empty()
                            : p.get("bridge").flatMap(b -> GuestVlans.bridgeOf(net, b)))
                    .filter(b -> b.isBridge() && b.vlanFiltering());
            if (vlanAware.isEmpty()) {
                return detach(command, t, p, dryRun, ctx, xs, net, d, link, null);
            }
            return ctx.locked(GuestVlans.lockName(vlanAware.get().name()), dryRun,
                    () -> detach(command, t, p, dryRun, ctx, xs, net, d, link, vlanAware.get()));
        }
    }

    private int detach(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs,
            Network net, String d, Optional<Link> link, Link vlanAware) {
        NetSteps ns = new NetSteps(net);
        Plan plan = new Plan("vif-bridge " + command);
        if (link.isPresent()) {
            plan.add(ns.down(d).withPolicy(Step.Policy.BEST_EFFORT));
            if (link.get().hasMaster()) {
                plan.add(ns.nomaster(d, null).withPolicy(Step.Policy.BEST_EFFORT));
            }
        }
        if (vlanAware != null) {
            GuestVlans.release(plan, ns, net, ctx.stateDir(), vlanAware, d);
        }
        if (xs == null) {
            // the ip key is unknown: remove every rule of ours that names the device
            VifFirewall.removeAllFor(plan, ctx, d);
        } else {
            addFirewall(plan, ctx, d, p, false);
        }
        Hooks.add(plan, ctx, "vif-bridge", command, d, t, p, p.get("bridge", ""));
        ctx.runner("vif-bridge", dryRun).run(plan);
        return ExitCodes.OK;
    }
}
