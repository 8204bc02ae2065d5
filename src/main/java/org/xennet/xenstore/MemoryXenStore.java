// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * XenStore as an in-memory tree with xenstored's path rules: relative paths live under
 * /local/domain/0, writing a node creates its parents, removing a node removes its subtree,
 * listing a missing node is ENOENT. For the start-up training run, which must not talk to a real
 * xenstored, and (extended with failures and a write log) for the tests.
 */
public class MemoryXenStore implements XenStore {
    private final TreeMap<String, String> nodes = new TreeMap<>();

    /** The path as xenstored resolves it for domain 0. */
    public static String absolute(String path) {
        String p = path.startsWith("/") ? path : "/local/domain/0/" + path;
        return p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    }

    /** Every node, by absolute path (read-only). */
    protected SortedMap<String, String> tree() {
        return Collections.unmodifiableSortedMap(nodes);
    }

    @Override
    public Optional<String> read(String path) {
        return Optional.ofNullable(nodes.get(absolute(path)));
    }

    @Override
    public void write(String path, String value) {
        String p = absolute(path);
        for (int i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
            nodes.putIfAbsent(p.substring(0, i), "");
        }
        nodes.put(p, value);
    }

    @Override
    public void writeAll(Map<String, String> values) {
        values.forEach(this::write);
    }

    @Override
    public void remove(String path) {
        String p = absolute(path);
        nodes.keySet().removeIf(k -> k.equals(p) || k.startsWith(p + "/"));
    }

    @Override
    public List<String> directory(String path) {
        String p = absolute(path);
        if (!nodes.containsKey(p)) {
            throw new XenStoreException("xenstore-list", path, "ENOENT", null);
        }
        List<String> out = new ArrayList<>();
        for (String k : nodes.tailMap(p + "/").keySet()) {
            if (!k.startsWith(p + "/")) {
                break;
            }
            String rest = k.substring(p.length() + 1);
            if (!rest.contains("/")) {
                out.add(rest);
            }
        }
        return out;
    }

    @Override
    public void mkdir(String path) {
        if (read(path).isEmpty()) {
            write(path, "");
        }
    }

    @Override
    public void close() {
    }
}
