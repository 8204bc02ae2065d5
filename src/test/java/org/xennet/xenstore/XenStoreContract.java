// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What {@link XenStoreClient} must do against any xenstored: run against {@link FakeXenstored}
 * (tier ops) and the real daemon (tier xenstored), which keeps the fake honest. Each test works
 * under its own {@code /local/domain/0/backend/vif/<n>/0}, so one daemon can serve them all.
 * The state is checked through the other side's own door (the fake's tree, the xenstore-* tools).
 */
abstract class XenStoreContract {
    private static final AtomicInteger NEXT_DOMID = new AtomicInteger(100);

    /** This test's backend directory, relative as XENBUS_PATH is. */
    protected final String rel = "backend/vif/" + NEXT_DOMID.incrementAndGet() + "/0";
    /** The same, absolute. */
    protected final String abs = "/local/domain/0/" + rel;

    /** A client connected to the daemon under test. */
    protected abstract XenStoreClient client();

    /** The node's value as seen by another client; empty when it does not exist. */
    protected abstract Optional<String> peek(String absPath);

    /** Writes a node as another client. */
    protected abstract void poke(String absPath, String value);

    /** The children's names as seen by another client. */
    protected abstract List<String> peekChildren(String absPath);

    @Test
    void writtenValueIsSeenByOtherClients() {
        client().write(abs + "/bridge", "xenbr0");
        assertEquals(Optional.of("xenbr0"), peek(abs + "/bridge"));
        client().write(abs + "/bridge", "xenbr1");
        assertEquals(Optional.of("xenbr1"), peek(abs + "/bridge"));
    }

    @Test
    void valuesWrittenByOthersAreRead() {
        poke(abs + "/ip", "192.0.2.5 198.51.100.0/24");
        assertEquals(Optional.of("192.0.2.5 198.51.100.0/24"), client().read(abs + "/ip"));
    }

    @Test
    void emptyAndNonAsciiValuesSurvive() {
        client().write(abs + "/hotplug-status", "");
        assertEquals(Optional.of(""), client().read(abs + "/hotplug-status"));
        assertEquals(Optional.of(""), peek(abs + "/hotplug-status"));
        client().write(abs + "/hotplug-error", "Gerät vif1.0 fehlt");
        assertEquals(Optional.of("Gerät vif1.0 fehlt"), client().read(abs + "/hotplug-error"));
    }

    @Test
    void readOfMissingNodeIsEmpty() {
        assertEquals(Optional.empty(), client().read(abs + "/vifname"));
        assertEquals(Optional.empty(), client().read(rel + "/no/such/parent"));
    }

    @Test
    void relativePathsAreUnderDom0Home() {
        client().write(rel + "/hotplug-status", "connected");
        assertEquals(Optional.of("connected"), peek(abs + "/hotplug-status"));
        poke(abs + "/mac", "00:16:3e:00:00:01");
        assertEquals(Optional.of("00:16:3e:00:00:01"), client().read(rel + "/mac"));
        assertEquals(client().read(abs + "/mac"), client().read(rel + "/mac"));
    }

    @Test
    void directoryListsTheChildren() {
        poke(abs + "/bridge", "xenbr0");
        poke(abs + "/mac", "00:16:3e:00:00:01");
        client().write(abs + "/handle", "0");
        List<String> names = client().directory(rel);
        assertEquals(sorted(List.of("bridge", "mac", "handle")), sorted(names));
        assertEquals(sorted(peekChildren(abs)), sorted(names));
        assertEquals(List.of(), client().directory(abs + "/bridge"));
    }

    @Test
    void directoryOfMissingNodeIsNotFound() {
        XenStoreException e = assertThrows(XenStoreException.class, () -> client().directory(rel + "/nothing"));
        assertEquals("xenstore-list " + rel + "/nothing: ENOENT", e.getMessage());
        assertTrue(e.isNotFound());
    }

    @Test
    void mkdirCreatesAnEmptyNodeAndKeepsAnExistingValue() {
        client().mkdir(rel + "/d/e");
        assertEquals(Optional.of(""), peek(abs + "/d/e"));
        assertEquals(Optional.of(""), peek(abs + "/d"));
        poke(abs + "/d/e", "kept");
        client().mkdir(abs + "/d/e");
        assertEquals(Optional.of("kept"), peek(abs + "/d/e"));
    }

    @Test
    void removeDeletesTheSubtree() {
        poke(abs + "/x/y/z", "1");
        poke(abs + "/keep", "2");
        client().remove(rel + "/x");
        assertEquals(Optional.empty(), peek(abs + "/x/y/z"));
        assertEquals(Optional.empty(), peek(abs + "/x"));
        assertEquals(Optional.of("2"), peek(abs + "/keep"));
    }

    @Test
    void removeOfMissingNodeSucceeds() {
        poke(abs + "/keep", "2");
        client().remove(abs + "/gone"); // parent exists
        client().remove(abs + "/gone/deeper/still"); // parent missing: xenstored says ENOENT
        assertEquals(Optional.of("2"), peek(abs + "/keep"));
        assertEquals(Optional.empty(), peek(abs + "/gone"));
    }

    @Test
    void writeAllWritesEveryPair() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(rel + "/hotplug-status", "error");
        values.put(rel + "/hotplug-error", "vif-bridge online failed");
        values.put(abs + "/extra", "");
        client().writeAll(values);
        assertEquals(Optional.of("error"), peek(abs + "/hotplug-status"));
        assertEquals(Optional.of("vif-bridge online failed"), peek(abs + "/hotplug-error"));
        assertEquals(Optional.of(""), peek(abs + "/extra"));
    }

    @Test
    void watchFiresWhenSetUpAndOnChange() {
        client().watch(rel, "tok-1");
        assertEquals(Optional.of(new WatchEvent(abs, "tok-1")), client().nextWatchEvent(Duration.ofSeconds(5)));
        poke(abs + "/state", "4");
        assertEquals(new WatchEvent(abs + "/state", "tok-1"), awaitEvent(abs + "/state"));
        client().unwatch(rel, "tok-1");
        poke(abs + "/state", "5");
        assertEquals(Optional.empty(), client().nextWatchEvent(Duration.ofMillis(200)));
    }

    /** The first event on {@code path}, skipping others (a daemon may add events on parents). */
    protected WatchEvent awaitEvent(String path) {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<WatchEvent> seen = new ArrayList<>();
        while (System.nanoTime() < end) {
            Optional<WatchEvent> e = client().nextWatchEvent(Duration.ofMillis(100));
            if (e.isPresent() && e.get().path().equals(path)) {
                return e.get();
            }
            e.ifPresent(seen::add);
        }
        throw new AssertionError("no watch event on " + path + " within 5 s; saw " + seen);
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }
}
