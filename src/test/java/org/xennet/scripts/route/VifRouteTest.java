// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.Address;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Sysctls;
import org.xennet.plan.PlanRunner;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/** vif-route in-process against the fake network, firewall and XenStore, called as libxl calls it. */
@Tag("cli")
class VifRouteTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private FakeXenStore xs;
    private Map<String, String> env;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private static final String BE = "backend/vif/5/0";
    private static final IpAddress MAIN = IpAddress.parse("192.0.2.10");

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:00:00:10", 1500).nic("eth1", "00:16:3e:00:00:11", 1500)
                .nic("vif5.0", "fe:ff:ff:ff:ff:ff", 1500).nic("vif6.0", "fe:ff:ff:ff:ff:ff", 1500);
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.11/24")); // a secondary: never lent
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"),
                net.links().get("eth0").index()));
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        net.sysctls().set(Sysctls.proxyArp("eth0"), "1");
        fw = new FakeFirewall();
        xs = new FakeXenStore().put(BE + "/ip", "192.0.2.60").put(BE + "/mac", "00:16:3e:00:05:00")
                .put(BE + "/hotplug-status", "");
        env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error", "vif", "vif5.0", "XENBUS_PATH", BE,
                "script", "/etc/xen/scripts/vif-route", "XENBUS_TYPE", "vif", "netdev", ""));
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
    }

    private int run(PlanRunner.FaultInjector faults, String... args) {
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(() -> xs)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).faults(faults).build();
        return new Cli(ctx).run("/etc/xen/scripts/vif-route", args);
    }

    private int run(String... args) {
        return run(null, args);
    }

    private String status() {
        return xs.read(BE + "/hotplug-status").orElse(null);
    }

    private String error() {
        return xs.read(BE + "/hotplug-error").orElse(null);
    }

    /** Links, addresses, routes, the sysctls vif-route touches and the rules. */
    private List<String> state() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.name() + " up=" + l.isUp() + " " + net.sysctls().find(Sysctls.proxyArp(l.name())).orElse("-"));
        }
        for (Address a : net.addresses().list()) {
            s.add("addr " + a.index() + " " + a);
        }
        for (Route r : net.routes().list()) {
            s.add("route " + r.describe("if" + r.oif()));
        }
        s.add("ip_forward=" + net.sysctls().get(Sysctls.IPV4_FORWARD));
        s.add(fw.rules().toString());
        return s;
    }

    private int vif(String name) {
        return net.links().get(name).index();
    }

    private Route hostRoute(String addr, String dev, int metric) {
        return Route.unicast(IpPrefix.parse(addr), null, vif(dev)).withPrefsrc(MAIN).withMetric(metric);
    }

    private static Rule in(String dev, String src) {
        return Rule.of("FORWARD", "-i", dev, "-s", src, "-j", "ACCEPT");
    }

    private static Rule outTo(String dev) {
        return Rule.of("FORWARD", "-o", dev, "-j", "ACCEPT");
    }

    @Test
    void onlineLendsDom0sAddressAddsTheHostRouteAndProxyArpAndReportsConnected() {
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        Link v = net.links().get("vif5.0");
        assertTrue(v.isUp());
        assertEquals(List.of(IpPrefix.parse("192.0.2.10/32")),
                net.addresses().list("vif5.0").stream().map(Address::prefix).toList(),
                "dom0's primary address of eth0 (the default route's device), not the secondary");
        assertEquals("1", net.sysctls().get(Sysctls.proxyArp("vif5.0")));
        assertTrue(net.routes().list().contains(hostRoute("192.0.2.60/32", "vif5.0", 2)), net.routes().list().toString());
        assertEquals(List.of(outTo("vif5.0"), in("vif5.0", "192.0.2.60/32")), fw.rules());
        assertEquals("connected", status());
        assertEquals(null, error());
    }

    @Test
    void aSecondOnlineChangesNothing() {
        xs.put(BE + "/ip", "192.0.2.60 192.0.2.61");
        assertEquals(0, run("online", "type_if=vif"));
        List<String> once = state();
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(once, state());
        assertEquals(0, run("online", "type_if=vif", "--dry-run"));
        for (String line : out.toString().split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("iptables -I")
                    || line.equals("xenstore-write " + BE + "/hotplug-status connected"),
                    "nothing left to do but the rule checks and hotplug-status: " + line);
        }
    }

    @Test
    void offlineRemovesExactlyWhatOnlineAddedAndSucceedsTwiceAndWhenTheVifIsGone() {
        Rule foreign = Rule.of("FORWARD", "-j", "LOG");
        fw.append(foreign);
        xs.put(BE + "/ip", "192.0.2.60 192.0.2.61 10.1.0.0/24");
        List<String> before = state();
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(3, net.routes().list().stream().filter(r -> r.oif() == vif("vif5.0")).count());
        assertTrue(net.routes().list().contains(hostRoute("10.1.0.0/24", "vif5.0", 2)), "a network is routed too");
        assertEquals(5, fw.rules().size());
        assertEquals(0, run("offline", "type_if=vif"), err.toString());
        assertEquals(before, state());
        assertEquals(0, run("offline", "type_if=vif"), "offline again");
        assertEquals(before, state());
        assertEquals(0, run("online", "type_if=vif"));
        net.links().delete("vif5.0");
        assertEquals(0, run("offline", "type_if=vif"), "offline of a vanished vif");
        assertEquals(List.of(foreign), fw.rules(), "its rules are removed all the same");
    }

    @Test
    void offlineDoesNotNeedNetdevsAddress() {
        assertEquals(0, run("online", "type_if=vif"));
        net.addresses().flush("eth0");
        assertEquals(0, run("offline", "type_if=vif"), "Xen's offline died in dom0_ip here");
        assertTrue(net.routes().list().stream().noneMatch(r -> r.oif() == vif("vif5.0")));
        assertTrue(fw.rules().isEmpty());
        assertEquals("0", net.sysctls().get(Sysctls.proxyArp("vif5.0")));
    }

    @Test
    void noAddressOnNetdevIsFatalWithXensMessageAndChangesNothing() {
        List<String> before = state();
        env.put("netdev", "eth1");
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-route online vif5.0: eth1 is not up. Bring it up or specify another interface with "
                + "netdev=<if> as a parameter to vif-route.", error());
        assertEquals("error", status());
        assertEquals(before, state());
        env.put("netdev", "eth9");
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().contains("eth9 is not up."), error());
        assertEquals(before, state());
    }

    @Test
    void netdevComesFromTheArgumentThenGatewaydevThenTheDefaultRoute() {
        net.links().setUp("eth1", true);
        net.addresses().add("eth1", IpPrefix.parse("198.18.0.10/24"));
        xs.put(BE + "/gatewaydev", "eth1");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(List.of(IpPrefix.parse("198.18.0.10/32")),
                net.addresses().list("vif5.0").stream().map(Address::prefix).toList(), "the gatewaydev key");
        assertEquals(0, run("offline", "type_if=vif"));
        assertEquals(0, run("online", "type_if=vif", "netdev=eth0"));
        assertEquals(List.of(IpPrefix.parse("192.0.2.10/32")),
                net.addresses().list("vif5.0").stream().map(Address::prefix).toList(), "the argument wins");
    }

    @Test
    void malformedOrIpv6AddressesAreFatalBeforeAnyChange() {
        for (String[] c : new String[][] {{"192.0.2.300", "ip='192.0.2.300'"}, {"192.0.2.60;reboot", "ip='"},
            {"2001:db8::60", "IPv6"}, {"192.0.2.0/33", "ip='"}}) {
            setUp();
            xs.put(BE + "/ip", c[0]);
            List<String> before = state();
            assertEquals(1, run("online", "type_if=vif"), c[0]);
            assertTrue(error().startsWith("vif-route online vif5.0: ") && error().contains(c[1]), error());
            assertEquals("error", status());
            assertEquals(before, state(), c[0]);
        }
    }

    @Test
    void anAddressRoutedToAnotherVifIsRefused() {
        assertEquals(0, run("online", "type_if=vif"));
        env.put("vif", "vif6.0");
        env.put("XENBUS_PATH", "backend/vif/6/0");
        xs.put("backend/vif/6/0/ip", "192.0.2.60");
        List<String> before = state();
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-route online vif6.0: 192.0.2.60/32 is already routed to vif5.0 (metric 2): another guest "
                + "has this address", xs.read("backend/vif/6/0/hotplug-error").orElse(null));
        assertEquals(before, state());
    }

    @Test
    void aFailureAtAnyStepUndoesEverythingThisCallChanged() {
        xs.put(BE + "/ip", "192.0.2.60 192.0.2.61");
        List<String> before = state();
        // address, up, proxy_arp, two routes (firewall steps only warn)
        for (int failAt = 0; failAt < 5; failAt++) {
            int n = failAt;
            xs.put(BE + "/hotplug-status", "");
            assertEquals(1, run((i, s) -> {
                if (i == n) {
                    throw new XennetException("injected at " + s.description());
                }
            }, "online", "type_if=vif"), "fault at " + n);
            assertEquals("error", status());
            assertTrue(error().contains("injected"), error());
            assertEquals(before, state(), "fault at step " + n);
        }
    }

    @Test
    void tapAddUsesMetric1AndTheEmuInterface() {
        net.nic("vif5.0-emu", "fe:ff:ff:ff:ff:ff", 1500);
        env.put("INTERFACE", "vif5.0-emu");
        xs.put("/local/domain/0/" + BE + "/ip", "192.0.2.60");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(0, run("add", "type_if=tap"), err.toString());
        assertTrue(net.routes().list().contains(hostRoute("192.0.2.60/32", "vif5.0-emu", 1)),
                "the emulated NIC takes precedence until the PV driver is up");
        assertTrue(net.routes().list().contains(hostRoute("192.0.2.60/32", "vif5.0", 2)));
        assertEquals(0, run("remove", "type_if=tap"));
        assertFalse(net.routes().list().contains(hostRoute("192.0.2.60/32", "vif5.0-emu", 1)));
        assertTrue(net.routes().list().contains(hostRoute("192.0.2.60/32", "vif5.0", 2)), "the vif keeps its route");
    }

    @Test
    void withoutIpThereIsNoRouteAndOneUnrestrictedRuleEachWay() {
        xs.remove(BE + "/ip");
        assertEquals(0, run("online", "type_if=vif"));
        assertTrue(net.routes().list().stream().noneMatch(r -> r.oif() == vif("vif5.0")));
        assertEquals(List.of(outTo("vif5.0"), Rule.of("FORWARD", "-i", "vif5.0", "-j", "ACCEPT")), fw.rules());
        assertEquals("connected", status());
    }

    @Test
    void theFirewallSwitchTurnsTheRulesOff() throws Exception {
        Files.writeString(tmp.resolve("xennet.conf"), "vif_iptables=no\n");
        env.put("XENNET_CONF", tmp.resolve("xennet.conf").toString());
        assertEquals(0, run("online", "type_if=vif"));
        assertTrue(fw.rules().isEmpty());
        assertTrue(net.routes().list().contains(hostRoute("192.0.2.60/32", "vif5.0", 2)));
    }

    @Test
    void vifnameRenamesFirstAndOfflineFindsTheRenamedDevice() {
        xs.put(BE + "/vifname", "web0");
        List<String> before = state();
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        assertFalse(net.links().exists("vif5.0"));
        assertTrue(net.routes().list().contains(hostRoute("192.0.2.60/32", "web0", 2)));
        assertEquals("1", net.sysctls().get(Sysctls.proxyArp("web0")));
        assertEquals(0, run("offline", "type_if=vif"));
        assertTrue(net.routes().list().stream().noneMatch(r -> r.oif() == vif("web0")));
        assertTrue(fw.rules().isEmpty());
        net.links().rename("web0", "vif5.0");
        assertEquals(before, state());
    }

    @Test
    void aVifnameClashIsFatalWithXensMessage() {
        xs.put(BE + "/vifname", "vif6.0");
        List<String> before = state();
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-route online vif5.0: Cannot rename interface vif5.0. An interface with name vif6.0 already "
                + "exists.", error());
        assertEquals(before, state());
    }

    @Test
    void aMissingVifIsFatal() {
        env.put("vif", "vif9.0");
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-route online vif9.0: vif9.0 does not exist (the backend interface for " + BE + ")", error());
    }

    @Test
    void dryRunPrintsTheCommandsAndChangesNothing() {
        List<String> before = state();
        assertEquals(0, run("online", "type_if=vif", "--dry-run"));
        assertEquals(before, state());
        assertEquals("", status(), "no hotplug-status on a dry run");
        String plan = out.toString();
        assertTrue(plan.contains("ip addr add 192.0.2.10/32 dev vif5.0"), plan);
        assertTrue(plan.contains("ip link set dev vif5.0 up"), plan);
        assertTrue(plan.contains("sysctl -w net.ipv4.conf.vif5.0.proxy_arp=1"), plan);
        assertTrue(plan.contains("ip route add 192.0.2.60/32 dev vif5.0 scope link src 192.0.2.10 metric 2")
                || plan.contains("ip route add 192.0.2.60/32 dev vif5.0 src 192.0.2.10 metric 2"), plan);
        assertTrue(plan.contains("iptables -I FORWARD -i vif5.0 -s 192.0.2.60/32 -j ACCEPT"), plan);
    }

    @Test
    void theOtherTypeIfPairingsDoNothing() {
        List<String> before = state();
        assertEquals(0, run("online", "type_if=tap"));
        assertEquals(0, run("add", "type_if=vif"));
        assertEquals(0, run("remove"));
        assertEquals(before, state());
        assertEquals("", status());
    }

    @Test
    void hooksSeeTheScriptsVariables() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("root/etc/xen/scripts/vif-post.d"));
        Path hook = dir.resolve("10-record.hook");
        Path marker = tmp.resolve("hook-ran");
        Files.writeString(hook, "#!/bin/sh\necho \"$command $dev $ip $script\" >> " + marker + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(0, run("offline", "type_if=vif"));
        assertEquals("online vif5.0 192.0.2.60 vif-route\noffline vif5.0 192.0.2.60 vif-route\n",
                Files.readString(marker));
    }
}
