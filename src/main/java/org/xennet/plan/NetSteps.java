// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import java.util.Optional;
import java.util.function.Predicate;
import org.xennet.error.AlreadyExistsException;
import org.xennet.error.NotFoundException;
import org.xennet.model.Address;
import org.xennet.model.BondMode;
import org.xennet.model.BridgeVlan;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;

/**
 * The steps every script builds, made in one place: each gives its description (the {@code ip}
 * or {@code sysctl} command it equals), its action and, where the change can be taken back, its
 * undo, together. Scripts compose these; they do not spell commands.
 *
 * <p>Actions and undos are idempotent and check before they act: an action whose result holds
 * already (the address is there, the link has that name) counts as done, an undo of something
 * that is not there does nothing. That is what lets the same undo serve a rollback, a stop, and
 * the recovery after a kill, when the next process cannot know whether the last step ran.
 *
 * <p>Longer than the ~300 lines a class here usually keeps to, on purpose: it is a catalogue of
 * independent builders of a dozen lines each, and the point of it is that they are all in one
 * place; split by object, a newcomer would again find two ways to build one step.
 */
public final class NetSteps {
    private final Network net;

    public NetSteps(Network net) {
        this.net = net;
    }

    public Network network() {
        return net;
    }

    private boolean exists(String dev) {
        return net.links().exists(dev);
    }

    // ---------------------------------------------------------------- links

    /** {@code ip link add NAME type bridge stp_state S forward_delay D}; undone by deleting it. */
    public Step addBridge(String name, boolean stp, int forwardDelayCentis) {
        return Step.required("ip link add " + name + " type bridge stp_state " + (stp ? 1 : 0) + " forward_delay "
                + forwardDelayCentis, () -> {
                    Optional<Link> l = net.links().find(name);
                    if (l.isEmpty() || !l.get().isBridge()) {
                        net.links().addBridge(name, stp, forwardDelayCentis);
                    }
                }).undoneBy("ip link del " + name, () -> deleteIfThere(name)).undoPolicy(Step.Policy.WARN);
    }

    /**
     * {@code ip link add NAME type bridge stp_state S forward_delay D vlan_filtering 1}; undone by
     * deleting it. Without VLAN filtering the step of {@link #addBridge(String, boolean, int)}.
     */
    public Step addBridge(String name, boolean stp, int forwardDelayCentis, boolean vlanFiltering) {
        if (!vlanFiltering) {
            return addBridge(name, stp, forwardDelayCentis);
        }
        return Step.required("ip link add " + name + " type bridge stp_state " + (stp ? 1 : 0) + " forward_delay "
                + forwardDelayCentis + " vlan_filtering 1", () -> {
                    Optional<Link> l = net.links().find(name);
                    if (l.isEmpty() || !l.get().isBridge()) {
                        net.links().addBridge(name, stp, forwardDelayCentis, true);
                    } else if (!l.get().vlanFiltering()) {
                        net.links().setVlanFiltering(name, true);
                    }
                }).undoneBy("ip link del " + name, () -> deleteIfThere(name)).undoPolicy(Step.Policy.WARN);
    }

    /**
     * {@code ip link add link PARENT name NAME type vlan [protocol 802.1ad] id ID}; undone by
     * deleting it. A VLAN link of that name, parent and id counts as made; the undo deletes only a
     * VLAN link with that id (never a link someone else made under the name meanwhile).
     */
    public Step addVlan(String name, String parent, int id, int protocol) {
        return Step.required(vlanWords(name, parent, id, protocol), () -> {
            Optional<Link> l = net.links().find(name);
            Optional<Link> p = net.links().find(parent);
            if (l.isEmpty() || p.isEmpty() || !l.get().isVlan() || l.get().vlanId() != id
                    || l.get().linkIndex() != p.get().index()) {
                net.links().addVlan(name, parent, id, protocol);
            }
        }).undoneBy("ip link del " + name, () -> {
            if (net.links().find(name).filter(l -> l.isVlan() && l.vlanId() == id).isPresent()) {
                deleteIfThere(name);
            }
        }).undoPolicy(Step.Policy.WARN);
    }

    /** The words of {@link #addVlan}: {@code ip link add link eth0 name eth0.10 type vlan id 10}. */
    public static String vlanWords(String name, String parent, int id, int protocol) {
        return "ip link add link " + parent + " name " + name + " type vlan "
                + (protocol == Link.ETH_P_8021AD ? "protocol 802.1ad " : "") + "id " + id;
    }

    /**
     * {@code ip link add NAME type bond mode MODE miimon MS [ad_actor_system MAC]}; undone by
     * deleting it, which releases its ports (the kernel gives each its MAC and MTU back and takes
     * it down). A bond of that name counts as made; the undo deletes only a bond.
     */
    public Step addBond(String name, BondMode mode, int miimonMs, MacAddress actorSystem) {
        return Step.required("ip link add " + name + " type bond mode " + mode.word() + " miimon " + miimonMs
                + (actorSystem == null ? "" : " ad_actor_system " + actorSystem), () -> {
                    if (net.links().find(name).filter(Link::isBond).isEmpty()) {
                        net.links().addBond(name, mode, miimonMs, actorSystem);
                    }
                }).undoneBy("ip link del " + name, () -> {
                    if (net.links().find(name).filter(Link::isBond).isPresent()) {
                        deleteIfThere(name);
                    }
                }).undoPolicy(Step.Policy.WARN);
    }

    /**
     * {@code ip link set dev DEV master BOND} (DEV must be down: the kernel enslaves only a link
     * that is); undone by {@code nomaster}, after which the kernel has given DEV back its MAC and
     * MTU, which are set again where they still differ from {@code mac} and {@code mtu}.
     */
    public Step enslave(String dev, String bond, MacAddress mac, int mtu) {
        return Step.required(linkWords(dev, "master " + bond), () -> {
            Optional<Link> l = net.links().find(dev);
            Optional<Link> b = net.links().find(bond);
            if (l.isEmpty() || b.isEmpty() || l.get().masterIndex() != b.get().index()) {
                net.links().setMaster(dev, bond);
            }
        }).undoneBy(linkWords(dev, "nomaster"), () -> {
            Optional<Link> l = net.links().find(dev);
            if (l.isEmpty()) {
                return;
            }
            if (l.get().hasMaster()) {
                net.links().setNoMaster(dev);
            }
            Link now = net.links().get(dev);
            if (mac != null && !mac.equals(now.mac())) {
                net.links().setMac(dev, mac);
            }
            if (mtu != 0 && now.mtu() != mtu) {
                net.links().setMtu(dev, mtu);
            }
        });
    }

    /** {@code ip link add NAME type veth peer name PEER}; undone by deleting the pair. */
    public Step addVeth(String name, String peer) {
        return Step.required("ip link add " + name + " type veth peer name " + peer, () -> {
            if (!exists(name) || !exists(peer)) {
                net.links().addVeth(name, peer);
            }
        }).undoneBy("ip link del " + name, () -> deleteIfThere(name)).undoPolicy(Step.Policy.WARN);
    }

    /** {@code ip link del DEV}; a link that is gone already counts as deleted. */
    public Step delete(String dev) {
        return Step.warn("ip link del " + dev, () -> deleteIfThere(dev));
    }

    private void deleteIfThere(String dev) {
        try {
            if (exists(dev)) {
                net.links().delete(dev);
            }
        } catch (NotFoundException e) {
            // gone meanwhile (the peer of a deleted veth goes with it)
        }
    }

    /** {@code ip link set dev DEV up}; undone by taking it down again. */
    public Step up(String dev) {
        return up(dev, l -> true);
    }

    /**
     * {@code ip link set dev DEV up}; undone by taking it down again if the link of that name
     * then is {@code ours} (a name that another link may carry by the time the undo runs: the
     * NIC's own name, which start gives to a link of its making).
     */
    public Step up(String dev, Predicate<Link> ours) {
        return Step.required(linkWords(dev, "up"), () -> net.links().setUp(dev, true))
                .undoneBy(linkWords(dev, "down"), () -> {
                    if (net.links().find(dev).filter(ours).isPresent()) {
                        net.links().setUp(dev, false);
                    }
                });
    }

    /** {@code ip link set dev DEV down}, without an undo (callers that take a link down for good or restore it otherwise). */
    public Step down(String dev) {
        return Step.required(linkWords(dev, "down"), () -> setUpIfThere(dev, false));
    }

    /** {@code ip link set dev DEV down}, undone by bringing it up again when it was up. */
    public Step down(String dev, boolean wasUp) {
        Step s = down(dev);
        return wasUp ? s.undoneBy(linkWords(dev, "up"), () -> setUpIfThere(dev, true)) : s;
    }

    private void setUpIfThere(String dev, boolean up) {
        if (exists(dev)) {
            net.links().setUp(dev, up);
        }
    }

    /** {@code ip link set dev DEV master BRIDGE}; undone by {@code nomaster}, or back onto {@code previous}. */
    public Step master(String dev, String bridge, String previous) {
        return Step.required(linkWords(dev, "master " + bridge), () -> net.links().setMaster(dev, bridge))
                .undoneBy(linkWords(dev, previous == null ? "nomaster" : "master " + previous), () -> {
                            if (!exists(dev)) {
                                return;
                            }
                            if (previous == null) {
                                net.links().setNoMaster(dev);
                            } else {
                                net.links().setMaster(dev, previous);
                            }
                        });
    }

    /** {@code ip link set dev DEV nomaster}; undone by putting it back on {@code bridge} (if known). */
    public Step nomaster(String dev, String bridge) {
        Step s = Step.required(linkWords(dev, "nomaster"), () -> {
            if (exists(dev)) {
                net.links().setNoMaster(dev);
            }
        });
        return bridge == null ? s : s.undoneBy(linkWords(dev, "master " + bridge),
                () -> net.links().setMaster(dev, bridge));
    }

    /**
     * {@code ip link set dev FROM name TO} (the link must be down; the kernel refuses to rename
     * one that is up); undone by the reverse, taking it down first. Done when TO exists and FROM
     * does not; the undo acts only in that state.
     */
    public Step rename(String from, String to) {
        return rename(from, to, l -> true);
    }

    /**
     * Like {@link #rename(String, String)}, where the undo renames back only a link that is
     * {@code ours}: the name TO may be the NIC's own, carried by the NIC again when the undo runs
     * (a stop taken up again after it was killed).
     */
    public Step rename(String from, String to, Predicate<Link> ours) {
        return Step.required(linkWords(from, "name " + to), () -> renameIfThere(from, to, false, l -> true))
                .undoneBy(linkWords(to, "name " + from), () -> renameIfThere(to, from, true, ours));
    }

    private void renameIfThere(String from, String to, boolean undo, Predicate<Link> ours) {
        Optional<Link> src = net.links().find(from);
        if (src.isEmpty() && (undo || exists(to))) {
            return; // done already, or an undo with nothing to undo
        }
        if (undo && (!ours.test(src.get()) || exists(to))) {
            return; // not the link this step renamed
        }
        if (undo) {
            net.links().setUp(from, false);
        }
        net.links().rename(from, to);
    }

    /** {@code ip link set dev DEV arp on|off}; undone by {@code old} where given. */
    public Step arp(String dev, boolean on, Boolean old) {
        Step s = Step.required(linkWords(dev, "arp " + (on ? "on" : "off")), () -> setArp(dev, on, false));
        return old == null ? s : s.undoneBy(linkWords(dev, "arp " + (old ? "on" : "off")),
                () -> setArp(dev, old, true));
    }

    private void setArp(String dev, boolean on, boolean ifThere) {
        Optional<Link> l = net.links().find(dev);
        if (l.isEmpty() && ifThere) {
            return;
        }
        if (l.isEmpty() || l.get().arp() != on) {
            net.links().setArp(dev, on);
        }
    }

    /** {@code ip link set dev DEV multicast on|off}; undone by {@code old} where given. */
    public Step multicast(String dev, boolean on, Boolean old) {
        Step s = Step.required(linkWords(dev, "multicast " + (on ? "on" : "off")),
                () -> setMulticast(dev, on, false));
        return old == null ? s : s.undoneBy(linkWords(dev, "multicast " + (old ? "on" : "off")),
                () -> setMulticast(dev, old, true));
    }

    private void setMulticast(String dev, boolean on, boolean ifThere) {
        Optional<Link> l = net.links().find(dev);
        if (l.isEmpty() && ifThere) {
            return;
        }
        if (l.isEmpty() || l.get().multicast() != on) {
            net.links().setMulticast(dev, on);
        }
    }

    /** {@code ip link set dev DEV address MAC}; undone by {@code old} where given. */
    public Step mac(String dev, MacAddress mac, MacAddress old) {
        Step s = Step.required(linkWords(dev, "address " + mac), () -> setMac(dev, mac, false));
        return old == null ? s : s.undoneBy(linkWords(dev, "address " + old), () -> setMac(dev, old, true));
    }

    private void setMac(String dev, MacAddress mac, boolean ifThere) {
        Optional<Link> l = net.links().find(dev);
        if (l.isEmpty() && ifThere) {
            return;
        }
        if (l.isEmpty() || !mac.equals(l.get().mac())) {
            net.links().setMac(dev, mac);
        }
    }

    /** {@code ip link set dev DEV mtu MTU}; undone by {@code old} where given (0: no undo). */
    public Step mtu(String dev, int mtu, int old) {
        Step s = Step.required(linkWords(dev, "mtu " + mtu), () -> net.links().setMtu(dev, mtu));
        return old == 0 ? s : s.undoneBy(linkWords(dev, "mtu " + old), () -> {
            if (exists(dev)) {
                net.links().setMtu(dev, old);
            }
        });
    }

    // ---------------------------------------------------------------- bridge VLANs

    /**
     * {@code bridge vlan add dev DEV vid VID [pvid] [untagged]}; undone by putting back the entry
     * the port had for that VLAN ({@code old}), or by deleting it when it had none. An entry that
     * is as wanted already counts as added.
     */
    public Step bridgeVlanAdd(String dev, BridgeVlan wanted, BridgeVlan old) {
        Step s = Step.required(bridgeVlanWords("add", dev, wanted), () -> {
            if (!has(dev, wanted)) {
                net.bridgeVlans().add(dev, wanted.vid(), wanted.pvid(), wanted.untagged());
            }
        });
        if (old != null) {
            return s.undoneBy(bridgeVlanWords("add", dev, old), () -> {
                if (exists(dev) && !has(dev, old)) {
                    net.bridgeVlans().add(dev, old.vid(), old.pvid(), old.untagged());
                }
            });
        }
        return s.undoneBy(bridgeVlanWords("del", dev, wanted), () -> deleteVlanIfThere(dev, wanted.vid()));
    }

    /** {@code bridge vlan del dev DEV vid VID}; undone by adding {@code old} back. A VLAN that is gone counts as deleted. */
    public Step bridgeVlanDelete(String dev, BridgeVlan old) {
        return Step.required(bridgeVlanWords("del", dev, old), () -> deleteVlanIfThere(dev, old.vid()))
                .undoneBy(bridgeVlanWords("add", dev, old), () -> {
                    if (exists(dev) && !has(dev, old)) {
                        net.bridgeVlans().add(dev, old.vid(), old.pvid(), old.untagged());
                    }
                });
    }

    private boolean has(String dev, BridgeVlan v) {
        return net.bridgeVlans().list(dev).stream()
                .anyMatch(x -> x.vid() == v.vid() && x.pvid() == v.pvid() && x.untagged() == v.untagged());
    }

    private void deleteVlanIfThere(String dev, int vid) {
        try {
            if (exists(dev) && net.bridgeVlans().list(dev).stream().anyMatch(x -> x.vid() == vid)) {
                net.bridgeVlans().delete(dev, vid);
            }
        } catch (NotFoundException e) {
            // gone meanwhile (the port left its bridge, or the VLAN was deleted)
        }
    }

    /** {@code bridge vlan add|del dev DEV vid VID [pvid] [untagged]}: the words of every bridge VLAN step and of advice. */
    public static String bridgeVlanWords(String verb, String dev, BridgeVlan v) {
        return "bridge vlan " + verb + " dev " + dev + " " + (verb.equals("del") ? "vid " + v.vid() : v.addWords());
    }

    /** {@code ip link set dev BR type bridge vlan_filtering 1}: the words of advice that switches a bridge's VLAN filtering on. */
    public static String vlanFilteringWords(String bridge) {
        return linkWords(bridge, "type bridge vlan_filtering 1");
    }

    // ---------------------------------------------------------------- addresses and routes

    /** {@code ip addr add ADDRESS dev DEV}; an address that is there already counts as added. */
    public Step addressAdd(String dev, Address a) {
        return Step.required("ip addr add " + a + " dev " + dev, () -> {
            try {
                net.addresses().add(dev, a);
            } catch (AlreadyExistsException e) {
                // there already
            }
        });
    }

    /** {@code ip addr add ADDRESS dev DEV}, undone by deleting it (plan it only for an address that is not there). */
    public Step addressAddUndone(String dev, Address a) {
        return addressAdd(dev, a).undoneBy(addressDelete(dev, a).description(),
                () -> addressDelete(dev, a).action().run());
    }

    /** {@code ip addr del PREFIX dev DEV}; an address that is gone counts as deleted. */
    public Step addressDelete(String dev, Address a) {
        return Step.required("ip addr del " + a.prefix() + " dev " + dev, () -> {
            try {
                net.addresses().delete(dev, a);
            } catch (NotFoundException e) {
                // gone already
            }
        });
    }

    /** {@code ip addr flush dev DEV}. */
    public Step flush(String dev) {
        return Step.required("ip addr flush dev " + dev, () -> {
            if (exists(dev)) {
                net.addresses().flush(dev);
            }
        });
    }

    /** {@code ip route add ROUTE dev DEV}; a route that is there already counts as added. */
    public Step routeAdd(String dev, Route r) {
        return Step.required("ip route add " + r.describe(dev), () -> addRoute(dev, r));
    }

    /** {@code ip route add ROUTE dev DEV}, undone by deleting it (plan it only for a route that is not there). */
    public Step routeAddUndone(String dev, Route r) {
        return routeAdd(dev, r).undoneBy("ip route del " + r.describe(dev), () -> routeDelete(dev, r).action().run());
    }

    /**
     * The same with the words {@code ip route add} takes for it as the caller shows them
     * ({@code HOST dev DEV src ADDR}, vif-nat's form, as Xen's script wrote it).
     */
    public Step routeAddUndone(String dev, Route r, String words) {
        return Step.required("ip route add " + words, () -> addRoute(dev, r))
                .undoneBy("ip route del " + words, () -> routeDelete(dev, r).action().run());
    }

    /** Adds a recorded route through {@code dev} (looked up now: its index may have changed); EEXIST is success. */
    public void addRoute(String dev, Route r) {
        try {
            net.routes().add(r.withOif(net.links().get(dev).index()));
        } catch (AlreadyExistsException e) {
            // still there
        }
    }

    /** {@code ip route del ROUTE dev DEV}; a route that is gone counts as deleted. */
    public Step routeDelete(String dev, Route r) {
        return routeDelete(dev, r, r.describe(dev));
    }

    /** The same, shown with the caller's words for the route (see {@link #routeAddUndone(String, Route, String)}). */
    public Step routeDelete(String dev, Route r, String words) {
        return Step.required("ip route del " + words, () -> {
            try {
                net.routes().delete(r.withOif(net.links().get(dev).index()));
            } catch (NotFoundException e) {
                // gone already
            }
        });
    }

    // ---------------------------------------------------------------- sysctls

    /**
     * {@code sysctl -w KEY=VALUE} (KEY in slash form, shown dotted); undone by {@code old} where
     * given. A key that does not exist (a module not loaded, a kernel without IPv6) is skipped.
     */
    public Step sysctl(String key, String value, String old) {
        Step s = Step.required(sysctlWords(key, value), () -> setIfThere(key, value));
        return old == null ? s : s.undoneBy(sysctlWords(key, old), () -> setIfThere(key, old));
    }

    /** {@code net.ipv6.conf.DEV.disable_ipv6=1}: a pure layer-2 port; undone by {@code old} where given. */
    public Step layer2Only(String dev, String old) {
        return sysctl(Sysctls.disableIpv6(dev), "1", old);
    }

    private void setIfThere(String key, String value) {
        Optional<String> cur = net.sysctls().find(key);
        if (cur.isPresent() && !cur.get().trim().equals(value)) {
            net.sysctls().set(key, value);
        }
    }

    /** {@code sysctl -w KEY=VALUE} with the key shown dotted: the words of every sysctl step and of advice. */
    public static String sysctlWords(String key, String value) {
        return "sysctl -w " + dotted(key) + "=" + value;
    }

    /** {@code ip link set dev DEV WHAT} ("up", "mtu 1500"...): the words of every link step and of advice. */
    public static String linkWords(String dev, String what) {
        return "ip link set dev " + dev + " " + what;
    }

    /** {@code net/ipv4/conf/eth0.100/forwarding} as sysctl(8) shows it: {@code net.ipv4.conf.eth0.100.forwarding}. */
    public static String dotted(String key) {
        return key.replace('/', '.');
    }
}
