// SPDX-License-Identifier: Apache-2.0
package org.xennet.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every source file and script of the project says its licence in its first lines (SPDX), so a
 * distribution can ship any file alone: Java, C, and every script (by its #! line, or .sh).
 */
@Tag("codec")
class LicenseHeaderTest {
    static final String TAG = "SPDX-License-Identifier: Apache-2.0";
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules");

    @Test
    void everySourceFileAndScriptNamesItsLicence() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        assertTrue(Files.exists(root.resolve("pom.xml")), "runs from the project's root: " + root);
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.filter(p -> !skipped(root, p)).filter(Files::isRegularFile)
                    .filter(p -> !Files.isSymbolicLink(p))::iterator) {
                if (!isCode(p)) {
                    continue;
                }
                checked++;
                List<String> head = head(p);
                if (head.stream().noneMatch(l -> l.contains(TAG))) {
                    missing.add(root.relativize(p).toString());
                }
            }
        }
        assertTrue(checked > 300, "the walk found the sources: " + checked);
        assertEquals(List.of(), missing, "files without '" + TAG + "' in their first three lines");
    }

    private static boolean skipped(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCode(Path p) throws IOException {
        String name = p.getFileName().toString();
        if (name.endsWith(".java") || name.endsWith(".c") || name.endsWith(".h") || name.endsWith(".sh")) {
            return true;
        }
        byte[] start = new byte[2];
        try (var in = Files.newInputStream(p)) {
            return in.read(start) == 2 && start[0] == '#' && start[1] == '!';
        }
    }

    private static List<String> head(Path p) throws IOException {
        try (Stream<String> lines = Files.lines(p, StandardCharsets.UTF_8)) {
            return lines.limit(3).toList();
        } catch (java.io.UncheckedIOException e) {
            return List.of(); // not text: reported as missing
        }
    }
}
