// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.firewall.Rule;
import org.xennet.lock.HotplugLock;
import org.xennet.model.IpPrefix;

/**
 * --dry-run of network-bridge and network-wrapper: the plan as the commands an operator could
 * type, and nothing changed (see {@link DryRunGolden}). A stop is planned after a real start on
 * the fake host, so that it works from the state record start wrote.
 */
@Tag("cli")
class DryRunGoldenTest extends DryRunGolden {

    @Test
    void networkBridgeStartNetloop() {
        assertEquals(lines(
                "write state record " + state("network-bridge/xenbr0.state"),
                "ip link add xenbr0 type bridge stp_state 0 forward_delay 0",
                "ip link set dev xenbr0 arp off",
                "ip link set dev xenbr0 multicast off",
                "ip link add veth0 type veth peer name vif0.0",
                "ip link set dev veth0 address 00:16:3e:00:00:10",
                "ip link set dev veth0 mtu 1500",
                "ip link set dev vif0.0 mtu 1500",
                "ip link set dev vif0.0 address fe:ff:ff:ff:ff:ff",
                "ip link set dev vif0.0 arp off",
                "ip link set dev vif0.0 multicast off",
                "sysctl -w net.ipv6.conf.xenbr0.disable_ipv6=1",
                "sysctl -w net.ipv6.conf.vif0.0.disable_ipv6=1",
                "ip link set dev eth0 down",
                "ip addr flush dev eth0",
                "ip link set dev eth0 name peth0",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=1",
                "ip link set dev peth0 arp off",
                "ip link set dev peth0 multicast off",
                "ip link set dev veth0 name eth0",
                "ip link set dev peth0 address fe:ff:ff:ff:ff:ff",
                "ip link set dev peth0 master xenbr0",
                "ip link set dev vif0.0 master xenbr0",
                "ip link set dev xenbr0 up",
                "ip link set dev vif0.0 up",
                "ip link set dev peth0 up",
                "wait for carrier on peth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "iptables -P FORWARD DROP",
                "iptables -A FORWARD -m physdev --physdev-in peth0 -j ACCEPT",
                "iptables -A FORWARD -m physdev --physdev-in vif0.0 -j ACCEPT"),
                dryRun("network-bridge", "start", "antispoof=yes"));
    }

    @Test
    void networkBridgeStartFinalTopology() {
        assertEquals(lines(
                "write state record " + state("network-bridge/eth0.state"),
                "ip link add xn-tmpbr type bridge stp_state 1 forward_delay 200",
                "ip link set dev xn-tmpbr address 00:16:3e:00:00:10",
                "ip link set dev xn-tmpbr mtu 1500",
                "ip link set dev eth0 down",
                "ip addr flush dev eth0",
                "ip link set dev eth0 name peth0",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=1",
                "ip link set dev xn-tmpbr name eth0",
                "ip link set dev peth0 master eth0",
                "ip link set dev peth0 up",
                "wait for carrier on peth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0"),
                dryRun("network-bridge", "start", "bridge=eth0", "stp=yes", "forward_delay=2"));
    }

    /** A FORWARD policy that is DROP already and a rule that is there already are not in the plan (nor undone by stop). */
    @Test
    void networkBridgeStartAntispoofPlansOnlyWhatIsMissing() {
        fw.setPolicy("FORWARD", "DROP");
        fw.append(Rule.of("FORWARD", "-m", "physdev", "--physdev-in", "peth0", "-j", "ACCEPT"));
        String plan = dryRun("network-bridge", "start", "antispoof=yes");
        assertEquals(lines(
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "iptables -A FORWARD -m physdev --physdev-in vif0.0 -j ACCEPT"),
                plan.substring(plan.indexOf("ip link set dev eth0 up")));
    }

    /** bridge_nf_call_*: a step for a value that differs; stop puts the old value back. */
    @Test
    void networkBridgeBridgeNetfilterSysctls() {
        net.brNetfilter();
        String plan = dryRun("network-bridge", "start", "bridge=eth0", "bridge_nf_call_iptables=0",
                "bridge_nf_call_ip6tables=1");
        assertEquals(lines(
                "ip route add default via 192.0.2.1 dev eth0",
                "sysctl -w net.bridge.bridge-nf-call-iptables=0"),
                plan.substring(plan.indexOf("ip route add")));
        run("network-bridge", "start", "bridge=eth0", "bridge_nf_call_iptables=0", "bridge_nf_call_ip6tables=1");
        plan = dryRun("network-bridge", "stop", "bridge=eth0");
        assertEquals(lines(
                "sysctl -w net.bridge.bridge-nf-call-iptables=1",
                "ip link set dev eth0 down"),
                plan.substring(0, plan.indexOf("ip link set dev peth0 down")));
    }

    /** Without br_netfilter the keys do not exist: a warning, no step. */
    @Test
    void networkBridgeBridgeNetfilterSysctlsWithoutTheModule() {
        String plan = dryRun("network-bridge", "start", "bridge=eth0", "bridge_nf_call_iptables=0");
        assertEquals(lines(
                "ip route add default via 192.0.2.1 dev eth0"),
                plan.substring(plan.indexOf("ip route add")));
    }

    @Test
    void networkBridgeStopNetloopAfterStart() {
        run("network-bridge", "start", "antispoof=yes");
        assertEquals(lines(
                "iptables -D FORWARD -m physdev --physdev-in vif0.0 -j ACCEPT",
                "iptables -D FORWARD -m physdev --physdev-in peth0 -j ACCEPT",
                "iptables -P FORWARD ACCEPT",
                "ip link set dev eth0 down",
                "ip link set dev peth0 down",
                "ip link set dev peth0 nomaster",
                "ip link set dev peth0 address 00:16:3e:00:00:10",
                "ip link set dev eth0 name veth0",
                "ip link set dev peth0 multicast on",
                "ip link set dev peth0 arp on",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=0",
                "ip link set dev peth0 name eth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "ip link del veth0",
                "ip link del xenbr0",
                "rm " + state("network-bridge/xenbr0.state") + "   # errors ignored"),
                dryRun("network-bridge", "stop"));
    }

    @Test
    void networkBridgeStopFinalTopologyAfterStart() {
        run("network-bridge", "start", "bridge=eth0");
        assertEquals(lines(
                "ip link set dev eth0 down",
                "ip link set dev peth0 down",
                "ip link set dev peth0 nomaster",
                "ip link set dev eth0 name xn-tmpbr",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=0",
                "ip link set dev peth0 name eth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "ip link del xn-tmpbr",
                "rm " + state("network-bridge/eth0.state") + "   # errors ignored"),
                dryRun("network-bridge", "stop", "bridge=eth0"));
    }

    /** No state record (a start by Xen's script, a lost /var/run): the inverse derived from the interfaces. */
    @Test
    void networkBridgeStopWithoutAStateRecord() throws Exception {
        run("network-bridge", "start", "bridge=eth0");
        Files.delete(state("network-bridge/eth0.state"));
        assertEquals(lines(
                "ip link set dev eth0 down",
                "ip link set dev peth0 down",
                "ip link set dev peth0 nomaster",
                "ip link set dev eth0 name xn-tmpbr",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=0",
                "ip link set dev peth0 name eth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "ip link del xn-tmpbr"),
                dryRun("network-bridge", "stop", "bridge=eth0"));
    }

    /**
     * The bridge was removed by hand while the NIC is still renamed: stop still gives the NIC back
     * (the host would be offline otherwise); deleting what is gone already is skipped when it runs.
     */
    @Test
    void networkBridgeStopWhenTheBridgeIsGone() {
        run("network-bridge", "start");
        net.links().delete("xenbr0");
        String plan = dryRun("network-bridge", "stop");
        assertEquals(true, plan.contains("ip link set dev peth0 name eth0\nip link set dev eth0 up\n"), plan);
        run("network-bridge", "stop");
        assertEquals(false, net.links().exists("peth0"));
        assertEquals(false, net.links().exists("veth0"));
        assertEquals("00:16:3e:00:00:10", net.links().get("eth0").mac().toString());
        assertEquals(lines("network-bridge: xenbr0 does not exist; nothing to stop"), dryRun("network-bridge", "stop"));
    }

    /** The bridge and the renamed NIC are both gone (undone by hand): a stop only removes the stale record. */
    @Test
    void networkBridgeStopWhenEverythingIsGone() {
        run("network-bridge", "start", "bridge=eth0");
        net.links().delete("eth0");
        net.links().rename("peth0", "eth0");
        assertEquals(lines(
                "rm " + state("network-bridge/eth0.state"),
                "network-bridge: eth0 does not exist; nothing to stop"),
                dryRun("network-bridge", "stop", "bridge=eth0"));
    }

    @Test
    void networkBridgeStartWhenStartedHasNothingToDo() {
        run("network-bridge", "start");
        assertEquals(lines("network-bridge: peth0 exists, xenbr0 is already set up; nothing to do"),
                dryRun("network-bridge", "start"));
    }

    /** status is read-only: --dry-run is accepted and the status printed, with status's own exit code. */
    @Test
    void networkBridgeStatusAcceptsDryRun() {
        dryRun(ExitCodes.NOT_RUNNING, "network-bridge", "status");
        run("network-bridge", "start", "bridge=eth0");
        String status = dryRun("network-bridge", "status", "bridge=eth0");
        assertEquals(true, status.contains("peth0"), status);
    }

    /** A dry run takes no hotplug lock: it finishes while another process holds network-bridge's. */
    @Test
    void aDryRunDoesNotWaitForTheLock() {
        run("network-bridge", "start");
        try (HotplugLock held = HotplugLock.claim(tmp.resolve("lock"), "network-bridge", Duration.ofSeconds(1))) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                dryRun("network-bridge", "stop");
                dryRun("network-wrapper", "stop", "bridges=eth0:xenbr0");
            });
        }
    }

    @Test
    void networkWrapperStartAndStop() {
        net.nic("eth1", "00:16:3e:00:00:11", 9000);
        net.addresses().add("eth1", IpPrefix.parse("198.51.100.10/24"));
        assertEquals(lines(
                "network-wrapper: start eth0 -> xenbr0",
                "write state record " + state("network-bridge/xenbr0.state"),
                "ip link add xenbr0 type bridge stp_state 0 forward_delay 0",
                "ip link set dev xenbr0 arp off",
                "ip link set dev xenbr0 multicast off",
                "ip link add veth0 type veth peer name vif0.0",
                "ip link set dev veth0 address 00:16:3e:00:00:10",
                "ip link set dev veth0 mtu 1500",
                "ip link set dev vif0.0 mtu 1500",
                "ip link set dev vif0.0 address fe:ff:ff:ff:ff:ff",
                "ip link set dev vif0.0 arp off",
                "ip link set dev vif0.0 multicast off",
                "sysctl -w net.ipv6.conf.xenbr0.disable_ipv6=1",
                "sysctl -w net.ipv6.conf.vif0.0.disable_ipv6=1",
                "ip link set dev eth0 down",
                "ip addr flush dev eth0",
                "ip link set dev eth0 name peth0",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=1",
                "ip link set dev peth0 arp off",
                "ip link set dev peth0 multicast off",
                "ip link set dev veth0 name eth0",
                "ip link set dev peth0 address fe:ff:ff:ff:ff:ff",
                "ip link set dev peth0 master xenbr0",
                "ip link set dev vif0.0 master xenbr0",
                "ip link set dev xenbr0 up",
                "ip link set dev vif0.0 up",
                "ip link set dev peth0 up",
                "wait for carrier on peth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "network-wrapper: start eth1 -> eth1",
                "write state record " + state("network-bridge/eth1.state"),
                "ip link add xn-tmpbr type bridge stp_state 0 forward_delay 0",
                "ip link set dev xn-tmpbr address 00:16:3e:00:00:11",
                "ip link set dev xn-tmpbr mtu 9000",
                "ip link set dev eth1 down",
                "ip addr flush dev eth1",
                "ip link set dev eth1 name peth1",
                "sysctl -w net.ipv6.conf.peth1.disable_ipv6=1",
                "ip link set dev xn-tmpbr name eth1",
                "ip link set dev peth1 master eth1",
                "ip link set dev peth1 up",
                "wait for carrier on peth1",
                "ip addr add 198.51.100.10/24 label eth1 dev eth1",
                "network-wrapper: start summary:",
                "  eth0 -> xenbr0: planned (dry run: nothing changed)",
                "  eth1 -> eth1: planned (dry run: nothing changed)"),
                dryRun("network-wrapper", "start", "bridges=eth0:xenbr0,eth1:eth1"));

        run("network-wrapper", "start", "bridges=eth0:xenbr0,eth1:eth1");
        assertEquals(lines(
                "network-wrapper: stop eth1 -> eth1",
                "ip link set dev peth1 down",
                "ip link set dev peth1 nomaster",
                "ip link set dev eth1 name xn-tmpbr",
                "sysctl -w net.ipv6.conf.peth1.disable_ipv6=0",
                "ip link set dev peth1 name eth1",
                "ip addr add 198.51.100.10/24 label eth1 dev eth1",
                "ip link del xn-tmpbr",
                "rm " + state("network-bridge/eth1.state") + "   # errors ignored",
                "network-wrapper: stop eth0 -> xenbr0",
                "ip link set dev eth0 down",
                "ip link set dev peth0 down",
                "ip link set dev peth0 nomaster",
                "ip link set dev peth0 address 00:16:3e:00:00:10",
                "ip link set dev eth0 name veth0",
                "ip link set dev peth0 multicast on",
                "ip link set dev peth0 arp on",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=0",
                "ip link set dev peth0 name eth0",
                "ip link set dev eth0 up",
                "ip addr add 192.0.2.10/24 label eth0 dev eth0",
                "ip route add default via 192.0.2.1 dev eth0",
                "ip link del veth0",
                "ip link del xenbr0",
                "rm " + state("network-bridge/xenbr0.state") + "   # errors ignored",
                "network-wrapper: stop summary:",
                "  eth1 -> eth1: planned (dry run: nothing changed)",
                "  eth0 -> xenbr0: planned (dry run: nothing changed)"),
                dryRun("network-wrapper", "stop", "bridges=eth0:xenbr0,eth1:eth1"));

        String status = dryRun("network-wrapper", "status", "bridges=eth0:xenbr0,eth1:eth1");
        assertEquals(true, status.endsWith(lines("network-wrapper: status summary:", "  eth0 -> xenbr0: up",
                "  eth1 -> eth1: up")), status);
    }

    /** A pair that fails is reported without "rolled back": a dry run has nothing to roll back. */
    @Test
    void networkWrapperReportsARefusedPair() {
        String out = dryRun(1, "network-wrapper", "start", "bridges=eth7:xenbr7");
        assertEquals(lines(
                "network-wrapper: start eth7 -> xenbr7",
                "network-wrapper: eth7 -> xenbr7: netdev eth7 does not exist; name the physical interface with netdev=NAME",
                "network-wrapper: start summary:",
                "  eth7 -> xenbr7: FAILED: netdev eth7 does not exist; name the physical interface with netdev=NAME"),
                out);
    }
}
