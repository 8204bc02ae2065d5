// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.xennet.testing.ScriptedSocket.captured;
import static org.xennet.testing.ScriptedSocket.hex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.model.BridgeVlan;
import org.xennet.netlink.NetlinkFormatException;
import org.xennet.netlink.NlMessage;

/** AF_BRIDGE link messages with the VLANs of bridge ports ({@code bridge vlan}), golden bytes both ways. */
@Tag("codec")
class BridgeVlanMessagesTest {

    @Test
    void addAnAccessVlan() {
        // Confirmed: `bridge vlan add dev xa vid 10 pvid untagged` (iproute2 and kernel 6.1, the vm tier),
        // sent as RTM_SETLINK, with xa's index where this has 4.
        assertArrayEquals(hex("""
                07 00 0000 04000000 00000000 00000000 // ifinfomsg: family AF_BRIDGE, index 4
                0c00 1a00                             // IFLA_AF_SPEC, len 12
                  0800 0200 0600 0a00                 //   IFLA_BRIDGE_VLAN_INFO: flags PVID|UNTAGGED, vid 10
                """), BridgeVlanMessages.entry(4, 10, true, true));
    }

    @Test
    void addATaggedVlan() {
        // Confirmed (as `bridge vlan add dev xa vid 20`, and `bridge vlan del dev xa vid 1`, which sends the
        // same payload as RTM_DELLINK): `bridge vlan add dev peth0 vid 4094` (index 3), tagged
        assertArrayEquals(hex("""
                07 00 0000 03000000 00000000 00000000
                0c00 1a00
                  0800 0200 0000 fe0f                 //   flags 0, vid 4094
                """), BridgeVlanMessages.entry(3, 4094, false, false));
    }

    @Test
    void dump() {
        // `bridge vlan show`'s request, with the filter that lists VLANs one by one
        assertArrayEquals(hex("""
                07 00 0000 00000000 00000000 00000000 // AF_BRIDGE, every link
                0800 1d00 02000000                    // IFLA_EXT_MASK RTEXT_FILTER_BRVLAN
                """), BridgeVlanMessages.dump());
    }

    private static NlMessage message(String payloadHex) {
        return new NlMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, hex(payloadHex));
    }

    @Test
    void decodesTheCapturedDump() {
        // `bridge vlan show` said (kernel 6.1, the vm tier): xa 10 PVID Egress Untagged, 20; xbr0 and xbr1
        // 1 PVID Egress Untagged (the bridges' own). The dump is two datagrams, the second NLMSG_DONE.
        List<BridgeVlan> all = new ArrayList<>();
        for (byte[] d : captured("bridge-vlans.txt")) {
            for (NlMessage m : NlMessage.decodeAll(ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()))) {
                if (m.type() == Rtnl.RTM_NEWLINK) {
                    all.addAll(BridgeVlanMessages.decode(m));
                }
            }
        }
        assertEquals(List.of(new BridgeVlan(3, 10, true, true), new BridgeVlan(3, 20, false, false),
                new BridgeVlan(10, 1, true, true), new BridgeVlan(11, 1, true, true)), all);
    }

    @Test
    void decodesEntriesOneByOne() {
        List<BridgeVlan> v = BridgeVlanMessages.decode(message("""
                07 00 0000 04000000 00000000 00000000 // AF_BRIDGE, index 4
                0b00 0300 766966312e30 00 00          // IFLA_IFNAME "vif1.0", not read here
                1400 1a00                             // IFLA_AF_SPEC, len 20
                  0800 0200 0600 0a00                 //   vid 10 PVID untagged
                  0800 0200 0000 1400                 //   vid 20 tagged
                """));
        assertEquals(List.of(new BridgeVlan(4, 10, true, true), new BridgeVlan(4, 20, false, false)), v);
    }

    @Test
    void decodesARangeAsACompressedDumpSendsIt() {
        List<BridgeVlan> v = BridgeVlanMessages.decode(message("""
                07 00 0000 03000000 00000000 00000000
                1400 1a00
                  0800 0200 0800 0a00                 //   RANGE_BEGIN vid 10
                  0800 0200 1000 0c00                 //   RANGE_END vid 12
                """));
        assertEquals(List.of(new BridgeVlan(3, 10, false, false), new BridgeVlan(3, 11, false, false),
                new BridgeVlan(3, 12, false, false)), v);
    }

    @Test
    void aMessageWithoutVlansHasNone() {
        assertEquals(List.of(), BridgeVlanMessages.decode(message("07 00 0000 05000000 00000000 00000000")));
    }

    @Test
    void aShortVlanInfoIsAFormatError() {
        assertThrows(NetlinkFormatException.class, () -> BridgeVlanMessages.decode(message("""
                07 00 0000 03000000 00000000 00000000
                0800 1a00 0600 0200 0600 0000
                """)));
    }
}
