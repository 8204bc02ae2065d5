// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xennet.scripts.Scripts;

/**
 * The name this process was invoked by, which picks the script: Xen runs
 * {@code /etc/xen/scripts/vif-bridge}, a link to xennet, and expects vif-bridge.
 *
 * <p>The process's own argv[0] (the first string of {@code /proc/self/cmdline}) comes first, so a
 * native executable needs no flag. A JVM's argv[0] is {@code java}, so the launcher also passes
 * the name as {@code -Dxennet.argv0}, which counts when argv[0] names no script.
 */
final class InvokedName {
    static final Path CMDLINE = Path.of("/proc/self/cmdline");

    private InvokedName() {
    }

    /** The name for {@link Cli#run}: a script's name, else the launcher's property, else xennet. */
    static String get() {
        return choose(argv0(CMDLINE), System.getProperty("xennet.argv0"));
    }

    /**
     * @param argv0    the process's argv[0] as given (a path or a bare name), or null if unknown
     * @param property the launcher's {@code xennet.argv0}, or null
     */
    static String choose(String argv0, String property) {
        String own = Cli.baseName(argv0);
        if (Scripts.spec(own).isPresent()) {
            return own;
        }
        if (property != null && !property.isEmpty()) {
            return property;
        }
        return "xennet";
    }

    /** The first NUL-terminated string of a {@code /proc/PID/cmdline} file, or null if unreadable. */
    static String argv0(Path cmdline) {
        try {
            return firstString(Files.readAllBytes(cmdline));
        } catch (IOException | SecurityException e) {
            return null; // no /proc: the launcher's property still names the script
        }
    }

    static String firstString(byte[] cmdline) {
        int end = 0;
        while (end < cmdline.length && cmdline[end] != 0) {
            end++;
        }
        return end == 0 ? null : new String(cmdline, 0, end, StandardCharsets.UTF_8);
    }
}
