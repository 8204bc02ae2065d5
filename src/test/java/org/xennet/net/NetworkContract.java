// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.xennet.error.AlreadyExistsException;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.error.NotFoundException;
import org.xennet.error.UsageException;
import org.xennet.error.PermissionException;
import org.xennet.model.Address;
import org.xennet.model.BondMode;
import org.xennet.model.BridgeVlan;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.model.Route;

/**
 * The behaviour xennet relies on from the network, run against the real kernel in a namespace
 * (KernelNetworkContractTest) and against the fake (FakeNetworkContractTest).
 */
public abstract class NetworkContract {

    /** A fresh, empty network (loopback only) for each test. */
    protected abstract Network network();

    private static final MacAddress MAC = MacAddress.parse("00:16:3e:01:02:03");

    /** bridge + veth pair, rename, enslave, MAC, MTU, v4 and v6 addresses, routes in table 100. */
    @Test
    void buildsTheNetloopTopologyAndReadsItBack() {
        Network net = network();
        LinkOps l = net.links();
        l.addBridge("xenbr0", false, 0);
        l.addVeth("veth0", "vif0.0");
        l.rename("veth0", "eth9");
        l.setMaster("vif0.0", "xenbr0");
        l.setMac("eth9", MAC);
        l.setMac("vif0.0", MacAddress.XEN_BACKEND);
        l.setMtu("eth9", 1400);
        for (String d : List.of("xenbr0", "eth9", "vif0.0")) {
            l.setUp(d, true);
        }
        AddressOps a = net.addresses();
        a.add("eth9", new Address(0, IpPrefix.parse("192.0.2.10/24"), null, IpAddress.parse("192.0.2.255"),
                "eth9", Address.SCOPE_GLOBAL, 0, Address.FOREVER, Address.FOREVER));
        a.add("eth9", new Address(0, IpPrefix.parse("192.0.2.11/24"), null, IpAddress.parse("192.0.2.255"),
                "eth9:1", Address.SCOPE_GLOBAL, 0, Address.FOREVER, Address.FOREVER));
        a.add("eth9", new Address(0, IpPrefix.parse("2001:db8::10/64"), null, null, null, Address.SCOPE_GLOBAL,
                Address.IFA_F_NODAD, Address.FOREVER, Address.FOREVER));
        int eth9 = l.get("eth9").index();
        Route v4 = Route.unicast(IpPrefix.parse("198.51.100.0/24"), IpAddress.parse("192.0.2.1"), eth9)
                .withTable(100).withMetric(7);
        Route v6 = Route.unicast(IpPrefix.parse("2001:db8:1::/48"), IpAddress.parse("2001:db8::1"), eth9)
                .withTable(100).withMetric(1024);
        net.routes().add(v4);
        net.routes().add(v6);

        Link e = l.get("eth9");
        assertEquals("veth", e.kind());
        assertEquals(MAC, e.mac());
        assertEquals(1400, e.mtu());
        assertTrue(e.isUp());
        assertFalse(l.find("veth0").isPresent(), "old name is gone after rename");
        Link br = l.get("xenbr0");
        assertTrue(br.isBridge());
        assertEquals(0, br.bridge().stpState());
        assertEquals(0, br.bridge().forwardDelayCentis());
        assertEquals(List.of("vif0.0"), l.ports("xenbr0").stream().map(Link::name).toList());
        assertEquals(br.index(), l.get("vif0.0").masterIndex());
        assertEquals(MacAddress.XEN_BACKEND, l.get("vif0.0").mac());
        assertEquals(e.index(), l.get("vif0.0").linkIndex(), "veth peers point at each other");

        List<Address> got = a.list("eth9").stream().filter(x -> x.scope() == Address.SCOPE_GLOBAL).toList();
        assertEquals(Set.of("192.0.2.10/24", "192.0.2.11/24", "2001:db8::10/64"),
                got.stream().map(x -> x.prefix().toString()).collect(Collectors.toSet()));
        Address second = got.stream().filter(x -> x.prefix().toString().equals("192.0.2.11/24")).findFirst()
                .orElseThrow();
        assertTrue(second.isSecondary(), "second address in the subnet is secondary");
        assertEquals("eth9:1", second.label());
        assertEquals(IpAddress.parse("192.0.2.255"), second.broadcast());
        assertTrue(got.stream().noneMatch(Address::isDynamic));

        List<Route> t100 = net.routes().list().stream().filter(r -> r.table() == 100).toList();
        Route r4 = t100.stream().filter(r -> r.family() == IpAddress.AF_INET).findFirst().orElseThrow();
        assertEquals(IpPrefix.parse("198.51.100.0/24"), r4.destination());
        assertEquals(IpAddress.parse("192.0.2.1"), r4.gateway());
        assertEquals(eth9, r4.oif());
        assertEquals(7, r4.metric());
        Route r6 = t100.stream().filter(r -> r.family() == IpAddress.AF_INET6).findFirst().orElseThrow();
        assertEquals(IpPrefix.parse("2001:db8:1::/48"), r6.destination());
        assertEquals(IpAddress.parse("2001:db8::1"), r6.gateway());
        assertEquals(1024, r6.metric());
    }

    @Test
    void renameKeepsTheIndexAndAddressesAndRefusesATakenName() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.addresses().add("va", IpPrefix.parse("10.1.0.1/24"));
        int index = net.links().get("va").index();
        net.links().rename("va", "eth7");
        assertEquals(index, net.links().get("eth7").index());
        assertEquals(List.of("10.1.0.1/24"), net.addresses().list("eth7").stream()
                .map(x -> x.prefix().toString()).toList());
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> net.links().rename("eth7", "vb"));
        assertEquals("link set name eth7 -> vb: File exists (EEXIST)", e.getMessage());
    }

    @Test
    void arpAndMulticastAreSwitchedOneAtATimeAndReadBack() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().setUp("va", true);
        assertTrue(net.links().get("va").arp() && net.links().get("va").multicast(), "a new veth has both on");
        net.links().setArp("va", false);
        Link l = net.links().get("va");
        assertEquals(false, l.arp());
        assertTrue(l.multicast() && l.isUp(), "the other flags are untouched");
        net.links().setMulticast("va", false);
        assertEquals(false, net.links().get("va").multicast());
        net.links().setArp("va", true);
        net.links().setMulticast("va", true);
        l = net.links().get("va");
        assertTrue(l.arp() && l.multicast() && l.isUp());
    }

    @Test
    void aMissingLinkIsEmptyForFindAndNotFoundForGet() {
        Network net = network();
        assertTrue(net.links().find("nosuch0").isEmpty());
        NotFoundException e = assertThrows(NotFoundException.class, () -> net.links().setUp("nosuch0", true));
        assertEquals("link set up nosuch0: No such device (ENODEV)", e.getMessage());
    }

    @Test
    void creatingAnExistingLinkIsAlreadyExists() {
        Network net = network();
        net.links().addBridge("br9", false, 0);
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> net.links().addBridge("br9", false, 0));
        assertTrue(e.getMessage().startsWith("link add br9 type bridge: File exists (EEXIST)"), e.getMessage());
    }

    @Test
    void aNameOverFifteenBytesIsRefusedBeforeTheKernelIsAsked() {
        Network net = network();
        UsageException e = assertThrows(UsageException.class,
                () -> net.links().addBridge("abcdefghijklmnop", false, 0));
        assertTrue(e.getMessage().contains("16 bytes long"), e.getMessage());
    }

    @Test
    void onlyABridgeCanBeAMaster() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().addVeth("vc", "vd");
        KernelException e = assertThrows(KernelException.class, () -> net.links().setMaster("va", "vc"));
        assertTrue(e.getMessage().startsWith("link set master va -> vc: "), e.getMessage());
        assertEquals(0, net.links().get("va").masterIndex());
    }

    @Test
    void anMtuBelowTheMinimumCarriesTheKernelsText() {
        Network net = network();
        net.links().addBridge("br9", false, 0);
        KernelException e = assertThrows(KernelException.class, () -> net.links().setMtu("br9", 10));
        assertEquals("link set mtu br9 10: Invalid argument (EINVAL); kernel: mtu less than device minimum",
                e.getMessage());
    }

    @Test
    void nomasterDetachesAndDeletingAVethEndDeletesItsPeer() {
        Network net = network();
        net.links().addBridge("br9", true, 1500);
        assertEquals(1, net.links().get("br9").bridge().stpState());
        assertEquals(1500, net.links().get("br9").bridge().forwardDelayCentis());
        net.links().addVeth("va", "vb");
        net.links().setMaster("va", "br9");
        net.links().setNoMaster("va");
        assertTrue(net.links().ports("br9").isEmpty());
        net.links().delete("vb");
        assertTrue(net.links().find("va").isEmpty());
        assertTrue(net.links().find("vb").isEmpty());
    }

    @Test
    void flushRemovesEveryAddressOfTheLinkOnly() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.addresses().add("va", IpPrefix.parse("10.1.0.1/24"));
        net.addresses().add("va", IpPrefix.parse("10.1.0.2/24"));
        net.addresses().add("va", IpPrefix.parse("fd00::1/64"));
        net.addresses().add("vb", IpPrefix.parse("10.1.0.3/24"));
        net.addresses().flush("va");
        assertTrue(net.addresses().list("va").stream().noneMatch(x -> x.scope() == Address.SCOPE_GLOBAL));
        assertEquals(List.of("10.1.0.3/24"), net.addresses().list("vb").stream()
                .map(x -> x.prefix().toString()).toList());
    }

    @Test
    void deletingAnAbsentAddressIsNotFound() {
        Network net = network();
        net.links().addVeth("va", "vb");
        assertThrows(NotFoundException.class, () -> net.addresses().delete("va", Address.of(0,
                IpPrefix.parse("10.9.9.9/24"))));
    }

    @Test
    void routesAreAddedReplacedAndDeletedInAnyTable() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().setUp("va", true);
        net.links().setUp("vb", true);
        net.addresses().add("va", IpPrefix.parse("10.1.0.1/24"));
        int va = net.links().get("va").index();
        Route r = Route.unicast(IpPrefix.parse("10.2.0.0/16"), IpAddress.parse("10.1.0.254"), va).withTable(1000);
        net.routes().add(r);
        assertThrows(AlreadyExistsException.class, () -> net.routes().add(r));
        Route gw2 = Route.unicast(IpPrefix.parse("10.2.0.0/16"), IpAddress.parse("10.1.0.253"), va).withTable(1000);
        net.routes().replace(gw2);
        List<Route> t = net.routes().list().stream().filter(x -> x.table() == 1000).toList();
        assertEquals(1, t.size());
        assertEquals(IpAddress.parse("10.1.0.253"), t.get(0).gateway());
        net.routes().delete(gw2);
        assertTrue(net.routes().list().stream().noneMatch(x -> x.table() == 1000));
        assertThrows(NotFoundException.class, () -> net.routes().delete(gw2));
    }

    @Test
    void aGatewayOffEveryConnectedSubnetIsUnreachable() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().setUp("va", true);
        net.links().setUp("vb", true);
        net.addresses().add("va", IpPrefix.parse("10.1.0.1/24"));
        int va = net.links().get("va").index();
        KernelException e = assertThrows(KernelException.class, () -> net.routes()
                .add(Route.unicast(IpPrefix.parse("10.3.0.0/16"), IpAddress.parse("10.7.7.7"), va)));
        assertEquals(Errno.ENETUNREACH, e.errnoName());
        assertTrue(e.getMessage().startsWith("route add 10.3.0.0/16 via 10.7.7.7 dev va: Network is unreachable"),
                e.getMessage());
    }

    @Test
    void takingALinkDownDropsItsRoutesAndIpv6AddressesButKeepsIpv4() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().setUp("va", true);
        net.links().setUp("vb", true);
        net.addresses().add("va", IpPrefix.parse("10.1.0.1/24"));
        net.addresses().add("va", new Address(0, IpPrefix.parse("fd00::1/64"), null, null, null,
                Address.SCOPE_GLOBAL, Address.IFA_F_NODAD, Address.FOREVER, Address.FOREVER));
        int va = net.links().get("va").index();
        net.routes().add(Route.unicast(IpPrefix.parse("10.2.0.0/16"), IpAddress.parse("10.1.0.254"), va));
        net.links().setUp("va", false);
        assertTrue(net.routes().list().stream().noneMatch(r -> r.oif() == va && r.table() == Route.TABLE_MAIN
                && r.protocol() != Route.PROTO_KERNEL), "static routes via a down link are gone");
        assertEquals(List.of("10.1.0.1/24"), net.addresses().list("va").stream()
                .filter(x -> x.scope() == Address.SCOPE_GLOBAL).map(x -> x.prefix().toString()).toList());
    }

    @Test
    void aDefaultRouteIsListedAsDefault() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().setUp("va", true);
        net.links().setUp("vb", true);
        net.addresses().add("va", IpPrefix.parse("10.1.0.1/24"));
        int va = net.links().get("va").index();
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("10.1.0.254"), va));
        Route d = net.routes().list().stream().filter(x -> x.isDefault() && x.family() == IpAddress.AF_INET
                && x.table() == Route.TABLE_MAIN).findFirst().orElseThrow();
        assertEquals(va, d.oif());
        assertEquals("default via 10.1.0.254 dev va", d.describe("va"));
    }

    @Test
    void vlanOnAVethParent() {
        Network net = network();
        net.links().addVeth("va", "vb");
        try {
            net.links().addVlan("va.100", "va", 100);
        } catch (KernelException e) {
            Assumptions.assumeFalse(e.errnoName() == Errno.EOPNOTSUPP,
                    "kernel module 8021q not available: " + e.getMessage());
            throw e;
        }
        Link v = net.links().get("va.100");
        assertEquals("vlan", v.kind());
        assertEquals(100, v.vlanId());
        assertEquals(net.links().get("va").index(), v.linkIndex());
    }

    /** Skips a test whose kind of link this kernel cannot make (a module missing, an option not built). */
    private static void orSkip(String what, Runnable r) {
        try {
            r.run();
        } catch (KernelException e) {
            Assumptions.assumeFalse(e.errnoName() == Errno.EOPNOTSUPP, what + " not available: " + e.getMessage());
            throw e;
        }
    }

    @Test
    void aVlanHasItsProtocolOneIdOncePerParentAndNoMoreMtuThanItsParent() {
        Network net = network();
        LinkOps l = net.links();
        l.addVeth("va", "vb");
        l.setMtu("va", 9000);
        orSkip("kernel module 8021q", () -> l.addVlan("va.20", "va", 20, Link.ETH_P_8021AD));
        l.addVlan("va.10", "va", 10);
        Link qinq = l.get("va.20");
        assertEquals(20, qinq.vlanId());
        assertEquals(Link.ETH_P_8021AD, qinq.vlanProtocol());
        Link dot1q = l.get("va.10");
        assertEquals(Link.ETH_P_8021Q, dot1q.vlanProtocol());
        assertEquals(9000, dot1q.mtu(), "a new VLAN link takes its parent's MTU (a jumbo NIC's VLANs are jumbo)");
        assertThrows(AlreadyExistsException.class, () -> l.addVlan("vlan10", "va", 10));
        l.setMtu("va.10", 1500);
        l.setMtu("va", 1500);
        KernelException e = assertThrows(KernelException.class, () -> l.setMtu("va.10", 1504));
        assertEquals(Errno.ERANGE, e.errnoName(), e.getMessage());
    }

    @Test
    void aBondTakesDownLinksGivesThemItsMacAndMtuAndGivesThemBack() {
        Network net = network();
        LinkOps l = net.links();
        orSkip("kernel module bonding", () -> l.addBond("xbond0", BondMode.ACTIVE_BACKUP, 100, null));
        l.setMac("xbond0", MAC);
        l.setMtu("xbond0", 1400);
        l.addVeth("xa", "xb");
        l.addVeth("xc", "xd");
        Link xa = l.get("xa");
        Link xc = l.get("xc");
        l.setUp("xa", true);
        assertThrows(PermissionException.class, () -> l.setMaster("xa", "xbond0"),
                "the kernel enslaves a link only while it is down");
        l.setUp("xa", false);
        l.setMaster("xa", "xbond0");
        l.setMaster("xc", "xbond0");
        Link bond = l.get("xbond0");
        assertEquals(new Link.BondInfo(BondMode.ACTIVE_BACKUP, bond.bond().activeSlaveIndex(), 100), bond.bond());
        for (String s : List.of("xa", "xc")) {
            Link p = l.get(s);
            assertEquals(bond.index(), p.masterIndex(), s);
            assertEquals("bond", p.slaveKind(), s);
            assertEquals(MAC, p.mac(), s + " has the bond's MAC");
            assertEquals(1400, p.mtu(), s + " has the bond's MTU");
            assertTrue(p.isUp(), s + " is opened by the bond");
            assertTrue(p.bondSlave() != null, s);
        }
        assertEquals(xa.mac(), l.get("xa").bondSlave().permanentMac());
        l.setNoMaster("xa");
        Link back = l.get("xa");
        assertEquals(xa.mac(), back.mac(), "released, xa has its own MAC again");
        assertEquals(xa.mtu(), back.mtu());
        assertFalse(back.isUp(), "released, xa is closed");
        assertEquals(0, back.masterIndex());
        l.delete("xbond0");
        Link c = l.get("xc");
        assertEquals(xc.mac(), c.mac(), "the bond deleted, xc has its own MAC again");
        assertEquals(xc.mtu(), c.mtu());
        assertEquals(0, c.masterIndex());
        assertFalse(c.isUp());
    }

    @Test
    void bridgePortVlansAreAddedReplacedAndDeleted() {
        Network net = network();
        LinkOps l = net.links();
        orSkip("bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)", () -> l.addBridge("xbr0", false, 0, true));
        assertTrue(l.get("xbr0").vlanFiltering());
        l.addVeth("xa", "xb");
        l.setMaster("xa", "xbr0");
        BridgeVlanOps v = net.bridgeVlans();
        int xa = l.get("xa").index();
        assertEquals(List.of(new BridgeVlan(xa, 1, true, true)), v.list("xa"), "a new port has VLAN 1 as pvid, untagged");
        v.add("xa", 10, true, true);
        assertEquals(List.of(new BridgeVlan(xa, 1, false, true), new BridgeVlan(xa, 10, true, true)), v.list("xa"),
                "the pvid moved to 10");
        v.delete("xa", 1);
        v.add("xa", 20, false, false);
        assertEquals(List.of(new BridgeVlan(xa, 10, true, true), new BridgeVlan(xa, 20, false, false)), v.list("xa"));
        v.add("xa", 10, false, false);
        assertEquals(List.of(new BridgeVlan(xa, 10, false, false), new BridgeVlan(xa, 20, false, false)), v.list("xa"),
                "added again, the flags are replaced");
        assertTrue(v.list().containsAll(v.list("xa")));
        int xbr0 = l.get("xbr0").index();
        assertTrue(v.list().contains(new BridgeVlan(xbr0, 1, true, true)), "the bridge's own VLAN: " + v.list());
        v.delete("xa", 99); // a VLAN the port does not have: acknowledged
        assertEquals(2, v.list("xa").size());
        KernelException e = assertThrows(KernelException.class, () -> v.add("xb", 10, true, true), "xb is no bridge's port");
        assertEquals(Errno.EOPNOTSUPP, e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().startsWith("bridge vlan add dev xb vid 10 pvid untagged: "), e.getMessage());
        assertEquals(List.of(), v.list("xb"));
        l.setVlanFiltering("xbr0", false);
        assertFalse(l.get("xbr0").vlanFiltering());
        l.setVlanFiltering("xbr0", true);
        assertTrue(l.get("xbr0").vlanFiltering());
        l.setNoMaster("xa");
        assertEquals(List.of(), v.list("xa"), "a port that leaves its bridge has no VLANs");
        assertThrows(UsageException.class, () -> v.add("xa", 4095, false, false));
    }

    @Test
    void vxlanOverAVeth() {
        Network net = network();
        net.links().addVeth("va", "vb");
        net.links().addVxlan("vx42", 42, null, IpAddress.parse("10.1.0.1"), "va", 4789);
        assertEquals("vxlan", net.links().get("vx42").kind());
    }

    @Test
    void forwardingSysctlIsReadAndWritten() {
        Network net = network();
        Sysctls s = net.sysctls();
        s.set(Sysctls.IPV4_FORWARD, "1");
        assertEquals("1", s.get(Sysctls.IPV4_FORWARD));
        s.set(Sysctls.IPV4_FORWARD, "0");
        assertEquals("0", s.get(Sysctls.IPV4_FORWARD));
        assertTrue(s.find("net/ipv4/conf/nosuch0/proxy_arp").isEmpty());
    }

    /**
     * Every link has its own IPv4 and IPv6 sysctls, copied from conf/default when it appears; an
     * IPv4 default written later reaches the links whose key was never written.
     */
    @Test
    void everyLinkGetsItsOwnSysctlsFromTheDefaults() {
        Network net = network();
        Sysctls s = net.sysctls();
        Assumptions.assumeTrue(s.find("net/ipv6/conf/default/disable_ipv6").isPresent(), "no IPv6 in this kernel");
        net.links().addVeth("va", "vb");
        net.links().addBridge("br9", false, 0);
        for (String dev : List.of("lo", "va", "vb", "br9")) {
            assertEquals("0", s.get(Sysctls.proxyArp(dev)), dev);
            assertEquals("0", s.get(Sysctls.ipv4Forwarding(dev)), dev);
            assertEquals("0", s.get(Sysctls.disableIpv6(dev)), dev);
        }
        s.set(Sysctls.proxyArp("va"), "0");
        s.set("net/ipv4/conf/default/proxy_arp", "1");
        assertEquals("0", s.get(Sysctls.proxyArp("va")), "written on va: va keeps its own value");
        assertEquals("1", s.get(Sysctls.proxyArp("vb")), "never written on vb: vb follows the default");
        s.set("net/ipv6/conf/default/disable_ipv6", "1");
        assertEquals("0", s.get(Sysctls.disableIpv6("vb")), "an IPv6 default is for new links only");
        net.links().addBridge("br8", false, 0);
        assertEquals("1", s.get(Sysctls.proxyArp("br8")));
        assertEquals("1", s.get(Sysctls.disableIpv6("br8")));
    }

    /** A link's sysctls follow a rename and go with the link (and with a deleted veth's peer). */
    @Test
    void sysctlsFollowARenameAndGoWithTheLink() {
        Network net = network();
        Sysctls s = net.sysctls();
        Assumptions.assumeTrue(s.find("net/ipv6/conf/default/disable_ipv6").isPresent(), "no IPv6 in this kernel");
        net.links().addVeth("va", "vb");
        s.set(Sysctls.proxyArp("va"), "1");
        s.set(Sysctls.disableIpv6("va"), "1");
        net.links().rename("va", "eth7");
        assertEquals("1", s.get(Sysctls.proxyArp("eth7")));
        assertEquals("1", s.get(Sysctls.disableIpv6("eth7")));
        assertTrue(s.find(Sysctls.proxyArp("va")).isEmpty(), "the old name's keys are gone");
        assertTrue(s.find(Sysctls.disableIpv6("va")).isEmpty());
        s.set("net/ipv4/conf/default/proxy_arp", "0");
        assertEquals("1", s.get(Sysctls.proxyArp("eth7")), "written before the rename: still its own value");
        net.links().rename("eth7", "va");
        assertEquals("1", s.get(Sysctls.proxyArp("va")), "a new link under an old name would have 0");
        net.links().delete("vb");
        for (String dev : List.of("va", "vb")) {
            assertTrue(s.find(Sysctls.proxyArp(dev)).isEmpty(), dev);
            assertTrue(s.find(Sysctls.ipv4Forwarding(dev)).isEmpty(), dev);
            assertTrue(s.find(Sysctls.disableIpv6(dev)).isEmpty(), dev);
        }
        KernelException e = assertThrows(KernelException.class, () -> s.set(Sysctls.proxyArp("va"), "1"));
        assertEquals(Errno.ENOENT, e.errnoName());
    }

    /** Writing ip_forward sets the forwarding flag of all, default and every link, whatever was written there. */
    @Test
    void ipForwardSetsTheForwardingFlagOfEveryLink() {
        Network net = network();
        Sysctls s = net.sysctls();
        net.links().addVeth("va", "vb");
        s.set(Sysctls.ipv4Forwarding("vb"), "1");
        assertEquals("0", s.get(Sysctls.IPV4_FORWARD), "a link's flag leaves ip_forward alone");
        s.set(Sysctls.IPV4_FORWARD, "1");
        for (String dev : List.of("all", "default", "lo", "va", "vb")) {
            assertEquals("1", s.get(Sysctls.ipv4Forwarding(dev)), dev);
        }
        net.links().addBridge("br9", false, 0);
        assertEquals("1", s.get(Sysctls.ipv4Forwarding("br9")), "a new link copies default");
        s.set(Sysctls.ipv4Forwarding("va"), "0");
        s.set(Sysctls.IPV4_FORWARD, "0");
        s.set(Sysctls.IPV4_FORWARD, "1");
        assertEquals("1", s.get(Sysctls.ipv4Forwarding("va")), "ip_forward overrides a link's own value");
        s.set(Sysctls.ipv4Forwarding("all"), "0");
        assertEquals("0", s.get(Sysctls.IPV4_FORWARD), "conf/all/forwarding is ip_forward");
        assertEquals("0", s.get(Sysctls.ipv4Forwarding("br9")));
    }
}
