// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xennet.testing.XenstoredFixture;

/**
 * {@link XenStoreClient} against the real xenstored, cross-checked with the xenstore-* tools: what
 * xennet writes xenstore-read sees, and the other way round. Runs the same contract as the fake
 * ({@link XenStoreContract}), which keeps the fake honest.
 */
@Tag("xenstored")
@Timeout(60) // a hang is a failure, not a stuck build
class RealXenstoredTest extends XenStoreContract {
    private static XenstoredFixture daemon;
    private XenStoreClient client;

    @BeforeAll
    static void startDaemon() {
        daemon = XenstoredFixture.start();
    }

    @AfterAll
    static void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @BeforeEach
    void connect() {
        client = XenStoreClient.connect(daemon.env(), Duration.ofSeconds(5));
    }

    @AfterEach
    void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    protected XenStoreClient client() {
        return client;
    }

    @Override
    protected Optional<String> peek(String absPath) {
        return Optional.ofNullable(daemon.read(absPath));
    }

    @Override
    protected void poke(String absPath, String value) {
        daemon.write(absPath, value);
    }

    @Override
    protected List<String> peekChildren(String absPath) {
        return daemon.ls(absPath);
    }

    @Test
    void connectsToTheFixturesSocket() {
        assertEquals(daemon.socketPath().toString(), client.endpoint());
    }

    @Test
    void relativeBackendPathIsDom0s() {
        // XENBUS_PATH as libxl passes it; the same path xenstore-write resolves in dom0
        try (XenstoredFixture own = XenstoredFixture.start();
                XenStoreClient c = XenStoreClient.connect(own.env(), Duration.ofSeconds(5))) {
            c.write("backend/vif/3/0/x", "rel");
            assertEquals("rel", own.read("/local/domain/0/backend/vif/3/0/x"));
            assertEquals("rel", own.read("backend/vif/3/0/x")); // xenstore-read resolves it the same way
            own.write("/local/domain/0/backend/vif/3/0/x", "abs");
            assertEquals(Optional.of("abs"), c.read("backend/vif/3/0/x"));
            own.rm("backend/vif/3/0/x");
            assertEquals(Optional.empty(), c.read("/local/domain/0/backend/vif/3/0/x"));
        }
    }

    @Test
    void removedByTheToolsIsGoneForUsAndTheOtherWayRound() {
        daemon.write(abs + "/a", "1");
        daemon.rm(abs + "/a");
        assertEquals(Optional.empty(), client.read(abs + "/a"));
        client.write(abs + "/b", "2");
        client.remove(rel + "/b");
        assertEquals(null, daemon.read(abs + "/b"));
    }

    @Test
    void writeAllCommitsAgainstTheRealDaemon() {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            values.put(rel + "/k" + i, "v" + i);
        }
        client.writeAll(values);
        assertEquals(20, daemon.ls(abs).size());
        assertEquals("v19", daemon.read(abs + "/k19"));
    }

    @Test
    void theDaemonsErrorsComeThroughByName() {
        // "//" is not a valid path: xenstored answers EINVAL
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.write(abs + "//x", "1"));
        assertEquals("xenstore-write " + abs + "//x: EINVAL", e.getMessage());
        XenStoreException list = assertThrows(XenStoreException.class, () -> client.directory(abs + "/none"));
        assertTrue(list.isNotFound(), list.getMessage());
    }

    @Test
    void aStoppedDaemonFailsFastNotHanging() {
        XenstoredFixture own = XenstoredFixture.start();
        XenStoreClient c = XenStoreClient.connect(own.env(), Duration.ofSeconds(5));
        try (c) {
            c.write("/x", "1");
            own.close(); // kills the daemon
            long t0 = System.nanoTime();
            XenStoreException e = assertThrows(XenStoreException.class, () -> c.read("/x"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5500, "took " + ms + " ms");
            assertTrue(e.getMessage().startsWith("xenstore-read /x: "), e.getMessage());
        }
    }
}
