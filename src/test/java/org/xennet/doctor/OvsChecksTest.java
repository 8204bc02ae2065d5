// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.model.MacAddress;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.ovsdb.OvsdbException;
import org.xennet.ovsdb.PortConfig;
import org.xennet.scripts.bridge.NicState;
import org.xennet.scripts.bridge.OvsStateRecord;
import org.xennet.scripts.bridge.StateRecord.Phase;
import org.xennet.testing.FakeOpenVswitch;
import org.xennet.testing.FakeXenStore;

/** doctor's Open vSwitch checks against the fake Open vSwitch and XenStore. */
@Tag("cli")
class OvsChecksTest {
    @TempDir
    Path tmp;

    private final Set<String> devices = new HashSet<>(Set.of("vif5.0", "vif6.0"));
    private FakeOpenVswitch ovs;
    private FakeXenStore xs;

    @BeforeEach
    void setUp() {
        ovs = new FakeOpenVswitch(devices::contains).bridge("xenbr0").bridge("xenbr1");
        xs = new FakeXenStore();
        guest(5, "xenbr0.10");
        guest(6, "xenbr0:10:20");
    }

    private void guest(int d, String bridge) {
        String be = "backend/vif/" + d + "/0";
        xs.put(be + "/script", "/etc/xen/scripts/vif-openvswitch").put(be + "/bridge", bridge)
                .put(be + "/hotplug-status", "connected");
    }

    private List<Finding> examine() {
        return OvsChecks.examine(() -> ovs, xs, devices::contains, tmp);
    }

    private static List<String> ids(List<Finding> f) {
        return f.stream().map(x -> x.check().id() + " " + x.subject()).toList();
    }

    @Test
    void guestsOnTheirPortsAreClean() {
        ovs.replacePort("xenbr0", new PortConfig("vif5.0", 10, List.of(), "", Map.of()));
        ovs.replacePort("xenbr0", new PortConfig("vif6.0", null, List.of(10, 20), "", Map.of()));
        assertEquals(List.of(), examine());
    }

    @Test
    void aHostWithoutOpenVswitchUsersIsNotAskedAboutIt() {
        xs = new FakeXenStore().put("backend/vif/7/0/script", "/etc/xen/scripts/vif-bridge");
        Supplier<OpenVswitch> down = () -> {
            throw new OvsdbException("cannot connect", "connect");
        };
        assertEquals(List.of(), OvsChecks.examine(down, xs, devices::contains, tmp));
    }

    @Test
    void aWrongVlanAWrongBridgeAndAMissingPortAreNamedWithTheRerun() {
        ovs.replacePort("xenbr0", new PortConfig("vif5.0", 20, List.of(), "", Map.of()));
        List<Finding> f = examine();
        assertEquals(List.of("ovs-vif-wrong-port vif5.0", "ovs-vif-wrong-port vif6.0"), ids(f));
        assertEquals("vif5.0 is on xenbr0 VLAN 20, expected xenbr0 VLAN 10 (XenStore bridge=xenbr0.10)",
                f.get(0).message());
        assertEquals("vif=vif5.0 XENBUS_PATH=backend/vif/5/0 /etc/xen/scripts/vif-openvswitch online", f.get(0).fix());
        assertEquals("vif6.0 is connected but is no port of any Open vSwitch bridge; expected xenbr0 trunk 10,20",
                f.get(1).message());
        ovs.replacePort("xenbr1", new PortConfig("vif5.0", 10, List.of(), "", Map.of()));
        assertTrue(examine().get(0).message().startsWith("vif5.0 is on xenbr1 VLAN 10, expected xenbr0 VLAN 10"));
    }

    @Test
    void guestsThatAreNotConnectedAreNotJudged() {
        xs.put("backend/vif/5/0/hotplug-status", "error").put("backend/vif/6/0/hotplug-status", "");
        assertEquals(List.of(), examine());
    }

    @Test
    void anOpenVswitchThatIsDownIsAnErrorWhenGuestsNeedIt() {
        List<Finding> f = OvsChecks.examine(() -> {
            throw new OvsdbException("cannot connect to ovsdb-server at /var/run/openvswitch/db.sock: No such file or "
                    + "directory", "connect");
        }, xs, devices::contains, tmp);
        assertEquals(List.of("ovs-down ovsdb-server"), ids(f));
        assertTrue(f.get(0).message().startsWith("Open vSwitch is down, and 2 vif-openvswitch guests need it"),
                f.get(0).message());
        assertEquals("systemctl start openvswitch-switch", f.get(0).fix());
    }

    @Test
    void aPortWhoseDeviceIsGoneIsNamed() {
        devices.add("vif9.0");
        ovs.replacePort("xenbr1", PortConfig.system("vif9.0"));
        ovs.interfaceError("vif9.0", "could not open network device vif9.0 (No such device)");
        xs = new FakeXenStore();
        guest(5, "xenbr0.10");
        ovs.replacePort("xenbr0", new PortConfig("vif5.0", 10, List.of(), "", Map.of()));
        List<Finding> f = examine();
        assertEquals(List.of("ovs-interface-error vif9.0"), ids(f));
        assertEquals("Open vSwitch port vif9.0 on xenbr1 does not work: could not open network device vif9.0 (No such "
                + "device)", f.get(0).message());
        assertTrue(f.get(0).fix().startsWith("ovs-vsctl del-port vif9.0 if its guest is gone"), f.get(0).fix());
    }

    @Test
    void aPortWhoseDeviceLeftTheKernelIsNamed() {
        ovs.replacePort("xenbr0", new PortConfig("vif5.0", 10, List.of(), "", Map.of()));
        ovs.replacePort("xenbr0", new PortConfig("vif6.0", null, List.of(10, 20), "", Map.of()));
        devices.remove("vif6.0");
        List<Finding> f = examine();
        assertEquals(List.of("ovs-interface-error vif6.0"), ids(f));
        assertEquals("Open vSwitch port vif6.0 on xenbr0 has no device: vif6.0 is gone from the kernel",
                f.get(0).message());
    }

    @Test
    void aStoppedVswitchdIsFound() {
        ovs.replacePort("xenbr0", new PortConfig("vif5.0", 10, List.of(), "", Map.of()));
        ovs.replacePort("xenbr0", new PortConfig("vif6.0", null, List.of(10, 20), "", Map.of()));
        ovs.stopVswitchd(true);
        assertEquals(List.of("ovs-not-applied ovs-vswitchd"), ids(examine()));
    }

    @Test
    void anInterruptedOpenVswitchStartIsNamedWithItsRecovery() {
        xs = new FakeXenStore();
        new OvsStateRecord(Phase.STARTING, 3, "eth0", "xenbr0", "", false, new NicState(2,
                MacAddress.parse("00:16:3e:00:00:10"), 1500, true, true, true, "0", List.of(), List.of()))
                .write(OvsStateRecord.path(tmp, "xenbr0"));
        List<Finding> f = examine();
        assertEquals(List.of("start-interrupted xenbr0"), ids(f));
        assertTrue(f.get(0).fix().startsWith("network-bridge stop bridge_type=openvswitch netdev=eth0 bridge=xenbr0"),
                f.get(0).fix());
    }
}
