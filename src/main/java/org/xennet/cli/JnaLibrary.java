// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where JNA's native half (libjnidispatch.so) is loaded from, chosen before JNA is first used,
 * so that no call unpacks it into a temporary file or looks for it on the system: the directory
 * {@code XENNET_NATIVE_DIR} names; beside a native executable ({@code xennet-native-lib}); beside
 * the jar ({@code native/}, a build tree); the package's {@code /usr/lib/xennet/linux-ARCH}, ARCH
 * in JNA's naming. The first that holds the library wins; with none, JNA does as it would.
 */
final class JnaLibrary {
    static final String LIBRARY = "libjnidispatch.so";

    private JnaLibrary() {
    }

    static void configure(Map<String, String> env) {
        if (System.getProperty("jna.boot.library.path") != null) {
            return; // set by hand: respected
        }
        find(env, System.getProperty("java.class.path", ""), System.getProperty("os.arch", ""),
                "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))).ifPresent(dir -> {
                    System.setProperty("jna.boot.library.path", dir.toString());
                    System.setProperty("jna.nounpack", "true");
                    System.setProperty("jna.nosys", "true");
                });
    }

    static Optional<Path> find(Map<String, String> env, String classPath, String osArch, boolean nativeImage) {
        for (Path d : candidates(env, classPath, osArch, nativeImage)) {
            if (Files.isRegularFile(d.resolve(LIBRARY))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    static List<Path> candidates(Map<String, String> env, String classPath, String osArch, boolean nativeImage) {
        List<Path> out = new ArrayList<>();
        String given = env.get("XENNET_NATIVE_DIR");
        if (given != null && !given.isEmpty()) {
            out.add(Path.of(given).toAbsolutePath());
        }
        if (nativeImage) {
            try {
                out.add(Path.of("/proc/self/exe").toRealPath().resolveSibling("xennet-native-lib"));
            } catch (java.io.IOException e) {
                // not where it can be read: the other places
            }
        }
        if (!classPath.isEmpty() && !classPath.contains(":") && classPath.endsWith(".jar")) {
            Path jar = Path.of(classPath).toAbsolutePath();
            if (jar.getParent() != null) {
                out.add(jar.getParent().resolve("native"));
            }
        }
        out.add(Path.of("/usr/lib/xennet/linux-" + jnaArch(osArch)));
        return out;
    }

    /** os.arch as JNA names its platform directories (linux-x86-64, linux-aarch64, ...). */
    static String jnaArch(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64":
            case "x86_64":
                return "x86-64";
            case "x86":
            case "i386":
            case "i486":
            case "i586":
            case "i686":
                return "x86";
            case "arm64":
                return "aarch64";
            case "powerpc64le":
                return "ppc64le";
            default:
                return a.replaceAll("[^a-z0-9_]", "_");
        }
    }
}
