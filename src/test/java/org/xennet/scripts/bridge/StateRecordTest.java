// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.error.XennetException;
import org.xennet.model.Address;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;
import org.xennet.model.RawAttribute;
import org.xennet.model.Route;
import org.xennet.scripts.bridge.StateRecord.Phase;
import org.xennet.scripts.bridge.StateRecord.SysctlChange;
import org.xennet.scripts.bridge.StateRecord.Topology;
import org.xennet.firewall.Rule;

/** The state record network-bridge writes before its first change: it reads back as exactly what was written. */
@Tag("cli")
class StateRecordTest {
    @TempDir
    Path tmp;

    static StateRecord sample() {
        Address a = new Address(0, IpPrefix.parse("192.0.2.10/24"), null, IpAddress.parse("192.0.2.255"), "eth0:1",
                Address.SCOPE_GLOBAL, 0, Address.FOREVER, Address.FOREVER);
        Address b = new Address(0, IpPrefix.parse("2001:db8::10/64"), null, null, null, Address.SCOPE_GLOBAL,
                Address.IFA_F_NODAD, Address.FOREVER, Address.FOREVER);
        Route r = new Route(IpAddress.AF_INET, 100, IpPrefix.parse("203.0.113.0/24"), IpAddress.parse("192.0.2.1"), 0,
                5, Route.SCOPE_UNIVERSE, Route.PROTO_STATIC, Route.TYPE_UNICAST, null, 0,
                List.of(new RawAttribute(15, new byte[] {1, 2, 3, 4})));
        NicState nic = new NicState(7, MacAddress.parse("00:16:3e:00:00:10"), 9000, true, false, true, "0", List.of(a, b),
                List.of(r));
        return new StateRecord(Phase.STARTING, 12, Topology.NETLOOP, "eth0", "peth0", "xenbr0", "veth0", "vif0.0", true,
                200, nic, "ACCEPT", List.of(Rule.of("FORWARD", "-m", "physdev", "--physdev-in", "peth0", "-j", "ACCEPT")),
                List.of(new SysctlChange("net/bridge/bridge-nf-call-iptables", "0", "1")));
    }

    @Test
    void aRecordReadsBackAsWritten() {
        StateRecord r = sample();
        assertEquals(r, StateRecord.parse(List.of(r.render().split("\n"))));
        StateRecord started = r.withPhase(Phase.STARTED, 30);
        Path f = StateRecord.path(tmp, "xenbr0");
        started.write(f);
        assertEquals(started, StateRecord.read(f).orElseThrow());
        assertTrue(!Files.exists(f.resolveSibling("xenbr0.state.tmp")), "the temporary file is renamed away");
    }

    @Test
    void vlanAndBondRecordsReadBackAsWrittenAsVersionThree() {
        StateRecord s = sample();
        NicState none = new NicState(0, MacAddress.parse("00:16:3e:00:00:11"), 1400, false, true, true, null, List.of(),
                List.of());
        StateRecord vlan = new StateRecord(Phase.STARTED, 9, Topology.VLAN, "eth1.10", "eth1.10", "xenbr1.10", null,
                null, false, 0, none, null, List.of(), List.of(), List.of(), true,
                new StateRecord.VlanPort("peth1", 4, 10, org.xennet.model.Link.ETH_P_8021AD, 1400, false), null);
        String text = vlan.render();
        assertTrue(text.contains("version=3\n") && text.contains("vlan.protocol=88a8\n"), text);
        assertEquals(vlan, StateRecord.parse(List.of(text.split("\n"))));
        StateRecord bond = new StateRecord(Phase.STARTING, 3, Topology.NETLOOP, "bond0", "pbond0", "xenbr0", "veth0",
                "vif0.0", false, 0, s.nic(), "ACCEPT", s.rules(), s.sysctls(), List.of("pbond0", "vif0.0"), false, null,
                new StateRecord.BondPorts(org.xennet.model.BondMode.IEEE_802_3AD, 100, List.of(
                        new StateRecord.Slave("eth0", s.nic()), new StateRecord.Slave("eth1", none))));
        assertEquals(bond, StateRecord.parse(List.of(bond.render().split("\n"))));
        assertTrue(s.render().contains("version=2\n"), "a record without them stays readable by older xennet");
    }

    @Test
    void aVersionOneRecordIsReadAsAFinishedStart() {
        StateRecord r = StateRecord.parse(List.of("version=1", "topology=final", "netdev=eth0", "pdev=peth0",
                "bridge=eth0", "vdev=", "vif0=", "nic.mac=00:16:3e:00:00:10", "nic.mtu=1500", "nic.up=yes",
                "nic.disable_ipv6=0", "sysctl=net/bridge/bridge-nf-call-iptables=1"));
        assertEquals(Phase.STARTED, r.phase());
        assertEquals(false, r.interrupted());
        assertEquals(List.of(new SysctlChange("net/bridge/bridge-nf-call-iptables", "0", "1")), r.sysctls());
    }

    @Test
    void aDamagedRecordIsAnErrorThatSaysWhatToDo() throws Exception {
        Path f = StateRecord.path(tmp, "xenbr0");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "version=2\nphase=starting\nnetdev=eth0\n");
        XennetException e = assertThrows(XennetException.class, () -> StateRecord.read(f));
        assertTrue(e.getMessage().contains("is damaged") && e.getMessage().contains("move it away"), e.getMessage());
    }
}
