package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/**
 * --dry-run prints the plan as the equivalent commands and changes nothing: golden output for
 * the main scenarios, on a host with eth0 (192.0.2.10/24, default route via 192.0.2.1).
 */
@Tag("cli")
class DryRunGoldenTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private FakeXenStore xs;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:00:00:10", 1500);
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"),
                net.links().get("eth0").index()));
        fw = new FakeFirewall();
        xs = new FakeXenStore().put("backend/vif/5/0/bridge", "xenbr0").put("backend/vif/5/0/ip", "192.0.2.55");
    }

    private String dryRun(String script, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "vif", "vif5.0", "XENBUS_PATH", "backend/vif/5/0"));
        ScriptContext ctx = new ScriptContext(env, () -> net, () -> fw, () -> xs,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                tmp.resolve("root"), tmp.resolve("lock"), tmp.resolve("state"), Duration.ZERO, null);
        List<String> before = state();
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--dry-run");
        out.reset();
        assertEquals(0, new Cli(ctx).run(script, a.toArray(new String[0])), out.toString(StandardCharsets.UTF_8));
        assertEquals(before, state(), "a dry run changes nothing");
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> state() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.toString());
        }
        s.add(net.addresses().list().toString());
        s.add(net.routes().list().toString());
        s.add(fw.rules().toString() + fw.policy("FORWARD"));
        s.add(xs.nodes().toString());
        return s;
    }

    @Test
    void networkBridgeStartNetloop() {
        assertEquals(String.join("\n",
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
                "write state record " + tmp.resolve("state/network-bridge/xenbr0.state"),
                ""), dryRun("network-bridge", "start", "antispoof=yes"));
    }

    @Test
    void networkBridgeStartFinalTopology() {
        assertEquals(String.join("\n",
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
                "write state record " + tmp.resolve("state/network-bridge/eth0.state"),
                ""), dryRun("network-bridge", "start", "bridge=eth0", "stp=yes", "forward_delay=2"));
    }

    @Test
    void vifBridgeOnlineWithAnAddress() {
        net.links().addBridge("xenbr0", false, 0);
        net.links().addVeth("vif5.0", "guest0");
        assertEquals(String.join("\n",
                "ip link set dev vif5.0 down",
                "ip link set dev vif5.0 address fe:ff:ff:ff:ff:ff   # errors ignored",
                "ip link set dev vif5.0 master xenbr0",
                "sysctl -w net.ipv6.conf.vif5.0.disable_ipv6=1   # errors ignored",
                "ip link set dev vif5.0 up",
                "xenstore-write /local/domain/5/device/vif/0/mtu 1500",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.55 -j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -p udp --sport 68 --dport 67 "
                        + "-j ACCEPT",
                "iptables -I FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT",
                ""), dryRun("vif-bridge", "online", "type_if=vif"));
    }

    @Test
    void vifBridgeOffline() {
        net.links().addBridge("xenbr0", false, 0);
        net.links().addVeth("vif5.0", "guest0");
        net.links().setMaster("vif5.0", "xenbr0");
        assertEquals(String.join("\n",
                "ip link set dev vif5.0 down   # errors ignored",
                "ip link set dev vif5.0 nomaster   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -s 192.0.2.55 -j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-in vif5.0 -p udp --sport 68 --dport 67 "
                        + "-j ACCEPT   # errors ignored",
                "iptables -D FORWARD -m physdev --physdev-is-bridged --physdev-out vif5.0 -j ACCEPT   # errors ignored",
                ""), dryRun("vif-bridge", "offline", "type_if=vif"));
    }
}
