// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xennet.firewall.Nftables;
import org.xennet.jna.NftContext;

/**
 * nftables in memory, for the commands xennet's guards are made of ({@code add table|map|chain|rule|element},
 * {@code flush chain}, {@code delete element|chain}, {@code list table|tables}) with the kernel's
 * semantics that matter to them: a buffer is one transaction (an error anywhere leaves the state as
 * it was), {@code add} of what is there changes nothing, an element that maps a name to another
 * verdict is refused, deleting what is not there or a chain a map still jumps to is refused. Its
 * listing has nft's layout (blocks at one tab, their lines at two), which is what the parser reads.
 * The same scenarios run against libnftables and the kernel in {@code NftablesIT}.
 */
public final class FakeNftables implements Nftables {
    private static final Pattern ELEMENT = Pattern.compile("\"([^\"]+)\"(?:\\s*:\\s*jump\\s+(\\S+))?");

    private Map<String, Table> tables = new LinkedHashMap<>();
    private final List<String> transactions = new ArrayList<>();
    private boolean bridgeMeta = true;
    private RuntimeException failNext;
    private String failOn;

    private static final class Table {
        final Map<String, String> maps = new LinkedHashMap<>(); // name -> declaration
        final Map<String, Map<String, String>> elements = new LinkedHashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>(); // chain -> base chain line or ""
        final Map<String, List<String>> rules = new LinkedHashMap<>();

        Table copy() {
            Table t = new Table();
            t.maps.putAll(maps);
            elements.forEach((k, v) -> t.elements.put(k, new LinkedHashMap<>(v)));
            t.headers.putAll(headers);
            rules.forEach((k, v) -> t.rules.put(k, new ArrayList<>(v)));
            return t;
        }
    }

    /** A kernel without {@code meta ibrname} (CONFIG_NFT_BRIDGE_META), like this project's test machine. */
    public FakeNftables withoutBridgeMeta() {
        bridgeMeta = false;
        return this;
    }

    /** The next run fails with {@code e} and changes nothing. */
    public void failNext(RuntimeException e) {
        failNext = e;
    }

    /** Every later run whose commands contain {@code needle} fails with nft's message for an invalid command. */
    public void failOn(String needle) {
        failOn = needle;
    }

    /** Every buffer that changed something, in order. */
    public List<String> transactions() {
        return List.copyOf(transactions);
    }

    @Override
    public String run(String commands) {
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            throw e;
        }
        if (failOn != null && commands.contains(failOn)) {
            throw error("Could not process rule: Invalid argument", failOn);
        }
        Map<String, Table> work = new LinkedHashMap<>();
        tables.forEach((k, v) -> work.put(k, v.copy()));
        StringBuilder out = new StringBuilder();
        boolean changed = false;
        for (String raw : commands.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            changed |= !line.startsWith("list ");
            apply(work, line, out);
        }
        tables = work;
        if (changed) {
            transactions.add(commands);
        }
        return out.toString();
    }

    private void apply(Map<String, Table> work, String line, StringBuilder out) {
        String[] w = line.split("\\s+");
        if (line.equals("list tables")) {
            work.keySet().forEach(k -> out.append("table ").append(k).append('\n'));
            return;
        }
        if (w.length < 4) {
            throw error("syntax error", line);
        }
        String op = w[0] + " " + w[1];
        String key = w[2] + " " + w[3];
        if (op.equals("add table")) {
            work.putIfAbsent(key, new Table());
            return;
        }
        Table t = work.get(key);
        if (t == null) {
            throw error(op.equals("list table") ? "No such file or directory" : "Could not process rule: No such file or directory",
                    line);
        }
        String name = w.length > 4 ? w[4] : null;
        String rest = line.split("\\s+", 6).length > 5 ? line.split("\\s+", 6)[5] : "";
        switch (op) {
            case "list table":
                out.append(listing(key, t));
                return;
            case "add map":
                t.maps.putIfAbsent(name, brace(rest));
                t.elements.putIfAbsent(name, new LinkedHashMap<>());
                return;
            case "add chain":
                if (!t.headers.containsKey(name)) {
                    t.headers.put(name, rest.isEmpty() ? "" : brace(rest));
                    t.rules.put(name, new ArrayList<>());
                }
                return;
            case "flush chain":
                chain(t, name, line).clear();
                return;
            case "add rule":
                if (!bridgeMeta && rest.contains("ibrname")) {
                    throw error("Could not process rule: Operation not supported", line);
                }
                for (Matcher m = Pattern.compile("vmap @(\\S+)").matcher(rest); m.find(); ) {
                    if (!t.maps.containsKey(m.group(1))) {
                        throw error("Could not process rule: No such file or directory", line);
                    }
                }
                chain(t, name, line).add(rest);
                return;
            case "add element": {
                Map<String, String> els = map(t, name, line);
                Matcher m = ELEMENT.matcher(rest);
                while (m.find()) {
                    String target = m.group(2);
                    if (target == null || !t.headers.containsKey(target)) {
                        throw error("Could not process rule: No such file or directory", line);
                    }
                    String old = els.get(m.group(1));
                    if (old != null && !old.equals(target)) {
                        throw error("Could not process rule: Device or resource busy", line);
                    }
                    els.put(m.group(1), target);
                }
                return;
            }
            case "delete element": {
                Map<String, String> els = map(t, name, line);
                Matcher m = ELEMENT.matcher(rest);
                while (m.find()) {
                    if (els.remove(m.group(1)) == null) {
                        throw error("Could not process rule: No such file or directory", line);
                    }
                }
                return;
            }
            case "delete chain":
                chain(t, name, line);
                if (t.elements.values().stream().anyMatch(e -> e.containsValue(name))) {
                    throw error("Could not process rule: Device or resource busy", line);
                }
                t.headers.remove(name);
                t.rules.remove(name);
                return;
            default:
                throw error("syntax error, unexpected " + w[0], line);
        }
    }

    private static String brace(String rest) {
        String s = rest.strip();
        if (s.startsWith("{") && s.endsWith("}")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        return s;
    }

    private static List<String> chain(Table t, String name, String line) {
        List<String> r = t.rules.get(name);
        if (r == null) {
            throw error("Could not process rule: No such file or directory", line);
        }
        return r;
    }

    private static Map<String, String> map(Table t, String name, String line) {
        Map<String, String> m = t.elements.get(name);
        if (m == null) {
            throw error("Could not process rule: No such file or directory", line);
        }
        return m;
    }

    private static NftContext.NftException error(String what, String line) {
        return new NftContext.NftException("Error: " + what + "\n" + line);
    }

    private static String listing(String key, Table t) {
        StringBuilder b = new StringBuilder("table ").append(key).append(" {\n");
        List<String> blocks = new ArrayList<>();
        t.maps.forEach((name, decl) -> {
            StringBuilder m = new StringBuilder("\tmap ").append(name).append(" {\n");
            for (String d : decl.split(";")) {
                if (!d.isBlank()) {
                    m.append("\t\t").append(d.strip()).append('\n');
                }
            }
            Map<String, String> els = t.elements.get(name);
            if (!els.isEmpty()) {
                List<String> e = new ArrayList<>();
                els.forEach((k, v) -> e.add("\"" + k + "\" : jump " + v));
                m.append("\t\telements = { ").append(String.join(",\n\t\t\t     ", e)).append(" }\n");
            }
            blocks.add(m.append("\t}\n").toString());
        });
        t.headers.forEach((name, header) -> {
            StringBuilder c = new StringBuilder("\tchain ").append(name).append(" {\n");
            if (!header.isEmpty()) {
                c.append("\t\t").append(header).append('\n');
            }
            t.rules.get(name).forEach(r -> c.append("\t\t").append(r).append('\n'));
            blocks.add(c.append("\t}\n").toString());
        });
        return b.append(String.join("\n", blocks)).append("}\n").toString();
    }

    /** Every table as nft would list it: the state a dry run must leave alone. */
    public String listing() {
        StringBuilder b = new StringBuilder();
        tables.forEach((k, t) -> b.append(listing(k, t)));
        return b.toString();
    }
}
