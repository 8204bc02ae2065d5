package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * --dry-run of network-bridge: the plan as the commands an operator could type, and nothing
 * changed (see {@link DryRunGolden}).
 */
@Tag("cli")
class DryRunGoldenTest extends DryRunGolden {

    @Test
    void networkBridgeStartNetloop() {
        assertEquals(lines(
                "ip link add xenbr0 type bridge stp_state 0 forward_delay 0",
                "ip link add veth0 type veth peer name vif0.0",
                "ip link set dev veth0 address 00:16:3e:00:00:10",
                "ip link set dev veth0 mtu 1500",
                "ip link set dev vif0.0 mtu 1500",
                "ip link set dev vif0.0 address fe:ff:ff:ff:ff:ff",
                "sysctl -w net.ipv6.conf.xenbr0.disable_ipv6=1",
                "sysctl -w net.ipv6.conf.vif0.0.disable_ipv6=1",
                "ip link set dev eth0 down",
                "ip addr flush dev eth0",
                "ip link set dev eth0 name peth0",
                "sysctl -w net.ipv6.conf.peth0.disable_ipv6=1",
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
                "iptables -A FORWARD -m physdev --physdev-in vif0.0 -j ACCEPT",
                "write state record " + state("network-bridge/xenbr0.state")),
                dryRun("network-bridge", "start", "antispoof=yes"));
    }

    @Test
    void networkBridgeStartFinalTopology() {
        assertEquals(lines(
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
                "ip route add default via 192.0.2.1 dev eth0",
                "write state record " + state("network-bridge/eth0.state")),
                dryRun("network-bridge", "start", "bridge=eth0", "stp=yes", "forward_delay=2"));
    }
}
