// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.log.Log;
import org.xennet.model.Address;
import org.xennet.model.InterfaceName;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.Netdev;
import org.xennet.scripts.vif.Hooks;
import org.xennet.scripts.vif.RoutedFirewall;
import org.xennet.scripts.vif.VifFirewall;
import org.xennet.scripts.vif.VifGuard;
import org.xennet.scripts.vif.VifScript;
import org.xennet.scripts.vif.VifTarget;
import org.xennet.xenstore.XenStore;
import org.xennet.text.Printable;

/**
 * {@code vif-route online|offline|add|remove}: a guest routed through dom0 instead of bridged.
 * online (add for {@code type_if=tap}) gives the backend interface dom0's primary IPv4 address
 * of netdev as a /32 (Xen: {@code ifconfig VIF MAIN_IP netmask 255.255.255.255 up}), brings it
 * up, switches proxy ARP on it (so the guest's ARP for its LAN gateway is answered by dom0) and
 * adds a host route per guest address in {@code ip}: {@code ip route add ADDR dev VIF src MAIN_IP
 * metric M}, M being 2 for a vif and 1 for the emulated NIC (Xen since 2019: the emulated NIC wins
 * until the PV driver takes over), then the FORWARD rules ({@link RoutedFirewall}) and the hooks.
 * Each step is skipped when it already holds, so a second online changes nothing; a failure undoes
 * what the call changed. netdev: the variable (libxl passes the vif's {@code gatewaydev}), else the
 * {@code gatewaydev} key, else the device of the IPv4 default route, else eth0.
 *
 * <p>offline (remove) is best effort and succeeds when things are already gone: it deletes the
 * routes of {@code ip}, the /32 address dom0 lent the vif, the rules, puts proxy_arp and forwarding
 * of the vif back to what a new interface gets ({@code conf/default}), and takes the vif down.
 * Xen's offline left the address, proxy_arp and the link as they were (its {@code ifdown} failed on
 * a vif) and failed altogether when netdev had lost its address meanwhile; here offline does not
 * need netdev.
 */
public final class VifRoute extends VifScript {
    private static final Log LOG = Log.get(VifRoute.class);
    static final List<String> KEYS = List.of("ip", "mac", "vifname", "gatewaydev");
    static final int METRIC_TAP = 1;
    static final int METRIC_VIF = 2;

    public VifRoute() {
        super("vif-route", KEYS);
    }

    static int metric(VifTarget t) {
        return t.typeIf().equals("tap") ? METRIC_TAP : METRIC_VIF;
    }

    /** The guest addresses of {@code ip} (already checked as addresses); IPv6 ones are refused on online. */
    static List<IpPrefix> guestAddresses(Params p, boolean refuseIpv6) {
        List<IpPrefix> out = new ArrayList<>();
        Optional<String> ip = p.get("ip");
        if (ip.isEmpty() || ip.get().isBlank()) {
            return out;
        }
        for (String a : ip.get().trim().split("[\\s,]+")) {
            IpPrefix prefix = IpPrefix.parse(a);
            if (prefix.family() != IpAddress.AF_INET) {
                if (refuseIpv6) {
                    throw new XennetException("ip=" + Printable.quote(ip.get()) + ": " + a + " is an IPv6 address; vif-route routes "
                            + "IPv4 addresses only (Xen's script failed on it too)");
                }
                continue;
            }
            if (!out.contains(prefix.network())) {
                out.add(prefix.network());
            }
        }
        return out;
    }

    /** netdev, else the XenStore key gatewaydev, else the device of the IPv4 default route, else eth0. */
    static String netdev(Params p, Network net) {
        Optional<String> v = p.ifname("netdev");
        if (v.isPresent()) {
            return v.get();
        }
        Optional<String> gw = p.get("gatewaydev");
        if (gw.isPresent()) {
            return InterfaceName.check("gatewaydev", gw.get());
        }
        return Netdev.defaultRoute(net).orElse("eth0");
    }

    /**
     * Xen's {@code ip_of}: the first primary IPv4 address of a device ({@code ip -4 -o addr show
     * primary dev DEV}), point-to-point ({@code peer}) addresses included; empty without one or
     * without the device.
     */
    static Optional<IpAddress> dom0Ip(Network net, String netdev) {
        if (!net.links().exists(netdev)) {
            return Optional.empty();
        }
        return net.addresses().list(netdev).stream()
                .filter(a -> a.family() == IpAddress.AF_INET && !a.isSecondary())
                .map(a -> a.prefix().address()).findFirst();
    }

    static IpPrefix host(IpAddress a) {
        return new IpPrefix(a, 32);
    }

    // ---------------------------------------------------------------- online / add

    @Override
    protected int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            String dev = t.dev();
            Link link = backendLink(net, t);
            List<IpPrefix> guests = guestAddresses(p, true);
            String netdev = netdev(p, net);
            IpAddress mainIp = dom0Ip(net, netdev).orElseThrow(() -> new XennetException(netdev + " is not up. Bring "
                    + "it up or specify another interface with netdev=<if> as a parameter to vif-route."));
            int metric = metric(t);
            Plan plan = new Plan("vif-route " + command);

            NetSteps ns = new NetSteps(net);
            boolean renamed = planRename(plan, ns, t, p, link.isUp());
            String d = wantedName(t, p).orElse(dev);
            int index = link.index();

            // a conflict with another vif is refused before anything changes
            List<IpPrefix> toRoute = new ArrayList<>();
            List<Route> routes = guests.isEmpty() ? List.of() : net.routes().list();
            for (IpPrefix g : guests) {
                Optional<Route> same = hostRoute(routes, g, metric, 0);
                if (same.isPresent() && same.get().oif() != index) {
                    String other = net.links().find(same.get().oif()).map(Link::name).orElse("if" + same.get().oif());
                    throw new XennetException(g + " is already routed to " + other + " (metric " + metric
                            + "): another guest has this address");
                }
                if (same.isEmpty()) {
                    toRoute.add(g);
                }
            }

            IpPrefix lent = host(mainIp);
            boolean hasAddress = net.addresses().list(dev).stream().anyMatch(a -> a.prefix().equals(lent));
            if (!hasAddress) {
                plan.add(ns.addressAddUndone(d, Address.of(0, lent)));
            }
            if (!link.isUp() || renamed) {
                plan.add(ns.up(d));
            }
            String proxy = net.sysctls().get(Sysctls.proxyArp(dev));
            if (!proxy.equals("1")) {
                plan.add(ns.sysctl(Sysctls.proxyArp(d), "1", proxy));
            }
            Optional<String> fwd = net.sysctls().find(Sysctls.ipv4Forwarding(dev));
            if (fwd.isPresent() && !fwd.get().equals("1")) {
                // lets the guest's packets be routed; the way back needs net.ipv4.ip_forward (network-route)
                plan.add(ns.sysctl(Sysctls.ipv4Forwarding(d), "1", fwd.get()));
            }
            for (IpPrefix g : toRoute) {
                plan.add(ns.routeAddUndone(d, Route.unicast(g, null, index).withPrefsrc(mainIp).withMetric(metric)));
            }
            RoutedFirewall.add(plan, ctx, d, guests, true);
            VifGuard.routed(plan, ctx, VifGuard.of(d, Guard.Layer.ROUTED, p), true);
            Hooks.add(plan, ctx, "vif-route", command, d, t, p, "",
                    Map.of("netdev", netdev, "main_ip", mainIp.toString()));
            if (!net.sysctls().find(Sysctls.IPV4_FORWARD).orElse("0").equals("1")) {
                LOG.warn("vif-route: net.ipv4.ip_forward is 0: " + d + "'s guest reaches dom0 only; run "
                        + "network-route start to route for it");
            }
            ctx.runner("vif-route", dryRun).run(plan);
            return ExitCodes.OK;
        }
    }

    /** The route vif-route makes for a guest address: main table, that destination and metric (and device, if given). */
    static Optional<Route> hostRoute(List<Route> routes, IpPrefix dest, int metric, int oif) {
        return routes.stream()
                .filter(r -> r.family() == IpAddress.AF_INET && r.table() == Route.TABLE_MAIN
                        && r.type() == Route.TYPE_UNICAST && r.destination().equals(dest) && r.metric() == metric
                        && (oif == 0 || r.oif() == oif))
                .findFirst();
    }

    // ---------------------------------------------------------------- offline / remove

    @Override
    protected int offline(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs) {
        try (Network net = ctx.network().get()) {
            String dev = currentName(net, t, p);
            String d = dev;
            List<IpPrefix> guests = guestAddresses(p, false);
            Plan plan = new Plan("vif-route " + command);
            Optional<Link> link = net.links().find(d);
            if (link.isPresent()) {
                int index = link.get().index();
                int metric = metric(t);
                List<Route> routes = guests.isEmpty() ? List.of() : net.routes().list();
                NetSteps ns = new NetSteps(net);
                for (IpPrefix g : guests) {
                    hostRoute(routes, g, metric, index).ifPresent(r -> plan.add(ns.routeDelete(d, r)
                            .withPolicy(Step.Policy.BEST_EFFORT)));
                }
                for (Address a : lentAddresses(net, index)) {
                    plan.add(ns.addressDelete(d, a).withPolicy(Step.Policy.BEST_EFFORT));
                }
                resetToDefault(plan, ns, d, Sysctls.proxyArp(d), "net/ipv4/conf/default/proxy_arp");
                resetToDefault(plan, ns, d, Sysctls.ipv4Forwarding(d), Sysctls.ipv4Forwarding("default"));
                if (link.get().isUp()) {
                    plan.add(ns.down(d).withPolicy(Step.Policy.BEST_EFFORT));
                }
            }
            if (xs == null) {
                VifFirewall.removeAllFor(plan, ctx, d); // the ip key is unknown
            } else {
                RoutedFirewall.add(plan, ctx, d, guests, false);
                VifGuard.routed(plan, ctx, VifGuard.of(d, Guard.Layer.ROUTED, p), false);
            }
            Hooks.add(plan, ctx, "vif-route", command, d, t, p, "");
            ctx.runner("vif-route", dryRun).run(plan);
            return ExitCodes.OK;
        }
    }

    /** The /32 IPv4 addresses of the vif that another interface holds too: dom0's address, lent by online. */
    static List<Address> lentAddresses(Network net, int index) {
        List<Address> all = net.addresses().list();
        List<Address> out = new ArrayList<>();
        for (Address a : all) {
            if (a.index() == index && a.family() == IpAddress.AF_INET && a.prefix().length() == 32
                    && all.stream().anyMatch(o -> o.index() != index
                            && o.prefix().address().equals(a.prefix().address()))) {
                out.add(a);
            }
        }
        return out;
    }

    /** A vif sysctl back to what a new interface gets (conf/default; 0 where there is none). */
    private static void resetToDefault(Plan plan, NetSteps ns, String d, String key, String defaultKey) {
        Optional<String> now = ns.network().sysctls().find(key);
        if (now.isEmpty()) {
            return;
        }
        String def = ns.network().sysctls().find(defaultKey).orElse("0");
        if (!now.get().equals(def)) {
            plan.add(ns.sysctl(key, def, null).withPolicy(Step.Policy.BEST_EFFORT));
        }
    }
}
