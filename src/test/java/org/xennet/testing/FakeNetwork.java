// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.error.NotFoundException;
import org.xennet.model.Address;
import org.xennet.model.BondMode;
import org.xennet.model.BridgeVlan;
import org.xennet.model.InterfaceName;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.OperState;
import org.xennet.model.Route;
import org.xennet.net.AddressOps;
import org.xennet.net.BridgeVlanOps;
import org.xennet.net.LinkOps;
import org.xennet.net.Network;
import org.xennet.net.RouteOps;
import org.xennet.net.Sysctls;

/**
 * A stateful in-memory network with the kernel's rules where xennet depends on them: names are
 * unique, only a bridge can be a master, deleting a veth end
 * deletes its peer, deleting a link drops its addresses and routes, a duplicate address or route
 * is EEXIST, a gateway must be on a connected subnet unless the route is onlink. Sysctls as in a
 * fresh namespace: every link has its own {@code net/ipv4/conf/DEV/{forwarding,proxy_arp}} and
 * {@code net/ipv6/conf/DEV/{disable_ipv6,forwarding}}, copied from {@code conf/default} when the
 * link appears, carried along by a rename and gone with the link; writing {@code ip_forward}
 * (= {@code conf/all/forwarding}) sets the forwarding flag of default and of every link; writing
 * an IPv4 {@code conf/default} key updates the links whose key was never written; writing an
 * IPv6 {@code conf/all} key sets it on default and every link. Bonds: a link joins only when it is
 * down, then takes the bond's MAC and MTU and goes up; released (nomaster, or the bond deleted) it
 * gets back the MAC and MTU it had and goes down. Bridge VLANs: a bridge and each new port get
 * VLAN 1 as pvid, untagged (the kernel's default_pvid); a pvid is one per port; only a bridge
 * port has VLANs to change. It runs the same contract tests as the kernel (NetworkContract),
 * which keeps it honest.
 */
public final class FakeNetwork implements Network {
    private final Map<Integer, Link> links = new LinkedHashMap<>();
    private final List<Address> addresses = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final Map<String, String> sysctl = new HashMap<>();
    /** Per-link IPv4 keys written explicitly, which a later conf/default write leaves alone. */
    private final Set<String> explicit = new HashSet<>();
    /** Bridge VLANs by link index (ports, and a bridge's own). */
    private final Map<Integer, List<BridgeVlan>> vlans = new HashMap<>();
    /** What a bond port had before it joined: MAC and MTU, given back when it leaves. */
    private final Map<Integer, Link> beforeBond = new HashMap<>();
    /** Bonds whose MAC was set (a bond whose MAC was not takes its first port's). */
    private final Set<Integer> bondMacSet = new HashSet<>();
    private int nextIndex = 1;
    private long nextMac = 0x02_00_00_00_10_00L;

    private final LinkOps linkOps = new Links();
    private final AddressOps addressOps = new Addresses();
    private final RouteOps routeOps = new Routes();
    private final BridgeVlanOps vlanOps = new BridgeVlans();
    private final Sysctls sysctls = new FakeSysctls();

    private static final String V4 = "net/ipv4/conf/";
    private static final String V6 = "net/ipv6/conf/";
    private static final List<String> V4_KEYS = List.of("forwarding", "proxy_arp");
    private static final List<String> V6_KEYS = List.of("disable_ipv6", "forwarding");

    public FakeNetwork() {
        sysctl.put(Sysctls.IPV4_FORWARD, "0");
        for (String conf : List.of("all", "default")) {
            V4_KEYS.forEach(k -> sysctl.put(V4 + conf + "/" + k, "0"));
            V6_KEYS.forEach(k -> sysctl.put(V6 + conf + "/" + k, "0"));
        }
        put(new Link(nextIndex++, "lo", null, null, Link.IFF_LOOPBACK, 65536, MacAddress.of(new byte[6]), 0, 0,
                OperState.UNKNOWN, true, null, 0, List.of()));
    }

    /** Adds a physical NIC (what the kernel's driver would create). */
    public FakeNetwork nic(String name, String mac, int mtu) {
        put(new Link(nextIndex++, name, null, null, Link.IFF_BROADCAST | Link.IFF_MULTICAST, mtu,
                MacAddress.parse(mac), 0, 0, OperState.DOWN, false, null, 0, List.of()));
        return this;
    }

    /** The keys of a loaded br_netfilter module, with the kernel's defaults (1; filter-vlan-tagged 0). */
    public FakeNetwork brNetfilter() {
        for (String k : List.of(Sysctls.BRIDGE_NF_CALL_ARPTABLES, Sysctls.BRIDGE_NF_CALL_IPTABLES,
                Sysctls.BRIDGE_NF_CALL_IP6TABLES)) {
            sysctl.put(k, "1");
        }
        sysctl.put("net/bridge/bridge-nf-filter-vlan-tagged", "0");
        return this;
    }

    /** Every sysctl key and value, sorted by key: for tests that check nothing changed. */
    public Map<String, String> sysctlSnapshot() {
        return new TreeMap<>(sysctl);
    }

    /** Registers a link; a new one gets its per-link sysctls from conf/default, as from the kernel. */
    private void put(Link l) {
        Link old = links.put(l.index(), l);
        if (old == null) {
            V4_KEYS.forEach(k -> sysctl.put(V4 + l.name() + "/" + k, sysctl.get(V4 + "default/" + k)));
            V6_KEYS.forEach(k -> sysctl.put(V6 + l.name() + "/" + k, sysctl.get(V6 + "default/" + k)));
        } else if (!old.name().equals(l.name())) {
            moveSysctls(old.name(), l.name());
        }
    }

    /** A link's sysctl directories follow it to its new name ({@code to} null: the link is gone). */
    private void moveSysctls(String from, String to) {
        for (String family : List.of(V4, V6)) {
            String prefix = family + from + "/";
            for (String key : List.copyOf(sysctl.keySet())) {
                if (key.startsWith(prefix)) {
                    String value = sysctl.remove(key);
                    boolean wasExplicit = explicit.remove(key);
                    if (to != null) {
                        String moved = family + to + "/" + key.substring(prefix.length());
                        sysctl.put(moved, value);
                        if (wasExplicit) {
                            explicit.add(moved);
                        }
                    }
                }
            }
        }
    }

    private Link byName(String op, String name) {
        for (Link l : links.values()) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw NotFoundException.device(op, name);
    }

    private static KernelException err(String op, String subject, Errno e, String msg) {
        return KernelException.of(op, subject, e.number(), msg);
    }

    private MacAddress newMac() {
        byte[] b = new byte[6];
        long v = nextMac++;
        for (int i = 5; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return MacAddress.of(b);
    }

    private Link with(Link l, String name, int flags, int mtu, MacAddress mac, int master) {
        boolean up = (flags & Link.IFF_UP) != 0;
        Link m = master == 0 ? null : links.get(master);
        String slaveKind = m == null ? null : m.kind();
        return new Link(l.index(), name, l.kind(), slaveKind, flags, mtu, mac, master,
                l.linkIndex(), up ? OperState.UP : OperState.DOWN, up, l.bridge(), l.vlanId(), l.unknown(),
                l.vlanProtocol(), l.bond(), "bond".equals(slaveKind) ? l.bondSlave() : null);
    }

    private Link withBridge(Link l, Link.BridgeInfo b) {
        return new Link(l.index(), l.name(), l.kind(), l.slaveKind(), l.flags(), l.mtu(), l.mac(), l.masterIndex(),
                l.linkIndex(), l.operState(), l.carrier(), b, l.vlanId(), l.unknown(), l.vlanProtocol(), l.bond(),
                l.bondSlave());
    }

    private Link withBond(Link l, Link.BondInfo b, Link.BondSlaveInfo s) {
        return new Link(l.index(), l.name(), l.kind(), l.slaveKind(), l.flags(), l.mtu(), l.mac(), l.masterIndex(),
                l.linkIndex(), l.operState(), l.carrier(), l.bridge(), l.vlanId(), l.unknown(), l.vlanProtocol(), b, s);
    }

    /** A bond's ports in the order they joined. */
    private List<Link> slavesOf(Link bond) {
        return links.values().stream().filter(l -> l.masterIndex() == bond.index() && l.bondSlave() != null).toList();
    }

    /** Marks the bond's active port: the first port in active-backup, none in the other modes. */
    private void electActive(Link bond) {
        Link b = links.get(bond.index());
        int active = 0;
        for (Link s : slavesOf(b)) {
            boolean act = b.bond().mode() != BondMode.ACTIVE_BACKUP || active == 0;
            if (act && active == 0 && b.bond().mode() == BondMode.ACTIVE_BACKUP) {
                active = s.index();
            }
            put(withBond(s, null, new Link.BondSlaveInfo(act, s.isUp(), s.bondSlave().permanentMac())));
        }
        put(withBond(b, new Link.BondInfo(b.bond().mode(), active, b.bond().miimonMs()), null));
    }

    private void create(String name, String subject, Link l) {
        InterfaceName.check("dev", name);
        if (links.values().stream().anyMatch(x -> x.name().equals(name))) {
            throw err("link add", subject, Errno.EEXIST, null);
        }
        put(l);
    }

    private String describe(Route r) {
        return r.describe(r.oif() == 0 ? null : links.containsKey(r.oif()) ? links.get(r.oif()).name() : "if" + r.oif());
    }

    @Override
    public LinkOps links() {
        return linkOps;
    }

    @Override
    public AddressOps addresses() {
        return addressOps;
    }

    @Override
    public RouteOps routes() {
        return routeOps;
    }

    @Override
    public BridgeVlanOps bridgeVlans() {
        return vlanOps;
    }

    @Override
    public Sysctls sysctls() {
        return sysctls;
    }

    @Override
    public void close() {
    }

    private final class Links implements LinkOps {
        @Override
        public List<Link> list() {
            return List.copyOf(links.values());
        }

        @Override
        public Optional<Link> find(String name) {
            InterfaceName.check("dev", name);
            return links.values().stream().filter(l -> l.name().equals(name)).findFirst();
        }

        @Override
        public Optional<Link> find(int index) {
            return Optional.ofNullable(links.get(index));
        }

        @Override
        public void addBridge(String name, boolean stp, int forwardDelayCentis, boolean vlanFiltering) {
            create(name, name + " type bridge", new Link(nextIndex, name, "bridge", null, Link.IFF_BROADCAST | Link.IFF_MULTICAST, 1500,
                    newMac(), 0, 0, OperState.DOWN, false,
                    new Link.BridgeInfo(stp ? 1 : 0, forwardDelayCentis, vlanFiltering), 0, List.of()));
            vlans.put(nextIndex, new ArrayList<>(List.of(defaultPvid(nextIndex))));
            nextIndex++;
        }

        @Override
        public void setVlanFiltering(String bridge, boolean on) {
            Link b = byName("link set type bridge", bridge);
            if (!b.isBridge()) {
                throw err("link set type bridge", bridge, Errno.EOPNOTSUPP, null);
            }
            put(withBridge(b, new Link.BridgeInfo(b.bridge().stpState(), b.bridge().forwardDelayCentis(), on)));
        }

        @Override
        public void addBond(String name, BondMode mode, int miimonMs, MacAddress actorSystem) {
            create(name, name + " type bond mode " + mode.word(), new Link(nextIndex, name, "bond", null,
                    Link.IFF_BROADCAST | Link.IFF_MULTICAST, 1500, newMac(), 0, 0, OperState.DOWN, false, null, 0,
                    List.of(), 0, new Link.BondInfo(mode, 0, miimonMs), null));
            nextIndex++;
        }

        @Override
        public void addVeth(String name, String peer) {
            InterfaceName.check("peer", peer);
            if (find(peer).isPresent() || name.equals(peer)) {
                throw err("link add", name + " type veth peer " + peer, Errno.EEXIST, null);
            }
            int a = nextIndex;
            int b = nextIndex + 1;
            create(name, name + " type veth peer " + peer, new Link(a, name, "veth", null, Link.IFF_BROADCAST | Link.IFF_MULTICAST, 1500, newMac(),
                    0, b, OperState.DOWN, false, null, 0, List.of()));
            create(peer, name + " type veth peer " + peer, new Link(b, peer, "veth", null, Link.IFF_BROADCAST | Link.IFF_MULTICAST, 1500, newMac(),
                    0, a, OperState.DOWN, false, null, 0, List.of()));
            nextIndex += 2;
        }

        @Override
        public void addVlan(String name, String parent, int id, int protocol) {
            Link p = byName("link add", parent);
            String subject = name + " link " + parent + " type vlan id " + id;
            if (links.values().stream().anyMatch(l -> l.isVlan() && l.linkIndex() == p.index() && l.vlanId() == id)) {
                throw err("link add", subject, Errno.EEXIST, null); // one VLAN id once per parent
            }
            create(name, subject, new Link(nextIndex, name, "vlan", null, p.flags() & ~Link.IFF_UP, p.mtu(), p.mac(), 0,
                    p.index(), OperState.DOWN, false, null, id, List.of(), protocol, null, null));
            nextIndex++;
        }

        @Override
        public void addVxlan(String name, int vni, IpAddress group, IpAddress local, String dev, int port) {
            int parent = dev == null ? 0 : byName("link add", dev).index();
            create(name, name + " type vxlan id " + vni, new Link(nextIndex, name, "vxlan", null, Link.IFF_BROADCAST | Link.IFF_MULTICAST, 1450,
                    newMac(), 0, parent, OperState.DOWN, false, null, 0, List.of()));
            nextIndex++;
        }

        @Override
        public void delete(String name) {
            Link l = byName("link del", name);
            remove(l);
            if ("veth".equals(l.kind()) && links.containsKey(l.linkIndex())) {
                remove(links.get(l.linkIndex()));
            }
        }

        private void remove(Link l) {
            if (l.isBond()) {
                for (Link s : slavesOf(l)) {
                    release(s);
                }
            }
            vlans.remove(l.index());
            links.remove(l.index());
            moveSysctls(l.name(), null);
            addresses.removeIf(a -> a.index() == l.index());
            routes.removeIf(r -> r.oif() == l.index());
            for (Link p : List.copyOf(links.values())) {
                if (p.masterIndex() == l.index()) {
                    vlans.remove(p.index());
                    put(with(p, p.name(), p.flags(), p.mtu(), p.mac(), 0));
                }
            }
        }

        /** A bond port leaves: its MAC and MTU back, down (the kernel closes it). */
        private void release(Link s) {
            Link before = beforeBond.remove(s.index());
            Link bond = links.get(s.masterIndex());
            put(with(s, s.name(), s.flags() & ~Link.IFF_UP, before.mtu(), before.mac(), 0));
            if (bond != null && links.containsKey(bond.index())) {
                electActive(bond);
            }
        }

        @Override
        public void rename(String name, String newName) {
            InterfaceName.check("name", newName);
            Link l = byName("link set name", name);
            if (find(newName).isPresent() && !newName.equals(name)) {
                throw err("link set name", name + " -> " + newName, Errno.EEXIST, null);
            }
            put(with(l, newName, l.flags(), l.mtu(), l.mac(), l.masterIndex()));
        }

        @Override
        public void setUp(String name, boolean up) {
            Link l = byName(up ? "link set up" : "link set down", name);
            if (!up && l.isUp()) {
                // As the kernel: routes through a link that goes down are removed, and so are its
                // IPv6 addresses (net.ipv6.conf.*.keep_addr_on_down=0).
                routes.removeIf(r -> r.oif() == l.index());
                addresses.removeIf(a -> a.index() == l.index() && a.family() == IpAddress.AF_INET6);
            }
            put(with(l, l.name(), up ? l.flags() | Link.IFF_UP : l.flags() & ~Link.IFF_UP, l.mtu(), l.mac(),
                    l.masterIndex()));
        }

        @Override
        public void setArp(String name, boolean on) {
            Link l = byName("link set arp", name);
            put(with(l, l.name(), on ? l.flags() & ~Link.IFF_NOARP : l.flags() | Link.IFF_NOARP, l.mtu(), l.mac(),
                    l.masterIndex()));
        }

        @Override
        public void setMulticast(String name, boolean on) {
            Link l = byName("link set multicast", name);
            put(with(l, l.name(), on ? l.flags() | Link.IFF_MULTICAST : l.flags() & ~Link.IFF_MULTICAST, l.mtu(),
                    l.mac(), l.masterIndex()));
        }

        @Override
        public void setMaster(String dev, String bridge) {
            Link l = byName("link set master", dev);
            Link br = byName("link set master", bridge);
            String subject = dev + " -> " + bridge;
            if (br.isBond()) {
                enslave(l, br, subject);
                return;
            }
            if (!br.isBridge()) {
                throw err("link set master", subject, Errno.EOPNOTSUPP, null);
            }
            if (l.index() == br.index() || l.isLoopback()) {
                throw err("link set master", subject, Errno.EINVAL, null);
            }
            if (l.bondSlave() != null) {
                throw err("link set master", subject, Errno.EBUSY, null); // a bond's port
            }
            if (l.masterIndex() != br.index()) {
                vlans.put(l.index(), new ArrayList<>(List.of(defaultPvid(l.index()))));
            }
            put(with(l, l.name(), l.flags(), l.mtu(), l.mac(), br.index()));
        }

        private void enslave(Link l, Link bond, String subject) {
            if (l.index() == bond.index() || l.isLoopback() || l.isBridge() || l.isBond()) {
                throw err("link set master", subject, Errno.EINVAL, null);
            }
            if (l.hasMaster()) {
                throw err("link set master", subject, Errno.EBUSY, null);
            }
            if (l.isUp()) {
                throw err("link set master", subject, Errno.EPERM, "Device can not be enslaved while up");
            }
            beforeBond.put(l.index(), l);
            boolean first = slavesOf(bond).isEmpty();
            if (first && !bondMacSet.contains(bond.index())) {
                put(with(bond, bond.name(), bond.flags(), bond.mtu(), l.mac(), bond.masterIndex()));
                bond = links.get(bond.index());
            }
            Link joined = with(l, l.name(), l.flags() | Link.IFF_UP, bond.mtu(), bond.mac(), bond.index());
            put(withBond(joined, null, new Link.BondSlaveInfo(false, true, l.mac())));
            electActive(bond);
        }

        @Override
        public void setNoMaster(String dev) {
            Link l = byName("link set nomaster", dev);
            if (l.bondSlave() != null) {
                release(l);
                return;
            }
            vlans.remove(l.index());
            put(with(l, l.name(), l.flags(), l.mtu(), l.mac(), 0));
        }

        @Override
        public void setMac(String dev, MacAddress mac) {
            Link l = byName("link set address", dev);
            if (mac.isMulticast() || mac.isZero()) {
                throw err("link set address", dev + " " + mac, Errno.EADDRNOTAVAIL, null);
            }
            put(with(l, l.name(), l.flags(), l.mtu(), mac, l.masterIndex()));
            if (l.isBond()) {
                bondMacSet.add(l.index());
                for (Link s : slavesOf(l)) { // fail_over_mac=none: every port has the bond's MAC
                    put(with(s, s.name(), s.flags(), s.mtu(), mac, s.masterIndex()));
                }
            }
        }

        @Override
        public void setMtu(String dev, int mtu) {
            Link l = byName("link set mtu", dev);
            if (mtu < 68) {
                throw err("link set mtu", dev + " " + mtu, Errno.EINVAL, "mtu less than device minimum");
            }
            if (l.isVlan() && links.containsKey(l.linkIndex()) && mtu > links.get(l.linkIndex()).mtu()) {
                throw err("link set mtu", dev + " " + mtu, Errno.ERANGE, null); // not above its parent's
            }
            put(with(l, l.name(), l.flags(), mtu, l.mac(), l.masterIndex()));
            if (l.isBond()) {
                for (Link s : slavesOf(l)) {
                    put(with(s, s.name(), s.flags(), mtu, s.mac(), s.masterIndex()));
                }
            }
        }

        @Override
        public void moveToNetns(String dev, Path netns) {
            remove(byName("link set netns", dev));
        }
    }

    private final class Addresses implements AddressOps {
        @Override
        public List<Address> list() {
            return List.copyOf(addresses);
        }

        @Override
        public int index(String dev) {
            return byName("addr show", dev).index();
        }

        @Override
        public void add(String dev, Address a) {
            int idx = byName("addr add", dev).index();
            for (Address x : addresses) {
                if (x.index() == idx && x.prefix().address().equals(a.prefix().address())) {
                    throw err("addr add", a.prefix() + " dev " + dev, Errno.EEXIST, null);
                }
            }
            int flags = a.flags() | (a.family() == IpAddress.AF_INET6 ? Address.IFA_F_PERMANENT : 0);
            boolean secondary = a.family() == IpAddress.AF_INET && addresses.stream().anyMatch(x -> x.index() == idx
                    && x.family() == IpAddress.AF_INET && x.prefix().length() == a.prefix().length()
                    && x.prefix().network().equals(a.prefix().network()));
            if (secondary) {
                flags |= Address.IFA_F_SECONDARY;
            }
            String label = a.family() == IpAddress.AF_INET ? (a.label() == null ? dev : a.label()) : null;
            addresses.add(new Address(idx, a.prefix(), a.peer(), a.broadcast(), label, a.scope(), flags,
                    a.validLifetime(), a.preferredLifetime()));
        }

        @Override
        public void delete(String dev, Address a) {
            int idx = byName("addr del", dev).index();
            boolean removed = addresses.removeIf(x -> x.index() == idx && x.prefix().equals(a.prefix()));
            if (!removed) {
                throw err("addr del", a.prefix() + " dev " + dev, Errno.EADDRNOTAVAIL, null);
            }
        }

        @Override
        public void flush(String dev) {
            int idx = byName("addr flush", dev).index();
            addresses.removeIf(x -> x.index() == idx);
        }
    }

    private final class Routes implements RouteOps {
        @Override
        public List<Route> list() {
            return List.copyOf(routes);
        }

        private boolean same(Route a, Route b) {
            return a.family() == b.family() && a.table() == b.table() && a.destination().equals(b.destination())
                    && a.metric() == b.metric();
        }

        private void check(String op, Route r) {
            if (r.oif() != 0 && !links.containsKey(r.oif())) {
                throw err(op, describe(r), Errno.ENODEV, null);
            }
            boolean onlink = (r.flags() & 0x4) != 0;
            if (r.gateway() != null && !onlink) {
                boolean reachable = addresses.stream().anyMatch(a -> (r.oif() == 0 || a.index() == r.oif())
                        && a.prefix().contains(r.gateway()));
                if (!reachable) {
                    throw err(op, describe(r), Errno.ENETUNREACH, "Nexthop has invalid gateway");
                }
            }
        }

        @Override
        public Optional<Route> lookup(IpAddress destination) {
            Route best = null;
            for (Route r : routes) {
                if (r.table() == Route.TABLE_MAIN && r.destination().contains(destination)
                        && (best == null || r.destination().length() > best.destination().length())) {
                    best = r;
                }
            }
            for (Address a : addresses) {
                if (a.prefix().contains(destination) && (best == null || a.prefix().length() > best.destination().length())) {
                    best = Route.unicast(a.prefix(), null, a.index());
                }
            }
            return Optional.ofNullable(best);
        }

        @Override
        public void add(Route r) {
            check("route add", r);
            if (routes.stream().anyMatch(x -> same(x, r))) {
                throw err("route add", describe(r), Errno.EEXIST, null);
            }
            routes.add(r);
        }

        @Override
        public void replace(Route r) {
            check("route replace", r);
            routes.removeIf(x -> same(x, r));
            routes.add(r);
        }

        @Override
        public void delete(Route r) {
            boolean removed = routes.removeIf(x -> same(x, r) && (r.oif() == 0 || x.oif() == r.oif()));
            if (!removed) {
                throw err("route del", describe(r), Errno.ESRCH, null);
            }
        }
    }

    private static BridgeVlan defaultPvid(int index) {
        return new BridgeVlan(index, BridgeVlan.DEFAULT_PVID, true, true);
    }

    private final class BridgeVlans implements BridgeVlanOps {
        @Override
        public List<BridgeVlan> list() {
            List<BridgeVlan> out = new ArrayList<>();
            for (Link l : links.values()) {
                out.addAll(vlans.getOrDefault(l.index(), List.of()));
            }
            return out;
        }

        @Override
        public List<BridgeVlan> list(String dev) {
            return List.copyOf(vlans.getOrDefault(byName("bridge vlan show", dev).index(), List.of()));
        }

        private List<BridgeVlan> portVlans(String op, String dev, int vid, String subject) {
            if (vid < BridgeVlan.MIN_VID || vid > BridgeVlan.MAX_VID) {
                throw new org.xennet.error.UsageException("VLAN id " + vid + " is outside 1-4094");
            }
            Link l = byName(op, dev);
            Link m = l.masterIndex() == 0 ? null : links.get(l.masterIndex());
            if (m == null || !m.isBridge()) {
                throw err(op, subject, Errno.EOPNOTSUPP, null);
            }
            return vlans.computeIfAbsent(l.index(), i -> new ArrayList<>());
        }

        @Override
        public void add(String dev, int vid, boolean pvid, boolean untagged) {
            String subject = "dev " + dev + " " + new BridgeVlan(0, vid, pvid, untagged).addWords();
            List<BridgeVlan> v = portVlans("bridge vlan add", dev, vid, subject);
            int index = byName("bridge vlan add", dev).index();
            v.removeIf(x -> x.vid() == vid);
            if (pvid) {
                v.replaceAll(x -> new BridgeVlan(x.index(), x.vid(), false, x.untagged()));
            }
            v.add(new BridgeVlan(index, vid, pvid, untagged));
            v.sort(java.util.Comparator.comparingInt(BridgeVlan::vid));
        }

        @Override
        public void delete(String dev, int vid) {
            String subject = "dev " + dev + " vid " + vid;
            // a VLAN the port does not have: acknowledged, as by the kernel
            portVlans("bridge vlan del", dev, vid, subject).removeIf(x -> x.vid() == vid);
        }
    }

    private final class FakeSysctls implements Sysctls {
        @Override
        public Optional<String> find(String key) {
            return Optional.ofNullable(sysctl.get(key));
        }

        @Override
        public void set(String key, String value) {
            if (!sysctl.containsKey(key)) {
                throw err("sysctl write", key + "=" + value, Errno.ENOENT, null);
            }
            sysctl.put(key, value);
            if (key.equals(Sysctls.IPV4_FORWARD) || key.equals(V4 + "all/forwarding")) {
                // the kernel's inet_forward_change: all, default and every link
                sysctl.put(Sysctls.IPV4_FORWARD, value);
                sysctl.put(V4 + "all/forwarding", value);
                sysctl.put(V4 + "default/forwarding", value);
                links.values().forEach(l -> sysctl.put(V4 + l.name() + "/forwarding", value));
            } else if (key.startsWith(V4 + "default/")) {
                // devinet_copy_dflt_conf: links whose key was never written follow the default
                String k = key.substring((V4 + "default/").length());
                if (!k.equals("forwarding")) {
                    for (Link l : links.values()) {
                        String dev = V4 + l.name() + "/" + k;
                        if (!explicit.contains(dev)) {
                            sysctl.put(dev, value);
                        }
                    }
                }
            } else if (key.startsWith(V6 + "all/")) {
                // addrconf's disable_ipv6 and forwarding changes: default and every link
                String k = key.substring((V6 + "all/").length());
                sysctl.put(V6 + "default/" + k, value);
                links.values().forEach(l -> sysctl.put(V6 + l.name() + "/" + k, value));
            } else if (key.startsWith(V4) && !key.startsWith(V4 + "all/")) {
                explicit.add(key);
            }
        }
    }
}
