// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.lab.LabNetwork;
import org.xennet.testing.Labs;
import org.xennet.testing.XenstoredFixture;

/**
 * vif-bridge under the conditions of a host booting many guests at once, with the default
 * firewall rules on: interleaved online/offline calls for one vif, and a storm of 100 vifs
 * brought online then offline at once, three times, on this 2-core machine. The real executable
 * against a real xenstored, in dom0's namespace.
 */
@Tag("netns")
class VifConcurrencyIT {
    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        Executable.Run r = Executable.inDom0(lab, tmp, xs.env(), "network-bridge", "start");
        assertEquals(0, r.status(), r.err());
    }

    @AfterEach
    void tearDown() {
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Executable.Run vif(String command, int domid) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(XenstoredFixture.hotplugEnv("vif-bridge", domid, 0));
        env.put("netdev", "");
        env.put("XENNET_FIREWALL", "iptables"); // every rule once, counted in iptables (NftGuardIT: the nftables storm)
        // What these tests check is that concurrent calls neither duplicate nor leak, not how
        // fast a hundred JVMs at once get through one iptables lock on 2 cores: on a slower
        // machine of that class the last calls reached their rules after 30 of the default 35 s
        // and ran out. Deadlines themselves are ChildDeadlineIT's (a hung iptables costs one limit).
        env.put("XENNET_BUDGET", "150");
        return Executable.inDom0(lab, tmp, env, "vif-bridge", command, "type_if=vif");
    }

    private List<String> forwardRules() {
        return lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout().lines()
                .filter(l -> l.startsWith("-A FORWARD")).toList();
    }

    private static long naming(List<String> rules, String dev) {
        return rules.stream().filter(l -> l.contains(" " + dev + " ")).count();
    }

    private boolean onBridge(String dev) {
        return lab.ipIn(lab.dom0(), "link", "show", "dev", dev).contains("master xenbr0");
    }

    @Test
    void interleavedOnlineAndOfflineForOneVifEndInWhatTheLastCallImplies() throws Exception {
        lab.addGuest("g5", "vif5.0", "192.0.2.55/24");
        xs.libxlVif(5, 0, "vif-bridge", Map.of("bridge", "xenbr0", "ip", "192.0.2.55"));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            for (int round = 1; round <= 3; round++) {
                List<Future<Executable.Run>> runs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String command = i % 2 == 0 ? "online" : "offline";
                    runs.add(pool.submit(() -> vif(command, 5)));
                }
                for (Future<Executable.Run> f : runs) {
                    Executable.Run r = f.get();
                    assertEquals(0, r.status(), "round " + round + ": " + r.err());
                }
                List<String> rules = forwardRules();
                if (onBridge("vif5.0")) {
                    // online came last: its three rules (the address, DHCP, the way out), each once
                    assertEquals(3, naming(rules, "vif5.0"), "round " + round + ", attached: " + rules);
                    assertEquals(1, rules.stream().filter(l -> l.contains("--physdev-out vif5.0")).count(), rules.toString());
                    assertEquals(1, rules.stream().filter(l -> l.contains("-s 192.0.2.55/32")).count(), rules.toString());
                } else {
                    assertEquals(0, naming(rules, "vif5.0"), "round " + round + ", detached: " + rules);
                }
                assertEquals(0, vif("offline", 5).status());
                assertEquals(List.of(), forwardRules(), "round " + round + ": a final offline leaves no rule");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStormOf100VifsThreeTimesConnectsEveryOneAndLeaksNothing() throws Exception {
        int n = 100;
        for (int i = 1; i <= n; i++) {
            int domid = 100 + i;
            lab.ipIn(lab.dom0(), "link", "add", "vif" + domid + ".0", "type", "veth", "peer", "name", "gst" + i);
            lab.ipIn(lab.dom0(), "link", "set", "gst" + i, "up");
            Map<String, String> keys = new HashMap<>(Map.of("bridge", "xenbr0"));
            if (i % 2 == 0) {
                keys.put("ip", "198.18." + (i / 250) + "." + (i % 250 + 1));
            }
            xs.libxlVif(domid, 0, "vif-bridge", keys);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int cycle = 1; cycle <= 3; cycle++) {
                for (String command : List.of("online", "offline")) {
                    List<Future<Executable.Run>> runs = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        int domid = 100 + i;
                        runs.add(pool.submit(() -> vif(command, domid)));
                    }
                    int ok = 0;
                    List<String> said = new ArrayList<>(); // what each call printed: a failure names it
                    for (Future<Executable.Run> f : runs) {
                        Executable.Run r = f.get();
                        assertEquals(0, r.status(), "cycle " + cycle + " " + command + ": " + r.err());
                        said.add(r.err().trim());
                        ok++;
                    }
                    assertEquals(n, ok);
                    List<String> rules = forwardRules();
                    String ports = lab.ipIn(lab.dom0(), "link", "show", "master", "xenbr0");
                    if (command.equals("online")) {
                        for (int i = 1; i <= n; i++) {
                            String dev = "vif" + (100 + i) + ".0";
                            assertTrue(ports.contains(" " + dev + "@"), "cycle " + cycle + ": " + dev + " is a port");
                            assertEquals("connected", xs.read("backend/vif/" + (100 + i) + "/0/hotplug-status"), dev);
                            assertEquals(i % 2 == 0 ? 3 : 2, naming(rules, dev), "cycle " + cycle + ": " + dev
                                    + "'s rules, each once; its call said: " + said.get(i - 1));
                        }
                        assertEquals(n / 2 * 3 + n / 2 * 2, rules.size(), "cycle " + cycle + ": no duplicates");
                    } else {
                        assertEquals(List.of(), rules, "cycle " + cycle + ": offline leaks no rule; the calls said: "
                                + said.stream().filter(x -> !x.isEmpty()).limit(5).toList());
                        assertEquals(2, ports.lines().filter(l -> l.matches("^[0-9]+: .*")).count(),
                                "cycle " + cycle + ": only peth0 and vif0.0 are ports: " + ports);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
