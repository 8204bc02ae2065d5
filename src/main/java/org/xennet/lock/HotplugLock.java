// SPDX-License-Identifier: Apache-2.0
package org.xennet.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.xennet.error.XennetException;
import org.xennet.jna.NativeFlock;

/**
 * A lock shared with Xen's {@code locking.sh}: an exclusive flock(2) on
 * {@code /var/run/xen-hotplug/NAME}, checked to be on the file that is still at that path
 * (a releasing holder unlinks it, and a waiter that locked the old inode must retry), released by
 * unlinking the path. Unlike the shell's, the wait is bounded and ends in an error that says who
 * holds the lock.
 */
public final class HotplugLock implements AutoCloseable {
    public static final Path DEFAULT_DIR = Path.of("/var/run/xen-hotplug");

    private final Path path;
    private final NativeFlock lock;
    private final Object fileKey;
    private boolean released;

    private HotplugLock(Path path, NativeFlock lock, Object fileKey) {
        this.path = path;
        this.lock = lock;
        this.fileKey = fileKey;
    }

    /** Takes the lock, waiting at most {@code maxWait}. */
    public static HotplugLock claim(Path dir, String name, Duration maxWait) {
        Path path = dir.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new XennetException("cannot create lock directory " + dir + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        long sleepMs = 2;
        while (true) {
            NativeFlock f = NativeFlock.open(path.toString());
            boolean keep = false;
            try {
                if (f.tryLockExclusive()) {
                    Object held = key(Path.of("/proc/self/fd/" + f.fd()));
                    Object current = key(path);
                    if (held != null && held.equals(current)) {
                        keep = true;
                        return new HotplugLock(path, f, held);
                    }
                    // The holder released (unlinked) the file after we opened it: try the new one.
                    continue;
                }
            } finally {
                if (!keep) {
                    f.close();
                }
            }
            if (System.nanoTime() > deadline) {
                String holder = holderOf(path);
                throw new XennetException("timed out after " + maxWait.toSeconds() + " s waiting for lock " + path
                        + (holder == null ? "" : " (held by " + holder + ")"));
            }
            sleep(sleepMs);
            sleepMs = Math.min(sleepMs * 2, 50);
        }
    }

    private static Object key(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
            return a.get("dev") + ":" + a.get("ino");
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new XennetException("cannot stat lock file " + p + ": " + e.getMessage(), e);
        }
    }

    /** "pid 1234 (vif-bridge)" from /proc/locks, best effort. */
    static String holderOf(Path path) {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:ino");
            String ino = String.valueOf(a.get("ino"));
            for (String line : Files.readAllLines(Path.of("/proc/locks"), StandardCharsets.US_ASCII)) {
                String[] f = line.trim().split("\\s+");
                // 1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF
                if (f.length >= 6 && f[1].equals("FLOCK") && f[5].endsWith(":" + ino)) {
                    String pid = f[4];
                    String comm = Files.readString(Path.of("/proc", pid, "cmdline"), StandardCharsets.UTF_8)
                            .replace('\0', ' ').trim();
                    return "pid " + pid + (comm.isEmpty() ? "" : " (" + comm + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XennetException("interrupted while waiting for a lock");
        }
    }

    public Path path() {
        return path;
    }

    /** Releases: unlink the path (only if it is still our file), then drop the flock. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (Objects.equals(fileKey, key(path))) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException e) {
            // The flock goes with the descriptor below; a file left behind is harmless (see locking.sh).
        } finally {
            lock.close();
        }
    }
}
