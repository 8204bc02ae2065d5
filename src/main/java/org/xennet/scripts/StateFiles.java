// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.xennet.error.XennetException;

/**
 * The state records the network-* scripts keep under /var/run/xennet so that stop undoes exactly
 * what start did: read as lines (absent = empty), written atomically and synced (a crash never
 * leaves half a record).
 */
public final class StateFiles {
    private StateFiles() {
    }

    /** The record's lines, or empty when there is none. */
    public static Optional<List<String>> read(Path file) {
        try {
            return Optional.of(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new XennetException("cannot read state record " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The record parsed, or empty when there is none. A record that does not parse is an error
     * naming the file, why, and {@code whatToDo} about it.
     */
    public static <T> Optional<T> read(Path file, Function<List<String>, T> parse, String whatToDo) {
        Optional<List<String>> lines = read(file);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(lines.get()));
        } catch (RuntimeException e) {
            throw new XennetException("state record " + file + " is damaged (" + e.getMessage() + "); " + whatToDo, e);
        }
    }

    /**
     * Writes beside the file, syncs it, renames it into place and syncs the directory: after a
     * crash or a power loss the record is the old one or the new one, whole, never a mix.
     */
    public static void write(Path file, String text) {
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new XennetException("cannot write state record " + file + ": " + e.getMessage(), e);
        }
    }
}
