package org.xennet.xenstore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * XenStore as an in-memory tree (relative paths under /local/domain/0), for the start-up
 * training run, which must not talk to a real xenstored.
 */
public final class MemoryXenStore implements XenStore {
    private final TreeMap<String, String> nodes = new TreeMap<>();

    private static String absolute(String path) {
        return path.startsWith("/") ? path : "/local/domain/0/" + path;
    }

    @Override
    public Optional<String> read(String path) {
        return Optional.ofNullable(nodes.get(absolute(path)));
    }

    @Override
    public void write(String path, String value) {
        nodes.put(absolute(path), value);
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
        String p = absolute(path) + "/";
        List<String> out = new ArrayList<>();
        for (String k : nodes.tailMap(p).keySet()) {
            if (!k.startsWith(p)) {
                break;
            }
            String rest = k.substring(p.length());
            if (!rest.contains("/") && !out.contains(rest)) {
                out.add(rest);
            }
        }
        return out;
    }

    @Override
    public void mkdir(String path) {
        nodes.putIfAbsent(absolute(path), "");
    }

    @Override
    public void close() {
    }
}
