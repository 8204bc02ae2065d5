// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.xenstore.FakeXenstored.Request;

/**
 * {@link XenStoreClient} against {@link FakeXenstored} over a real Unix socket: the contract, the
 * exact requests sent, and the failures a fake can stage (error replies, EAGAIN, silence, hang-ups,
 * stray messages).
 */
@Tag("ops")
@Timeout(30) // a hang is a failure, not a stuck build
class XenStoreClientTest extends XenStoreContract {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private FakeXenstored fake;
    private XenStoreClient client;

    @BeforeEach
    void start() {
        fake = FakeXenstored.start(dir);
        client = XenStoreClient.connect(fake.env(), TIMEOUT);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        fake.close();
    }

    @Override
    protected XenStoreClient client() {
        return client;
    }

    @Override
    protected Optional<String> peek(String absPath) {
        return fake.get(absPath);
    }

    @Override
    protected void poke(String absPath, String value) {
        fake.put(absPath, value);
    }

    @Override
    protected List<String> peekChildren(String absPath) {
        return fake.children(absPath);
    }

    /** The requests as "TYPE tx payload", NULs shown as |, for comparing whole conversations. */
    private List<String> sent() {
        return fake.requests().stream().map(r -> r.type() + " tx" + r.txId() + " " + r.text())
                .collect(Collectors.toList());
    }

    // ---- the requests on the wire ----

    @Test
    void sendsEachOperationAsXenstoredExpectsIt() {
        client.write("backend/vif/3/0/bridge", "xenbr0");
        client.read("backend/vif/3/0/bridge");
        client.mkdir("/local/domain/3/device");
        client.directory("backend/vif/3/0");
        client.remove("backend/vif/3/0/bridge");
        assertEquals(List.of(
                "11 tx0 /local/domain/0/backend/vif/3/0/bridge|xenbr0", // XS_WRITE: value not terminated
                "2 tx0 /local/domain/0/backend/vif/3/0/bridge|", // XS_READ
                "12 tx0 /local/domain/3/device|", // XS_MKDIR
                "1 tx0 /local/domain/0/backend/vif/3/0|", // XS_DIRECTORY
                "13 tx0 /local/domain/0/backend/vif/3/0/bridge|"), // XS_RM
                sent());
    }

    @Test
    void requestIdsAreDistinctAndRepliesAreMatchedByThem() {
        fake.put("/local/domain/0/a", "right");
        fake.staleReplyBeforeNextReply("stale"); // a reply to another req_id arrives first
        assertEquals(Optional.of("right"), client.read("a"));
        client.read("a");
        client.write("a", "b");
        List<Integer> ids = fake.requests().stream().map(Request::reqId).toList();
        assertEquals(3, ids.stream().distinct().count(), ids.toString());
        assertFalse(ids.contains(0), "req_id 0 is what watch events carry: " + ids);
    }

    @Test
    void aReplyOfTheWrongTypeIsAnError() {
        fake.put("/local/domain/0/a", "v");
        fake.answerNextWithType(FakeXenstored.WRITE);
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.read("a"));
        assertEquals("xenstore-read a: EIO (xenstored answered XS_READ with XS_WRITE)", e.getMessage());
    }

    // ---- errors ----

    @Test
    void anErrorReplyNamesOperationPathAndErrno() {
        fake.failNext(FakeXenstored.WRITE, null, "EACCES");
        XenStoreException e = assertThrows(XenStoreException.class,
                () -> client.write("backend/vif/3/0/hotplug-status", "connected"));
        assertEquals("xenstore-write backend/vif/3/0/hotplug-status: EACCES", e.getMessage());
        assertEquals("EACCES", e.error());
        assertFalse(e.isNotFound());
        client.write("backend/vif/3/0/hotplug-status", "connected"); // the connection is still good
        assertEquals(Optional.of("connected"), fake.get("/local/domain/0/backend/vif/3/0/hotplug-status"));
    }

    @Test
    void readErrorsOtherThanNotFoundAreThrown() {
        fake.failNext(FakeXenstored.READ, null, "EACCES");
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.read("backend/vif/3/0/bridge"));
        assertEquals("xenstore-read backend/vif/3/0/bridge: EACCES", e.getMessage());
    }

    @Test
    void removeErrorsOtherThanNotFoundAreThrown() {
        fake.failNext(FakeXenstored.RM, null, "EACCES");
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.remove("/local/domain/7"));
        assertEquals("xenstore-rm /local/domain/7: EACCES", e.getMessage());
    }

    @Test
    void mkdirAndDirectoryErrorsAreThrown() {
        fake.failNext(FakeXenstored.MKDIR, null, "ENOSPC");
        assertEquals("xenstore-mkdir d: ENOSPC",
                assertThrows(XenStoreException.class, () -> client.mkdir("d")).getMessage());
        fake.failNext(FakeXenstored.DIRECTORY, null, "EACCES");
        assertEquals("xenstore-list /: EACCES",
                assertThrows(XenStoreException.class, () -> client.directory("/")).getMessage());
    }

    @Test
    void inputThatCannotBeSentIsRefusedBeforeSending() {
        XenStoreException nul = assertThrows(XenStoreException.class, () -> client.read("a\0b"));
        assertEquals("xenstore-read a\0b: EINVAL (contains a NUL byte)", nul.getMessage());
        XenStoreException big = assertThrows(XenStoreException.class, () -> client.write("/a", "x".repeat(4094)));
        assertEquals("xenstore-write /a: E2BIG (request of 4097 bytes, XenStore takes at most 4096)",
                big.getMessage());
        client.write("/a", "x".repeat(4093)); // exactly 4096 bytes of payload
        assertEquals(List.of("11 tx0 /a|" + "x".repeat(4093)), sent());
    }

    // ---- transactions ----

    @Test
    void writeAllIsOneTransaction() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("backend/vif/3/0/hotplug-status", "connected");
        values.put("/local/domain/3/device/vif/0/mtu", "9000");
        client.writeAll(values);
        assertEquals(List.of(
                "6 tx0 |", // XS_TRANSACTION_START with an empty string
                "11 tx1 /local/domain/0/backend/vif/3/0/hotplug-status|connected",
                "11 tx1 /local/domain/3/device/vif/0/mtu|9000",
                "7 tx1 T|"), // XS_TRANSACTION_END commit
                sent());
        assertEquals(Optional.of("9000"), fake.get("/local/domain/3/device/vif/0/mtu"));
    }

    @Test
    void writeAllIsInvisibleUntilCommitted() {
        fake.failNext(FakeXenstored.TRANSACTION_END, null, "ENOSPC"); // the commit fails
        Map<String, String> values = Map.of("a", "1");
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.writeAll(values));
        assertEquals("xenstore-write a: ENOSPC", e.getMessage());
        assertEquals(Optional.empty(), fake.get("/local/domain/0/a"));
    }

    @Test
    void writeAllStartsAgainAfterEagain() {
        fake.refuseCommits(XenStoreClient.TRANSACTION_RETRIES);
        client.writeAll(Map.of("backend/vif/3/0/hotplug-status", "connected"));
        assertEquals(XenStoreClient.TRANSACTION_RETRIES + 1, fake.requests(FakeXenstored.TRANSACTION_START).size());
        assertEquals(Optional.of("connected"), fake.get("/local/domain/0/backend/vif/3/0/hotplug-status"));
        // each attempt wrote with its own transaction
        List<Integer> txs = fake.requests(FakeXenstored.WRITE).stream().map(Request::txId).toList();
        assertEquals(List.of(1, 2, 3, 4, 5, 6), txs);
    }

    @Test
    void writeAllGivesUpAfterTheLastRetry() {
        fake.refuseCommits(XenStoreClient.TRANSACTION_RETRIES + 1);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("backend/vif/3/0/hotplug-status", "connected");
        values.put("backend/vif/3/0/x", "y");
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.writeAll(values));
        assertEquals("xenstore-write backend/vif/3/0/hotplug-status backend/vif/3/0/x: EAGAIN"
                + " (the transaction conflicted with other writers 6 times)", e.getMessage());
        assertEquals("EAGAIN", e.error());
        assertEquals(6, fake.requests(FakeXenstored.TRANSACTION_START).size());
        assertEquals(Optional.empty(), fake.get("/local/domain/0/backend/vif/3/0/hotplug-status"));
    }

    @Test
    void writeAllRetriesWhenAnotherWriterCommitsFirst() {
        // another client changes the store between our start and our end: xenstored says EAGAIN
        fake.beforeNext(FakeXenstored.TRANSACTION_END, () -> fake.put("/local/domain/0/other", "theirs"));
        client.writeAll(Map.of("/local/domain/0/a", "mine"));
        assertEquals(Optional.of("mine"), fake.get("/local/domain/0/a"));
        assertEquals(Optional.of("theirs"), fake.get("/local/domain/0/other"));
        assertEquals(List.of(
                "6 tx0 |",
                "11 tx1 /local/domain/0/a|mine",
                "7 tx1 T|", // EAGAIN: xenstored has dropped the transaction, nothing to abort
                "6 tx0 |",
                "11 tx2 /local/domain/0/a|mine",
                "7 tx2 T|"),
                sent());
    }

    @Test
    void writeAllAbandonsAndRetriesWhenAWriteGetsEagain() {
        fake.failNext(FakeXenstored.WRITE, "/local/domain/0/a", "EAGAIN");
        client.writeAll(Map.of("/local/domain/0/a", "mine"));
        assertEquals(Optional.of("mine"), fake.get("/local/domain/0/a"));
        assertEquals(List.of(
                "6 tx0 |",
                "11 tx1 /local/domain/0/a|mine",
                "7 tx1 F|", // the failed attempt is abandoned
                "6 tx0 |",
                "11 tx2 /local/domain/0/a|mine",
                "7 tx2 T|"),
                sent());
    }

    @Test
    void writeAllAbortsOnAnyOtherError() {
        fake.put("/local/domain/0/backend/vif/3/0/old", "1");
        fake.failNext(FakeXenstored.WRITE, "/local/domain/0/backend/vif/3/0/b", "EACCES");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("backend/vif/3/0/a", "1");
        values.put("backend/vif/3/0/b", "2");
        values.put("backend/vif/3/0/c", "3");
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.writeAll(values));
        assertEquals("xenstore-write backend/vif/3/0/b: EACCES", e.getMessage());
        assertEquals(List.of(
                "6 tx0 |",
                "11 tx1 /local/domain/0/backend/vif/3/0/a|1",
                "11 tx1 /local/domain/0/backend/vif/3/0/b|2",
                "7 tx1 F|"), // abort, and no third write
                sent());
        assertEquals(List.of("old"), fake.children("/local/domain/0/backend/vif/3/0")); // a was not committed
    }

    @Test
    void writeAllOfNothingSendsNothing() {
        client.writeAll(Map.of());
        assertEquals(List.of(), sent());
    }

    // ---- asynchronous watch events ----

    @Test
    void watchEventsBeforeAReplyAreQueuedNotTakenForIt() {
        fake.put("/local/domain/0/a", "value");
        client.watch("/local/domain/0/a", "t");
        fake.watchEventBeforeNextReply("/local/domain/0/a/b", "t");
        assertEquals(Optional.of("value"), client.read("a"));
        assertEquals(Optional.of(new WatchEvent("/local/domain/0/a", "t")), client.nextWatchEvent(TIMEOUT));
        assertEquals(Optional.of(new WatchEvent("/local/domain/0/a/b", "t")), client.nextWatchEvent(TIMEOUT));
        assertEquals(Optional.empty(), client.nextWatchEvent(Duration.ofMillis(50)));
        assertEquals(List.of(
                "4 tx0 /local/domain/0/a|t|", // XS_WATCH: path and token
                "2 tx0 /local/domain/0/a|"),
                sent());
        client.unwatch("/local/domain/0/a", "t");
        assertEquals("5 tx0 /local/domain/0/a|t|", sent().get(2));
    }

    // ---- a daemon that does not answer ----

    @Test
    void aSilentDaemonTimesOutWithAClearMessage() {
        client.close();
        client = XenStoreClient.connect(fake.env(), Duration.ofMillis(300));
        fake.fallSilent();
        long t0 = System.nanoTime();
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.read("backend/vif/3/0/bridge"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("xenstore-read backend/vif/3/0/bridge: ETIMEDOUT (xenstored at " + fake.socketPath()
                + " did not answer within 300 ms)", e.getMessage());
        assertTrue(ms >= 290 && ms < 2000, "took " + ms + " ms");
    }

    @Test
    void aTimeoutInsideWriteAllDoesNotWaitTwice() {
        client.close();
        client = XenStoreClient.connect(fake.env(), Duration.ofMillis(500));
        fake.beforeNext(FakeXenstored.WRITE, fake::fallSilent); // the transaction starts, then silence
        long t0 = System.nanoTime();
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.writeAll(Map.of("/x", "1")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("xenstore-write /x: ETIMEDOUT (xenstored at " + fake.socketPath()
                + " did not answer within 500 ms)", e.getMessage());
        // no abort ("F") sent into the silence to wait for: xenstored drops the transaction with the connection
        assertEquals(List.of("6 tx0 |", "11 tx1 /x|1"), sent());
        assertTrue(ms < 950, "took " + ms + " ms");
    }

    @Test
    void aHangUpFailsAtOnceAndForEveryLaterCall() {
        fake.hangUpOnNextRequest();
        long t0 = System.nanoTime();
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.read("backend/vif/3/0/bridge"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("xenstore-read backend/vif/3/0/bridge: EIO (xenstored at " + fake.socketPath()
                + " closed the connection)", e.getMessage());
        assertTrue(ms < 2000, "took " + ms + " ms");
        XenStoreException again = assertThrows(XenStoreException.class, () -> client.write("a", "b"));
        assertEquals("xenstore-write a: EIO (xenstored at " + fake.socketPath() + " closed the connection)",
                again.getMessage());
        for (int i = 0; i < 2; i++) { // every time, not just once
            XenStoreException watch = assertThrows(XenStoreException.class, () -> client.nextWatchEvent(TIMEOUT));
            assertEquals("xenstore-watch: xenstored at " + fake.socketPath() + " closed the connection",
                    watch.getMessage());
        }
    }

    @Test
    void aClosedClientSaysSo() {
        client.close();
        XenStoreException e = assertThrows(XenStoreException.class, () -> client.read("a"));
        assertEquals("xenstore-read a: EIO (the connection to xenstored at " + fake.socketPath() + " is closed)",
                e.getMessage());
    }

    // ---- finding xenstored ----

    @Test
    void defaultEndpointsAreTriedInOrder() throws IOException {
        Path missing = dir.resolve("missing");
        Path file = Files.writeString(dir.resolve("file"), "");
        Path second = dir.resolve("second");
        Files.createDirectory(second);
        try (FakeXenstored other = FakeXenstored.start(second);
                XenStoreClient c = XenStoreClient.connect(Map.of(), TIMEOUT,
                        List.of(missing, file, fake.socketPath(), other.socketPath()))) {
            assertEquals(fake.socketPath().toString(), c.endpoint());
            c.write("/picked", "first");
            assertEquals(Optional.of("first"), fake.get("/picked"));
            assertEquals(0, other.connections());
        }
    }

    @Test
    void xenstoredPathIsTheOnlyEndpointWhenSet() throws IOException {
        Path second = dir.resolve("second");
        Files.createDirectory(second);
        try (FakeXenstored other = FakeXenstored.start(second);
                XenStoreClient c = XenStoreClient.connect(other.env(), TIMEOUT, List.of(fake.socketPath()))) {
            assertEquals(other.socketPath().toString(), c.endpoint());
        }
        client.read("/"); // our own client is surely accepted and counted by now
        int before = fake.connections();
        Map<String, String> env = Map.of("XENSTORED_PATH", dir.resolve("nothing-here").toString());
        XenStoreException e = assertThrows(XenStoreException.class,
                () -> XenStoreClient.connect(env, TIMEOUT, List.of(fake.socketPath())));
        assertEquals("cannot connect to xenstored: tried XENSTORED_PATH=" + dir.resolve("nothing-here")
                + " (No such file or directory)", e.getMessage());
        assertEquals(before, fake.connections(), "must not fall back to the defaults");
    }

    @Test
    void whenNothingAnswersTheMessageNamesEveryEndpointAndWhy() throws IOException {
        Path missing = dir.resolve("missing");
        Path file = Files.writeString(dir.resolve("file"), "");
        Path stale = dir.resolve("stale");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale)); // a socket file nobody listens on after close
        }
        XenStoreException e = assertThrows(XenStoreException.class,
                () -> XenStoreClient.connect(Map.of(), TIMEOUT, List.of(missing, file, stale)));
        assertEquals("cannot connect to xenstored: tried " + missing + " (No such file or directory), " + file
                + " (not a socket or character device), " + stale + " (Connection refused)", e.getMessage());
        assertEquals("EIO", e.error());
    }

    @Test
    void theDefaultEndpointsAreXensOwn() {
        assertEquals(List.of("/run/xenstored/socket", "/var/run/xenstored/socket", "/dev/xen/xenbus"),
                XenStoreClient.DEFAULT_ENDPOINTS);
    }

    @Test
    void aCharacterDeviceIsOpenedLikeXenbus() {
        // /dev/null takes the request and answers end-of-file: the device path, then a clear error.
        try (XenStoreClient c = XenStoreClient.connect(Map.of("XENSTORED_PATH", "/dev/null"), TIMEOUT)) {
            assertEquals("/dev/null", c.endpoint());
            XenStoreException e = assertThrows(XenStoreException.class, () -> c.read("a"));
            assertEquals("xenstore-read a: EIO (xenstored at /dev/null closed the connection)", e.getMessage());
        }
    }

    @Test
    void timeoutsAreShownAsWritten() {
        assertEquals("5 s", XenStoreClient.format(Duration.ofSeconds(5)));
        assertEquals("300 ms", XenStoreClient.format(Duration.ofMillis(300)));
        assertEquals("1500 ms", XenStoreClient.format(Duration.ofMillis(1500)));
    }
}
