// SPDX-License-Identifier: Apache-2.0
package org.xennet.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.error.XennetException;
import org.xennet.testing.NetnsFixture;

/** The lock excludes, and is excluded by, flock(1) as Xen's locking.sh uses it. */
@Tag("ops")
class HotplugLockTest {
    @TempDir
    Path dir;

    private int flockNonBlocking(Path file) {
        return NetnsFixture.run(List.of("flock", "-n", "-x", file.toString(), "true")).status();
    }

    @Test
    void excludesTheShellsFlockAndUnlinksOnRelease() {
        Path file = dir.resolve("iptables");
        try (HotplugLock l = HotplugLock.claim(dir, "iptables", Duration.ofSeconds(1))) {
            assertTrue(Files.exists(file));
            assertEquals(1, flockNonBlocking(file), "flock(1) must not get the lock while xennet holds it");
        }
        assertFalse(Files.exists(file), "release unlinks the path, as locking.sh does");
        assertEquals(0, flockNonBlocking(file));
    }

    @Test
    void waitsForAShellHolderThenTimesOutNamingIt() throws Exception {
        Path file = dir.resolve("network-bridge");
        Process holder = new ProcessBuilder("flock", "-x", file.toString(), "sleep", "30").start();
        try {
            for (int i = 0; i < 100 && flockNonBlocking(file) == 0; i++) {
                Thread.sleep(20);
            }
            XennetException e = assertThrows(XennetException.class,
                    () -> HotplugLock.claim(dir, "network-bridge", Duration.ofMillis(300)));
            assertTrue(e.getMessage().startsWith("timed out after 0 s waiting for lock " + file), e.getMessage());
            assertTrue(e.getMessage().contains("held by pid "), e.getMessage());
        } finally {
            // flock(1) runs sleep as its child, which inherits the locked descriptor: end both, ours by PID.
            holder.descendants().forEach(ProcessHandle::destroy);
            holder.destroy();
            holder.waitFor(5, TimeUnit.SECONDS);
        }
        try (HotplugLock l = HotplugLock.claim(dir, "network-bridge", Duration.ofSeconds(2))) {
            assertEquals(file, l.path());
        }
    }

    @Test
    void twoClaimsInOneProcessExcludeEachOther() throws Exception {
        try (HotplugLock first = HotplugLock.claim(dir, "x", Duration.ofSeconds(1))) {
            assertThrows(XennetException.class, () -> HotplugLock.claim(dir, "x", Duration.ofMillis(100)));
        }
        HotplugLock.claim(dir, "x", Duration.ofMillis(100)).close();
    }
}
