// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.ovs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.log.Startup;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.ovsdb.OvsPort;
import org.xennet.ovsdb.PortConfig;
import org.xennet.plan.NetSteps;
import org.xennet.plan.OvsSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.BridgeSpec;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.vif.VifScript;
import org.xennet.scripts.vif.VifTarget;
import org.xennet.text.Printable;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * {@code vif-openvswitch online|offline|add|remove}: a guest's backend interface as a port of an
 * Open vSwitch bridge, with Xen's contract (tools/hotplug/Linux/vif-openvswitch). The bridge is
 * the XenStore key {@code bridge} (else the variable), {@code BRIDGE[.VLAN][:TRUNK[:TRUNK...]]}:
 * an access port on VLAN {@code tag}, or a trunk. The interface carries the external ids Xen sets
 * ({@code xen-vm-name}, {@code xen-vm-uuid}, {@code attached-mac}) and, with {@code ovn=yes},
 * {@code iface-id}, the OVN logical switch port ovn-controller binds it to ({@link OvnIfaceId}).
 *
 * <p>online/add: rename to {@code vifname}, MAC fe:ff:ff:ff:ff:ff, MTU (the {@code mtu} key, else
 * the bridge's), no IPv6 on the port, then one transaction that replaces any port of that name
 * (Xen's {@code -- --if-exists del-port -- add-port}), up, and the frontend's MTU node. A port
 * that is already as asked is left alone, so a second online changes nothing. Every change has
 * its undo: a failure takes back what this call changed and writes hotplug-error. Talks to
 * ovsdb-server directly ({@link org.xennet.ovsdb.OvsdbOpenVswitch}), not through ovs-vsctl.
 *
 * <p>offline/remove: the port deleted, the link down; best effort, and without XenStore when it
 * cannot be reached. No iptables rules (physdev rules never see Open vSwitch's traffic; Xen's
 * were never matched either, and Debian's are off) and no hooks (Xen's script calls none).
 */
public final class VifOpenvswitch extends VifScript {
    private static final Log LOG = Log.get(VifOpenvswitch.class);
    static final String NAME = "vif-openvswitch";
    static final List<String> KEYS = List.of("bridge", "ip", "mac", "mtu", "vifname", "frontend-id");
    /** The longest VM name or uuid put into external_ids (XenStore allows more; nothing sane needs it). */
    static final int MAX_ID = 1024;
    /** The external ids this script sets; others on the interface (ovn-controller's) are left to their owners. */
    static final List<String> MANAGED_IDS = List.of("xen-vm-name", "xen-vm-uuid", "attached-mac", "iface-id");

    public VifOpenvswitch() {
        super(NAME, KEYS);
    }

    /** What the port is to be, from the parameters and XenStore. */
    record Wanted(BridgeSpec spec, Map<String, String> externalIds) {
    }

    // ---------------------------------------------------------------- online / add

    @Override
    protected int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        BridgeSpec spec = BridgeSpec.parse(p.get("bridge"));
        Map<String, String> ids = externalIds(t, p, xs, ctx.config().get());
        try (Network net = ctx.network().get(); OpenVswitch ovs = ctx.ovs().get()) {
            Startup.mark("ovsdb connected");
            NetSteps ns = new NetSteps(net);
            OvsSteps os = new OvsSteps(() -> ovs);
            Link link = backendLink(net, t);
            if (ovs.findBridge(spec.bridge()).isEmpty()) {
                throw new XennetException("Could not find Open vSwitch bridge " + spec.bridge()
                        + " (ovs-vsctl list-br lists the bridges)");
            }
            Plan plan = new Plan(NAME + " " + command);
            boolean wasUp = link.isUp();
            boolean down = !wasUp;
            String name = t.dev();
            if (planRename(plan, ns, t, p, wasUp)) {
                name = wantedName(t, p).orElseThrow();
                down = true;
            }
            String d = name;
            int bridgeMtu = net.links().find(spec.bridge()).map(Link::mtu).orElse(link.mtu());
            int mtu = p.integer("mtu", bridgeMtu, 68, 65535);
            if (link.mac() == null || !link.mac().equals(MacAddress.XEN_BACKEND)) {
                // Xen's setup_virtual_bridge_port: the guest's port never takes part with the guest's MAC
                if (!down) {
                    plan.add(ns.down(d, true));
                    down = true;
                }
                plan.add(ns.mac(d, MacAddress.XEN_BACKEND, link.mac()).withPolicy(Step.Policy.BEST_EFFORT));
            }
            if (link.mtu() != mtu) {
                plan.add(ns.mtu(d, mtu, link.mtu()).withPolicy(Step.Policy.WARN));
            }
            Optional<String> v6 = net.sysctls().find(Sysctls.disableIpv6(t.dev()));
            if (v6.isPresent() && !v6.get().trim().equals("1")) {
                // a layer-2 port: every vif has the same MAC, so their link-local addresses would collide
                plan.add(ns.layer2Only(d, v6.get().trim()).withPolicy(Step.Policy.BEST_EFFORT));
            }
            PortConfig port = new PortConfig(d, spec.tag(), spec.trunks(), "", ids);
            Optional<OvsPort> old = ovs.findPort(d);
            Startup.mark("ovsdb read");
            if (old.isEmpty() || !old.get().matches(spec.bridge(), port, MANAGED_IDS) || old.get().error() != null) {
                plan.add(os.replacePort(spec.bridge(), port, old));
            }
            if (down) {
                plan.add(ns.up(d));
            }
            if (t.typeIf().equals("vif")) {
                frontendMtu(plan, t, xs, mtu);
            }
            ctx.runner(NAME, dryRun).run(plan);
            return ExitCodes.OK;
        }
    }

    /**
     * Xen's external ids: {@code xen-vm-name} and {@code xen-vm-uuid} from the guest's VM node
     * ({@code /local/domain/FE/vm}), {@code attached-mac} from the backend's {@code mac}; with
     * OVN on, {@code iface-id} from the template. Each one Xen requires is required here too, with
     * a message that names the node.
     */
    static Map<String, String> externalIds(VifTarget t, Params p, XenStore xs, ConfigFile conf) {
        String fe = p.get("frontend-id").orElse(String.valueOf(t.domid()));
        if (!fe.matches("[0-9]{1,5}")) {
            throw new XennetException(t.key("frontend-id") + "=" + Printable.quote(fe) + " is not a domain id");
        }
        String vmNode = "/local/domain/" + fe + "/vm";
        String vm = required(xs, vmNode, "the guest's VM path, for xen-vm-name and xen-vm-uuid");
        if (!vm.matches("/[A-Za-z0-9_./@:-]{1,3000}") || vm.contains("//")) {
            throw new XennetException(vmNode + "=" + Printable.quote(vm) + " is not a XenStore path");
        }
        String name = idValue(required(xs, vm + "/name", "the guest's name, for xen-vm-name"), vm + "/name");
        String uuid = idValue(required(xs, vm + "/uuid", "the guest's uuid, for xen-vm-uuid"), vm + "/uuid");
        String mac = p.get("mac").orElseThrow(() -> new XennetException("cannot read " + t.key("mac")
                + " from XenStore (the guest's MAC, for attached-mac)"));
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("xen-vm-name", name);
        ids.put("xen-vm-uuid", uuid);
        ids.put("attached-mac", mac);
        if (ovn(p, conf)) {
            String template = p.get("ovn_iface_id").orElseGet(() -> conf.get("ovn_iface_id").orElse(OvnIfaceId.DEFAULT));
            ids.put("iface-id", OvnIfaceId.expand(template, Map.of("uuid", uuid, "devid", String.valueOf(t.devid()),
                    "mac", mac.toLowerCase(java.util.Locale.ROOT), "name", name)));
        }
        return ids;
    }

    /** {@code ovn=yes}: the variable, else xennet.conf's {@code ovn}, else no. */
    static boolean ovn(Params p, ConfigFile conf) {
        Optional<String> c = conf.get("ovn");
        boolean def;
        try {
            def = c.isPresent() && ConfigFile.yes(c.get());
        } catch (UsageException e) {
            throw new UsageException("ovn=" + Printable.quote(c.get()) + " in " + conf.path() + " must be yes or no");
        }
        return p.yesNo("ovn", def);
    }

    private static String required(XenStore xs, String path, String what) {
        try {
            return xs.read(path).filter(v -> !v.isEmpty()).orElseThrow(() -> new XennetException("cannot read "
                    + path + " from XenStore (" + what + ")"));
        } catch (XenStoreException e) {
            throw new XennetException("cannot read " + path + " from XenStore (" + what + "): " + e.getMessage(), e);
        }
    }

    private static String idValue(String v, String path) {
        if (v.length() > MAX_ID || v.indexOf('\0') >= 0) {
            throw new XennetException(path + " is longer than " + MAX_ID + " characters or holds a NUL: "
                    + Printable.quote(v));
        }
        return v;
    }

    // ---------------------------------------------------------------- offline / remove

    @Override
    protected int offline(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            NetSteps ns = new NetSteps(net);
            String d = currentName(net, t, p);
            Plan plan = new Plan(NAME + " " + command);
            OpenVswitch[] ovs = {null};
            try {
                ovs[0] = ctx.ovs().get();
                if (ovs[0].findPort(d).isPresent()) {
                    plan.add(Step.bestEffort("ovs-vsctl --if-exists del-port " + d, () -> ovs[0].deletePort(d)));
                }
            } catch (XennetException e) {
                // the port goes when Open vSwitch comes back without the device; the link still goes down
                LOG.warn(NAME + " " + command + " " + d + ": " + e.getMessage() + "; the port is left to Open vSwitch");
            }
            if (net.links().exists(d)) {
                plan.add(ns.down(d).withPolicy(Step.Policy.BEST_EFFORT));
            }
            try {
                ctx.runner(NAME, dryRun).run(plan);
            } finally {
                if (ovs[0] != null) {
                    ovs[0].close();
                }
            }
            return ExitCodes.OK;
        }
    }
}
