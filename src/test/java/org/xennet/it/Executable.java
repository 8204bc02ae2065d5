// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xennet.lab.LabNetwork;
import org.xennet.scripts.Scripts;

/**
 * Runs bin/xennet (or one of its script links) as a separate process, the way Xen does; or, with
 * {@code -Dxennet.executable=FILE} (the native run of ./dev test), that executable through links
 * named after the scripts, so every *IT tests the native image the same way.
 */
final class Executable {
    static final Path PROJECT = Path.of(System.getProperty("xennet.project.dir", "."));
    /** The native executable under test, or null: the JVM launcher, bin/xennet. */
    static final Path NATIVE = nativeExecutable();
    static final Path BIN = NATIVE == null ? PROJECT.resolve("bin") : links(NATIVE);

    private Executable() {
    }

    /** Result of one run. */
    record Run(int status, String out, String err) {
    }

    static Run run(List<String> prefix, String program, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(BIN.resolve(program).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = pb.environment();
        e.put("XENNET_NO_CACHE", "1");
        e.put("XENNET_LOG_FILE", "none");
        e.put("XENNET_SYSLOG", "no");
        e.put("XENNET_CONF", "/nonexistent/xennet.conf");
        e.putAll(env);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = new byte[0];
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return new Run(p.exitValue(), out, new String(err, StandardCharsets.UTF_8));
        } catch (IOException e2) {
            throw new AssertionError("cannot run " + cmd + ": " + e2, e2);
        } catch (InterruptedException e2) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /**
     * {@code program} in the lab's dom0 namespace, as Xen runs it there, with the test's own state
     * and lock directories under {@code dir}, and {@code env} on top.
     */
    static Run inDom0(LabNetwork lab, Path dir, Map<String, String> env, String program, String... args) {
        Map<String, String> e = new HashMap<>();
        e.put("XENNET_STATE_DIR", dir.resolve("state").toString());
        e.put("XENNET_LOCK_DIR", dir.resolve("lock").toString());
        e.putAll(env);
        return run(List.of("ip", "netns", "exec", lab.dom0()), program, e, args);
    }

    static boolean isNative() {
        return NATIVE != null;
    }

    private static Path nativeExecutable() {
        String p = System.getProperty("xennet.executable", "");
        if (p.isEmpty()) {
            return null;
        }
        Path exe = Path.of(p).toAbsolutePath();
        if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
            throw new AssertionError("-Dxennet.executable=" + p + ": not an executable file (./dev native builds it)");
        }
        return exe;
    }

    /** target/native-it-bin: xennet and one link per script, all to {@code exe}, as bin/ has for the launcher. */
    private static Path links(Path exe) {
        Path dir = PROJECT.resolve("target/native-it-bin");
        try {
            Files.createDirectories(dir);
            List<String> names = new ArrayList<>(Scripts.NAMES);
            names.add("xennet");
            for (String name : names) {
                Path link = dir.resolve(name);
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, exe);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot make the links in " + dir + ": " + e, e);
        }
        return dir;
    }

    static Run run(String program, String... args) {
        return run(List.of(), program, new HashMap<>(), args);
    }
}
