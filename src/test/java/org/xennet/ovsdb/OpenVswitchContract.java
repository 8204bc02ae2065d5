// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the scripts rely on from {@link OpenVswitch}, run against the fake (ops tier) and against
 * Debian's ovsdb-server and ovs-vswitchd in a namespace (netns tier), which keeps the fake honest.
 */
abstract class OpenVswitchContract {
    static final Map<String, String> IDS = Map.of("attached-mac", "00:16:3e:00:05:00", "xen-vm-name", "web 1");

    /** The Open vSwitch under test, with bridges br0 and br1 (userspace datapath where it matters). */
    abstract OpenVswitch ovs();

    /** Makes a system device NAME (one end of a veth pair) that a port can open. */
    abstract void device(String name);

    abstract String datapathType();

    @Test
    void aBridgeHasItsInternalPort() {
        OvsBridge b = ovs().findBridge("br0").orElseThrow();
        assertEquals(List.of("br0"), b.ports());
        OvsPort p = ovs().findPort("br0").orElseThrow();
        assertEquals("internal", p.type());
        assertEquals("br0", p.bridge());
    }

    @Test
    void replacePortAddsAnAccessPortWithItsIds() {
        device("vif5.0");
        ovs().replacePort("br0", new PortConfig("vif5.0", 10, List.of(), "", IDS));
        OvsPort p = ovs().findPort("vif5.0").orElseThrow();
        assertEquals("br0", p.bridge());
        assertEquals(10, p.tag());
        assertEquals(List.of(), p.trunks());
        assertEquals(IDS, p.externalIds());
        assertNull(p.error());
        assertTrue(p.ofport() != null && p.ofport() > 0, "ovs-vswitchd gave it a port number: " + p);
        assertEquals(List.of("br0", "vif5.0"), ovs().findBridge("br0").orElseThrow().ports());
        assertTrue(ovs().applied());
    }

    @Test
    void replacePortMovesAPortToAnotherBridgeAndVlans() {
        device("vif5.0");
        ovs().replacePort("br0", new PortConfig("vif5.0", 10, List.of(), "", IDS));
        ovs().replacePort("br1", new PortConfig("vif5.0", null, List.of(20, 30), "", Map.of()));
        OvsPort p = ovs().findPort("vif5.0").orElseThrow();
        assertEquals("br1", p.bridge());
        assertNull(p.tag());
        assertEquals(List.of(20, 30), p.trunks());
        assertEquals(Map.of(), p.externalIds());
        assertEquals(List.of("br0"), ovs().findBridge("br0").orElseThrow().ports());
        assertEquals(1, ovs().ports().stream().filter(x -> x.name().equals("vif5.0")).count());
    }

    @Test
    void aPortWhoseDeviceDoesNotExistIsRefusedAndNotKept() {
        OvsdbException e = assertThrows(OvsdbException.class,
                () -> ovs().replacePort("br0", new PortConfig("vif9.0", 10, List.of(), "", IDS)));
        assertTrue(e.getMessage().contains("could not open network device vif9.0"), e.getMessage());
        assertTrue(ovs().findPort("vif9.0").isEmpty(), "taken back: " + ovs().ports());
    }

    @Test
    void aMissingBridgeIsRefused() {
        device("vif5.0");
        assertThrows(OvsdbException.class, () -> ovs().replacePort("br9", PortConfig.system("vif5.0")));
        assertTrue(ovs().findPort("vif5.0").isEmpty());
    }

    @Test
    void deletePortIsIdempotent() {
        device("vif5.0");
        ovs().deletePort("vif5.0");
        ovs().replacePort("br0", PortConfig.system("vif5.0"));
        ovs().deletePort("vif5.0");
        assertTrue(ovs().findPort("vif5.0").isEmpty());
        assertEquals(List.of("br0"), ovs().findBridge("br0").orElseThrow().ports());
    }

    @Test
    void addAndDeleteABridge() {
        ovs().addBridge(new BridgeConfig("br7", datapathType(), "02:00:00:00:00:07", 1400, false,
                Map.of("xennet", "network-bridge")));
        OvsBridge b = ovs().findBridge("br7").orElseThrow();
        assertEquals(List.of("br7"), b.ports());
        assertEquals(Map.of("xennet", "network-bridge"), b.externalIds());
        assertEquals("02:00:00:00:00:07", b.otherConfig().get("hwaddr"));
        assertThrows(OvsdbException.class, () -> ovs().addBridge(new BridgeConfig("br7", datapathType(), null, 0, false,
                Map.of())));
        device("vif5.0");
        ovs().replacePort("br7", PortConfig.system("vif5.0"));
        ovs().deleteBridge("br7");
        assertTrue(ovs().findBridge("br7").isEmpty());
        assertTrue(ovs().findPort("vif5.0").isEmpty(), "its ports went with it");
        assertTrue(ovs().findPort("br7").isEmpty());
        ovs().deleteBridge("br7");
    }
}
