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
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Route;
import org.xennet.net.Sysctls;
import org.xennet.plan.PlanRunner;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/** network-route in-process against the fake network and firewall. */
@Tag("cli")
class NetworkRouteTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:00:00:10", 1500).nic("eth1", "00:16:3e:00:00:11", 1500);
        fw = new FakeFirewall();
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"),
                net.links().get("eth0").index()));
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
    }

    private int run(PlanRunner.FaultInjector faults, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(FakeXenStore::new)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).faults(faults).build();
        return new Cli(ctx).run("/etc/xen/scripts/network-route", args);
    }

    private int run(String... args) {
        return run(null, args);
    }

    private String sysctl(String key) {
        return net.sysctls().get(key);
    }

    private List<String> state() {
        List<String> s = new ArrayList<>();
        for (String k : List.of(Sysctls.IPV4_FORWARD, Sysctls.proxyArp("eth0"), Sysctls.proxyArp("eth1"))) {
            s.add(k + "=" + sysctl(k));
        }
        s.add("policy=" + fw.policy("FORWARD"));
        s.add(fw.rules().toString());
        return s;
    }

    private Path record(String netdev) {
        return tmp.resolve("state/network-route/" + netdev + ".state");
    }

    @Test
    void startSwitchesForwardingAndProxyArpOnAndStopPutsTheOldValuesBack() {
        List<String> before = state();
        assertEquals(0, run("start"), err.toString());
        assertEquals("1", sysctl(Sysctls.IPV4_FORWARD));
        assertEquals("1", sysctl(Sysctls.proxyArp("eth0")), "netdev defaults to the default route's device");
        assertEquals("0", sysctl(Sysctls.proxyArp("eth1")));
        assertTrue(Files.exists(record("eth0")));
        assertEquals(0, run("stop"), err.toString());
        assertEquals(before, state());
        assertFalse(Files.exists(record("eth0")), "the record goes with stop");
    }

    @Test
    void aSecondStartChangesNothingAndStopStillRestoresTheFirstStartsOldValues() {
        List<String> before = state();
        assertEquals(0, run("start"));
        List<String> started = state();
        String rec = recordText("eth0");
        assertEquals(0, run("start"));
        assertEquals(started, state());
        assertEquals(rec, recordText("eth0"), "the record keeps the values from before the first start");
        assertTrue(out.toString().contains("nothing to do"), out.toString());
        assertEquals(0, run("stop"));
        assertEquals(before, state());
        assertEquals(0, run("stop"), "a second stop succeeds");
        assertEquals(before, state());
    }

    private String recordText(String netdev) {
        try {
            return Files.readString(record(netdev));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void stopWithoutARecordChangesNothingAndSaysSo() {
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        net.sysctls().set(Sysctls.proxyArp("eth0"), "1");
        List<String> before = state();
        assertEquals(0, run("stop"));
        assertEquals(before, state());
        assertTrue(out.toString().contains("no state record for eth0"), out.toString());
    }

    @Test
    void settingsThatWereAlreadyOnAreNotRecordedSoStopLeavesThem() {
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        assertEquals(0, run("start"));
        assertEquals(0, run("stop"));
        assertEquals("1", sysctl(Sysctls.IPV4_FORWARD), "forwarding was on before start: it stays on");
        assertEquals("0", sysctl(Sysctls.proxyArp("eth0")));

        net.sysctls().set(Sysctls.proxyArp("eth0"), "1");
        assertEquals(0, run("start"));
        assertFalse(Files.exists(record("eth0")), "nothing changed, nothing recorded");
        assertTrue(out.toString().contains("stop will leave them"), out.toString());
    }

    @Test
    void statusExits3UntilStartedAndReportsTheSysctls() {
        assertEquals(3, run("status"));
        assertTrue(out.toString().contains("net.ipv4.ip_forward = 0"), out.toString());
        assertTrue(out.toString().contains("net.ipv4.conf.eth0.proxy_arp = 0"), out.toString());
        assertEquals(0, run("start"));
        out.reset();
        assertEquals(0, run("status"));
        assertTrue(out.toString().contains("net.ipv4.ip_forward = 1"), out.toString());
        assertTrue(out.toString().contains("net.ipv4.conf.eth0.proxy_arp = 1"), out.toString());
        assertEquals(3, run("status", "netdev=eth1"), "proxy_arp is off on eth1");
        assertEquals(3, run("status", "netdev=eth7"), "no such device");
    }

    @Test
    void theCommandWordCountsNowAndAnUnknownOneIsRefused() {
        List<String> before = state();
        assertEquals(1, run("restart"), "Xen's script ignored the word and switched forwarding on");
        assertTrue(err.toString().contains("unknown command 'restart'"), err.toString());
        assertEquals(1, run("netdev=eth0"), "no command at all");
        assertEquals(before, state());
    }

    @Test
    void antispoofSetsTheForwardPolicyToDropAndStopPutsItBack() {
        List<String> before = state();
        assertEquals(0, run("start", "antispoof=yes"));
        assertEquals("DROP", fw.policy("FORWARD"));
        assertEquals(0, run("status"));
        assertTrue(out.toString().contains("FORWARD policy = DROP"), out.toString());
        assertEquals(0, run("stop"));
        assertEquals(before, state());
    }

    @Test
    void aMissingNetdevIsRefusedBeforeAnyChange() {
        List<String> before = state();
        assertEquals(1, run("start", "netdev=eth9"));
        assertTrue(err.toString().contains("netdev eth9 does not exist"), err.toString());
        assertEquals(1, run("start", "netdev=bad name"));
        assertEquals(before, state());
        assertFalse(Files.exists(record("eth9")));
    }

    @Test
    void aFailureAtAnyStepUndoesWhatStartChanged() {
        List<String> before = state();
        for (int failAt = 0; failAt < 4; failAt++) {
            int n = failAt;
            int rc = run((i, s) -> {
                if (i == n) {
                    throw new XennetException("injected at " + s.description());
                }
            }, "start", "antispoof=yes");
            assertEquals(1, rc, "fault at step " + n);
            assertEquals(before, state(), "fault at step " + n);
            assertFalse(Files.exists(record("eth0")), "fault at step " + n);
        }
    }

    @Test
    void aFailedStopKeepsTheRecordAndTheStartedState() {
        assertEquals(0, run("start", "antispoof=yes"));
        List<String> started = state();
        assertEquals(1, run((i, s) -> {
            if (s.description().startsWith("iptables -P")) {
                throw new XennetException("injected");
            }
        }, "stop"));
        assertEquals(started, state());
        assertTrue(Files.exists(record("eth0")));
        assertEquals(0, run("stop"));
        assertEquals("0", sysctl(Sysctls.IPV4_FORWARD));
    }

    @Test
    void withTwoNetdevsStoppingOneKeepsForwardingForTheOther() {
        List<String> before = state();
        assertEquals(0, run("start", "netdev=eth0"));
        assertEquals(0, run("start", "netdev=eth1"));
        assertEquals(0, run("stop", "netdev=eth0"));
        assertEquals("1", sysctl(Sysctls.IPV4_FORWARD), "eth1 still routes");
        assertEquals("0", sysctl(Sysctls.proxyArp("eth0")));
        assertEquals("1", sysctl(Sysctls.proxyArp("eth1")));
        assertTrue(recordText("eth1").contains("sysctl=net/ipv4/ip_forward=0"), "eth1's record took over");
        assertEquals(0, run("stop", "netdev=eth1"));
        assertEquals(before, state());
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        List<String> before = state();
        assertEquals(0, run("start", "antispoof=yes", "--dry-run"));
        assertEquals(before, state());
        assertFalse(Files.exists(record("eth0")));
        String plan = out.toString();
        assertTrue(plan.contains("sysctl -w net.ipv4.ip_forward=1"), plan);
        assertTrue(plan.contains("sysctl -w net.ipv4.conf.eth0.proxy_arp=1"), plan);
        assertTrue(plan.contains("iptables -P FORWARD DROP"), plan);
    }

    @Test
    void aDamagedRecordIsNamedAndNothingIsWritten() throws Exception {
        Files.createDirectories(record("eth0").getParent());
        Files.writeString(record("eth0"), "version=1\nnetdev=eth0\nsysctl=kernel/core_pattern=|/bin/sh\n");
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        List<String> before = state();
        assertEquals(1, run("stop"));
        assertTrue(err.toString().contains("is damaged"), err.toString());
        assertEquals(before, state());
    }
}
