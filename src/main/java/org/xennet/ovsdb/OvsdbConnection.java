// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.xennet.jna.UnixStreamSocket;
import org.xennet.log.Log;

/**
 * JSON-RPC 1.0 to ovsdb-server over its Unix socket (RFC 7047 section 4): numbered requests,
 * each answered by the reply with the same id within a bounded time. A reader thread takes whole
 * messages off the stream: replies go to the caller, notifications ({@code update} of a monitor)
 * to their own queue, and the server's {@code echo} (its inactivity probe) is answered at once.
 * A dead or silent server costs a caller at most the timeout, never a hang.
 */
public final class OvsdbConnection implements AutoCloseable {
    private static final Log LOG = Log.get(OvsdbConnection.class);

    private static final Map<String, Object> END = Map.of();

    private final String endpoint;
    private final ByteChannel channel;
    private final Duration timeout;
    private final Object writeLock = new Object();
    private final BlockingQueue<Map<String, Object>> replies = new LinkedBlockingQueue<>();
    private final BlockingQueue<Map<String, Object>> notifications = new LinkedBlockingQueue<>();
    private volatile String failure;
    private long nextId;

    /** Over an open channel (the socket, or a scripted one in tests); {@code timeout} bounds each request. */
    public OvsdbConnection(String endpoint, ByteChannel channel, Duration timeout) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.timeout = timeout;
        Thread reader = new Thread(this::readLoop, "ovsdb-reader " + endpoint);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects to ovsdb-server's Unix socket (connecting may take {@code connectBudget}); each
     * request then waits at most {@code timeout}.
     *
     * @throws OvsdbException ({@code connect}) naming the socket and why, with a hint when the
     *     server is not running
     */
    public static OvsdbConnection open(String socket, Duration timeout, Duration connectBudget) {
        try {
            return new OvsdbConnection(socket, UnixStreamSocket.connect(socket, connectBudget), timeout);
        } catch (NoSuchFileException e) {
            throw new OvsdbException("cannot connect to ovsdb-server at " + socket + ": No such file or directory "
                    + "(is Open vSwitch running? Debian: systemctl start openvswitch-switch)", "connect", e);
        } catch (AccessDeniedException e) {
            throw new OvsdbException("cannot connect to ovsdb-server at " + socket + ": Permission denied", "connect", e);
        } catch (IOException e) {
            throw new OvsdbException("cannot connect to ovsdb-server at " + socket + ": " + e.getMessage()
                    + (String.valueOf(e.getMessage()).contains("refused") ? " (is ovsdb-server running?)" : ""),
                    "connect", e);
        }
    }

    public String endpoint() {
        return endpoint;
    }

    /**
     * Sends {@code method(params)} and returns the reply's {@code result}.
     *
     * @param what for errors: the ovs-vsctl command this request is part of
     * @throws OvsdbException for a reply with an error, no reply within the timeout, or a lost connection
     */
    public synchronized Object call(String what, String method, List<Object> params) {
        if (failure != null) {
            throw new OvsdbException(what + ": " + failure, "io");
        }
        long id = ++nextId;
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("method", method);
        request.put("params", params);
        request.put("id", id);
        send(what, request);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> reply;
            try {
                reply = replies.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OvsdbException(what + ": interrupted waiting for ovsdb-server", "io");
            }
            if (reply == null) {
                throw new OvsdbException(what + ": ovsdb-server at " + endpoint + " did not answer within "
                        + format(timeout), "timeout");
            }
            if (reply == END) {
                throw new OvsdbException(what + ": " + failure, "io");
            }
            Object rid = reply.get("id");
            if (!(rid instanceof Long) || (Long) rid != id) {
                LOG.debug(() -> "ovsdb: dropping a reply to request " + rid + ", not " + id);
                continue;
            }
            Object error = reply.get("error");
            if (error != null && error != OvsdbJson.NULL) {
                throw new OvsdbException(what + ": ovsdb-server: " + describeError(error), errorWord(error));
            }
            if (!reply.containsKey("result")) {
                throw new OvsdbFormatException(what + ": a reply without a result");
            }
            return reply.get("result");
        }
    }

    /** The next notification ({@code method} and {@code params}), waiting at most {@code wait}. */
    public Optional<Map<String, Object>> nextNotification(Duration wait) {
        Map<String, Object> n;
        try {
            n = notifications.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        if (n == END) {
            notifications.add(END);
            throw new OvsdbException("waiting for ovsdb-server: " + failure, "io");
        }
        return Optional.ofNullable(n);
    }

    private void send(String what, Map<String, Object> message) {
        byte[] bytes = OvsdbJson.write(message).getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            } catch (IOException e) {
                throw new OvsdbException(what + ": cannot send to ovsdb-server at " + endpoint + ": " + e.getMessage(),
                        "io", e);
            }
        }
    }

    static String describeError(Object error) {
        if (error instanceof Map<?, ?> m) {
            Object e = m.get("error");
            Object d = m.get("details");
            return (e instanceof String ? (String) e : String.valueOf(e))
                    + (d instanceof String && !((String) d).isEmpty() ? ": " + d : "");
        }
        return error instanceof String ? (String) error : OvsdbJson.write(error);
    }

    static String errorWord(Object error) {
        if (error instanceof Map<?, ?> m && m.get("error") instanceof String s) {
            return s;
        }
        return error instanceof String ? (String) error : "error";
    }

    private void readLoop() {
        String why;
        byte[] buf = new byte[16384];
        int len = 0;
        try {
            ByteBuffer chunk = ByteBuffer.allocate(16384);
            while (true) {
                int end;
                while ((end = OvsdbJson.frameEnd(buf, len)) < 0) {
                    chunk.clear();
                    int n = channel.read(chunk);
                    if (n < 0) {
                        throw new EOFException();
                    }
                    if (len + n > buf.length) {
                        if (len + n > OvsdbJson.MAX_MESSAGE) {
                            throw new OvsdbFormatException("a message longer than " + OvsdbJson.MAX_MESSAGE + " bytes");
                        }
                        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
                    }
                    System.arraycopy(chunk.array(), 0, buf, len, n);
                    len += n;
                }
                Object msg = OvsdbJson.parse(buf, 0, end);
                System.arraycopy(buf, end, buf, 0, len - end);
                len -= end;
                dispatch(msg);
            }
        } catch (EOFException e) {
            why = "ovsdb-server at " + endpoint + " closed the connection";
        } catch (ClosedChannelException e) {
            why = "the connection to ovsdb-server at " + endpoint + " is closed";
        } catch (IOException e) {
            why = "reading from ovsdb-server at " + endpoint + " failed: " + e.getMessage();
        } catch (OvsdbException e) {
            why = "ovsdb-server at " + endpoint + " sent something that is not JSON-RPC: " + e.getMessage();
        }
        if (failure == null) {
            failure = why;
        }
        replies.add(END);
        notifications.add(END);
    }

    @SuppressWarnings("unchecked")
    private void dispatch(Object msg) {
        if (!(msg instanceof Map)) {
            throw new OvsdbFormatException("a message that is not an object");
        }
        Map<String, Object> m = (Map<String, Object>) msg;
        Object method = m.get("method");
        if (method == null) {
            replies.add(m); // a reply
            return;
        }
        Object id = m.get("id");
        if (id == null || id == OvsdbJson.NULL) {
            notifications.add(m);
            return;
        }
        // a request from the server: echo is its keep-alive; anything else is answered with an error
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("id", id);
        if ("echo".equals(method)) {
            reply.put("result", m.getOrDefault("params", List.of()));
            reply.put("error", OvsdbJson.NULL);
        } else {
            reply.put("result", OvsdbJson.NULL);
            reply.put("error", "unknown method");
        }
        try {
            send("echo", reply);
        } catch (OvsdbException e) {
            LOG.debug(() -> "ovsdb: cannot answer the server's " + method + ": " + e.getMessage());
        }
    }

    public boolean isOpen() {
        return failure == null;
    }

    @Override
    public void close() {
        if (failure == null) {
            failure = "the connection to ovsdb-server at " + endpoint + " is closed";
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug(() -> "closing " + endpoint + ": " + e);
        }
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
