package org.xennet.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * An in-memory XenStore tree with xenstored's path rules: relative paths live under
 * /local/domain/0, writing a node creates its parents, removing a node removes its subtree.
 * {@link #failWritesUnder} makes writes below a path fail, as a dead or refusing daemon would.
 */
public final class FakeXenStore implements XenStore {
    private final TreeMap<String, String> nodes = new TreeMap<>();
    private String failUnder;
    private final List<String> writes = new ArrayList<>();

    public static String absolute(String path) {
        String p = path.startsWith("/") ? path : "/local/domain/0/" + path;
        return p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
    }

    public FakeXenStore put(String path, String value) {
        write(path, value);
        return this;
    }

    public FakeXenStore failWritesUnder(String path) {
        this.failUnder = absolute(path);
        return this;
    }

    /** Every write, as "path=value" with absolute paths, in order. */
    public List<String> writes() {
        return List.copyOf(writes);
    }

    public Map<String, String> nodes() {
        return Map.copyOf(nodes);
    }

    @Override
    public Optional<String> read(String path) {
        return Optional.ofNullable(nodes.get(absolute(path)));
    }

    @Override
    public void write(String path, String value) {
        String p = absolute(path);
        if (failUnder != null && p.startsWith(failUnder)) {
            throw new XenStoreException("xenstore-write", path, "EACCES", null);
        }
        for (int i = p.indexOf('/', 1); i > 0; i = p.indexOf('/', i + 1)) {
            nodes.putIfAbsent(p.substring(0, i), "");
        }
        nodes.put(p, value);
        writes.add(p + "=" + value);
    }

    @Override
    public void writeAll(Map<String, String> values) {
        for (String k : values.keySet()) {
            if (failUnder != null && absolute(k).startsWith(failUnder)) {
                throw new XenStoreException("xenstore-write", k, "EACCES", null);
            }
        }
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
        write(path, "");
    }

    @Override
    public void close() {
    }
}
