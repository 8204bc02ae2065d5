// SPDX-License-Identifier: Apache-2.0
package org.xennet.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The layer list of STYLE.md as a test that reads the import lines of every main source file:
 * a package imports only from its own layer or lower ones, the script packages (one per family of
 * Xen scripts) never import each other, and JNA is touched only in org.xennet.jna. A new package
 * must be given a layer here before it can be used.
 */
@Tag("ops")
class LayeringTest {
    private static final Path MAIN = Path.of(System.getProperty("xennet.project.dir", "."), "src/main/java/org/xennet");

    /** Low to high. A package may import from any package whose layer is not higher than its own. */
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("error", 0), Map.entry("text", 0),
            Map.entry("model", 1),
            Map.entry("netlink", 2),
            Map.entry("netlink.rtnl", 3),
            Map.entry("jna", 4),
            Map.entry("sys", 5), Map.entry("lock", 5), Map.entry("log", 5), Map.entry("config", 5),
            Map.entry("net", 6), Map.entry("xenstore", 6), Map.entry("firewall", 6), Map.entry("ovsdb", 6),
            Map.entry("plan", 7),
            Map.entry("scripts", 8),
            Map.entry("scripts.vif", 9),
            Map.entry("scripts.bridge", 10), Map.entry("scripts.route", 10), Map.entry("scripts.nat", 10),
            Map.entry("scripts.ovs", 10),
            Map.entry("doctor", 11), Map.entry("daemon", 11),
            Map.entry("lab", 12),
            Map.entry("cli", 13));

    /** Script families: siblings that share only what lies below them. */
    private static final List<String> SIBLINGS = List.of("scripts.bridge", "scripts.route", "scripts.nat",
            "scripts.ovs");

    private static final Pattern PACKAGE = Pattern.compile("^package org\\.xennet\\.([a-z.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([a-zA-Z0-9_.]+)(?:\\.\\*)?;",
            Pattern.MULTILINE);

    record Import(Path file, String from, String to) {
    }

    private static List<Import> imports() throws IOException {
        List<Import> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                Matcher pm = PACKAGE.matcher(text);
                assertTrue(pm.find(), f + " has no org.xennet package line");
                Matcher im = IMPORT.matcher(text);
                while (im.find()) {
                    out.add(new Import(MAIN.relativize(f), pm.group(1), im.group(1)));
                }
            }
        }
        return out;
    }

    /** The xennet package an imported name belongs to ({@code org.xennet.scripts.bridge.X.Y} is scripts.bridge). */
    private static String packageOf(String name) {
        String rest = name.substring("org.xennet.".length());
        String[] parts = rest.split("\\.");
        StringBuilder p = new StringBuilder();
        for (String part : parts) {
            if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) {
                break;
            }
            if (p.length() > 0) {
                p.append('.');
            }
            p.append(part);
        }
        return p.toString();
    }

    @Test
    void everyPackageHasALayer() throws IOException {
        List<String> unknown = new ArrayList<>();
        for (Import i : imports()) {
            if (!LAYER.containsKey(i.from()) && !unknown.contains(i.from())) {
                unknown.add(i.from());
            }
        }
        assertEquals(List.of(), unknown, "packages without a layer in LayeringTest.LAYER");
    }

    @Test
    void noPackageImportsFromAHigherLayerOrASiblingScriptFamily() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Import i : imports()) {
            if (!i.to().startsWith("org.xennet.")) {
                continue;
            }
            String to = packageOf(i.to());
            if (to.equals(i.from())) {
                continue;
            }
            Integer a = LAYER.get(i.from());
            Integer b = LAYER.get(to);
            if (a == null || b == null) {
                bad.add(i.file() + ": " + i.from() + " -> " + to + " (no layer)");
            } else if (b > a) {
                bad.add(i.file() + ": " + i.from() + " (layer " + a + ") imports " + i.to() + " (layer " + b + ")");
            } else if (SIBLINGS.contains(i.from()) && SIBLINGS.contains(to)) {
                bad.add(i.file() + ": script family " + i.from() + " imports its sibling " + i.to());
            }
        }
        assertEquals(List.of(), bad, "imports against the layer list");
    }

    @Test
    void jnaIsTouchedOnlyInTheJnaPackage() throws IOException {
        List<String> bad = imports().stream().filter(i -> i.to().startsWith("com.sun.jna") && !i.from().equals("jna"))
                .map(i -> i.file() + ": " + i.to()).toList();
        assertEquals(List.of(), bad);
    }

    @Test
    void theModelDependsOnNoCodecOrNativeType() throws IOException {
        List<String> bad = imports().stream().filter(i -> i.from().equals("model") && i.to().startsWith("org.xennet.")
                && !List.of("error", "text", "model").contains(packageOf(i.to()))).map(i -> i.file() + ": " + i.to())
                .toList();
        assertEquals(List.of(), bad);
    }
}
