// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.xennet.jna.UnixStreamSocket;
import org.xennet.log.Log;

/**
 * The transport to xenstored: opens its Unix socket or the xenbus device, numbers each request,
 * and waits a bounded time for the reply with the same req_id.
 *
 * <p>A reader thread takes whole messages off the stream: XS_WATCH_EVENTs, which xenstored sends
 * whenever a watched node changes, go to their own queue; everything else is a reply. A reply with
 * another req_id (the late answer to a request that timed out) is dropped. A dead or silent daemon
 * costs the caller at most the timeout, never a hang.
 */
final class XsConnection implements AutoCloseable {
    private static final Log LOG = Log.get(XsConnection.class);

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFCHR = 0020000;

    /** Put on the reply queue when the stream ends, so that a waiting request wakes up at once. */
    private static final XsMessage END = new XsMessage(Xs.XS_INVALID, 0, 0, new byte[0]);
    private static final WatchEvent END_OF_EVENTS = new WatchEvent("", "");

    private final String endpoint;
    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final AutoCloseable resource;
    private final Duration timeout;
    private final BlockingQueue<XsMessage> replies = new LinkedBlockingQueue<>();
    private final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    private volatile String failure; // why the stream ended; null while it is open
    private int reqId;

    private XsConnection(String endpoint, ReadableByteChannel in, WritableByteChannel out, AutoCloseable resource,
            Duration timeout) {
        this.endpoint = endpoint;
        this.in = in;
        this.out = out;
        this.resource = resource;
        this.timeout = timeout;
        Thread reader = new Thread(this::readLoop, "xenstore-reader " + endpoint);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects to the first endpoint that answers: {@code XENSTORED_PATH} alone when the
     * environment sets it (as libxenstore does: a test daemon must never fall back to the host's),
     * otherwise each of {@code defaults} in order.
     *
     * @throws XenStoreException naming every endpoint tried and why it failed
     */
    static XsConnection open(Map<String, String> env, Duration timeout, Duration connectBudget, List<Path> defaults) {
        String override = env.get(XenStoreClient.ENV_XENSTORED_PATH);
        List<String> labels = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        if (override != null && !override.isEmpty()) {
            labels.add(XenStoreClient.ENV_XENSTORED_PATH + "=" + override);
            candidates.add(Path.of(override));
        } else {
            for (Path p : defaults) {
                labels.add(p.toString());
                candidates.add(p);
            }
        }
        List<String> tried = new ArrayList<>();
        IOException last = null;
        for (int i = 0; i < candidates.size(); i++) {
            try {
                return open(candidates.get(i), timeout, connectBudget);
            } catch (IOException e) {
                last = e;
                tried.add(labels.get(i) + " (" + reason(e) + ")");
            }
        }
        throw new XenStoreException("cannot connect to xenstored: tried " + String.join(", ", tried), last);
    }

    private static XsConnection open(Path path, Duration timeout, Duration connectBudget) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        String name = path.toString();
        if ((mode & S_IFMT) == S_IFSOCK) {
            UnixStreamSocket ch = UnixStreamSocket.connect(name, connectBudget);
            return new XsConnection(name, ch, ch, ch, timeout);
        }
        if ((mode & S_IFMT) == S_IFCHR) {
            // /dev/xen/xenbus speaks the same framing. A FileChannel serialises read and write on
            // one lock, so the reader thread would block every request: read and write through
            // separate streams on the one descriptor instead.
            RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw");
            FileInputStream fin = new FileInputStream(f.getFD());
            FileOutputStream fout = new FileOutputStream(f.getFD());
            AutoCloseable all = () -> {
                try (f; fout; fin) {
                    fin.getChannel().close(); // wakes the reader blocked in read()
                }
            };
            return new XsConnection(name, fin.getChannel(), fout.getChannel(), all, timeout);
        }
        throw new IOException("not a socket or character device");
    }

    /** "No such file or directory", "Connection refused": the part of an IOException a person needs. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        // FileNotFoundException says "/dev/xen/xenbus (Permission denied)"
        int open = m.lastIndexOf(" (");
        return open >= 0 && m.endsWith(")") && m.startsWith("/") ? m.substring(open + 2, m.length() - 1) : m;
    }

    String endpoint() {
        return endpoint;
    }

    /**
     * Sends one request and returns xenstored's reply to it.
     *
     * @param operation for errors: "xenstore-read"
     * @param shownPath for errors: the path as the caller gave it
     * @throws XenStoreException for an XS_ERROR reply (its errno name), ETIMEDOUT when nothing
     *     answers within the timeout, EIO when the connection is lost or the reply is of the
     *     wrong type
     */
    synchronized XsMessage call(String operation, String shownPath, int type, int txId, byte[] payload) {
        if (failure != null) {
            throw new XenStoreException(operation, shownPath, "EIO", failure);
        }
        int id = nextReqId();
        XsMessage request = new XsMessage(type, id, txId, payload);
        try {
            ByteBuffer b = ByteBuffer.wrap(request.encode());
            while (b.hasRemaining()) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new XenStoreException(operation, shownPath, "EIO",
                    "cannot send to xenstored at " + endpoint + ": " + reason(e));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            XsMessage reply;
            try {
                reply = replies.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XenStoreException(operation, shownPath, "EINTR", "interrupted waiting for xenstored");
            }
            if (reply == null) {
                throw new XenStoreException(operation, shownPath, "ETIMEDOUT",
                        "xenstored at " + endpoint + " did not answer within " + XenStoreClient.format(timeout));
            }
            if (reply == END) {
                // later calls see the failure before sending
                throw new XenStoreException(operation, shownPath, "EIO", failure);
            }
            if (reply.reqId() != id) {
                LOG.debug(() -> "dropping " + reply + ": not the answer to request " + Integer.toUnsignedString(id));
                continue;
            }
            if (reply.type() == Xs.XS_ERROR) {
                throw new XenStoreException(operation, shownPath, reply.errorName(), null);
            }
            if (reply.type() != type) {
                throw new XenStoreException(operation, shownPath, "EIO", "xenstored answered " + Xs.typeName(type)
                        + " with " + Xs.typeName(reply.type()));
            }
            return reply;
        }
    }

    private int nextReqId() {
        // 0 is what watch events carry; never use it for a request.
        reqId++;
        if (reqId == 0) {
            reqId++;
        }
        return reqId;
    }

    /** The next watch event, waiting at most {@code wait}; empty when none came. */
    Optional<WatchEvent> nextWatchEvent(Duration wait) {
        WatchEvent e;
        try {
            e = events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        if (e == END_OF_EVENTS) {
            events.add(END_OF_EVENTS);
            throw new XenStoreException("xenstore-watch: " + failure, null);
        }
        return Optional.ofNullable(e);
    }

    boolean isOpen() {
        return failure == null;
    }

    private void readLoop() {
        String why;
        try {
            while (true) {
                XsMessage m = readMessage();
                if (m.type() == Xs.XS_WATCH_EVENT) {
                    try {
                        events.add(m.watchEvent());
                    } catch (XsFormatException e) {
                        LOG.debug(() -> "dropping " + m + ": " + e.getMessage());
                    }
                } else {
                    replies.add(m);
                }
            }
        } catch (EOFException e) {
            why = "xenstored at " + endpoint + " closed the connection";
        } catch (ClosedChannelException e) {
            why = "the connection to xenstored at " + endpoint + " is closed";
        } catch (IOException e) {
            why = "reading from xenstored at " + endpoint + " failed: " + reason(e);
        } catch (XsFormatException e) {
            why = "xenstored at " + endpoint + " sent " + e.getMessage();
        }
        if (failure == null) {
            failure = why;
        }
        replies.add(END);
        events.add(END_OF_EVENTS);
    }

    private XsMessage readMessage() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(Xs.HEADER_SIZE);
        readFully(header);
        XsMessage.Header h = XsMessage.decodeHeader(header.flip());
        ByteBuffer payload = ByteBuffer.allocate(h.length());
        readFully(payload);
        return new XsMessage(h.type(), h.reqId(), h.txId(), payload.array());
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                throw new EOFException();
            }
        }
    }

    @Override
    public void close() {
        if (failure == null) {
            failure = "the connection to xenstored at " + endpoint + " is closed";
        }
        try {
            resource.close();
        } catch (Exception e) {
            LOG.debug(() -> "closing " + endpoint + ": " + e);
        }
    }
}
