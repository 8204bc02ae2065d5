// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeNftables;
import org.xennet.testing.FakeXenStore;

/**
 * What the --dry-run golden tests (and StatusJsonTest) share: a host with eth0 (00:16:3e:00:00:10, 192.0.2.10/24,
 * default route via 192.0.2.1), the fake network, firewall and XenStore, a temporary tree for the
 * host's files, the state records and the locks; {@link #dryRun} runs a script with --dry-run and
 * checks that nothing at all changed: links, addresses, routes, every sysctl, the firewall's
 * rules and policies, every XenStore node (and that nothing was written to XenStore), and every
 * file and directory under the temporary tree (state records, DHCP files, lock files).
 */
abstract class DryRunGolden {
    @TempDir
    Path tmp;

    FakeNetwork net;
    FakeFirewall fw;
    FakeXenStore xs;
    /** nftables, for the tests of that backend; without it the context has none and iptables is the default. */
    FakeNftables nft;
    final Map<String, String> env = new HashMap<>();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void host() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:00:00:10", 1500);
        net.links().setUp("eth0", true);
        net.addresses().add("eth0", IpPrefix.parse("192.0.2.10/24"));
        net.routes().add(Route.unicast(IpPrefix.anyOf(IpAddress.AF_INET), IpAddress.parse("192.0.2.1"),
                net.links().get("eth0").index()));
        fw = new FakeFirewall();
        xs = new FakeXenStore();
        env.putAll(Map.of("XENNET_CONF", tmp.resolve("none").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
    }

    Path root(String relative) {
        return tmp.resolve("root").resolve(relative);
    }

    Path state(String relative) {
        return tmp.resolve("state").resolve(relative);
    }

    private ScriptContext context() {
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        ScriptContext.Builder b = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(() -> xs)
                .output(ps).under(tmp).carrierWait(Duration.ZERO);
        if (nft != null) {
            b.nftables(() -> nft);
        }
        return b.build();
    }

    /** Runs a script for real and returns its exit status; what it printed stays in {@code out}. */
    int call(String script, String... args) {
        out.reset();
        return new Cli(context()).run(script, args);
    }

    /** Runs a script for real (to set up a scenario); fails the test unless it exits 0. */
    void run(String script, String... args) {
        out.reset();
        assertEquals(0, new Cli(context()).run(script, args), out.toString(StandardCharsets.UTF_8));
        out.reset();
    }

    /** {@code script args --dry-run}: exit 0 and nothing changed; returns what it printed. */
    String dryRun(String script, String... args) {
        return dryRun(0, script, args);
    }

    /** {@code script args --dry-run} with the exit status it must have; nothing changed; returns what it printed. */
    String dryRun(int status, String script, String... args) {
        List<String> before = snapshot();
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--dry-run");
        out.reset();
        assertEquals(status, new Cli(context()).run(script, a.toArray(new String[0])),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(before, snapshot(), "a dry run changes nothing");
        return out.toString(StandardCharsets.UTF_8);
    }

    static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    /** Everything a script could change, as text. */
    List<String> snapshot() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.toString());
        }
        s.add(net.addresses().list().toString());
        s.add(net.routes().list().toString());
        s.add(net.sysctlSnapshot().toString());
        s.add(fw.rules().toString());
        s.add(nft == null ? "no nftables" : nft.listing());
        for (String chain : List.of("INPUT", "FORWARD", "OUTPUT")) {
            s.add(chain + " " + fw.policy(chain));
        }
        s.add(new TreeMap<>(xs.nodes()).toString());
        s.add("xenstore writes: " + xs.writes().size());
        s.addAll(files(tmp));
        return s;
    }

    /** Every file and directory under {@code dir}, with the contents of the files. */
    static List<String> files(Path dir) {
        List<String> s = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                s.add(dir.relativize(p) + (Files.isRegularFile(p) ? ": " + Files.readString(p) : "/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }
}
