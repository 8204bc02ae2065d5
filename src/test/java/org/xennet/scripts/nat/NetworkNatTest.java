// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Route;
import org.xennet.net.Sysctls;

/** network-nat in-process against the fake network and firewall, with a host root under a temporary directory. */
@Tag("cli")
class NetworkNatTest extends NatTestBase {
    static final Rule MASQ = Rule.nat("POSTROUTING", "-o", "eth0", "-j", "MASQUERADE");

    @BeforeEach
    void setUp() {
        net.nic("eth0", "00:16:3e:00:00:10", 1500);
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        net.routes().add(Route.unicast(IpPrefix.parse("0.0.0.0/0"), IpAddress.parse("192.0.2.1"),
                net.links().get("eth0").index()));
    }

    private String forward() {
        return net.sysctls().get(Sysctls.IPV4_FORWARD);
    }

    private long masqRules() {
        return fw.rules().stream().filter(MASQ::equals).count();
    }

    @Test
    void startTurnsForwardingOnAndAddsOneMasqueradeRuleHoweverOftenItRuns() {
        assertEquals(0, run("network-nat", "start"), err.toString());
        assertEquals("1", forward());
        assertEquals(List.of(MASQ), fw.rules(), "netdev defaults to the default route's device");
        assertEquals(0, run("network-nat", "start"), err.toString());
        assertEquals(1, masqRules(), "a second start adds no duplicate (Xen appended one per start)");
    }

    @Test
    void stopRemovesExactlyTheRuleAndPutsForwardingBack() {
        Rule foreign = Rule.nat("POSTROUTING", "-o", "eth1", "-j", "MASQUERADE");
        fw.append(foreign);
        assertEquals(0, run("network-nat", "start", "netdev=eth0"));
        assertEquals(0, run("network-nat", "start", "netdev=eth0"));
        assertEquals(0, run("network-nat", "stop", "netdev=eth0"), err.toString());
        assertEquals(0, masqRules());
        assertEquals(List.of(foreign), fw.rules(), "only its own rule goes");
        assertEquals("0", forward(), "forwarding back to what the first start found");
        assertFalse(Files.exists(tmp.resolve("state/network-nat/eth0.state")));
        assertEquals(0, run("network-nat", "stop", "netdev=eth0"), "a second stop has nothing to do");
    }

    /** Xen documented antispoof for network-nat and never implemented it; here it is as network-route has it. */
    @Test
    void antispoofSetsTheForwardPolicyToDropAndStopPutsItBack() {
        assertEquals(0, run("network-nat", "start", "antispoof=yes"), err.toString());
        assertEquals("DROP", fw.policy("FORWARD"));
        assertTrue(out.toString().contains("FORWARD policy DROP"), out.toString());
        assertEquals(0, run("network-nat", "start", "antispoof=yes"), "a second start");
        assertEquals(0, run("network-nat", "stop"), err.toString());
        assertEquals("ACCEPT", fw.policy("FORWARD"), "the policy from before the first start");
        fw.setPolicy("FORWARD", "DROP");
        assertEquals(0, run("network-nat", "start", "antispoof=yes"));
        assertEquals(0, run("network-nat", "stop"));
        assertEquals("DROP", fw.policy("FORWARD"), "a DROP that was there is left alone");
    }

    @Test
    void forwardingThatWasAlreadyOnStaysOn() {
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        assertEquals(0, run("network-nat", "start"));
        assertEquals(0, run("network-nat", "stop"));
        assertEquals("1", forward());
    }

    @Test
    void aRuleThatWasThereBeforeStartIsNotRemovedByStop() {
        fw.append(MASQ);
        assertEquals(0, run("network-nat", "start"));
        assertEquals(1, masqRules());
        assertEquals(0, run("network-nat", "stop"));
        assertEquals(1, masqRules(), "not ours");
    }

    @Test
    void stopWithoutARecordDoesWhatXensStopDid() {
        fw.append(MASQ);
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        assertEquals(0, run("network-nat", "stop"));
        assertEquals(0, masqRules(), "the rule of a start by Xen's script is removed");
        assertEquals("1", forward(), "Xen's stop never reset ip_forward");
    }

    @Test
    void dhcpNoExitsZero() {
        // Xen's network-nat exited 1 here although it had succeeded (its last statement was a false test).
        assertEquals(0, run("network-nat", "start", "dhcp=no"), err.toString());
        assertEquals(0, run("network-nat", "stop", "dhcp=no"));
    }

    @Test
    void aMissingNetdevIsRefusedAndNothingChanges() {
        assertEquals(1, run("network-nat", "start", "netdev=eth9"));
        assertTrue(err.toString().contains("netdev eth9 does not exist"), err.toString());
        assertEquals("0", forward());
        assertEquals(List.of(), fw.rules());
    }

    @Test
    void aFailureUndoesForwardingAndTheRule() {
        faults = (i, step) -> {
            if (step.description().startsWith("write state record")) {
                throw new XennetException("injected");
            }
        };
        assertEquals(1, run("network-nat", "start"));
        assertEquals("0", forward());
        assertEquals(List.of(), fw.rules());
        assertFalse(Files.exists(tmp.resolve("state/network-nat/eth0.state")));
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        assertEquals(0, run("network-nat", "start", "--dry-run"));
        assertTrue(out.toString().contains("sysctl -w net.ipv4.ip_forward=1"), out.toString());
        assertTrue(out.toString().contains("iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE"), out.toString());
        assertEquals("0", forward());
        assertEquals(List.of(), fw.rules());
    }

    @Test
    void statusIsThreeBeforeStartAndZeroAfter() {
        assertEquals(3, run("network-nat", "status"));
        assertEquals(0, run("network-nat", "start"));
        assertEquals(0, run("network-nat", "status"));
        assertTrue(out.toString().contains("present"), out.toString());
    }

    @Test
    void iscDhcpGetsTheSubnetOnceWithResolvConfAndStopRemovesOnlyThatLine() throws Exception {
        Path[] isc = iscFiles();
        host("etc/resolv.conf", "# generated\nsearch example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n");
        List<String> before = lines(isc[0]);
        assertEquals(0, run("network-nat", "start", "dhcp=yes"), err.toString());
        String subnet = "subnet 10.0.0.0 netmask 255.255.0.0 { option domain-name \"example.org\"; "
                + "option domain-name-servers 192.0.2.53; }";
        assertEquals(subnet, lines(isc[0]).get(lines(isc[0]).size() - 1));
        assertEquals(List.of("restart"), initLog());
        assertEquals(0, run("network-nat", "start", "dhcp=yes"));
        assertEquals(1, lines(isc[0]).stream().filter(l -> l.contains("subnet 10.0.0.0")).count());
        assertEquals(0, run("network-nat", "stop", "dhcp=yes"), err.toString());
        assertEquals(before, lines(isc[0]), "exactly the admin's lines are left");
        assertEquals(List.of("restart", "restart"), initLog());
    }

    @Test
    void dhcpdConfDefaultsDhcpToYesAndMissingIscFilesAreXensError() throws Exception {
        host("etc/dhcpd.conf", "");
        assertEquals(1, run("network-nat", "start"));
        assertTrue(err.toString().contains("Failed to find dhcpd configuration or init file."), err.toString());
        assertEquals("0", forward(), "nothing changed");
    }

    @Test
    void dnsmasqStartCreatesTheHostsFileAndStopRemovesItWhenEmpty() throws Exception {
        Path hosts = tmp.resolve("dnsmasq/hosts");
        Files.writeString(tmp.resolve("xennet.conf"), "nat_dhcp=dnsmasq\nnat_dhcp_hosts=" + hosts + "\n");
        assertEquals(0, run("network-nat", "start"), err.toString());
        assertTrue(Files.isRegularFile(hosts));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(hosts)), "dnsmasq drops root and must still read it");
        assertEquals(0, run("network-nat", "stop"), err.toString());
        assertFalse(Files.exists(hosts));
    }
}
