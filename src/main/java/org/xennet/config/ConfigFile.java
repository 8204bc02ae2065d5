// SPDX-License-Identifier: Apache-2.0
package org.xennet.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/**
 * A {@code key=value} file in the style of /etc/default files: '#' comments, optional quotes
 * around the value, parsed literally (no expansion, nothing is ever run). A missing file is empty.
 */
public final class ConfigFile {
    private final Path path;
    private final Map<String, String> values;

    private ConfigFile(Path path, Map<String, String> values) {
        this.path = path;
        this.values = values;
    }

    /** Where xennet's own settings live unless {@code XENNET_CONF} names another file. */
    public static final String DEFAULT_PATH = "/etc/xen/xennet.conf";

    /** xennet.conf as the environment names it ({@code XENNET_CONF}), else {@value #DEFAULT_PATH}. */
    public static ConfigFile forEnv(Map<String, String> env) {
        String p = env.get("XENNET_CONF");
        return load(Path.of(p == null || p.isEmpty() ? DEFAULT_PATH : p));
    }

    public static ConfigFile empty() {
        return new ConfigFile(null, Map.of());
    }

    public static ConfigFile load(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ConfigFile(path, Map.of());
        } catch (IOException e) {
            throw new UsageException("cannot read " + path + ": " + e.getMessage());
        }
        return parse(path, text);
    }

    public static ConfigFile parse(Path path, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            if (eq < 0 || !key.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                throw new UsageException(path + ":" + lineNo + ": expected key=value, found " + Printable.quote(line));
            }
            String v = line.substring(eq + 1).strip();
            if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
                v = v.substring(1, v.length() - 1);
            }
            m.put(key, v);
        }
        return new ConfigFile(path, Collections.unmodifiableMap(m));
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Map<String, String> values() {
        return values;
    }

    public Path path() {
        return path;
    }

    /** yes/true/on/1 → true; no/false/off/0 → false; anything else is an error naming the value. */
    public static boolean yes(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "yes": case "y": case "true": case "on": case "1": return true;
            case "no": case "n": case "false": case "off": case "0": return false;
            default: throw new UsageException(Printable.quote(v) + " is neither yes nor no");
        }
    }
}
