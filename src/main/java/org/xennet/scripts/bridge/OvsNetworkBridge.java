// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.ovsdb.OvsBridge;
import org.xennet.ovsdb.OvsPort;
import org.xennet.plan.NetSteps;
import org.xennet.plan.OvsSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.PlanFailedException;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Netdev;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.bridge.StateRecord.Phase;
import org.xennet.text.Printable;

/**
 * {@code network-bridge start|stop|status bridge_type=openvswitch}: the NIC becomes a port of an
 * Open vSwitch bridge ({@code xenbr${vifnum}} by default) that takes the host's MAC, MTU,
 * addresses and routes; the NIC keeps its name (as XCP-ng lays it out). The same crash safety as
 * the Linux bridge: the {@link OvsStateRecord} is on disk before the first change and notes each
 * step before it is taken, the plan is rebuilt from it ({@link OvsBridgePlan}), stop runs its
 * inverse, and a start or stop killed at any step is taken back by the next stop or start.
 *
 * <p>A bridge network-bridge made is marked ({@code external_ids:xennet=network-bridge}): Open
 * vSwitch keeps bridges in its database across a reboot while /var/run (the record) is emptied,
 * so a start that finds its own bridge without a record removes it first and starts afresh. A
 * bridge of that name without the mark is someone else's, and start refuses.
 *
 * <p>antispoof and the bridge-netfilter switches are refused: physdev rules and br_netfilter never
 * see Open vSwitch's traffic (use OVN's port security and ACLs).
 */
final class OvsNetworkBridge {
    private static final Log LOG = Log.get(OvsNetworkBridge.class);
    private static final Pattern TRAILING_DIGITS = Pattern.compile("([0-9]+)$");

    static final String CONF_BRIDGE_TYPE = "network_bridge_type";

    private final ScriptContext ctx;
    private final Network net;
    private final String netdev;
    private final String bridge;
    private final String datapathType;
    private final boolean stp;
    private final boolean force;

    private OvsNetworkBridge(ScriptContext ctx, Network net, String netdev, String bridge, String datapathType,
            boolean stp, boolean force) {
        this.ctx = ctx;
        this.net = net;
        this.netdev = netdev;
        this.bridge = bridge;
        this.datapathType = datapathType;
        this.stp = stp;
        this.force = force;
    }

    /**
     * Whether this call is about an Open vSwitch bridge: {@code bridge_type=openvswitch}, else
     * xennet.conf's {@code network_bridge_type}, else (stop and status) a record of one for the bridge.
     */
    static boolean applies(String command, Params p, BridgeSettings s, ScriptContext ctx) {
        ConfigFile conf = ctx.config().get();
        String type = p.get("bridge_type").orElseGet(() -> conf.get(CONF_BRIDGE_TYPE).orElse(""));
        if (!type.isEmpty() && !type.equals("linux") && !type.equals("openvswitch")) {
            throw new UsageException("network-bridge: " + CONF_BRIDGE_TYPE + "=" + Printable.quote(type) + " in "
                    + conf.path() + " must be linux or openvswitch");
        }
        if (type.equals("openvswitch")) {
            return true;
        }
        return p.get("bridge_type").isEmpty() && !command.equals("start")
                && Files.exists(OvsStateRecord.path(ctx.stateDir(), s.bridge()));
    }

    /** The settings, checked before anything changes. */
    static OvsNetworkBridge resolve(Params p, Network net, ScriptContext ctx) {
        String netdev = Netdev.of(p, net);
        String started = null;
        if (p.get("netdev").isEmpty()) {
            // once started, the default route goes through the bridge: the NIC is the one its record names
            Optional<OvsStateRecord> r = OvsStateRecord.read(OvsStateRecord.path(ctx.stateDir(), netdev));
            if (r.isPresent()) {
                started = netdev;
                netdev = r.get().netdev();
            } else {
                // no record (/var/run emptied): if the route goes through a bridge network-bridge marked as its
                // own, that bridge's port is the NIC
                Optional<String> port = markedBridgePort(ctx, net, netdev);
                if (port.isPresent()) {
                    started = netdev;
                    netdev = port.get();
                }
            }
        }
        Matcher m = TRAILING_DIGITS.matcher(netdev);
        int digits = m.find() && m.group(1).length() <= 4 ? Integer.parseInt(m.group(1)) : 0;
        int vifnum = p.integer("vifnum", digits, 0, 9999);
        String bridge = p.ifname("bridge").orElse(started != null ? started : "xenbr" + vifnum);
        if (bridge.equals(netdev)) {
            throw new UsageException("network-bridge: with bridge_type=openvswitch the NIC keeps its name and joins the "
                    + "bridge; bridge= must differ from netdev (" + netdev + "), e.g. xenbr" + vifnum);
        }
        if (p.yesNo("antispoof", false)) {
            throw new UsageException("network-bridge: antispoof=yes needs a Linux bridge (iptables' physdev match never "
                    + "sees Open vSwitch's traffic); with Open vSwitch use OVN's port security and ACLs");
        }
        for (String v : List.of("bridge_nf_call_iptables", "bridge_nf_call_ip6tables")) {
            if (p.get(v).isPresent()) {
                throw new UsageException("network-bridge: " + v + " is for Linux bridges (br_netfilter); Open vSwitch's "
                        + "traffic does not pass it");
            }
        }
        for (String v : List.of("vlan", "mtu", "slaves", "bond_mode", "vlan_filtering")) {
            if (p.get(v).isPresent()) {
                throw new UsageException("network-bridge: " + v + "= is for Linux bridges; with Open vSwitch a guest's "
                        + "VLAN is its vif's bridge=BRIDGE.VLAN, and a bond is Open vSwitch's own (ovs-vsctl add-bond)");
            }
        }
        String dp = p.get("ovs_datapath").orElse("");
        return new OvsNetworkBridge(ctx, net, netdev, bridge, dp.equals("system") ? "" : dp, p.yesNo("stp", false),
                p.yesNo("force", false));
    }

    /** The NIC of {@code bridge} when it is an Open vSwitch bridge network-bridge marked as its own. */
    private static Optional<String> markedBridgePort(ScriptContext ctx, Network net, String bridge) {
        try (OpenVswitch o = ctx.ovs().get()) {
            return o.findBridge(bridge)
                    .filter(b -> OvsStateRecord.MARKER_VALUE.equals(b.externalIds().get(OvsStateRecord.MARKER_KEY)))
                    .flatMap(b -> b.ports().stream().filter(pn -> !pn.equals(bridge) && net.links().exists(pn))
                            .findFirst());
        } catch (XennetException e) {
            return Optional.empty(); // no Open vSwitch: not one of its bridges
        }
    }

    int run(String command, boolean dryRun) {
        switch (command) {
            case "start":
                return ctx.locked("network-bridge", dryRun, () -> start(dryRun));
            case "stop":
                return ctx.locked("network-bridge", dryRun, () -> stop(dryRun));
            default:
                return status();
        }
    }

    private OpenVswitch ovs;

    /** The connection to ovsdb-server, opened on first use and closed when the command is done. */
    private OpenVswitch ovs() {
        if (ovs == null) {
            ovs = ctx.ovs().get();
        }
        return ovs;
    }

    private void closeOvs() {
        if (ovs != null) {
            ovs.close();
            ovs = null;
        }
    }

    // ---------------------------------------------------------------- start

    private int start(boolean dryRun) {
        try {
            return doStart(dryRun);
        } finally {
            closeOvs();
        }
    }

    private int doStart(boolean dryRun) {
        Path file = OvsStateRecord.path(ctx.stateDir(), bridge);
        if (Files.exists(StateRecord.path(ctx.stateDir(), bridge))) {
            throw new XennetException(bridge + " is a Linux bridge started by network-bridge; run network-bridge stop "
                    + "bridge=" + bridge + " first");
        }
        Optional<OvsStateRecord> old = OvsStateRecord.read(file);
        NetSteps ns = new NetSteps(net);
        OvsSteps os = new OvsSteps(this::ovs);
        Optional<OvsBridge> existing = ovs().findBridge(bridge);
        if (old.isPresent() && old.get().interrupted()) {
            recover(old.get(), file, ns, os, dryRun);
            if (dryRun) {
                ctx.out().println("network-bridge: then start again (planned once the host is restored)");
                return ExitCodes.OK;
            }
            existing = ovs().findBridge(bridge);
        } else if (old.isPresent() && existing.isPresent()) {
            ctx.out().println("network-bridge: Open vSwitch bridge " + bridge + " is already set up on " + netdev
                    + "; nothing to do");
            return ExitCodes.OK;
        } else if (old.isPresent() && !dryRun) {
            LOG.warn("network-bridge: removing stale state record " + file + " (Open vSwitch has no bridge " + bridge + ")");
            NetworkBridge.deleteQuietly(file);
        }
        if (existing.isPresent()) {
            if (!OvsStateRecord.MARKER_VALUE.equals(existing.get().externalIds().get(OvsStateRecord.MARKER_KEY))) {
                throw new XennetException("Open vSwitch bridge " + bridge + " exists but was not made by xennet; remove it "
                        + "(ovs-vsctl del-br " + bridge + ") or choose another bridge=/vifnum=");
            }
            // ours, from a start whose record went with /var/run (a reboot): Open vSwitch kept it
            if (dryRun) {
                ctx.out().println("ovs-vsctl --if-exists del-br " + bridge + "   # left by a start before a reboot");
            } else {
                LOG.warn("network-bridge: Open vSwitch bridge " + bridge + " is left from a start whose state record is "
                        + "gone (a reboot); removing it to start afresh");
                ovs().deleteBridge(bridge);
            }
        }
        Link nic = net.links().find(netdev).orElseThrow(() -> new XennetException("netdev " + netdev
                + " does not exist; name the physical interface with netdev=NAME"));
        refuseUnsafe(nic, existing.isPresent());
        OvsStateRecord record = new OvsStateRecord(Phase.STARTING, -1, netdev, bridge, datapathType, stp,
                NicState.capture(net, netdev));
        Plan plan = OvsBridgePlan.start(record, ns, os, ctx.carrierWait());
        if (dryRun) {
            ctx.out().println("write state record " + file);
            ctx.runner("network-bridge", true).run(plan);
            return ExitCodes.OK;
        }
        record.write(file); // before the first change: what a kill leaves behind can be undone
        try {
            ctx.runner("network-bridge", false).run(plan, i -> record.withPhase(Phase.STARTING, i).write(file));
        } catch (PlanFailedException e) {
            if (e.undoFailures().isEmpty()) {
                NetworkBridge.deleteQuietly(file);
            }
            throw e;
        }
        record.withPhase(Phase.STARTED, plan.steps().size() - 1).write(file);
        ctx.out().println("network-bridge: " + bridge + " started: Open vSwitch bridge"
                + (datapathType.isEmpty() ? "" : " (datapath " + datapathType + ")") + " with port " + netdev
                + "; the bridge carries the host's addresses");
        return ExitCodes.OK;
    }

    private void refuseUnsafe(Link nic, boolean staleRemoved) {
        if (nic.isBridge()) {
            throw new XennetException(netdev + " is a Linux bridge; network-bridge makes a physical interface a port "
                    + "(set netdev=)");
        }
        if (nic.hasMaster()) {
            String master = net.links().find(nic.masterIndex()).map(Link::name).orElse("#" + nic.masterIndex());
            if (!master.equals("ovs-system") || !staleRemoved) {
                throw new XennetException(netdev + " is already a port of " + master + "; detach it first or choose "
                        + "another netdev");
            }
        }
        Optional<OvsPort> port = ovs().findPort(netdev);
        if (port.isPresent() && !(staleRemoved && port.get().bridge().equals(bridge))) {
            throw new XennetException(netdev + " is already a port of Open vSwitch bridge " + port.get().bridge()
                    + "; remove it there first (ovs-vsctl del-port " + netdev + ") or choose another netdev");
        }
        if (net.links().exists(bridge) && !staleRemoved) {
            throw new XennetException(bridge + " exists (a link that is not an Open vSwitch bridge); choose another "
                    + "bridge=/vifnum=");
        }
        if (!force) {
            HostChecks.refuseNetworkRoot(netdev, nic, net, ctx);
            HostChecks.refuseManaged(netdev, nic, ctx);
        }
    }

    // ---------------------------------------------------------------- stop and recovery

    private int stop(boolean dryRun) {
        try {
            return doStop(dryRun);
        } finally {
            closeOvs();
        }
    }

    private int doStop(boolean dryRun) {
        Path file = OvsStateRecord.path(ctx.stateDir(), bridge);
        Optional<OvsStateRecord> rec = OvsStateRecord.read(file);
        NetSteps ns = new NetSteps(net);
        OvsSteps os = new OvsSteps(this::ovs);
        Optional<OvsBridge> existing = ovs().findBridge(bridge);
        if (rec.isPresent()) {
            OvsStateRecord r = rec.get();
            if (!r.interrupted() && existing.isEmpty()) {
                if (dryRun) {
                    ctx.out().println("rm " + file);
                } else {
                    LOG.warn("network-bridge: Open vSwitch bridge " + bridge + " is gone; removing its state record "
                            + file);
                    NetworkBridge.deleteQuietly(file);
                }
                ctx.out().println("network-bridge: Open vSwitch bridge " + bridge + " does not exist; nothing to stop");
                return ExitCodes.OK;
            }
            return recover(r, file, ns, os, dryRun);
        }
        if (existing.isEmpty()) {
            ctx.out().println("network-bridge: Open vSwitch bridge " + bridge + " does not exist; nothing to stop");
            return ExitCodes.OK;
        }
        Optional<OvsStateRecord> derived = derive(existing.get());
        if (derived.isEmpty()) {
            ctx.out().println("network-bridge: Open vSwitch bridge " + bridge + " was not made by network-bridge for "
                    + netdev + " (no mark, or " + netdev + " is not its port); leaving it alone");
            return ExitCodes.OK;
        }
        LOG.info("network-bridge: no state record for " + bridge + "; restoring what the interfaces show");
        return recover(derived.get(), null, ns, os, dryRun);
    }

    /**
     * Without a record (/var/run emptied): a marked bridge with netdev as its port is taken down as
     * the record would have it, the NIC getting back what the bridge's interface carries.
     */
    private Optional<OvsStateRecord> derive(OvsBridge b) {
        if (!OvsStateRecord.MARKER_VALUE.equals(b.externalIds().get(OvsStateRecord.MARKER_KEY))
                || !b.ports().contains(netdev) || !net.links().exists(netdev) || !net.links().exists(bridge)) {
            return Optional.empty();
        }
        NicState onBridge = NicState.capture(net, bridge);
        Link nic = net.links().get(netdev);
        String v6 = net.sysctls().find(org.xennet.net.Sysctls.disableIpv6(netdev)).orElse(null);
        NicState state = new NicState(nic.index(), nic.mac(), onBridge.mtu(), true, true, true,
                v6 == null ? null : "0", onBridge.addressesFor(bridge, netdev), onBridge.routes());
        return Optional.of(new OvsStateRecord(Phase.STARTED, -1, netdev, bridge, b.datapathType(), false, state));
    }

    private int recover(OvsStateRecord r, Path file, NetSteps ns, OvsSteps os, boolean dryRun) {
        return BridgeRecord.takeBack(r, file, dryRun, ctx, LOG, () -> OvsBridgePlan.stop(r, ns, os, ctx.carrierWait(),
                file == null ? null : file.toString(), () -> NetworkBridge.deleteQuietly(file)));
    }

    // ---------------------------------------------------------------- status

    private int status() {
        StatusJson.Status s = statusData();
        if (!(Boolean) s.data().get("running")) {
            ctx.out().println("Open vSwitch bridge " + bridge + " does not exist: network-bridge is not started for "
                    + netdev);
            return s.exitCode();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> b = (Map<String, Object>) s.data().get("bridge");
        StringBuilder o = new StringBuilder();
        o.append("Open vSwitch bridge ").append(bridge).append("  ").append(Boolean.TRUE.equals(b.get("up")) ? "up" : "DOWN")
                .append("  mac ").append(b.get("mac")).append("  mtu ").append(b.get("mtu")).append("  datapath ")
                .append(b.get("datapath_type")).append('\n');
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ports = (List<Map<String, Object>>) b.get("ports");
        for (Map<String, Object> p : ports) {
            o.append("  port ").append(p.get("name")).append("  ").append(Boolean.TRUE.equals(p.get("up")) ? "up" : "DOWN")
                    .append("  carrier ").append(Boolean.TRUE.equals(p.get("carrier")) ? "yes" : "NO").append('\n');
        }
        o.append("\naddresses on ").append(bridge).append(":\n");
        for (Object a : (List<?>) s.data().get("addresses")) {
            o.append("  ").append(a).append('\n');
        }
        o.append("routes via ").append(bridge).append(":\n");
        for (Object r : (List<?>) s.data().get("routes")) {
            o.append("  ").append(r).append('\n');
        }
        ctx.out().print(o);
        return s.exitCode();
    }

    /** The status as data, in the shape of the Linux bridge's ({@code topology} is {@code openvswitch}). */
    StatusJson.Status statusData() {
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", StatusJson.VERSION);
            m.put("script", "network-bridge");
            Optional<OvsBridge> ob = ovs().findBridge(bridge);
            Optional<Link> link = net.links().find(bridge);
            boolean running = ob.isPresent();
            m.put("running", running);
            m.put("netdev", netdev);
            m.put("topology", "openvswitch");
            List<Object> addrs = new ArrayList<>();
            List<Object> routes = new ArrayList<>();
            if (!running) {
                m.put("bridge", null);
            } else {
                Map<String, Object> b = link.map(BridgeStatus::link).orElseGet(() -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("name", bridge);
                    x.put("up", false);
                    x.put("mtu", null);
                    x.put("mac", null);
                    return x;
                });
                b.put("datapath_type", ob.get().datapathType().isEmpty() ? "system" : ob.get().datapathType());
                List<Object> ports = new ArrayList<>();
                for (String pn : ob.get().ports()) {
                    if (pn.equals(bridge)) {
                        continue;
                    }
                    Optional<Link> pl = net.links().find(pn);
                    Map<String, Object> pm = pl.map(BridgeStatus::link).orElseGet(() -> {
                        Map<String, Object> x = new LinkedHashMap<>();
                        x.put("name", pn);
                        x.put("up", false);
                        x.put("mtu", null);
                        x.put("mac", null);
                        return x;
                    });
                    pm.put("carrier", pl.map(Link::carrier).orElse(false));
                    ports.add(pm);
                }
                b.put("ports", ports);
                m.put("bridge", b);
                if (link.isPresent()) {
                    for (Address a : net.addresses().list(bridge)) {
                        addrs.add(a.toString());
                    }
                    routes.addAll(BridgeStatus.hostRoutes(net, bridge));
                }
            }
            m.put("addresses", addrs);
            m.put("routes", routes);
            Path record = OvsStateRecord.path(ctx.stateDir(), bridge);
            m.put("state_record", Files.exists(record) ? record.toString() : null);
            return new StatusJson.Status(running ? ExitCodes.OK : ExitCodes.NOT_RUNNING, m);
        } finally {
            closeOvs();
        }
    }
}
