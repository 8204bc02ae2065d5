// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real xenstored fixture: isolation, the xenstore tools against it, and Xen's own vif-bridge. */
@Tag("xenstored")
class XenstoredFixtureTest {

    @Test
    void twoDaemonsAreIndependentAndServeTheXenstoreTools() {
        long t0 = System.nanoTime();
        try (XenstoredFixture a = XenstoredFixture.start()) {
            long t1 = System.nanoTime();
            try (XenstoredFixture b = XenstoredFixture.start()) {
                long t2 = System.nanoTime();
                System.out.printf("xenstored fixture start-up: %.1f ms, %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
                assertNotEquals(a.pid(), b.pid());
                assertNotEquals(a.socketPath(), b.socketPath());
                assertEquals(a.socketPath().toString(), a.env().get("XENSTORED_PATH"));

                a.write("/vm/test/name", "guest one");
                b.write("/vm/test/name", "guest two");
                assertEquals("guest one", a.read("/vm/test/name"));
                assertEquals("guest two", b.read("/vm/test/name"));

                a.write("/vm/test/mac", "00:16:3e:00:00:01");
                assertEquals(List.of("mac", "name"), a.ls("/vm/test").stream().sorted().toList());
                assertEquals(List.of("name"), b.ls("/vm/test"));

                // Values pass through byte for byte (the fixture uses the tools' -R raw mode).
                a.write("/vm/test/odd", "a b\\n\tc");
                assertEquals("a b\\n\tc", a.read("/vm/test/odd"));
                a.write("/vm/test/empty", "");
                assertEquals("", a.read("/vm/test/empty"));

                a.rm("/vm/test/name");
                assertNull(a.read("/vm/test/name"));
                assertEquals("guest two", b.read("/vm/test/name"));
                a.rm("/vm/test");
                assertEquals(List.of(), a.ls("/vm/test"));
                assertNull(a.read("/vm/test/mac"));
            }
        }
    }

    @Test
    void relativePathsAreUnderDom0AndMissingKeysReadAsAbsent() {
        try (XenstoredFixture xs = XenstoredFixture.start()) {
            xs.write("backend/vif/3/0/bridge", "xenbr0");
            assertEquals("xenbr0", xs.read("/local/domain/0/backend/vif/3/0/bridge"));
            assertEquals("xenbr0", xs.read("backend/vif/3/0/bridge"));
            assertEquals(List.of("0"), xs.ls("/local/domain/0/backend/vif/3"));

            assertNull(xs.read("backend/vif/3/0/no-such-key"));
            assertNull(xs.read("/local/domain/42/no/such/path"));
            assertEquals(List.of(), xs.ls("/local/domain/42"));
        }
    }

    @Test
    void closeStopsTheDaemonAndRemovesItsDirectory() {
        XenstoredFixture xs = XenstoredFixture.start();
        long pid = xs.pid();
        Path dir = xs.socketPath().getParent();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "xenstored running");
        assertTrue(Files.isDirectory(dir));

        xs.close();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "xenstored " + pid + " still alive");
        assertFalse(Files.exists(Path.of("/proc", Long.toString(pid))), "/proc/" + pid + " still there");
        assertFalse(Files.exists(dir), dir + " not removed");
        xs.close(); // idempotent
    }

    /**
     * Debian's /etc/xen/scripts/vif-bridge, run the way the toolstack does, reads the bridge from
     * XenStore and reports its failure there. It runs inside {@code unshare -rn}, a throwaway network
     * namespace, where the bridge cannot exist: nothing on the host is touched.
     */
    @Test
    void debianVifBridgeReportsItsErrorThroughTheFixture() throws Exception {
        Path script = Path.of("/etc/xen/scripts/vif-bridge");
        if (!Files.isExecutable(script)) {
            NetnsFixture.unavailable("no " + script + " (install xen-utils-common)");
        }
        NetnsFixture.Result probe = NetnsFixture.run(List.of("unshare", "-rn", "true"));
        if (probe.status() != 0) {
            NetnsFixture.unavailable("cannot create a throwaway network namespace with 'unshare -rn': "
                    + probe.output().trim());
        }
        try {
            // xen-hotplug-common.sh sends its stderr to /var/log/xen/xen-hotplug.log.
            Files.createDirectories(Path.of("/var/log/xen"));
        } catch (IOException e) {
            NetnsFixture.unavailable("cannot create /var/log/xen for Xen's hotplug log: " + e);
        }

        try (XenstoredFixture xs = XenstoredFixture.start()) {
            xs.write("backend/vif/9/0/bridge", "xenbr0");

            ProcessBuilder pb = new ProcessBuilder(List.of("unshare", "-rn", script.toString(), "online", "type_if=vif"));
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            pb.environment().put("vif", "xntestvif9.0");
            pb.environment().put("XENBUS_PATH", "backend/vif/9/0");
            pb.environment().putAll(xs.env());
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "vif-bridge did not finish");

            assertEquals(1, p.exitValue(), "vif-bridge exit status; output: " + out);
            assertEquals("error", xs.read("/local/domain/0/backend/vif/9/0/hotplug-status"));
            assertEquals("Could not find bridge device xenbr0", xs.read("/local/domain/0/backend/vif/9/0/hotplug-error"));
        }
    }
}
