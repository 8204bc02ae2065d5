// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.log.Log;

/**
 * {@link XenStore} spoken directly to xenstored, over its Unix socket or the xenbus device, without
 * the xenstore-* tools.
 *
 * <p>Endpoint: {@code XENSTORED_PATH} when the environment sets it (and then only that, as in
 * libxenstore), otherwise {@code /run/xenstored/socket}, {@code /var/run/xenstored/socket} and
 * {@code /dev/xen/xenbus}, the first that connects. Every request waits at most the timeout given
 * to {@link #connect}.
 *
 * <p>Relative paths are resolved here against {@value #HOME}, what xenstored does for the
 * xenstore-* tools in dom0; errors show the path as the caller gave it. Paths are sent as they are
 * otherwise: xenstored checks their syntax and answers EINVAL.
 */
public final class XenStoreClient implements XenStore {
    private static final Log LOG = Log.get(XenStoreClient.class);

    public static final String ENV_XENSTORED_PATH = "XENSTORED_PATH";

    /** Where xenstored is looked for when {@code XENSTORED_PATH} is not set, in this order. */
    public static final List<String> DEFAULT_ENDPOINTS =
            List.of("/run/xenstored/socket", "/var/run/xenstored/socket", "/dev/xen/xenbus");

    /** dom0's home, against which relative paths are resolved. */
    public static final String HOME = "/local/domain/0";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** How often {@link #writeAll} starts its transaction again after EAGAIN (a conflicting commit). */
    public static final int TRANSACTION_RETRIES = 5;

    private final XsConnection connection;

    private XenStoreClient(XsConnection connection) {
        this.connection = connection;
    }

    /**
     * Connects to xenstored.
     *
     * @param env the process environment as the caller holds it ({@code XENSTORED_PATH} is read)
     * @param timeout how long any one request may wait for its answer
     * @throws XenStoreException naming every endpoint tried and why each failed
     */
    public static XenStoreClient connect(Map<String, String> env, Duration timeout) {
        return connect(env, timeout, timeout);
    }

    /**
     * Connects, retrying a daemon too busy to accept (a boot storm: xenstored listens with a
     * backlog of 1) for up to {@code connectBudget}; each request then waits at most
     * {@code timeout}.
     */
    public static XenStoreClient connect(Map<String, String> env, Duration timeout, Duration connectBudget) {
        List<Path> defaults = new ArrayList<>();
        for (String p : DEFAULT_ENDPOINTS) {
            defaults.add(Path.of(p));
        }
        return connect(env, timeout, connectBudget, defaults);
    }

    /** With other default endpoints, for tests. */
    static XenStoreClient connect(Map<String, String> env, Duration timeout, List<Path> defaults) {
        return connect(env, timeout, timeout, defaults);
    }

    static XenStoreClient connect(Map<String, String> env, Duration timeout, Duration connectBudget,
            List<Path> defaults) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (connectBudget.isNegative() || connectBudget.isZero()) {
            throw new XenStoreException("cannot connect to xenstored: the call's time budget is used up", null);
        }
        return new XenStoreClient(XsConnection.open(env, timeout, connectBudget, defaults));
    }

    /** The socket or device this client talks to. */
    public String endpoint() {
        return connection.endpoint();
    }

    @Override
    public Optional<String> read(String path) {
        String op = "xenstore-read";
        try {
            return Optional.of(connection.call(op, path, Xs.XS_READ, 0, payload(op, path, path)).text());
        } catch (XenStoreException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void write(String path, String value) {
        String op = "xenstore-write";
        connection.call(op, path, Xs.XS_WRITE, 0, writePayload(op, path, value));
    }

    @Override
    public void writeAll(Map<String, String> values) {
        if (values.isEmpty()) {
            return;
        }
        String op = "xenstore-write";
        String keys = String.join(" ", values.keySet());
        List<byte[]> writes = new ArrayList<>(values.size());
        values.forEach((k, v) -> writes.add(writePayload(op, k, v))); // refuse bad input before starting
        List<String> paths = new ArrayList<>(values.keySet());
        for (int attempt = 1; ; attempt++) {
            int tx = connection.call(op, keys, Xs.XS_TRANSACTION_START, 0, XsMessage.nulTerminated("")).transactionId();
            try {
                for (int i = 0; i < writes.size(); i++) {
                    connection.call(op, paths.get(i), Xs.XS_WRITE, tx, writes.get(i));
                }
            } catch (XenStoreException e) {
                abort(op, keys, tx, e);
                if (!retry(e, attempt)) {
                    throw e;
                }
                continue;
            }
            try {
                connection.call(op, keys, Xs.XS_TRANSACTION_END, tx, XsMessage.nulTerminated("T"));
                return;
            } catch (XenStoreException e) {
                // xenstored has ended the transaction whatever the answer: nothing to abort.
                if (!retry(e, attempt)) {
                    if ("EAGAIN".equals(e.error())) {
                        throw new XenStoreException(op, keys, "EAGAIN",
                                "the transaction conflicted with other writers " + attempt + " times");
                    }
                    throw e;
                }
            }
        }
    }

    private static boolean retry(XenStoreException e, int attempt) {
        if ("EAGAIN".equals(e.error()) && attempt <= TRANSACTION_RETRIES) {
            LOG.debug(() -> "transaction attempt " + attempt + " got EAGAIN, starting again");
            return true;
        }
        return false;
    }

    /** Ends the transaction with "F" after a failed write; a failure to do so rides along with the original. */
    private void abort(String op, String keys, int tx, XenStoreException cause) {
        if (!connection.isOpen() || "ETIMEDOUT".equals(cause.error())) {
            return; // the daemon drops the transaction with the connection; do not wait twice
        }
        try {
            connection.call(op, keys, Xs.XS_TRANSACTION_END, tx, XsMessage.nulTerminated("F"));
        } catch (XenStoreException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void remove(String path) {
        String op = "xenstore-rm";
        try {
            connection.call(op, path, Xs.XS_RM, 0, payload(op, path, path));
        } catch (XenStoreException e) {
            // xenstored answers ENOENT only when the parent is missing too: still nothing to remove.
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    @Override
    public List<String> directory(String path) {
        String op = "xenstore-list";
        return connection.call(op, path, Xs.XS_DIRECTORY, 0, payload(op, path, path)).strings();
    }

    @Override
    public void mkdir(String path) {
        String op = "xenstore-mkdir";
        connection.call(op, path, Xs.XS_MKDIR, 0, payload(op, path, path));
    }

    /**
     * Equivalent to: {@code xenstore-watch PATH} (with a token of ours). xenstored fires the watch
     * once straight away, then on every change at or below the path. Events carry absolute paths,
     * since relative paths are resolved before they are sent.
     */
    public void watch(String path, String token) {
        String op = "xenstore-watch";
        connection.call(op, path, Xs.XS_WATCH, 0, payload(op, path, path, token));
    }

    /** Removes a watch set with {@link #watch}; events already queued stay queued. */
    public void unwatch(String path, String token) {
        String op = "xenstore-unwatch";
        connection.call(op, path, Xs.XS_UNWATCH, 0, payload(op, path, path, token));
    }

    /**
     * The next watch event, in arrival order, waiting at most {@code wait}; empty when none came.
     * Events are queued as they arrive, also while other requests wait for their replies.
     */
    public Optional<WatchEvent> nextWatchEvent(Duration wait) {
        return connection.nextWatchEvent(wait);
    }

    /** Whether the connection still stands (false once xenstored closed it or it was closed). */
    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        connection.close();
    }

    // ---- paths and payloads ----

    /** {@code backend/vif/3/0} is {@code /local/domain/0/backend/vif/3/0}; absolute and @special paths stay. */
    static String resolve(String path) {
        return path.startsWith("/") || path.startsWith("@") ? path : HOME + "/" + path;
    }

    /** NUL-terminated strings; the first is the path, resolved. Refuses what cannot be sent. */
    private static byte[] payload(String op, String shownPath, String path, String... more) {
        String[] parts = new String[1 + more.length];
        parts[0] = resolve(checked(op, shownPath, path));
        for (int i = 0; i < more.length; i++) {
            parts[i + 1] = checked(op, shownPath, more[i]);
        }
        return sized(op, shownPath, XsMessage.nulTerminated(parts));
    }

    private static byte[] writePayload(String op, String path, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return sized(op, path, XsMessage.pathAndValue(resolve(checked(op, path, path)), v));
    }

    /** A NUL would end the string early and shift every argument after it. */
    private static String checked(String op, String shownPath, String s) {
        if (s.indexOf('\0') >= 0) {
            throw new XenStoreException(op, shownPath, "EINVAL", "contains a NUL byte");
        }
        return s;
    }

    /** xenstored drops a connection that sends more than XENSTORE_PAYLOAD_MAX, so refuse it here. */
    private static byte[] sized(String op, String shownPath, byte[] payload) {
        if (payload.length > Xs.XENSTORE_PAYLOAD_MAX) {
            throw new XenStoreException(op, shownPath, "E2BIG", "request of " + payload.length
                    + " bytes, XenStore takes at most " + Xs.XENSTORE_PAYLOAD_MAX);
        }
        return payload;
    }

    /** "5 s", "300 ms". */
    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
