// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.xennet.error.XennetException;
import org.xennet.lock.HotplugLock;

/**
 * The DHCP server's files (dhcpd.conf, its args file, dnsmasq's hosts file), edited line by line
 * under the {@code vif-nat-dhcp} hotplug lock that Xen's vif-nat takes too, and written
 * atomically: a temporary file beside the real one (a symlink is followed, so it stays a
 * symlink, which Xen's 2014 {@code mv} broke), then a rename. A reader never sees half a file,
 * and two vifs coming online together never lose each other's entries.
 */
final class TextFile {
    static final String LOCK = "vif-nat-dhcp";
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private TextFile() {
    }

    /** The lines of a file; a missing file has none. */
    static List<String> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (IOException e) {
            throw new XennetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code change} to the lines of {@code file} under the {@code vif-nat-dhcp} lock and
     * writes the result if it differs. Returns the lines as they were before, for an undo.
     */
    static List<String> edit(Path lockDir, Path file, UnaryOperator<List<String>> change) {
        try (HotplugLock l = HotplugLock.claim(lockDir, LOCK, LOCK_WAIT)) {
            List<String> before = read(file);
            List<String> after = change.apply(new ArrayList<>(before));
            if (!after.equals(before) || !Files.exists(file)) {
                write(file, after);
            }
            return before;
        }
    }

    /** Writes the lines atomically (temp file beside the target, then rename), keeping the mode of an existing file. */
    static void write(Path file, List<String> lines) {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            b.append(line).append('\n');
        }
        Path tmp = null;
        try {
            Path target = Files.isSymbolicLink(file) ? file.toRealPath() : file.toAbsolutePath();
            Path dir = target.getParent();
            Files.createDirectories(dir);
            Set<PosixFilePermission> mode = Files.exists(target) ? Files.getPosixFilePermissions(target)
                    : PosixFilePermissions.fromString("rw-r--r--"); // the DHCP server may run as another user
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".xennet");
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, mode);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new XennetException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // nothing more to do
                }
            }
        }
    }
}
