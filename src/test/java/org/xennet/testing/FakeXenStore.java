// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xennet.xenstore.MemoryXenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * The in-memory XenStore tree ({@link MemoryXenStore}: xenstored's path rules) for the unit
 * tiers, with a log of every write, and {@link #failWritesUnder}, which makes writes below a
 * path fail, as a dead or refusing daemon would.
 */
public final class FakeXenStore extends MemoryXenStore {
    private String failUnder;
    private final List<String> writes = new ArrayList<>();

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
        return Map.copyOf(tree());
    }

    @Override
    public void write(String path, String value) {
        String p = absolute(path);
        if (failUnder != null && p.startsWith(failUnder)) {
            throw new XenStoreException("xenstore-write", path, "EACCES", null);
        }
        super.write(path, value);
        writes.add(p + "=" + value);
    }

    @Override
    public void writeAll(Map<String, String> values) {
        for (String k : values.keySet()) {
            if (failUnder != null && absolute(k).startsWith(failUnder)) {
                throw new XenStoreException("xenstore-write", k, "EACCES", null);
            }
        }
        super.writeAll(values);
    }
}
