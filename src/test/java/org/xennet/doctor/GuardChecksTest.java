// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.net.LinkOps;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.scripts.FirewallBackend;
import org.xennet.firewall.NftRules;
import org.xennet.firewall.NftTable;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeNftables;
import org.xennet.testing.FakeXenStore;

/**
 * doctor and fix with the nftables backend, against the fakes: a guard that is missing (the
 * table was flushed), stale (the ip key changed) or left by a vif that is gone is found with its
 * fix, {@code xennet fix} puts it right, and doctor is clean again. Guests come online through
 * vif-bridge and vif-nat, so the guards are the ones the scripts install.
 */
@Tag("cli")
class GuardChecksTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeXenStore xs;
    private FakeNftables nft;
    private final Map<String, String> env = new HashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("peth0", "00:16:3e:00:00:10", 1500);
        net.links().addBridge("xenbr0", false, 0);
        net.links().setMaster("peth0", "xenbr0");
        net.links().setUp("peth0", true);
        net.links().setUp("xenbr0", true);
        xs = new FakeXenStore();
        nft = new FakeNftables();
        env.putAll(Map.of("XENNET_CONF", tmp.resolve("none").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        for (int d : new int[] {5, 6}) {
            net.nic("vif" + d + ".0", "fe:ff:ff:ff:ff:fe", 1500);
            String be = "backend/vif/" + d + "/0";
            xs.put(be + "/bridge", "xenbr0").put(be + "/script", "/etc/xen/scripts/vif-bridge")
                    .put(be + "/mac", "00:16:3e:00:0" + d + ":00").put(be + "/ip", "192.0.2.5" + d)
                    .put(be + "/hotplug-status", "");
            assertEquals(0, run(Map.of("vif", "vif" + d + ".0", "XENBUS_PATH", be), "vif-bridge", "online"), output());
        }
    }

    private int run(Map<String, String> more, String script, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.putAll(more);
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        ScriptContext ctx = ScriptContext.builder(e).network(() -> net).firewall(FakeFirewall::new).nftables(() -> nft)
                .xenstore(() -> xs).output(ps).under(tmp).carrierWait(Duration.ZERO).build();
        out.reset();
        return new Cli(ctx).run(script, args);
    }

    private int xennet(String... args) {
        return run(Map.of(), "xennet", args);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> findings() {
        List<String> l = new ArrayList<>();
        for (String s : output().split("\n")) {
            if (s.startsWith("error: ") || s.startsWith("warning: ")) {
                l.add(s);
            }
        }
        return l;
    }

    private NftTable table() {
        return new NftablesFirewall(nft).table("bridge").orElseThrow();
    }

    @Test
    void guardsAsTheScriptsLeftThemAreClean() {
        assertEquals(0, xennet("doctor"), output());
        assertTrue(output().endsWith("no problems found\n"), output());
    }

    @Test
    void aFlushedTableIsMissingGuardsThatFixPutsBack() {
        nft.run(NftRules.remove("bridge", "vif5.0", true, true) + NftRules.remove("bridge", "vif6.0", true, true));
        assertEquals(1, xennet("doctor"), output());
        assertEquals(List.of(
                "error: vif5.0 (domain 5) has no guard in table bridge xennet: its guest can send from any MAC and "
                        + "address (was the table flushed, e.g. by 'nft flush ruleset' in /etc/nftables.conf?); fix: put "
                        + "back the guard of vif5.0 as vif-bridge online does (one nft transaction)  [xennet fix]",
                "error: vif6.0 (domain 6) has no guard in table bridge xennet: its guest can send from any MAC and "
                        + "address (was the table flushed, e.g. by 'nft flush ruleset' in /etc/nftables.conf?); fix: put "
                        + "back the guard of vif6.0 as vif-bridge online does (one nft transaction)  [xennet fix]"),
                findings());

        String before = nft.listing();
        assertEquals(0, xennet("fix", "--dry-run"), output());
        assertTrue(output().startsWith("nft -f - <<'EOF'\nadd table bridge xennet\n"), output());
        assertEquals(before, nft.listing(), "fix --dry-run changes nothing");

        assertEquals(0, xennet("fix"), output());
        assertTrue(output().contains("after the fixes: no problems found"), output());
        assertTrue(table().guard("vif5.0").isPresent() && table().guard("vif6.0").isPresent(), nft.listing());
    }

    @Test
    void anotherIpKeyMakesTheGuardStale() {
        xs.put("backend/vif/5/0/ip", "192.0.2.77");
        assertEquals(1, xennet("doctor"), output());
        assertEquals(List.of("error: the guard of vif5.0 (domain 5) is not the one its XenStore keys ask for "
                + "(ip=192.0.2.77, mac=00:16:3e:00:05:00): the guest may be held to old addresses; fix: put back the "
                + "guard of vif5.0 as vif-bridge online does (one nft transaction)  [xennet fix]"), findings());
        assertEquals(0, xennet("fix"), output());
        assertTrue(nft.listing().contains("192.0.2.77") && !nft.listing().contains("192.0.2.55"), nft.listing());
    }

    @Test
    void theSetOfAVifThatIsGoneIsFoundAndRemoved() {
        net.links().delete("vif6.0");
        xs.put("backend/vif/6/0/hotplug-status", "");
        assertEquals(0, xennet("doctor"), "a warning alone: " + output());
        assertEquals(1, xennet("doctor", "--strict"), output());
        assertEquals(List.of("warning: table bridge xennet still holds the guard of vif6.0, which no longer exists "
                + "(its offline did not run); fix: remove the set of vif6.0 from table bridge xennet  [xennet fix]"),
                findings());
        assertEquals(0, xennet("fix"), output());
        assertEquals(List.of("vif5.0"), List.copyOf(table().vifs().keySet()));
        assertTrue(!table().hasChain("vif6.0"), nft.listing());
    }

    /** Without XenStore the guards cannot be compared, but the sets of vanished vifs still can. */
    @Test
    void withoutXenStoreOnlyVanishedSetsAreLookedFor() {
        net.links().delete("vif6.0");
        nft.run(NftRules.remove("bridge", "vif5.0", true, true));
        assertEquals(1, xennet("doctor", "--no-xenstore", "--strict"), output());
        assertEquals(1, findings().size(), output());
        assertTrue(findings().get(0).contains("still holds the guard of vif6.0"), output());
    }

    @Test
    void aRoutedNatGuestsGuardIsCheckedToo() {
        assertEquals(0, run(Map.of(), "network-nat", "start", "dhcp=no", "netdev=peth0"), output());
        net.nic("vif7.0", "fe:ff:ff:ff:ff:fe", 1500);
        String be = "backend/vif/7/0";
        xs.put(be + "/script", "/etc/xen/scripts/vif-nat").put(be + "/mac", "00:16:3e:00:07:00")
                .put(be + "/hotplug-status", "");
        assertEquals(0, run(Map.of("vif", "vif7.0", "XENBUS_PATH", be), "vif-nat", "online", "dhcp=no"), output());
        assertEquals(0, xennet("doctor"), output());
        nft.run(NftRules.remove("inet", "vif7.0", true, true));
        assertEquals(1, xennet("doctor"), output());
        assertTrue(findings().get(0).startsWith("error: vif7.0 (domain 7) has no guard in table inet xennet"), output());
        assertEquals(0, xennet("fix"), output());
        assertEquals(0, xennet("doctor"), output());
    }

    /**
     * bridge-nf-call-iptables=1 with conntrack: the same recommendation as with iptables, without
     * the caveat that the guard needs it; the iptables backend keeps the caveat.
     */
    @Test
    void bridgeNetfilterIsNotNeededByTheNftablesGuard() {
        Map<String, String> keys = Map.of(Sysctls.BRIDGE_NF_CALL_IPTABLES, "1", GuardChecks.CONNTRACK, "65536");
        Sysctls base = net.sysctls();
        Sysctls s = new Sysctls() {
            @Override
            public Optional<String> find(String key) {
                return keys.containsKey(key) ? Optional.of(keys.get(key)) : base.find(key);
            }

            @Override
            public void set(String key, String value) {
                base.set(key, value);
            }
        };
        LinkOps links = net.links();
        Network n = mock(Network.class);
        when(n.links()).thenReturn(links);
        when(n.sysctls()).thenReturn(s);
        List<Finding> f = GuardChecks.check(n, xs, new GuardChecks.Firewall(FirewallBackend.NFTABLES,
                () -> new NftablesFirewall(nft), null));
        assertEquals(1, f.size(), f.toString());
        assertEquals(Finding.Check.BRIDGE_NF_CONNTRACK, f.get(0).check());
        assertTrue(f.get(0).message().endsWith("the guests' nftables guard does not need it"), f.get(0).message());
        assertEquals("sysctl -w net.bridge.bridge-nf-call-iptables=0 and set it in /etc/sysctl.d/", f.get(0).fix());
        assertEquals(List.of(), GuardChecks.check(n, xs, new GuardChecks.Firewall(FirewallBackend.IPTABLES,
                () -> new NftablesFirewall(nft), null)), "on iptables, Doctor's own check (with its caveat) speaks");
    }

    /** firewall=nftables on a host without libnftables: said once, with the package to install. */
    @Test
    void anUnreadableNftablesIsOneFinding() {
        env.put("XENNET_FIREWALL", "nftables");
        nft.failNext(new org.xennet.error.XennetException("libnftables.so.1 cannot be loaded"));
        assertEquals(1, xennet("doctor"), output());
        assertTrue(findings().stream().anyMatch(f -> f.contains("xennet's tables cannot be read: libnftables.so.1 "
                + "cannot be loaded") && f.contains("install the Debian package libnftables1")), output());
    }
}
