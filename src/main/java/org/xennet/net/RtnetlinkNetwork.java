// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import static org.xennet.netlink.rtnl.Rtnl.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.error.NotFoundException;
import org.xennet.error.UsageException;
import org.xennet.jna.JnaNetlinkSocket;
import org.xennet.jna.NativeFiles;
import org.xennet.jna.Netns;
import org.xennet.log.Startup;
import org.xennet.model.Address;
import org.xennet.model.BondMode;
import org.xennet.model.BridgeVlan;
import org.xennet.model.InterfaceName;
import org.xennet.model.IpAddress;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.netlink.Nl;
import org.xennet.netlink.NetlinkSocket;
import org.xennet.netlink.NetlinkTransport;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.AddressMessages;
import org.xennet.netlink.rtnl.BridgeVlanMessages;
import org.xennet.netlink.rtnl.LinkMessages;
import org.xennet.netlink.rtnl.RouteMessages;

/**
 * {@link Network} over rtnetlink. Longer than ~300 lines because it implements the whole
 * {@link Network} interface, one short method per operation (build the request with the codec,
 * send it, map the reply to model records); splitting it would split the interface, not a job.
 */
public final class RtnetlinkNetwork implements Network {
    /** How long any single kernel reply may take before the call fails instead of hanging. */
    public static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(5);

    private final NetlinkTransport nl;
    private final Sysctls sysctls;
    private final Links links = new Links();
    private final Addresses addresses = new Addresses();
    private final Routes routes = new Routes();
    private final BridgeVlans bridgeVlans = new BridgeVlans();

    public RtnetlinkNetwork(NetlinkSocket socket, Sysctls sysctls) {
        this.nl = new NetlinkTransport(socket);
        this.sysctls = sysctls;
    }

    /** The network of this process. */
    public static RtnetlinkNetwork open() {
        Startup.mark("netlink open");
        JnaNetlinkSocket socket = JnaNetlinkSocket.open(Nl.NETLINK_ROUTE, RECEIVE_TIMEOUT);
        Startup.mark("netlink ready (JNA loaded)");
        return new RtnetlinkNetwork(socket, ProcSysctls.host());
    }

    /** The network of the namespace behind a file such as {@code /run/netns/NAME}. */
    public static RtnetlinkNetwork openIn(Path netns) {
        ProcSysctls.Scope scope = new ProcSysctls.Scope() {
            @Override
            public <T> T call(Supplier<T> action) {
                return Netns.callIn(netns, action);
            }
        };
        return new RtnetlinkNetwork(JnaNetlinkSocket.openIn(netns, Nl.NETLINK_ROUTE, RECEIVE_TIMEOUT),
                new ProcSysctls(Path.of("/proc/sys"), scope));
    }

    @Override
    public LinkOps links() {
        return links;
    }

    @Override
    public AddressOps addresses() {
        return addresses;
    }

    @Override
    public RouteOps routes() {
        return routes;
    }

    @Override
    public BridgeVlanOps bridgeVlans() {
        return bridgeVlans;
    }

    @Override
    public Sysctls sysctls() {
        return sysctls;
    }

    @Override
    public void close() {
        nl.close();
    }

    private int indexOf(String op, String name) {
        return links.find(name).orElseThrow(() -> NotFoundException.device(op, name)).index();
    }

    private final class Links implements LinkOps {
        @Override
        public List<Link> list() {
            List<Link> out = new ArrayList<>();
            for (NlMessage m : nl.dump("link show", "", RTM_GETLINK, LinkMessages.dump())) {
                if (m.type() == RTM_NEWLINK) {
                    out.add(LinkMessages.decode(m));
                }
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public Optional<Link> find(String name) {
            InterfaceName.check("dev", name);
            try {
                return Optional.of(LinkMessages.decode(nl.get("link show", name, RTM_GETLINK,
                        LinkMessages.getByName(name))));
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        }

        @Override
        public Optional<Link> find(int index) {
            try {
                return Optional.of(LinkMessages.decode(nl.get("link show", "index " + index, RTM_GETLINK,
                        LinkMessages.getByIndex(index))));
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        }

        private void create(String subject, byte[] payload) {
            nl.execute("link add", subject, RTM_NEWLINK, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, payload);
        }

        @Override
        public void addBridge(String name, boolean stp, int forwardDelayCentis, boolean vlanFiltering) {
            InterfaceName.check("bridge", name);
            create(name + " type bridge", LinkMessages.newBridge(name, stp, forwardDelayCentis, vlanFiltering));
        }

        @Override
        public void setVlanFiltering(String bridge, boolean on) {
            String op = "link set type bridge vlan_filtering " + (on ? 1 : 0);
            nl.execute(op, bridge, RTM_NEWLINK, 0, LinkMessages.setVlanFiltering(indexOf(op, bridge), on));
        }

        @Override
        public void addBond(String name, BondMode mode, int miimonMs, MacAddress actorSystem) {
            InterfaceName.check("dev", name);
            create(name + " type bond mode " + mode.word(), LinkMessages.newBond(name, mode, miimonMs, actorSystem));
        }

        @Override
        public void addVeth(String name, String peer) {
            InterfaceName.check("dev", name);
            InterfaceName.check("peer", peer);
            create(name + " type veth peer " + peer, LinkMessages.newVeth(name, peer));
        }

        @Override
        public void addVlan(String name, String parent, int id, int protocol) {
            InterfaceName.check("dev", name);
            checkVid(id);
            create(name + " link " + parent + " type vlan id " + id,
                    LinkMessages.newVlan(name, indexOf("link add", parent), id, protocol));
        }

        @Override
        public void addVxlan(String name, int vni, IpAddress group, IpAddress local, String dev, int port) {
            InterfaceName.check("dev", name);
            int devIndex = dev == null ? 0 : indexOf("link add", dev);
            create(name + " type vxlan id " + vni, LinkMessages.newVxlan(name, vni, group, local, devIndex, port));
        }

        @Override
        public void delete(String name) {
            nl.execute("link del", name, RTM_DELLINK, 0, LinkMessages.delete(indexOf("link del", name)));
        }

        @Override
        public void rename(String name, String newName) {
            InterfaceName.check("name", newName);
            nl.execute("link set name", name + " -> " + newName, RTM_NEWLINK, 0,
                    LinkMessages.rename(indexOf("link set name", name), newName));
        }

        @Override
        public void setUp(String name, boolean up) {
            String op = up ? "link set up" : "link set down";
            nl.execute(op, name, RTM_NEWLINK, 0, LinkMessages.setUp(indexOf(op, name), up));
        }

        @Override
        public void setArp(String name, boolean on) {
            String op = "link set arp " + (on ? "on" : "off");
            nl.execute(op, name, RTM_NEWLINK, 0, LinkMessages.setFlag(indexOf(op, name), Link.IFF_NOARP, !on));
        }

        @Override
        public void setMulticast(String name, boolean on) {
            String op = "link set multicast " + (on ? "on" : "off");
            nl.execute(op, name, RTM_NEWLINK, 0, LinkMessages.setFlag(indexOf(op, name), Link.IFF_MULTICAST, on));
        }

        @Override
        public void setMaster(String dev, String bridge) {
            String op = "link set master";
            int devIndex = indexOf(op, dev);
            int brIndex = indexOf(op, bridge);
            nl.execute(op, dev + " -> " + bridge, RTM_NEWLINK, 0, LinkMessages.setMaster(devIndex, brIndex));
        }

        @Override
        public void setNoMaster(String dev) {
            nl.execute("link set nomaster", dev, RTM_NEWLINK, 0,
                    LinkMessages.setMaster(indexOf("link set nomaster", dev), 0));
        }

        @Override
        public void setMac(String dev, MacAddress mac) {
            nl.execute("link set address", dev + " " + mac, RTM_NEWLINK, 0,
                    LinkMessages.setMac(indexOf("link set address", dev), mac));
        }

        @Override
        public void setMtu(String dev, int mtu) {
            nl.execute("link set mtu", dev + " " + mtu, RTM_NEWLINK, 0,
                    LinkMessages.setMtu(indexOf("link set mtu", dev), mtu));
        }

        @Override
        public void moveToNetns(String dev, Path netns) {
            int index = indexOf("link set netns", dev);
            int fd = NativeFiles.openReadOnly(netns.toString());
            try {
                nl.execute("link set netns", dev + " -> " + netns, RTM_NEWLINK, 0, LinkMessages.setNetnsFd(index, fd));
            } finally {
                NativeFiles.close(fd);
            }
        }
    }

    static void checkVid(int vid) {
        if (vid < BridgeVlan.MIN_VID || vid > BridgeVlan.MAX_VID) {
            throw new UsageException("VLAN id " + vid + " is outside " + BridgeVlan.MIN_VID + "-" + BridgeVlan.MAX_VID);
        }
    }

    private final class BridgeVlans implements BridgeVlanOps {
        @Override
        public List<BridgeVlan> list() {
            List<BridgeVlan> out = new ArrayList<>();
            for (NlMessage m : nl.dump("bridge vlan show", "", RTM_GETLINK, BridgeVlanMessages.dump())) {
                if (m.type() == RTM_NEWLINK) {
                    out.addAll(BridgeVlanMessages.decode(m));
                }
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public List<BridgeVlan> list(String dev) {
            int idx = indexOf("bridge vlan show", dev);
            return list().stream().filter(v -> v.index() == idx).toList();
        }

        @Override
        public void add(String dev, int vid, boolean pvid, boolean untagged) {
            checkVid(vid);
            String op = "bridge vlan add";
            nl.execute(op, "dev " + dev + " " + new BridgeVlan(0, vid, pvid, untagged).addWords(), RTM_SETLINK, 0,
                    BridgeVlanMessages.entry(indexOf(op, dev), vid, pvid, untagged));
        }

        @Override
        public void delete(String dev, int vid) {
            checkVid(vid);
            String op = "bridge vlan del";
            nl.execute(op, "dev " + dev + " vid " + vid, RTM_DELLINK, 0,
                    BridgeVlanMessages.entry(indexOf(op, dev), vid, false, false));
        }
    }

    private final class Addresses implements AddressOps {
        @Override
        public List<Address> list() {
            List<Address> out = new ArrayList<>();
            for (NlMessage m : nl.dump("addr show", "", RTM_GETADDR, AddressMessages.dump(AF_UNSPEC))) {
                if (m.type() == RTM_NEWADDR) {
                    out.add(AddressMessages.decode(m));
                }
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public int index(String dev) {
            return indexOf("addr show", dev);
        }

        @Override
        public void add(String dev, Address address) {
            int idx = indexOf("addr add", dev);
            nl.execute("addr add", address.prefix() + " dev " + dev, RTM_NEWADDR, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL,
                    AddressMessages.encode(address.withIndex(idx)));
        }

        @Override
        public void delete(String dev, Address address) {
            int idx = indexOf("addr del", dev);
            nl.execute("addr del", address.prefix() + " dev " + dev, RTM_DELADDR, 0,
                    AddressMessages.encode(address.withIndex(idx)));
        }

        @Override
        public void flush(String dev) {
            int idx = indexOf("addr flush", dev);
            // Primaries last: deleting an IPv4 primary also deletes its secondaries (unless
            // promote_secondaries is set), and a second delete of those would fail.
            List<Address> mine = new ArrayList<>();
            for (Address a : list()) {
                if (a.index() == idx) {
                    mine.add(a);
                }
            }
            mine.sort((a, b) -> Boolean.compare(!a.isSecondary(), !b.isSecondary()));
            for (Address a : mine) {
                try {
                    nl.execute("addr flush", a.prefix() + " dev " + dev, RTM_DELADDR, 0, AddressMessages.encode(a));
                } catch (NotFoundException e) {
                    // already gone with its primary
                }
            }
        }
    }

    private final class Routes implements RouteOps {
        @Override
        public List<Route> list() {
            List<Route> out = new ArrayList<>();
            for (int family : new int[] {AF_INET, AF_INET6}) {
                for (NlMessage m : nl.dump("route show", family == AF_INET ? "table all" : "-6 table all",
                        RTM_GETROUTE, RouteMessages.dump(family))) {
                    if (m.type() == RTM_NEWROUTE) {
                        out.add(RouteMessages.decode(m));
                    }
                }
            }
            return Collections.unmodifiableList(out);
        }

        @Override
        public Optional<Route> lookup(IpAddress destination) {
            try {
                return Optional.of(RouteMessages.decode(nl.get("route get", destination.toString(), RTM_GETROUTE,
                        RouteMessages.get(destination))));
            } catch (KernelException e) {
                if (e.errnoName() == Errno.ENETUNREACH || e.errnoName() == Errno.EHOSTUNREACH
                        || e instanceof NotFoundException) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        /** The route with its device as "ifN": no request needed (a timeout message uses it). */
        private String quick(Route r) {
            return r.describe(r.oif() == 0 ? null : "if" + r.oif());
        }

        /**
         * The route is described with its device's name (one more request) only when it failed;
         * if that lookup fails too, the original error stands as it is.
         */
        private KernelException renamed(KernelException e, String subject) {
            return KernelException.of(e.operation(), subject, e.errno(), e.kernelMessage());
        }

        private String describeOr(Route r, KernelException original) {
            try {
                return describe(r);
            } catch (RuntimeException lookupFailed) {
                return original.subject();
            }
        }

        private String describe(Route r) {
            String dev = r.oif() == 0 ? null : links.find(r.oif()).map(Link::name).orElse("if" + r.oif());
            return r.describe(dev);
        }

        @Override
        public void add(Route route) {
            try {
                nl.execute("route add", quick(route), RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_EXCL, RouteMessages.encode(route));
            } catch (KernelException e) {
                throw renamed(e, describeOr(route, e));
            }
        }

        @Override
        public void replace(Route route) {
            try {
                nl.execute("route replace", quick(route), RTM_NEWROUTE, Nl.NLM_F_CREATE | Nl.NLM_F_REPLACE,
                        RouteMessages.encode(route));
            } catch (KernelException e) {
                throw renamed(e, describeOr(route, e));
            }
        }

        @Override
        public void delete(Route route) {
            try {
                nl.execute("route del", quick(route), RTM_DELROUTE, 0, RouteMessages.encodeDelete(route));
            } catch (KernelException e) {
                throw renamed(e, describeOr(route, e));
            }
        }
    }
}
