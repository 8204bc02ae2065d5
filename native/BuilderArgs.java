// SPDX-License-Identifier: Apache-2.0
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The image builder options that GraalVM's native-image driver would derive from the reachability
 * metadata on the class path, for native/build, which runs the builder without the driver (it is
 * not published). One option per line on stdout: {@code -H:} options for the builder, and
 * {@code --enable-native-access=} for the builder's JVM (the image keeps the host's setting).
 *
 * <p>Every {@code META-INF/native-image/**} entry of every class-path element: each metadata file
 * becomes the builder option the driver lowers it to ({@code reflect-config.json} to
 * {@code -H:ReflectionConfigurationResources=PATH}, ...), and the {@code Args} of each
 * {@code native-image.properties} are translated. An option or file this tool does not know stops
 * the build with its name, so metadata added later cannot be dropped silently: teach it here.
 *
 * <p>Usage: {@code java native/BuilderArgs.java CLASSPATH}
 */
public final class BuilderArgs {
    private static final Map<String, String> FILE_OPTIONS = Map.of(
            "reflect-config.json", "ReflectionConfigurationResources",
            "jni-config.json", "JNIConfigurationResources",
            "resource-config.json", "ResourceConfigurationResources",
            "proxy-config.json", "DynamicProxyConfigurationResources",
            "serialization-config.json", "SerializationConfigurationResources",
            "predefined-classes-config.json", "PredefinedClassesConfigurationResources",
            "reachability-metadata.json", "ReachabilityMetadataResources");

    private final List<String> out = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java BuilderArgs.java CLASSPATH");
            System.exit(2);
        }
        BuilderArgs b = new BuilderArgs();
        for (String element : args[0].split(":")) {
            if (!element.isEmpty()) {
                b.scan(Path.of(element));
            }
        }
        b.out.forEach(System.out::println);
    }

    private void scan(Path element) throws IOException {
        if (Files.isDirectory(element)) {
            Path root = element.resolve("META-INF/native-image");
            if (!Files.isDirectory(root)) {
                return;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    String name = element.relativize(f).toString();
                    try (InputStream in = Files.newInputStream(f)) {
                        entry(element + "!/" + name, name, in);
                    }
                }
            }
        } else if (Files.isRegularFile(element)) {
            try (JarFile jar = new JarFile(element.toFile())) {
                List<JarEntry> entries = jar.stream()
                        .filter(e -> !e.isDirectory() && e.getName().startsWith("META-INF/native-image/"))
                        .sorted((a, c) -> a.getName().compareTo(c.getName())).toList();
                for (JarEntry e : entries) {
                    try (InputStream in = jar.getInputStream(e)) {
                        entry(element + "!/" + e.getName(), e.getName(), in);
                    }
                }
            }
        }
    }

    private void entry(String where, String name, InputStream in) throws IOException {
        String file = name.substring(name.lastIndexOf('/') + 1);
        if (file.equals("native-image.properties")) {
            properties(where, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } else if (FILE_OPTIONS.containsKey(file)) {
            out.add("-H:" + FILE_OPTIONS.get(file) + "=" + name);
        } else if (!file.endsWith(".md") && !file.equals("README") && !file.endsWith(".txt")) {
            fail(where, "metadata file '" + file + "' is not known to native/BuilderArgs.java");
        }
    }

    private void properties(String where, String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        for (String key : p.stringPropertyNames()) {
            if (!key.equals("Args")) {
                fail(where, "property '" + key + "' is not translated by native/BuilderArgs.java");
            }
        }
        String args = p.getProperty("Args", "").trim();
        if (args.isEmpty()) {
            return;
        }
        for (String arg : args.split("\\s+")) {
            if (arg.contains("${")) {
                fail(where, "'" + arg + "': substitutions are not supported");
            } else if (arg.startsWith("--initialize-at-run-time=")) {
                out.add("-H:ClassInitialization=" + classes(arg, "run_time"));
            } else if (arg.startsWith("--initialize-at-build-time=")) {
                out.add("-H:ClassInitialization=" + classes(arg, "build_time"));
            } else if (arg.startsWith("-H:")) {
                out.add(arg);
            } else if (arg.startsWith("--enable-native-access=")) {
                out.add(arg); // the driver gives it to the builder's JVM: native/build does
            } else {
                fail(where, "option '" + arg + "' is not translated by native/BuilderArgs.java");
            }
        }
    }

    /** {@code --initialize-at-run-time=a,b} as the builder's {@code a:run_time,b:run_time}. */
    private static String classes(String arg, String when) {
        List<String> parts = new ArrayList<>();
        for (String c : arg.substring(arg.indexOf('=') + 1).split(",")) {
            if (!c.isEmpty()) {
                parts.add(c + ":" + when);
            }
        }
        return String.join(",", parts);
    }

    private static void fail(String where, String what) {
        System.err.println("native/BuilderArgs: " + where + ": " + what
                + ". The registry-only build must not drop metadata: teach native/BuilderArgs.java (native/README.md).");
        System.exit(1);
    }
}
