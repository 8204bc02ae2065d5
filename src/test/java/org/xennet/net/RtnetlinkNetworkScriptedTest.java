// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xennet.testing.ScriptedSocket.captured;
import static org.xennet.testing.ScriptedSocket.capturedDatagram;
import static org.xennet.testing.ScriptedSocket.hex;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.xennet.error.AlreadyExistsException;
import org.xennet.error.KernelException;
import org.xennet.error.NotFoundException;
import org.xennet.error.UsageException;
import org.xennet.model.Address;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.netlink.NetlinkTimeoutException;
import org.xennet.testing.ScriptedSocket;

/**
 * The operations over scripted kernel datagrams: the exact requests each one sends, and that
 * the kernel's refusals come back naming the operation and its subject. Replies are the
 * captured ones where there is one: xenbr0 is index 2, vif5.0 (a veth, port of xenbr0) index 4.
 */
@Tag("ops")
class RtnetlinkNetworkScriptedTest {

    private static final byte[] GET_VIF = hex("""
            2c000000 1200 0100 00000000 00000000  // len 44, RTM_GETLINK, NLM_F_REQUEST, seq (any), pid 0
            00 00 0000 00000000 00000000 00000000 // ifinfomsg: AF_UNSPEC, no index
            0b00 0300 766966352e30 00 00          // IFLA_IFNAME "vif5.0\\0"
            """);
    private static final byte[] GET_XENBR0 = hex("""
            2c000000 1200 0100 00000000 00000000  // len 44, RTM_GETLINK, NLM_F_REQUEST
            00 00 0000 00000000 00000000 00000000 // ifinfomsg: no index
            0b00 0300 78656e627230 00 00          // IFLA_IFNAME "xenbr0\\0"
            """);
    private static final byte[] GET_NOSUCH = hex("""
            2c000000 1200 0100 00000000 00000000  // len 44, RTM_GETLINK
            00 00 0000 00000000 00000000 00000000 // ifinfomsg: no index
            0c00 0300 6e6f7375636830 00           // IFLA_IFNAME "nosuch0\\0", len 12
            """);
    private static final byte[] GET_INDEX_2 = hex("""
            20000000 1200 0100 00000000 00000000  // len 32, RTM_GETLINK
            00 00 0000 02000000 00000000 00000000 // ifinfomsg index 2, no attributes
            """);
    private static final byte[] SET_MASTER = hex("""
            28000000    // len 40
            1000        // RTM_NEWLINK
            0500        // NLM_F_REQUEST | NLM_F_ACK
            00000000    // seq
            00000000    // pid
            00 00 0000 04000000 00000000 00000000 // ifinfomsg: index 4 (vif5.0)
            0800 0a00 02000000                    // IFLA_MASTER 2 (xenbr0)
            """);
    private static final byte[] ACK = hex("""
            24000000 0200 0001 00000000 00000000  // NLMSG_ERROR, NLM_F_CAPPED
            00000000                              // 0: ACK
            28000000 1000 0500 00000000 00000000  // the request's header
            """);
    private static final byte[] VIF = capturedDatagram("link-veth.txt");
    private static final byte[] XENBR0 = capturedDatagram("link.txt");
    private static final byte[] ENODEV = capturedDatagram("enodev.txt");

    private final ScriptedSocket socket = new ScriptedSocket();
    private final Sysctls sysctls = Mockito.mock(Sysctls.class);
    private final RtnetlinkNetwork net = new RtnetlinkNetwork(socket, sysctls);

    @AfterEach
    void scriptPlayedToTheEnd() {
        socket.assertFinished();
        Mockito.verifyNoInteractions(sysctls);
    }

    // ---- bridge VLANs ----------------------------------------------------------------------

    @Test
    void bridgeVlanAddIsAnAfBridgeSetlink() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("bridge vlan add", hex("""
                        2c000000 1300 0500 00000000 00000000  // len 44, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK
                        07 00 0000 04000000 00000000 00000000 // ifinfomsg: AF_BRIDGE, index 4 (vif5.0)
                        0c00 1a00 0800 0200 0600 0a00         // IFLA_AF_SPEC { VLAN_INFO PVID|UNTAGGED vid 10 }
                        """)).reply(ACK);
        net.bridgeVlans().add("vif5.0", 10, true, true);
    }

    @Test
    void aBridgeVlanRefusedNamesTheOperationAndThePort() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("bridge vlan del", hex("""
                        2c000000 1100 0500 00000000 00000000  // len 44, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK
                        07 00 0000 04000000 00000000 00000000 // AF_BRIDGE, index 4
                        0c00 1a00 0800 0200 0000 6300         // IFLA_AF_SPEC { VLAN_INFO vid 99 }
                        """)).reply(hex("""
                        24000000 0200 0001 00000000 00000000  // NLMSG_ERROR, NLM_F_CAPPED
                        a1ffffff                              // -EOPNOTSUPP (vif5.0 is no bridge's port)
                        2c000000 1100 0500 00000000 00000000  // the request's header
                        """));
        KernelException e = assertThrows(KernelException.class, () -> net.bridgeVlans().delete("vif5.0", 99));
        assertEquals("bridge vlan del dev vif5.0 vid 99: Operation not supported (EOPNOTSUPP)", e.getMessage());
    }

    @Test
    void aVlanOutsideOneTo4094IsRefusedBeforeTheKernelIsAsked() {
        assertThrows(UsageException.class, () -> net.bridgeVlans().add("vif5.0", 4095, false, false));
        assertThrows(UsageException.class, () -> net.bridgeVlans().delete("vif5.0", 0));
        assertThrows(UsageException.class, () -> net.links().addVlan("vif5.0.0", "vif5.0", 0));
    }

    // ---- links ---------------------------------------------------------------------------

    @Test
    void setMasterLooksUpBothNamesThenSendsIflaMaster() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("get xenbr0", GET_XENBR0).reply(XENBR0)
                .expect("set master", SET_MASTER).reply(ACK);
        net.links().setMaster("vif5.0", "xenbr0");
    }

    @Test
    void setMasterRefusedNamesTheOperationAndBothLinks() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("get xenbr0", GET_XENBR0).reply(XENBR0)
                .expect("set master", SET_MASTER).reply(capturedDatagram("err.txt"));
        KernelException e = assertThrows(KernelException.class, () -> net.links().setMaster("vif5.0", "xenbr0"));
        assertSame(KernelException.class, e.getClass());
        assertEquals("link set master vif5.0 -> xenbr0: Operation not supported (EOPNOTSUPP)", e.getMessage());
    }

    @Test
    void setMasterToAMissingBridgeSendsNothingMore() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("get nosuch0", GET_NOSUCH).reply(ENODEV);
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> net.links().setMaster("vif5.0", "nosuch0"));
        assertEquals("link set master nosuch0: No such device (ENODEV)", e.getMessage());
    }

    @Test
    void setMtuRefusedCarriesTheKernelsText() {
        socket.expect("get xenbr0", GET_XENBR0).reply(XENBR0)
                .expect("set mtu", hex("""
                        28000000 1000 0500 00000000 00000000  // len 40, RTM_NEWLINK, REQUEST|ACK
                        00 00 0000 02000000 00000000 00000000 // ifinfomsg index 2
                        0800 0400 0a000000                    // IFLA_MTU 10
                        """)).reply(capturedDatagram("extack.txt"));
        KernelException e = assertThrows(KernelException.class, () -> net.links().setMtu("xenbr0", 10));
        assertEquals("link set mtu xenbr0 10: Invalid argument (EINVAL); kernel: mtu less than device minimum",
                e.getMessage());
    }

    @Test
    void setUpSendsOnlyTheUpFlag() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("set up", hex("""
                        20000000 1000 0500 00000000 00000000  // len 32, RTM_NEWLINK, REQUEST|ACK
                        00 00 0000 04000000 01000000 01000000 // index 4, flags IFF_UP, change IFF_UP
                        """)).reply(ACK);
        net.links().setUp("vif5.0", true);
    }

    @Test
    void addBridgeCreatesExclusively() {
        socket.expect("add xenbr1", hex("""
                50000000 1000 0506 00000000 00000000  // len 80, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
                00 00 0000 00000000 00000000 00000000 // ifinfomsg
                0b00 0300 78656e627231 00 00          // IFLA_IFNAME "xenbr1\\0"
                2400 1200                             // IFLA_LINKINFO
                  0b00 0100 627269646765 00 00        //   IFLA_INFO_KIND "bridge\\0"
                  1400 0200                           //   IFLA_INFO_DATA
                    0800 0100 00000000                //     IFLA_BR_FORWARD_DELAY 0
                    0800 0500 00000000                //     IFLA_BR_STP_STATE 0
                """)).reply(hex("""
                24000000 0200 0001 00000000 00000000  // NLMSG_ERROR, CAPPED
                efffffff                              // -17 EEXIST
                50000000 1000 0506 00000000 00000000
                """));
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> net.links().addBridge("xenbr1", false, 0));
        assertEquals("link add xenbr1 type bridge: File exists (EEXIST)", e.getMessage());
    }

    @Test
    void findDecodesTheLink() {
        socket.expect("get xenbr0", GET_XENBR0).reply(XENBR0);
        Link l = net.links().find("xenbr0").orElseThrow();
        assertEquals(2, l.index());
        assertTrue(l.isBridge());
    }

    @Test
    void findOfAMissingLinkIsEmpty() {
        socket.expect("get nosuch0", GET_NOSUCH).reply(ENODEV);
        assertEquals(Optional.empty(), net.links().find("nosuch0"));
    }

    @Test
    void getOfAMissingLinkIsNotFound() {
        socket.expect("get nosuch0", GET_NOSUCH).reply(ENODEV);
        NotFoundException e = assertThrows(NotFoundException.class, () -> net.links().get("nosuch0"));
        assertEquals("link show nosuch0: No such device (ENODEV)", e.getMessage());
    }

    @Test
    void findDoesNotHideOtherErrors() {
        socket.expect("get xenbr0", GET_XENBR0).reply(hex("""
                24000000 0200 0001 00000000 00000000  // NLMSG_ERROR
                f3ffffff                              // -13 EACCES
                2c000000 1200 0100 00000000 00000000
                """));
        KernelException e = assertThrows(KernelException.class, () -> net.links().find("xenbr0"));
        assertEquals("link show xenbr0: Permission denied (EACCES)", e.getMessage());
    }

    @Test
    void aBadNameIsRefusedBeforeAnythingIsSent() {
        // Nothing scripted: any request would fail the test.
        UsageException e = assertThrows(UsageException.class, () -> net.links().find("vif5.0;reboot"));
        assertTrue(e.getMessage().contains("'vif5.0;reboot'"), e.getMessage());
        assertThrows(UsageException.class, () -> net.links().setMaster("a-name-of-16-byt", "xenbr0"));
        assertTrue(socket.sent().isEmpty());
    }

    @Test
    void aLostReplyTimesOutNamingTheOperation() {
        socket.expect("get vif5.0", GET_VIF).reply(VIF)
                .expect("get xenbr0", GET_XENBR0).reply(XENBR0)
                .expect("set master", SET_MASTER).timeout();
        NetlinkTimeoutException e = assertThrows(NetlinkTimeoutException.class,
                () -> net.links().setMaster("vif5.0", "xenbr0"));
        assertEquals("link set master vif5.0 -> xenbr0: no reply from the kernel within 5000 ms", e.getMessage());
    }

    // ---- addresses -----------------------------------------------------------------------

    @Test
    void addAddressLooksUpTheDeviceAndCreatesExclusively() {
        socket.expect("get xenbr0", GET_XENBR0).reply(XENBR0)
                .expect("add address", hex("""
                        40000000    // len 64
                        1400        // RTM_NEWADDR
                        0506        // REQUEST | ACK | EXCL | CREATE
                        00000000 00000000
                        02 18 00 00 02000000           // ifaddrmsg: AF_INET /24, index 2
                        0800 0200 c000020a             // IFA_LOCAL 192.0.2.10
                        0800 0100 c000020a             // IFA_ADDRESS 192.0.2.10
                        0800 0400 c00002ff             // IFA_BROADCAST 192.0.2.255
                        0d00 0300 78656e6272303a31 00 000000 // IFA_LABEL "xenbr0:1\\0"
                        """)).reply(ACK);
        net.addresses().add("xenbr0", new Address(0, IpPrefix.parse("192.0.2.10/24"), null,
                IpAddress.parse("192.0.2.255"), "xenbr0:1", Address.SCOPE_GLOBAL, 0, Address.FOREVER,
                Address.FOREVER));
    }

    @Test
    void addExistingAddressIsAlreadyExists() {
        socket.expect("get xenbr0", GET_XENBR0).reply(XENBR0)
                .expect("add address", hex("""
                        40000000 1400 0506 00000000 00000000 // len 64, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
                        0a 40 00 00 02000000                 // ifaddrmsg: AF_INET6 /64, index 2
                        1400 0200 20010db8 00000000 00000000 00000010 // IFA_LOCAL 2001:db8::10
                        1400 0100 20010db8 00000000 00000000 00000010 // IFA_ADDRESS 2001:db8::10
                        """)).reply(hex("""
                        24000000 0200 0001 00000000 00000000  // NLMSG_ERROR
                        efffffff                              // -17 EEXIST
                        40000000 1400 0506 00000000 00000000
                        """));
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class,
                () -> net.addresses().add("xenbr0", IpPrefix.parse("2001:db8::10/64")));
        assertEquals("addr add 2001:db8::10/64 dev xenbr0: File exists (EEXIST)", e.getMessage());
    }

    @Test
    void listAddressesDumpsBothFamilies() {
        socket.expect("addr dump", hex("""
                18000000 1600 0103 00000000 00000000 // len 24, RTM_GETADDR, REQUEST | DUMP
                00 00 00 00 00000000                 // ifaddrmsg AF_UNSPEC: both families
                """)).reply(captured("addr.txt").get(0), capturedDatagram("addr6.txt"));
        List<Address> all = net.addresses().list();
        assertEquals(List.of("192.0.2.10/24", "2001:db8::10/64"),
                all.stream().map(a -> a.prefix().toString()).toList());
    }

    // ---- routes --------------------------------------------------------------------------

    private static final Route VIA_TABLE_1000 =
            Route.unicast(IpPrefix.parse("198.51.100.0/24"), IpAddress.parse("192.0.2.1"), 2).withTable(1000);
    private static final String ROUTE_BODY = """
            02 18 00 00 fc 03 00 01 00000000 // rtmsg: AF_INET /24, table COMPAT, boot, universe, unicast
            0800 0f00 e8030000               // RTA_TABLE 1000
            0800 0100 c6336400               // RTA_DST 198.51.100.0
            0800 0500 c0000201               // RTA_GATEWAY 192.0.2.1
            0800 0400 02000000               // RTA_OIF 2
            """;

    /** {@code ip route del} matches any protocol, scope and type: see encodeDelete. */
    private static final String DELETE_BODY = """
            02 18 00 00 fc 00 ff 00 00000000 // rtmsg: AF_INET /24, table COMPAT, any proto, scope NOWHERE, any type
            0800 0f00 e8030000               // RTA_TABLE 1000
            0800 0100 c6336400               // RTA_DST 198.51.100.0
            0800 0500 c0000201               // RTA_GATEWAY 192.0.2.1
            0800 0400 02000000               // RTA_OIF 2
            """;

    @Test
    void addRouteCreatesExclusivelyWithoutLookingUpItsDevice() {
        // Only the route request: the device is named (RTM_GETLINK) only if the kernel refuses.
        socket.expect("add route", hex("3c000000 1800 0506 00000000 00000000 // len 60, RTM_NEWROUTE, "
                + "REQUEST|ACK|EXCL|CREATE\n" + ROUTE_BODY)).reply(ACK);
        net.routes().add(VIA_TABLE_1000);
        assertEquals(1, socket.sent().size());
    }

    @Test
    void addExistingRouteIsAlreadyExistsInIpRouteWords() {
        // Refused: then, and only then, the device is looked up by index to name it in the error.
        socket.expect("add route", hex("3c000000 1800 0506 00000000 00000000\n" + ROUTE_BODY))
                .reply(hex("""
                        24000000 0200 0001 00000000 00000000  // NLMSG_ERROR
                        efffffff                              // -17 EEXIST
                        3c000000 1800 0506 00000000 00000000
                        """))
                .expect("get index 2, for the message", GET_INDEX_2).reply(XENBR0);
        AlreadyExistsException e = assertThrows(AlreadyExistsException.class, () -> net.routes().add(VIA_TABLE_1000));
        assertEquals("route add 198.51.100.0/24 via 192.0.2.1 dev xenbr0 table 1000: File exists (EEXIST)",
                e.getMessage());
        assertEquals("route add", e.operation());
        assertEquals(17, e.errno());
    }

    @Test
    void replaceRoute() {
        socket.expect("replace route", hex("3c000000 1800 0505 00000000 00000000 // RTM_NEWROUTE, "
                + "REQUEST|ACK|REPLACE|CREATE\n" + ROUTE_BODY)).reply(ACK);
        net.routes().replace(VIA_TABLE_1000);
        assertEquals(1, socket.sent().size());
    }

    @Test
    void replaceRouteRefusedNamesItsDevice() {
        socket.expect("replace route", hex("3c000000 1800 0505 00000000 00000000\n" + ROUTE_BODY))
                .reply(capturedDatagram("err.txt"))
                .expect("get index 2, for the message", GET_INDEX_2).reply(XENBR0);
        KernelException e = assertThrows(KernelException.class, () -> net.routes().replace(VIA_TABLE_1000));
        assertSame(KernelException.class, e.getClass());
        assertEquals("route replace 198.51.100.0/24 via 192.0.2.1 dev xenbr0 table 1000: Operation not supported "
                + "(EOPNOTSUPP)", e.getMessage());
    }

    @Test
    void deleteRoute() {
        socket.expect("delete route", hex("3c000000 1900 0500 00000000 00000000 // RTM_DELROUTE, REQUEST|ACK\n"
                + DELETE_BODY)).reply(ACK);
        net.routes().delete(VIA_TABLE_1000);
        assertEquals(1, socket.sent().size());
    }

    @Test
    void deleteMatchesAnyProtocolScopeAndTypeLikeIpRouteDel() {
        // `ip route del table 1000 198.51.100.0/24 via 192.0.2.1 dev xenbr0` sends rtmsg
        // 02 18 00 00 00 00 ff 00: table in RTA_TABLE, protocol 0, scope 255, type 0.
        socket.expect("delete route", hex("""
                3c000000 1900 0500 00000000 00000000 // RTM_DELROUTE, REQUEST|ACK
                02 18 00 00 fc       // rtmsg: AF_INET /24, table COMPAT
                00                   //   protocol RTPROT_UNSPEC: any
                ff                   //   scope RT_SCOPE_NOWHERE: any
                00                   //   type RTN_UNSPEC: any
                00000000
                0800 0f00 e8030000   // RTA_TABLE 1000
                0800 0100 c6336400   // RTA_DST 198.51.100.0
                0800 0500 c0000201   // RTA_GATEWAY 192.0.2.1
                0800 0400 02000000   // RTA_OIF 2
                """)).reply(ACK);
        net.routes().delete(VIA_TABLE_1000.withProtocol(Route.PROTO_STATIC));
    }

    @Test
    void deleteMissingRouteIsNotFound() {
        socket.expect("delete route", hex("3c000000 1900 0500 00000000 00000000\n" + DELETE_BODY))
                .reply(hex("""
                        24000000 0200 0001 00000000 00000000  // NLMSG_ERROR
                        fdffffff                              // -3 ESRCH
                        3c000000 1900 0500 00000000 00000000
                        """))
                .expect("get index 2, for the message", GET_INDEX_2).reply(XENBR0);
        NotFoundException e = assertThrows(NotFoundException.class, () -> net.routes().delete(VIA_TABLE_1000));
        assertEquals("route del 198.51.100.0/24 via 192.0.2.1 dev xenbr0 table 1000: No such process (ESRCH)",
                e.getMessage());
    }

    @Test
    void deleteMissingRouteOfAVanishedDeviceNamesItsIndex() {
        socket.expect("delete route", hex("3c000000 1900 0500 00000000 00000000\n" + DELETE_BODY))
                .reply(hex("""
                        24000000 0200 0001 00000000 00000000  // NLMSG_ERROR
                        fdffffff                              // -3 ESRCH
                        3c000000 1900 0500 00000000 00000000
                        """))
                .expect("get index 2, for the message", GET_INDEX_2).reply(ENODEV);
        NotFoundException e = assertThrows(NotFoundException.class, () -> net.routes().delete(VIA_TABLE_1000));
        assertEquals("route del 198.51.100.0/24 via 192.0.2.1 dev if2 table 1000: No such process (ESRCH)",
                e.getMessage());
    }

    @Test
    void routeWithoutDeviceNeedsNoLookup() {
        Route r = Route.unicast(IpPrefix.parse("203.0.113.0/24"), IpAddress.parse("192.0.2.1"), 0)
                .withPrefsrc(IpAddress.parse("192.0.2.10")).withMetric(7);
        socket.expect("add route", hex("""
                44000000 1800 0506 00000000 00000000 // len 68, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
                02 18 00 00 fe 03 00 01 00000000     // rtmsg: /24, main, boot, universe, unicast
                0800 0f00 fe000000                   // RTA_TABLE 254
                0800 0100 cb007100                   // RTA_DST 203.0.113.0
                0800 0700 c000020a                   // RTA_PREFSRC 192.0.2.10
                0800 0500 c0000201                   // RTA_GATEWAY 192.0.2.1
                0800 0600 07000000                   // RTA_PRIORITY 7
                """)).reply(capturedDatagram("err.txt"));
        KernelException e = assertThrows(KernelException.class, () -> net.routes().add(r));
        assertEquals("route add 203.0.113.0/24 via 192.0.2.1 src 192.0.2.10 metric 7: Operation not supported "
                + "(EOPNOTSUPP)", e.getMessage());
    }

    @Test
    void listRoutesDumpsV4ThenV6() {
        socket.expect("route dump v4", hex("""
                1c000000 1a00 0103 00000000 00000000 // len 28, RTM_GETROUTE, REQUEST | DUMP
                02 00 00 00 00 00 00 00 00000000     // rtmsg AF_INET
                """)).reply(captured("route.txt"))
                .expect("route dump v6", hex("""
                        1c000000 1a00 0103 00000000 00000000
                        0a 00 00 00 00 00 00 00 00000000     // rtmsg AF_INET6
                        """)).reply(captured("route6.txt"));
        List<Route> all = net.routes().list();
        assertEquals(8, all.size());
        assertEquals(IpPrefix.parse("198.51.100.0/24"), all.get(0).destination());
        assertEquals(IpPrefix.parse("ff00::/8"), all.get(7).destination());
    }

    @Test
    void closeClosesTheSocket() {
        net.close();
        assertTrue(socket.isClosed());
    }

    @Test
    void theScriptedSocketShowsADifferingRequestReadably() {
        // The test double's own failure, so that a wrong request is understood at a glance.
        socket.expect("get xenbr0", GET_XENBR0);
        AssertionError e = assertThrows(AssertionError.class, () -> net.links().find("xenbr1"));
        assertTrue(e.getMessage().contains("request #1 (get xenbr0) differs at byte 41"), e.getMessage());
        assertTrue(e.getMessage().contains("attr type=3 len=11: 78656e62723000"), e.getMessage());
        assertTrue(e.getMessage().contains("attr type=3 len=11: 78656e62723100"), e.getMessage());
    }
}
