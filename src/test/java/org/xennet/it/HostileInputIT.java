// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xennet.lab.LabNetwork;
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;
import org.xennet.testing.XenstoredFixture;

/**
 * Hostile input through the real executable, as libxl runs the vif scripts, against a real
 * xenstored: shell metacharacters, control characters, overlong values, bad MACs, addresses and
 * numbers, bad XENBUS_PATHs and refused environment values, in XenStore keys, the environment
 * and the arguments (XenStore itself takes at most 4096 bytes a node, so the 100 kB values come
 * through the environment and the arguments). Every case: exit status 1, exactly one line on stderr that names the
 * variable, no control character and no overlong value in it, hotplug-error (naming the variable)
 * and hotplug-status=error written when XENBUS_PATH names a usable backend and nothing written
 * anywhere else otherwise, no payload run, and dom0's links, addresses, routes and rules unchanged.
 */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
    private static final String LONG = "x".repeat(4000);
    private static final String HUGE = "y".repeat(100_000);

    @TempDir
    static Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;
    private Path marker;

    /** One hostile call: where the bad value goes, and which variable the message must name. */
    record Case(String name, String script, String command, Map<String, String> keys, Map<String, String> env,
            List<String> args, String variable, boolean reported) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case key(String name, String k, String v) {
        return new Case(name, "vif-bridge", "online", Map.of(k, v), Map.of(), List.of(), k, true);
    }

    private static Case env(String name, String k, String v, boolean reported) {
        return new Case(name, "vif-bridge", "online", Map.of(), Map.of(k, v), List.of(), k, reported);
    }

    private static Case arg(String name, String a, String variable) {
        return new Case(name, "vif-bridge", "online", Map.of(), Map.of(), List.of(a), variable, true);
    }

    static List<Case> cases() {
        String touch = "$(touch /tmp/xennet-hostile-marker)";
        return List.of(
                key("bridge: command substitution", "bridge", touch),
                key("bridge: backquotes", "bridge", "xen`touch /tmp/xennet-hostile-marker`"),
                key("bridge: semicolon", "bridge", "xenbr0;reboot"),
                key("bridge: newline", "bridge", "xenbr0\nFAKE LOG LINE"),
                key("bridge: escape sequence", "bridge", "\u001b[31mred"),
                key("bridge: 4000 bytes", "bridge", LONG),
                arg("bridge: 100 kB argument", "bridge=" + HUGE, "bridge"),
                key("bridge: option-like", "bridge", "-xenbr0"),
                key("bridge: space", "bridge", "xenbr0 xenbr1"),
                key("bridge: dotdot", "bridge", ".."),
                key("bridge: slash", "bridge", "../../etc"),
                key("vifname: semicolon", "vifname", "vif5.0;ls"),
                key("vifname: 16 bytes", "vifname", "abcdefghijklmnop"),
                key("vifname: newline", "vifname", "\nvif5.0"),
                key("vifname: NUL-free control", "vifname", "a\u0007b"),
                key("mac: multicast", "mac", "01:00:5e:00:00:01"),
                key("mac: broadcast", "mac", "ff:ff:ff:ff:ff:ff"),
                key("mac: all zeros", "mac", "00:00:00:00:00:00"),
                key("mac: too short", "mac", "00:16:3e:00:06"),
                key("mac: not hex", "mac", "zz:16:3e:00:00:01"),
                key("mac: terminal title escape", "mac", "\u001b]0;owned\u0007"),
                arg("mac: 100 kB argument", "mac=" + HUGE, "mac"),
                env("ip: 100 kB in the environment", "ip", HUGE, true),
                key("mtu: word", "mtu", "jumbo"),
                key("mtu: too small", "mtu", "67"),
                key("mtu: too large", "mtu", "65536"),
                key("mtu: shell", "mtu", "1500; rm -rf /"),
                key("mtu: huge number", "mtu", "99999999999999999999"),
                key("ip: bad octet", "ip", "192.0.2.256"),
                key("ip: command substitution", "ip", touch),
                key("ip: bad prefix", "ip", "192.0.2.1/33"),
                key("ip: semicolon", "ip", "10.0.0.1;reboot"),
                key("ip: 4000 bytes", "ip", "1".repeat(4000)),
                env("vif: semicolon", "vif", "vif5.0;ls", true),
                env("vif: 16 bytes", "vif", "vif5.0123456789ab", true),
                env("vif: newline", "vif", "vif5.0\nx", true),
                env("vif: escape", "vif", "\u001b[2Jvif", true),
                env("XENBUS_PATH: elsewhere in XenStore", "XENBUS_PATH", "/tool/xenstored", false),
                env("XENBUS_PATH: number out of range", "XENBUS_PATH", "backend/vif/99999999999/0", false),
                env("XENBUS_PATH: climbing", "XENBUS_PATH", "backend/vif/5/0/../../6/0", false),
                env("XENBUS_PATH: another device class", "XENBUS_PATH", "backend/vbd/5/0", false),
                env("XENBUS_PATH: reserved domain", "XENBUS_PATH", "backend/vif/32752/0", false),
                env("XENBUS_PATH: newline", "XENBUS_PATH", "backend/vif/5/0\n", false),
                arg("type_if: unknown", "type_if=vif;ls", "type_if"),
                arg("argument: command substitution", "bridge=" + touch, "bridge"),
                arg("argument: bad variable name", "1bad=x", "1bad"),
                arg("argument: unknown option", "--evil", "--evil"),
                arg("argument: mtu", "mtu=0x5dc", "mtu"),
                new Case("vif-route: netdev", "vif-route", "online", Map.of("ip", "192.0.2.55"), Map.of(),
                        List.of("netdev=eth0;x"), "netdev", true),
                new Case("vif-route: gatewaydev key", "vif-route", "online", Map.of("gatewaydev", touch), Map.of(),
                        List.of(), "gatewaydev", true),
                new Case("vif-nat: prefix", "vif-nat", "online", Map.of("ip", "10.0.0.1/40"), Map.of(), List.of(),
                        "ip", true),
                new Case("offline: bad XENBUS_PATH", "vif-bridge", "offline", Map.of(), Map.of("XENBUS_PATH",
                        "/local/domain/0/backend/vif/5"), List.of(), "XENBUS_PATH", false));
    }

    @BeforeAll
    void start() throws Exception {
        marker = Path.of("/tmp/xennet-hostile-marker");
        Files.deleteIfExists(marker);
        lab = Labs.create();
        xs = XenstoredFixture.start();
        assertEquals(0, Executable.inDom0(lab, tmp, xs.env(), "network-bridge", "start").status());
        lab.addGuest("g5", "vif5.0", "192.0.2.55/24");
    }

    @AfterAll
    void stop() {
        if (xs != null) {
            xs.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    private List<String> state() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")));
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedClearlyReportedToLibxlAndChangesNothing(Case c) {
        String be = xs.libxlVif(5, 0, c.script(), c.script().equals("vif-bridge") ? Map.of("bridge", "xenbr0")
                : Map.of());
        c.keys().forEach((k, v) -> xs.write(be + "/" + k, v));
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(XenstoredFixture.hotplugEnv(c.script(), 5, 0));
        env.put("netdev", "");
        env.putAll(c.env());
        List<String> args = new ArrayList<>(List.of(c.command(), "type_if=vif"));
        args.addAll(c.args());
        List<String> before = state();

        Executable.Run r = Executable.inDom0(lab, tmp, env, c.script(), args.toArray(new String[0]));

        assertEquals(1, r.status(), c + ": " + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), c + ": one line on stderr: " + r.err());
        String line = lines.get(0);
        assertTrue(line.contains(c.variable()), c + ": names " + c.variable() + ": " + line);
        assertTrue(line.length() < 400, c + ": short: " + line.length() + " chars");
        assertTrue(line.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f || ch >= 0x80 && ch <= 0x9f),
                c + ": no control character: " + line);
        String error = xs.read(be + "/hotplug-error");
        if (c.reported()) {
            assertTrue(error != null && error.contains(c.variable()), c + ": hotplug-error names it: " + error);
            assertTrue(error.length() < 1000 && error.chars().noneMatch(ch -> ch < 0x20), c + ": " + error);
            assertEquals("error", xs.read(be + "/hotplug-status"), c.toString());
        } else {
            assertNull(error, c + ": no hotplug-error for a backend the call does not name");
            assertEquals("", xs.read(be + "/hotplug-status"), c.toString());
            assertNull(xs.read("/tool/xenstored/hotplug-status"), c + ": nothing written elsewhere");
        }
        assertFalse(Files.exists(marker), c + ": no payload ran");
        StateDiff.assertSame(before, state(), c + ": nothing changed");
        xs.rm(be);
    }
}
