// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.lab.LabNetwork;
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;
import org.xennet.testing.XenstoredFixture;

/**
 * A tool that hangs and a hook that floods stderr and never ends: the hotplug call still ends
 * within its limits (far inside libxl's 40 s), with a clear message, and kills what it started.
 */
@Tag("netns")
class ChildDeadlineIT {
    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        assertEquals(0, Executable.inDom0(lab, tmp, xs.env(), "network-bridge", "start").status());
        lab.addGuest("g5", "vif5.0", "192.0.2.55/24");
        xs.libxlVif(5, 0, "vif-bridge", Map.of("bridge", "xenbr0"));
    }

    @AfterEach
    void tearDown() {
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Path script(String dir, String name, String body) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(dir));
        Path f = d.resolve(name);
        Files.writeString(f, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private Executable.Run online(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(XenstoredFixture.hotplugEnv("vif-bridge", 5, 0));
        env.put("XENNET_LOG_FILE", tmp.resolve("hotplug.log").toString());
        env.putAll(more);
        return Executable.inDom0(lab, tmp, env, "vif-bridge", "online", "type_if=vif");
    }

    /** Whether a process has ended (a zombie not yet reaped by init counts as ended), waiting up to 5 s. */
    static boolean gone(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Path stat = Path.of("/proc", String.valueOf(pid), "stat");
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (IOException e) {
                return true; // no such process
            }
            Thread.sleep(50);
        }
        return false;
    }

    private String log() throws IOException {
        Path l = tmp.resolve("hotplug.log");
        return Files.exists(l) ? Files.readString(l) : "";
    }

    @Test
    void aHungIptablesCostsTheCallOneLimitAndTheGuestStillComesOnline() throws Exception {
        Path pids = tmp.resolve("iptables.pids");
        script("bin", "iptables", "echo $$ >> " + pids + "; exec sleep 600");
        long t0 = System.nanoTime();
        Executable.Run r = online(Map.of("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"), "XENNET_FIREWALL",
                "iptables"));
        long s = (System.nanoTime() - t0) / 1_000_000_000L;
        assertEquals(0, r.status(), "the rules are a warning, as Xen's 'iptables setup failed': " + r.err());
        assertTrue(s < 38, "ended after " + s + " s (libxl kills at 40 s)");
        assertEquals("connected", xs.read("backend/vif/5/0/hotplug-status"));
        String log = log();
        assertTrue(log.contains("no answer within 20 s; killed it and its process group"), log);
        assertTrue(log.contains("not run, iptables did not answer earlier in this call"), "later rules fail fast: " + log);
        for (String pid : Files.readAllLines(pids)) {
            assertTrue(gone(Long.parseLong(pid.trim())), "iptables " + pid + " was killed");
        }
    }

    @Test
    void aHungIptablesStopsNetworkBridgeStartBeforeAnyChangeWithAClearError() throws Exception {
        assertEquals(0, Executable.inDom0(lab, tmp, xs.env(), "network-bridge", "stop").status());
        List<String> before = lab.snapshot(lab.dom0());
        script("bin", "iptables", "exec sleep 600");
        long t0 = System.nanoTime();
        Executable.Run r = Executable.inDom0(lab, tmp, Map.of("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"),
                "XENNET_FIREWALL", "iptables"), "network-bridge", "start", "antispoof=yes");
        long s = (System.nanoTime() - t0) / 1_000_000_000L;
        assertEquals(1, r.status());
        assertTrue(s < 38, "ended after " + s + " s");
        assertTrue(r.err().contains("network-bridge start: iptables -w 10 -S FORWARD: no answer within 20 s"), r.err());
        StateDiff.assertSame(before, lab.snapshot(lab.dom0()), "nothing changed");
    }

    @Test
    void aHookThatFloodsStderrAndHangsIsKilledAndReported() throws Exception {
        Path pid = tmp.resolve("hook-child.pid");
        script("hooks", "10-flood.hook", "sleep 600 & echo $! > " + pid
                + "\nhead -c 50000000 /dev/zero | tr '\\0' x >&2\nsleep 600");
        script("hooks", "20-ok.hook", "echo \"$dev $bridge\" > " + tmp.resolve("hook20.out"));
        long t0 = System.nanoTime();
        Executable.Run r = online(Map.of("XENNET_CONF", "/nonexistent", "XENNET_VIF_IPTABLES", "no",
                "XENNET_HOOK_DIR", tmp.resolve("hooks").toString()));
        long s = (System.nanoTime() - t0) / 1_000_000_000L;
        assertEquals(0, r.status(), "a failing hook is a warning: " + r.err());
        assertTrue(s < 30, "ended after " + s + " s");
        assertEquals("connected", xs.read("backend/vif/5/0/hotplug-status"));
        String log = log();
        assertTrue(log.contains("10-flood.hook: no answer within 10 s; killed it and its process group"), log);
        assertTrue(log.length() < 200_000, "the flood is not copied into the log: " + log.length());
        assertEquals("vif5.0 xenbr0\n", Files.readString(tmp.resolve("hook20.out")), "the next hook still ran");
        long child = Long.parseLong(Files.readString(pid).trim());
        assertTrue(gone(child), "the hook's background child is gone");
    }
}
