// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

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
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.OperState;
import org.xennet.model.Route;
import org.xennet.net.LinkOps;
import org.xennet.net.Network;
import org.xennet.net.RouteOps;
import org.xennet.net.Sysctls;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.bridge.BridgeSettings;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;
import org.xennet.testing.JsonReader;
import org.xennet.xenstore.XenStore;

/**
 * doctor and fix against the fakes: every check on its own, the repairs, what is skipped without
 * XenStore, and the JSON shape. The same flow against the kernel and a real xenstored is
 * DoctorSystemIT.
 */
@Tag("cli")
class DoctorTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private FakeXenStore xs;
    private Supplier<XenStore> store;
    private final Map<String, String> sysctls = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Network view;

    /** A host as network-bridge and vif-bridge leave it: xenbr0 with peth0, vif5.0 and vif6.0 (mtu key 1400). */
    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("peth0", "00:16:3e:00:00:10", 1500);
        net.links().addBridge("xenbr0", false, 0);
        net.links().addBridge("virbr0", false, 0);
        net.links().setMaster("peth0", "xenbr0");
        for (String l : List.of("peth0", "xenbr0", "virbr0")) {
            net.links().setUp(l, true);
        }
        fw = new FakeFirewall();
        xs = new FakeXenStore();
        guest(5, "xenbr0", null);
        guest(6, "xenbr0", 1400);
        store = () -> xs;
        view = net;
    }

    private void guest(int domid, String bridge, Integer mtu) {
        String dev = "vif" + domid + ".0";
        net.links().addVeth(dev, "g" + domid);
        net.links().setMaster(dev, bridge);
        net.links().setMtu(dev, mtu == null ? 1500 : mtu);
        net.links().setUp(dev, true);
        String be = "backend/vif/" + domid + "/0";
        xs.put(be + "/bridge", bridge).put(be + "/script", "/etc/xen/scripts/vif-bridge")
                .put(be + "/hotplug-status", "connected").put("/local/domain/" + domid + "/name", "guest" + domid);
        if (mtu != null) {
            xs.put(be + "/mtu", String.valueOf(mtu));
        }
    }

    private int xennet(String... args) {
        Map<String, String> env = Map.of("XENNET_CONF", tmp.resolve("none").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no");
        Network n = withSysctls(view);
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        ScriptContext ctx = ScriptContext.builder(env).network(() -> n).firewall(() -> fw).xenstore(store).output(ps)
                .under(tmp).carrierWait(Duration.ZERO).build();
        out.reset();
        return new Cli(ctx).run("xennet", args);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> findingLines() {
        List<String> l = new ArrayList<>();
        for (String s : output().split("\n")) {
            if (s.startsWith("error: ") || s.startsWith("warning: ")) {
                l.add(s);
            }
        }
        return l;
    }

    /** The network, with the bridge-netfilter and conntrack keys the test sets (the fake has none). */
    private Network withSysctls(Network n) {
        Sysctls base = n.sysctls();
        Sysctls s = new Sysctls() {
            @Override
            public Optional<String> find(String key) {
                return sysctls.containsKey(key) ? Optional.of(sysctls.get(key)) : base.find(key);
            }

            @Override
            public void set(String key, String value) {
                base.set(key, value);
            }
        };
        LinkOps links = n.links();
        RouteOps routes = n.routes();
        Network m = mock(Network.class);
        when(m.links()).thenReturn(links);
        when(m.routes()).thenReturn(routes);
        when(m.sysctls()).thenReturn(s);
        return m;
    }

    /** The same links, with {@code dev}'s carrier off (the fake ties carrier to up). */
    private Network withoutCarrier(String dev) {
        List<Link> links = new ArrayList<>();
        for (Link l : net.links().list()) {
            links.add(!l.name().equals(dev) ? l : new Link(l.index(), l.name(), l.kind(), l.slaveKind(), l.flags(),
                    l.mtu(), l.mac(), l.masterIndex(), l.linkIndex(), OperState.LOWERLAYERDOWN, false, l.bridge(),
                    l.vlanId(), l.unknown()));
        }
        LinkOps ops = mock(LinkOps.class);
        when(ops.list()).thenReturn(links);
        Sysctls sys = net.sysctls();
        Network m = mock(Network.class);
        when(m.links()).thenReturn(ops);
        when(m.sysctls()).thenReturn(sys);
        return m;
    }

    @Test
    void aHostAsTheScriptsLeaveItIsClean() {
        assertEquals(0, xennet("doctor"), output());
        String o = output();
        assertTrue(o.contains("xenbr0       up     -        1500"), o);
        assertTrue(o.contains("  peth0      up     yes      1500  00:16:3e:00:00:10  physical"), o);
        assertTrue(o.contains("  vif5.0     up     yes      1500"), o);
        assertTrue(o.contains("vif of domain 5 (guest5)"), o);
        assertTrue(o.contains("virbr0       up     -        1500"), o);
        assertTrue(o.endsWith("no problems found\n"), o);
        assertEquals(List.of(), findingLines());
    }

    @Test
    void aVifOnTheWrongBridgeIsFoundAndFixMovesIt() {
        net.links().setMaster("vif5.0", "virbr0");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: vif5.0 (domain 5 (guest5)) is on virbr0, expected xenbr0 "
                + "(backend/vif/5/0/bridge); fix: ip link set dev vif5.0 master xenbr0  [xennet fix]"), findingLines());
        assertEquals(0, xennet("fix"), output());
        assertTrue(output().startsWith("+ ip link set dev vif5.0 master xenbr0\n"), output());
        assertTrue(output().contains("after the fixes: no problems found"), output());
        assertEquals(net.links().get("xenbr0").index(), net.links().get("vif5.0").masterIndex());
        assertEquals(0, xennet("doctor"), output());
    }

    @Test
    void aVifOnNoBridgeIsPutOnItsOwn() {
        net.links().setNoMaster("vif6.0");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: vif6.0 (domain 6 (guest6)) is on no bridge, expected xenbr0 "
                + "(backend/vif/6/0/bridge); fix: ip link set dev vif6.0 master xenbr0  [xennet fix]"), findingLines());
        assertEquals(0, xennet("fix"), output());
        assertEquals(net.links().get("xenbr0").index(), net.links().get("vif6.0").masterIndex());
    }

    @Test
    void aDownVifAndAnMtuMismatchAreWarningsThatFixRepairs() {
        net.links().setUp("vif5.0", false);
        net.links().setMtu("vif5.0", 1400);
        net.links().setMtu("vif6.0", 1500);
        assertEquals(0, xennet("doctor"), "warnings alone do not fail doctor");
        assertEquals(1, xennet("doctor", "--strict"));
        assertEquals(List.of(
                "warning: vif5.0 has MTU 1400, the MTU of xenbr0's port peth0 is 1500: frames bigger than the "
                        + "smaller one are dropped; fix: ip link set dev vif5.0 mtu 1500  [xennet fix]",
                "warning: vif5.0 (domain 5 (guest5)) is down: the guest has no network on it; fix: ip link set dev "
                        + "vif5.0 up  [xennet fix]",
                "warning: vif6.0 has MTU 1500, the guest's mtu is 1400 (backend/vif/6/0/mtu): frames bigger than the "
                        + "smaller one are dropped; fix: ip link set dev vif6.0 mtu 1400  [xennet fix]"),
                findingLines());
        assertTrue(output().contains("0 errors, 3 warnings; 'xennet fix' repairs 3 of them"), output());
        assertEquals(0, xennet("fix"), output());
        assertEquals(String.join("\n", "+ ip link set dev vif5.0 mtu 1500", "+ ip link set dev vif6.0 mtu 1400",
                "+ ip link set dev vif5.0 up", "", "after the fixes: no problems found", ""), output());
        assertTrue(net.links().get("vif5.0").isUp());
        assertEquals(1500, net.links().get("vif5.0").mtu());
        assertEquals(1400, net.links().get("vif6.0").mtu());
    }

    @Test
    void fixDryRunPrintsTheCommandsAndChangesNothing() {
        net.links().setMaster("vif5.0", "virbr0");
        net.links().setUp("vif6.0", false);
        net.sysctls(); // no-op: keeps the shape of the other tests
        List<Link> before = net.links().list();
        assertEquals(0, xennet("fix", "--dry-run"), output());
        assertEquals(String.join("\n", "ip link set dev vif5.0 master xenbr0", "ip link set dev vif6.0 up",
                "(dry run: nothing changed; 2 fixes would run)", ""), output());
        assertEquals(before, net.links().list());
    }

    @Test
    void aFixThatFailsIsReportedAndTheRestStillRun() {
        net.links().setUp("vif5.0", false);
        net.links().setUp("vif6.0", false);
        view = mock(Network.class);
        LinkOps failing = mock(LinkOps.class);
        when(failing.list()).thenAnswer(i -> net.links().list());
        org.mockito.Mockito.doThrow(new XennetException("link set up vif5.0: Operation not permitted (EPERM)"))
                .when(failing).setUp("vif5.0", true);
        org.mockito.Mockito.doAnswer(i -> {
            net.links().setUp("vif6.0", true);
            return null;
        }).when(failing).setUp("vif6.0", true);
        Sysctls sys = net.sysctls();
        when(view.links()).thenReturn(failing);
        when(view.sysctls()).thenReturn(sys);
        assertEquals(1, xennet("fix"));
        String o = output();
        assertTrue(o.contains("+ ip link set dev vif5.0 up\n  failed: "), o);
        assertTrue(o.contains("Operation not permitted (EPERM)"), o);
        assertTrue(o.contains("after the fixes: 0 errors, 1 warning"), o);
        assertTrue(net.links().get("vif6.0").isUp());
    }

    @Test
    void aMissingBridgeHasNoAutomaticFix() {
        xs.put("backend/vif/5/0/bridge", "xenbr1");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: vif5.0 (domain 5 (guest5)) should be on xenbr1 (backend/vif/5/0/bridge), which "
                + "does not exist; fix: create it (network-bridge start bridge=xenbr1 netdev=NIC), or correct the "
                + "guest's vif 'bridge=' setting"), findingLines());
        assertEquals(1, xennet("fix"));
        assertTrue(output().startsWith("xennet fix: nothing it can repair safely\nnot repaired automatically: error: "
                + "vif5.0"), output());
    }

    @Test
    void hotplugErrorsAndConnectedVifsWithoutAnInterfaceAreReported() {
        xs.put("backend/vif/7/0/script", "/etc/xen/scripts/vif-bridge").put("backend/vif/7/0/hotplug-status", "error")
                .put("backend/vif/7/0/hotplug-error", "vif-bridge online vif7.0: Could not find bridge device xenbr9");
        xs.put("backend/vif/8/0/vifname", "web.0").put("backend/vif/8/0/hotplug-status", "connected")
                .put("backend/vif/8/0/script", "vif-route");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: vif-bridge failed for vif7.0 (domain 7): vif-bridge online vif7.0: Could not "
                + "find bridge device xenbr9; fix: correct the cause, then run: vif=vif7.0 XENBUS_PATH=backend/vif/7/0 "
                + "/etc/xen/scripts/vif-bridge online",
                "error: web.0 (domain 8) is connected in XenStore (backend/vif/8/0) but has no interface; fix: restart "
                        + "the guest's network: xl network-detach/network-attach, or reboot the guest"),
                findingLines());
    }

    /** A guest as vif-route leaves it: vif up, proxy ARP on, a host route per address, forwarding on. */
    private void routedGuest() {
        net.links().addVeth("vif9.0", "g9");
        net.links().setUp("vif9.0", true);
        net.sysctls().set(Sysctls.proxyArp("vif9.0"), "1");
        net.sysctls().set(Sysctls.IPV4_FORWARD, "1");
        net.routes().add(Route.unicast(IpPrefix.parse("192.0.2.99/32"), null, net.links().get("vif9.0").index()));
        xs.put("backend/vif/9/0/script", "/etc/xen/scripts/vif-route").put("backend/vif/9/0/hotplug-status",
                "connected").put("backend/vif/9/0/ip", "192.0.2.99");
    }

    @Test
    void routedVifsAreNotExpectedOnABridge() {
        routedGuest();
        assertEquals(0, xennet("doctor"), output());
    }

    @Test
    void aRoutedGuestWithoutItsRouteProxyArpOrForwardingIsReported() {
        routedGuest();
        net.routes().delete(net.routes().list().stream().filter(r -> r.oif() == net.links().get("vif9.0").index())
                .findFirst().orElseThrow());
        net.sysctls().set(Sysctls.proxyArp("vif9.0"), "0");
        net.sysctls().set(Sysctls.IPV4_FORWARD, "0");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of(
                "error: the guest address 192.0.2.99 of vif9.0 (domain 9) is not routed to it (no route): its traffic "
                        + "from outside is lost; fix: run vif=vif9.0 XENBUS_PATH=backend/vif/9/0 /etc/xen/scripts/"
                        + "vif-route online (it adds: ip route add 192.0.2.99 dev vif9.0 src DOM0_ADDRESS)",
                "error: net.ipv4.ip_forward is 0 and vif9.0 is routed: its guest reaches dom0 only; fix: network-route "
                        + "start (network-nat start for NAT), which sets it and restores it on stop",
                "warning: proxy ARP is off on vif9.0 (domain 9, vif-route): dom0 does not answer the guest's ARP for "
                        + "its gateway; fix: sysctl -w net.ipv4.conf.vif9.0.proxy_arp=1, or run vif=vif9.0 "
                        + "XENBUS_PATH=backend/vif/9/0 /etc/xen/scripts/vif-route online"), findingLines());
    }

    @Test
    void aRoutedGuestBehindADropPolicyNeedsItsRules() {
        routedGuest();
        fw.setPolicy("FORWARD", "DROP");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: iptables' FORWARD policy is DROP, but no rule accepts routed traffic to vif9.0 "
                + "(domain 9): the guest is cut off; fix: run vif=vif9.0 XENBUS_PATH=backend/vif/9/0 /etc/xen/scripts/"
                + "vif-route online, which adds its rules (unless vif_iptables=no)"), findingLines());
        fw.append(Rule.of("FORWARD", "-o", "vif9.0", "-j", "ACCEPT"));
        assertEquals(0, xennet("doctor"), output());
    }

    @Test
    void anUplinkThatIsDownOrWithoutCarrierIsAnError() {
        view = withoutCarrier("peth0");
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: peth0 (a port of xenbr0) has no carrier: no link to the switch; fix: check "
                + "the cable and the switch port; 'ethtool peth0' shows 'Link detected'"), findingLines());
        view = net;
        net.links().setUp("peth0", false);
        net.links().setUp("xenbr0", false);
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: peth0 (a port of xenbr0) is down: guests on xenbr0 cannot reach the "
                + "network; fix: ip link set dev peth0 up",
                "warning: bridge xenbr0 is down: nothing on it passes traffic; fix: ip link set dev xenbr0 up"),
                findingLines());
    }

    @Test
    void bridgeNetfilterWithConntrackAndGuestsIsExplained() {
        sysctls.put(Sysctls.BRIDGE_NF_CALL_IPTABLES, "1");
        assertEquals(0, xennet("doctor"), "without conntrack: " + output());
        sysctls.put(Doctor.CONNTRACK, "262144");
        assertEquals(0, xennet("doctor"), "warnings alone do not fail doctor");
        assertEquals(1, xennet("doctor", "--strict"));
        List<String> f = findingLines();
        assertEquals(1, f.size(), output());
        assertTrue(f.get(0).startsWith("warning: net.bridge.bridge-nf-call-iptables=1 with connection tracking "
                + "loaded"), f.get(0));
        assertTrue(f.get(0).contains("fix: sysctl -w net.bridge.bridge-nf-call-iptables=0"), f.get(0));
        sysctls.put(Sysctls.BRIDGE_NF_CALL_IPTABLES, "0");
        assertEquals(0, xennet("doctor"), output());
    }

    @Test
    void aDropPolicyWithoutTheVifsRulesIsAnError() {
        sysctls.put(Sysctls.BRIDGE_NF_CALL_IPTABLES, "1");
        fw.setPolicy("FORWARD", "DROP");
        fw.append(Rule.of("FORWARD", "-m", "physdev", "--physdev-in", "peth0", "-j", "ACCEPT"));
        fw.append(Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-out", "vif6.0", "-j",
                "ACCEPT"));
        assertEquals(1, xennet("doctor"));
        assertEquals(List.of("error: iptables' FORWARD policy is DROP and bridge-nf-call-iptables=1, but no rule "
                + "accepts traffic to vif5.0 on xenbr0: it is dropped; fix: run vif-bridge online again for it "
                + "(vif=vif5.0 XENBUS_PATH=backend/vif/5/0 /etc/xen/scripts/vif-bridge online), which adds its rules"),
                findingLines());
        fw.append(Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-out", "vif5.0", "-j",
                "ACCEPT"));
        assertEquals(0, xennet("doctor"), output());
        sysctls.put(Sysctls.BRIDGE_NF_CALL_IPTABLES, "0");
        fw.delete(Rule.of("FORWARD", "-m", "physdev", "--physdev-in", "peth0", "-j", "ACCEPT"));
        assertEquals(0, xennet("doctor"), "bridged frames skip iptables: " + output());
    }

    @Test
    void leftOverStateRecordsAndInterruptedStartsAreReported() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("state/network-bridge"));
        Files.writeString(dir.resolve("broken.state"), "version=1\nnonsense\n");
        Files.createDirectories(tmp.resolve("state/network-route"));
        Files.writeString(tmp.resolve("state/network-route/eth9.state"), "version=1\nnetdev=eth9\n");
        net.links().addBridge(BridgeSettings.TMP_BRIDGE, false, 0);
        net.links().setUp(BridgeSettings.TMP_BRIDGE, true);
        assertEquals(1, xennet("doctor"));
        List<String> f = findingLines();
        assertEquals(3, f.size(), output());
        assertTrue(f.get(0).startsWith("error: bridge xn-tmpbr exists: a network-bridge start"), f.get(0));
        assertTrue(f.get(1).startsWith("error: state record " + dir.resolve("broken.state") + " is damaged (line "
                + "'nonsense' is not KEY=VALUE)"), f.get(1));
        assertTrue(f.get(2).startsWith("warning: state record " + tmp.resolve("state/network-route/eth9.state")
                + " is for eth9, which does not exist"), f.get(2));
    }

    @Test
    void withoutXenStoreItSaysWhichChecksItSkipped() {
        store = () -> {
            throw new XennetException("cannot connect to xenstored: tried /run/xenstored/socket (No such file)");
        };
        net.links().setMaster("vif5.0", "virbr0");
        net.links().setUp("vif6.0", false);
        assertEquals(0, xennet("doctor"), "warnings alone do not fail doctor");
        assertEquals(1, xennet("doctor", "--strict"));
        assertEquals(List.of("warning: vif6.0 has MTU 1400, the MTU of xenbr0's port peth0 is 1500: frames bigger "
                + "than the smaller one are dropped; fix: check the guest's mtu setting (XenStore was not read), "
                + "else: ip link set dev vif6.0 mtu 1500",
                "warning: vif6.0 is down: the guest has no network on it; fix: ip link set dev vif6.0 up"
                + "  [xennet fix]"), findingLines(), "the wrong bridge needs XenStore to be seen");
        assertTrue(output().contains("skipped: vif-wrong-bridge, vif-no-interface, vif-hotplug-error, "
                + "bridge-missing, routed-forwarding, routed-proxy-arp, routed-no-route, ovs-vif-wrong-port, vif-wrong-vlan: "
                + "XenStore is not reachable (cannot connect to xenstored"), output());
        assertEquals(1, xennet("doctor", "--no-xenstore", "--strict"));
        assertTrue(output().contains("skipped: vif-wrong-bridge, vif-no-interface, vif-hotplug-error, "
                + "bridge-missing, routed-forwarding, routed-proxy-arp, routed-no-route, ovs-vif-wrong-port, vif-wrong-vlan: "
                + "--no-xenstore was given"), output());
    }

    @Test
    void jsonIsStableAndComplete() {
        net.links().setMaster("vif5.0", "virbr0");
        assertEquals(0, xennet("doctor", "--json", "--no-xenstore"), "warnings alone do not fail doctor");
        assertEquals(1, xennet("doctor", "--json", "--no-xenstore", "--strict"));
        Map<String, Object> j = JsonReader.object(output());
        assertEquals(List.of("version", "clean", "bridges", "findings", "skipped"), new ArrayList<>(j.keySet()));
        assertEquals(1L, j.get("version"));
        assertEquals(Boolean.FALSE, j.get("clean"));
        assertEquals(1, ((List<?>) j.get("findings")).size(), "without XenStore the wrong bridge is not seen");
        Map<?, ?> mtu = (Map<?, ?>) ((List<?>) j.get("findings")).get(0);
        assertEquals("vif-mtu", mtu.get("check"));
        assertEquals(Boolean.FALSE, mtu.get("automatic"), "without the guest's mtu key an MTU is not safe to set");
        assertEquals(List.of(Map.of("checks", List.of("vif-wrong-bridge", "vif-no-interface", "vif-hotplug-error",
                "bridge-missing", "routed-forwarding", "routed-proxy-arp", "routed-no-route", "ovs-vif-wrong-port", "vif-wrong-vlan"), "reason",
                "--no-xenstore was given; the vif MTU is compared with its bridge's only")),
                j.get("skipped"));

        assertEquals(1, xennet("doctor", "--json"));
        String text = output();
        j = JsonReader.object(text);
        assertEquals(Boolean.FALSE, j.get("clean"));
        assertEquals(List.of(), j.get("skipped"));
        List<?> bridges = (List<?>) j.get("bridges");
        assertEquals(2, bridges.size());
        Map<?, ?> xenbr0 = (Map<?, ?>) bridges.get(0);
        assertEquals("xenbr0", xenbr0.get("name"));
        assertEquals(List.of("name", "up", "mtu", "mac", "stp", "ports"), new ArrayList<>(xenbr0.keySet()));
        Map<?, ?> peth0 = (Map<?, ?>) ((List<?>) xenbr0.get("ports")).get(0);
        assertEquals(Map.of("name", "peth0", "up", true, "mtu", 1500L, "mac", "00:16:3e:00:00:10", "carrier", true,
                "kind", "physical", "description", "physical"), peth0);
        List<?> findings = (List<?>) j.get("findings");
        assertEquals(1, findings.size());
        assertEquals(Map.of("severity", "error", "check", "vif-wrong-bridge", "subject", "vif5.0", "message",
                "vif5.0 (domain 5 (guest5)) is on virbr0, expected xenbr0 (backend/vif/5/0/bridge)", "fix",
                "ip link set dev vif5.0 master xenbr0", "automatic", true), findings.get(0));
        Map<?, ?> virbr0 = (Map<?, ?>) bridges.get(1);
        Map<?, ?> vif = (Map<?, ?>) ((List<?>) virbr0.get("ports")).get(0);
        assertEquals("vif", vif.get("kind"));
        assertEquals("vif of domain 5 (guest5)", vif.get("description"));
        assertFalse(text.contains("\t"));
    }

    @Test
    void optionsAreCheckedPerTool() {
        assertEquals(1, xennet("doctor", "--dry-run"));
        assertTrue(output().contains("--dry-run is not an option of doctor"), output());
        assertEquals(1, xennet("fix", "--json"));
        assertTrue(output().contains("--json is not an option of fix"), output());
        assertEquals(1, xennet("doctor", "--bogus"));
        assertTrue(output().contains("usage: xennet doctor [--json] [--no-xenstore]"), output());
    }
}
