// SPDX-License-Identifier: Apache-2.0
package org.xennet.nativeimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternFormatter;
import org.apache.logging.log4j.core.pattern.PatternParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.testing.JsonReader;
import org.kohsuke.args4j.Argument;
import org.kohsuke.args4j.Option;
import org.xennet.cli.Main;

/**
 * Guards the GraalVM reachability metadata in {@code META-INF/native-image/org.xennet/xennet}
 * (README.md there says what each entry is for). No GraalVM is needed: the compiled classes are
 * read on the JVM and every class that something reaches by reflection or JNI must be listed
 * with the members that are reached. A missing entry does not fail the image build, it fails
 * the native executable at run time (an args4j option that is never set, "JNA: Problems loading
 * core IDs", a log line with "Unrecognized format specifier"), so this test fails instead.
 */
@Tag("codec")
class ReachabilityMetadataTest {
    private static final String DIR = "META-INF/native-image/org.xennet/xennet/";

    private static List<Class<?>> classes;
    private static Map<String, byte[]> classFiles;
    private static Config reflect;
    private static Config jni;

    @BeforeAll
    static void load() throws IOException {
        classFiles = compiledClasses();
        classes = new ArrayList<>();
        for (String name : classFiles.keySet()) {
            try {
                // initialize=false: LibC's static initializer would bind libc through JNA
                classes.add(Class.forName(name, false, ReachabilityMetadataTest.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                fail("cannot load compiled class " + name + ": " + e);
            }
        }
        reflect = Config.read("reflect-config.json");
        jni = Config.read("jni-config.json");
    }

    @Test
    void theScanSeesTheClassesItGuards() {
        // a scan that finds nothing would pass every other test here
        assertTrue(classes.size() > 50, "only " + classes.size() + " classes under " + location());
        assertTrue(classes.stream().anyMatch(c -> c.getName().equals("org.xennet.jna.LibC")));
        assertFalse(argsOptions().isEmpty(), "no args4j @Option found");
        // the constant pool reader sees calls: LibC's own registration, and this test's Class.forName
        assertTrue(methodRefs(classFiles.get("org.xennet.jna.LibC")).contains("com/sun/jna/Native.register"));
        try (InputStream in = getClass().getResourceAsStream(getClass().getSimpleName() + ".class")) {
            assertTrue(methodRefs(in.readAllBytes()).contains("java/lang/Class.forName"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** args4j's ClassParser finds the fields (and setters) by reflection and its FieldSetter sets them. */
    @Test
    void everyArgs4jOptionIsReflectable() {
        List<String> problems = new ArrayList<>();
        for (AccessibleObject member : argsOptions()) {
            if (member instanceof Field) {
                Field f = (Field) member;
                String cls = f.getDeclaringClass().getName();
                Entry e = reflect.get(cls);
                if (e == null || !e.hasField(f.getName())) {
                    problems.add(cls + ": args4j sets field '" + f.getName() + "' (" + describe(f) + ") by reflection, "
                            + "but " + DIR + "reflect-config.json " + (e == null ? "has no entry for the class"
                                    : "does not list the field") + "; add {\"name\": \"" + cls + "\", \"fields\": [{\"name\": \""
                            + f.getName() + "\"}]}");
                }
            } else {
                Method m = (Method) member;
                String cls = m.getDeclaringClass().getName();
                Entry e = reflect.get(cls);
                if (e == null || !e.hasMethod("methods", m.getName(), typeNames(m.getParameterTypes()))) {
                    problems.add(cls + ": args4j calls setter " + m.getName() + Arrays.toString(typeNames(m
                            .getParameterTypes()).toArray()) + " by reflection, but " + DIR
                            + "reflect-config.json does not list it under \"methods\"");
                }
            }
        }
        assertNoProblems(problems);
    }

    /**
     * JNA's Native.register finds a direct-mapped class's native methods with getDeclaredMethods
     * (reflect-config.json) and binds each one with JNI RegisterNatives (jni-config.json).
     */
    @Test
    void everyJnaDirectMappedClassIsRegisteredForReflectionAndJni() {
        List<String> problems = new ArrayList<>();
        int found = 0;
        for (Class<?> c : classes) {
            List<Method> natives = Arrays.stream(c.getDeclaredMethods())
                    .filter(m -> Modifier.isNative(m.getModifiers())).collect(Collectors.toList());
            Set<String> calls = methodRefs(classFiles.get(c.getName()));
            if (calls.contains("com/sun/jna/Native.register") && natives.isEmpty()) {
                problems.add(c.getName() + " calls Native.register but declares no native method: this test "
                        + "assumes a class registers itself; teach it (and the metadata) the new shape");
            }
            for (Method m : natives) {
                found++;
                List<String> params = typeNames(m.getParameterTypes());
                String sig = m.getName() + "(" + String.join(", ", params) + ")";
                Entry r = reflect.get(c.getName());
                if (r == null || !r.hasMethod("methods", m.getName(), params)) {
                    problems.add(c.getName() + ": native method " + sig + " is not in " + DIR + "reflect-config.json "
                            + "(JNA's Native.register finds it with getDeclaredMethods); add {\"name\": \""
                            + m.getName() + "\", \"parameterTypes\": " + jsonList(params) + "} to the class's \"methods\"");
                }
                Entry j = jni.get(c.getName());
                if (j == null || !j.hasMethod("methods", m.getName(), params)) {
                    problems.add(c.getName() + ": native method " + sig + " is not in " + DIR + "jni-config.json "
                            + "(JNA binds it with JNI RegisterNatives); add {\"name\": \"" + m.getName()
                            + "\", \"parameterTypes\": " + jsonList(params) + "} to the class's \"methods\"");
                }
            }
        }
        assertTrue(found > 0, "no native method found: JNA direct mapping is how xennet calls libc");
        assertNoProblems(problems);
    }

    /**
     * Reflection in xennet's own code needs metadata this test cannot derive, and JNA interface
     * mapping (Native.load) needs a proxy-config.json: either is refused here until someone adds
     * the metadata and teaches this test about it.
     */
    @Test
    void xennetsOwnCodeUsesNoOtherReflection() {
        Set<String> reflective = Set.of("java/lang/Class.forName", "java/lang/Class.getDeclaredField",
                "java/lang/Class.getDeclaredFields", "java/lang/Class.getDeclaredMethod",
                "java/lang/Class.getDeclaredMethods", "java/lang/Class.getDeclaredConstructor",
                "java/lang/Class.getDeclaredConstructors", "java/lang/Class.getField", "java/lang/Class.getFields",
                "java/lang/Class.getMethod", "java/lang/Class.getMethods", "java/lang/Class.getConstructor",
                "java/lang/Class.getConstructors", "java/lang/Class.newInstance", "java/lang/Class.getResource",
                "java/lang/Class.getResourceAsStream", "java/lang/ClassLoader.loadClass",
                "java/lang/ClassLoader.getResource", "java/lang/ClassLoader.getResources",
                "java/lang/ClassLoader.getResourceAsStream", "java/lang/ClassLoader.getSystemResource",
                "java/lang/ClassLoader.getSystemResourceAsStream", "java/util/ServiceLoader.load",
                "java/util/ServiceLoader.loadInstalled", "java/lang/reflect/Proxy.newProxyInstance",
                "java/lang/reflect/Method.invoke", "java/lang/reflect/Constructor.newInstance",
                "java/lang/reflect/Field.get", "java/lang/reflect/Field.set", "java/util/ResourceBundle.getBundle",
                "java/lang/invoke/MethodHandles$Lookup.findVirtual", "java/lang/invoke/MethodHandles$Lookup.findStatic",
                "java/lang/invoke/MethodHandles$Lookup.findConstructor", "com/sun/jna/Native.load",
                "com/sun/jna/Native.loadLibrary");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : classFiles.entrySet()) {
            for (String call : methodRefs(c.getValue())) {
                if (reflective.contains(call)) {
                    problems.add(c.getKey() + " calls " + call.replace('/', '.') + ": add what it reaches to " + DIR
                            + " (README.md there) and teach " + getClass().getSimpleName() + " to check it");
                }
            }
        }
        assertNoProblems(problems);
    }

    /**
     * log4j's PatternParser makes every %converter of a pattern by calling the converter plugin's
     * static newInstance by reflection; one that is missing prints "Unrecognized format specifier"
     * on every log line's start-up. The patterns are xennet's (Log4jSink) and log4j's default
     * configuration's, which log4j sets up before ours replaces it.
     */
    @Test
    void everyLog4jConverterOfOurPatternsIsReflectable() {
        List<String> patterns = new ArrayList<>(List.of(DefaultConfiguration.DEFAULT_PATTERN));
        for (Map.Entry<String, byte[]> c : classFiles.entrySet()) {
            if (c.getKey().startsWith("org.xennet.log.Log4jSink")) {
                for (String s : stringConstants(c.getValue())) {
                    // javac's indy string concatenation keeps the literal parts in one recipe, split by \1
                    for (String part : s.split("\u0001")) {
                        if (part.contains("%")) {
                            patterns.add(part);
                        }
                    }
                }
            }
        }
        assertTrue(patterns.size() > 1, "no log4j pattern found in org.xennet.log.Log4jSink");
        PatternParser parser = new PatternParser(null, PatternLayout.KEY, LogEventPatternConverter.class);
        Set<Class<?>> converters = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        for (String p : patterns) {
            for (PatternFormatter f : parser.parse(p)) {
                if (f.getConverter().getClass().isAnnotationPresent(Plugin.class)) {
                    converters.add(f.getConverter().getClass());
                }
            }
        }
        assertTrue(converters.size() >= 5, "the patterns " + patterns + " parse to only " + converters);
        List<String> problems = new ArrayList<>();
        for (Class<?> c : converters) {
            Entry e = reflect.get(c.getName());
            boolean listed = e != null && Arrays.stream(c.getDeclaredMethods())
                    .filter(m -> Modifier.isStatic(m.getModifiers()) && m.getName().equals("newInstance"))
                    .anyMatch(m -> e.hasMethod("methods", "newInstance", typeNames(m.getParameterTypes())));
            if (!listed) {
                problems.add(c.getName() + ": a pattern converter our log patterns " + patterns + " use; log4j calls "
                        + "its static newInstance by reflection, but " + DIR + "reflect-config.json does not list it");
            }
        }
        assertNoProblems(problems);
    }

    /** An entry that names nothing (a renamed field, an upgraded library) is silently ignored by native-image. */
    @Test
    void everyEntryNamesAClassAndMembersThatExist() {
        List<String> problems = new ArrayList<>();
        for (Config config : List.of(reflect, jni)) {
            for (Entry e : config.entries.values()) {
                Class<?> c = classNamed(e.name, problems, config.file);
                if (c == null) {
                    continue;
                }
                for (String f : e.fieldNames()) {
                    try {
                        c.getDeclaredField(f);
                    } catch (NoSuchFieldException x) {
                        problems.add(config.file + ": " + e.name + " has no field '" + f + "'");
                    }
                }
                for (String kind : List.of("methods", "queriedMethods")) {
                    for (Map.Entry<String, List<String>> m : e.methods(kind)) {
                        Class<?>[] params = m.getValue().stream().map(t -> classNamed(t, problems, config.file))
                                .toArray(Class<?>[]::new);
                        if (Arrays.asList(params).contains(null)) {
                            continue;
                        }
                        try {
                            if (m.getKey().equals("<init>")) {
                                c.getDeclaredConstructor(params);
                            } else {
                                c.getDeclaredMethod(m.getKey(), params);
                            }
                        } catch (NoSuchMethodException x) {
                            problems.add(config.file + ": " + e.name + " has no method " + m.getKey() + m.getValue());
                        }
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void everyResourceAndBundleExists() throws IOException {
        String text = read("resource-config.json");
        Object json = JsonReader.parse(text);
        Map<?, ?> root = (Map<?, ?>) json;
        List<String> problems = new ArrayList<>();
        for (Object include : (List<?>) ((Map<?, ?>) root.get("resources")).get("includes")) {
            String pattern = (String) ((Map<?, ?>) include).get("pattern");
            if (!pattern.startsWith("\\Q") || !pattern.endsWith("\\E")) {
                problems.add("resource pattern " + pattern + " is not a \\Q...\\E literal: this test cannot check it");
            } else if (getClass().getClassLoader().getResource(pattern.substring(2, pattern.length() - 2)) == null) {
                problems.add("resource " + pattern + " is on no class path entry");
            }
        }
        for (Object bundle : (List<?>) root.get("bundles")) {
            String name = (String) ((Map<?, ?>) bundle).get("name");
            if (getClass().getClassLoader().getResource(name.replace('.', '/') + ".properties") == null) {
                problems.add("resource bundle " + name + " is on no class path entry");
            }
        }
        assertNoProblems(problems);
    }

    /** Proves the JSON reader the other tests trust. */
    @Test
    void theJsonReaderReadsWhatTheConfigFilesUse() {
        Object v = JsonReader.parse(" [ {\"name\": \"a\\\"b\\\\c\\u0041\", \"n\": -1.5e2, \"t\": true, \"f\": false, "
                + "\"z\": null, \"l\": [ ], \"o\": { } } ] ");
        Map<?, ?> m = (Map<?, ?>) ((List<?>) v).get(0);
        assertEquals("a\"b\\cA", m.get("name"));
        assertEquals(-150.0, m.get("n"));
        assertEquals(true, m.get("t"));
        assertEquals(false, m.get("f"));
        assertTrue(m.containsKey("z"));
        assertEquals(List.of(), m.get("l"));
        assertEquals(Map.of(), m.get("o"));
        assertThrowsIae(() -> JsonReader.parse("[1,]"));
        assertThrowsIae(() -> JsonReader.parse("{\"a\" 1}"));
        assertThrowsIae(() -> JsonReader.parse("[1] x"));
    }

    // ----------------------------------------------------------------------------------------

    private static List<AccessibleObject> argsOptions() {
        List<AccessibleObject> r = new ArrayList<>();
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Option.class) || f.isAnnotationPresent(Argument.class)) {
                    r.add(f);
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Option.class) || m.isAnnotationPresent(Argument.class)) {
                    r.add(m);
                }
            }
        }
        return r;
    }

    private static String describe(Field f) {
        Option o = f.getAnnotation(Option.class);
        return o != null ? "@Option " + o.name() : "@Argument";
    }

    private static void assertNoProblems(List<String> problems) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " reachability metadata problem(s):\n  " + String.join("\n  ", problems));
        }
    }

    private static void assertThrowsIae(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        fail("malformed JSON accepted");
    }

    private static List<String> typeNames(Class<?>[] types) {
        return Arrays.stream(types).map(ReachabilityMetadataTest::typeName).collect(Collectors.toList());
    }

    /** The spelling native-image's configuration uses: {@code int}, {@code byte[]}, {@code a.B$C}. */
    private static String typeName(Class<?> t) {
        return t.isArray() ? typeName(t.getComponentType()) + "[]" : t.getName();
    }

    private static Class<?> classNamed(String name, List<String> problems, String file) {
        if (name.endsWith("[]")) {
            Class<?> component = classNamed(name.substring(0, name.length() - 2), problems, file);
            return component == null ? null : Array.newInstance(component, 0).getClass();
        }
        switch (name) {
            case "boolean": return boolean.class;
            case "byte": return byte.class;
            case "char": return char.class;
            case "short": return short.class;
            case "int": return int.class;
            case "long": return long.class;
            case "float": return float.class;
            case "double": return double.class;
            default:
                try {
                    return Class.forName(name, false, ReachabilityMetadataTest.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    problems.add(file + ": no class " + name + " on the class path");
                    return null;
                }
        }
    }

    private static String jsonList(List<String> items) {
        return items.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ", "[", "]"));
    }

    private static Path location() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every class file of the main code (target/classes, or the jar when tests run against one). */
    private static Map<String, byte[]> compiledClasses() throws IOException {
        Path root = location();
        Map<String, byte[]> r = new TreeMap<>();
        if (Files.isDirectory(root)) {
            collect(root, r);
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(root)) {
                collect(jar.getPath("/"), r);
            }
        }
        return r;
    }

    private static void collect(Path root, Map<String, byte[]> into) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (rel.startsWith("org/xennet/") && rel.endsWith(".class") && !rel.endsWith("module-info.class")) {
                    into.put(rel.substring(0, rel.length() - ".class".length()).replace('/', '.'), Files.readAllBytes(p));
                }
            }
        }
    }

    private static String read(String file) throws IOException {
        URL url = ReachabilityMetadataTest.class.getClassLoader().getResource(DIR + file);
        assertNotNull(url, DIR + file + " is not on the class path (src/main/resources)");
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- class file constant pool

    /** "owner/Name.method" for every method a class file refers to (Methodref and InterfaceMethodref). */
    static Set<String> methodRefs(byte[] classFile) {
        ConstantPool cp = new ConstantPool(classFile);
        Set<String> r = new TreeSet<>();
        for (int i = 1; i < cp.tags.length; i++) {
            if (cp.tags[i] == 10 || cp.tags[i] == 11) {
                int[] ref = (int[]) cp.values[i];
                String owner = cp.utf8((Integer) cp.values[ref[0]]);
                int[] nameAndType = (int[]) cp.values[ref[1]];
                r.add(owner + "." + cp.utf8(nameAndType[0]));
            }
        }
        return r;
    }

    /** The String constants (ldc operands and bootstrap arguments such as concatenation recipes). */
    static List<String> stringConstants(byte[] classFile) {
        ConstantPool cp = new ConstantPool(classFile);
        List<String> r = new ArrayList<>();
        for (int i = 1; i < cp.tags.length; i++) {
            if (cp.tags[i] == 8) {
                r.add(cp.utf8((Integer) cp.values[i]));
            }
        }
        return r;
    }

    /** Just enough of JVMS 4.4 to follow references between constant pool entries. */
    private static final class ConstantPool {
        final int[] tags;
        final Object[] values;

        ConstantPool(byte[] classFile) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
                if (in.readInt() != 0xCAFEBABE) {
                    throw new IllegalArgumentException("not a class file");
                }
                in.readUnsignedShort(); // minor
                in.readUnsignedShort(); // major
                int count = in.readUnsignedShort();
                tags = new int[count];
                values = new Object[count];
                for (int i = 1; i < count; i++) {
                    int tag = in.readUnsignedByte();
                    tags[i] = tag;
                    switch (tag) {
                        case 1: values[i] = in.readUTF(); break;
                        case 7: case 8: case 16: case 19: case 20: values[i] = in.readUnsignedShort(); break;
                        case 3: case 4: in.readInt(); break;
                        case 5: case 6: in.readLong(); i++; break; // takes two slots
                        case 9: case 10: case 11: case 12: case 17: case 18:
                            values[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                            break;
                        case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
                        default: throw new IllegalArgumentException("constant pool tag " + tag + " at " + i);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String utf8(int index) {
            return (String) values[index];
        }
    }

    // ---------------------------------------------------------------- metadata files

    /** One reflect-config.json or jni-config.json: entries by class name. */
    private static final class Config {
        final String file;
        final Map<String, Entry> entries = new LinkedHashMap<>();

        private Config(String file) {
            this.file = file;
        }

        static Config read(String file) throws IOException {
            Config c = new Config(file);
            for (Object o : (List<?>) JsonReader.parse(ReachabilityMetadataTest.read(file))) {
                Entry e = new Entry((Map<?, ?>) o);
                assertFalse(c.entries.containsKey(e.name), file + " lists " + e.name + " twice");
                c.entries.put(e.name, e);
            }
            return c;
        }

        Entry get(String className) {
            return entries.get(className);
        }
    }

    /** One class's entry: {"name": ..., "fields": [...], "methods": [...], "allDeclaredFields": true, ...}. */
    private static final class Entry {
        final String name;
        final Map<?, ?> json;

        Entry(Map<?, ?> json) {
            this.json = json;
            this.name = (String) json.get("name");
            assertNotNull(name, "an entry without a name: " + json);
        }

        boolean flag(String key) {
            return Boolean.TRUE.equals(json.get(key));
        }

        List<String> fieldNames() {
            List<String> r = new ArrayList<>();
            Object fields = json.get("fields");
            if (fields != null) {
                for (Object f : (List<?>) fields) {
                    r.add((String) ((Map<?, ?>) f).get("name"));
                }
            }
            return r;
        }

        boolean hasField(String field) {
            return flag("allDeclaredFields") || fieldNames().contains(field);
        }

        List<Map.Entry<String, List<String>>> methods(String kind) {
            List<Map.Entry<String, List<String>>> r = new ArrayList<>();
            Object methods = json.get(kind);
            if (methods != null) {
                for (Object m : (List<?>) methods) {
                    Map<?, ?> mm = (Map<?, ?>) m;
                    List<String> params = new ArrayList<>();
                    for (Object p : (List<?>) mm.get("parameterTypes")) {
                        params.add((String) p);
                    }
                    r.add(Map.entry((String) mm.get("name"), params));
                }
            }
            return r;
        }

        boolean hasMethod(String kind, String method, List<String> params) {
            return flag("allDeclaredMethods") || methods(kind).contains(Map.entry(method, params));
        }
    }
}
