// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tiny xenstored for tests: a tree of nodes served over a Unix socket, speaking the real framing
 * (16-byte header in host order, NUL-separated payloads, XS_ERROR with the errno name) with
 * xenstored's semantics for READ, WRITE, MKDIR, RM, DIRECTORY, TRANSACTION_START/END, WATCH and
 * UNWATCH. Its framing is written here independently of {@link XsMessage}, so a bug in the codec
 * cannot hide behind the same bug in the fake.
 *
 * <p>Unlike xenstored, which resolves relative paths for socket clients, it refuses them with
 * EINVAL ({@code docs/misc/xenstore.txt} allows them only for domains), so a client that does not
 * resolve them itself is caught.
 *
 * <p>It records every request and can be told to misbehave: answer with an error, refuse a commit
 * with EAGAIN, send a watch event or a stale reply ahead of a reply, fall silent, or hang up.
 */
final class FakeXenstored implements AutoCloseable {
    /** One request as received. */
    record Request(int type, int reqId, int txId, byte[] payload) {
        /** The payload with each NUL shown as {@code |}: {@code "/a/b|xenbr0"}. */
        String text() {
            return new String(payload, StandardCharsets.UTF_8).replace('\0', '|');
        }

        String firstString() {
            int end = 0;
            while (end < payload.length && payload[end] != 0) {
                end++;
            }
            return new String(payload, 0, end, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Request[type=" + type + ", req=" + reqId + ", tx=" + txId + ", \"" + text() + "\"]";
        }
    }

    // message types, as numbered in xs_wire.h (kept apart from Xs on purpose)
    static final int DIRECTORY = 1;
    static final int READ = 2;
    static final int WATCH = 4;
    static final int UNWATCH = 5;
    static final int TRANSACTION_START = 6;
    static final int TRANSACTION_END = 7;
    static final int WRITE = 11;
    static final int MKDIR = 12;
    static final int RM = 13;
    static final int WATCH_EVENT = 15;
    static final int ERROR = 16;

    private static final class Node {
        byte[] value = new byte[0];
        final Map<String, Node> children = new LinkedHashMap<>(); // creation order, as xenstored

        Node copy() {
            Node n = new Node();
            n.value = value;
            children.forEach((k, v) -> n.children.put(k, v.copy()));
            return n;
        }
    }

    private record Transaction(Node root, long generation, List<String> changed) {
    }

    private record Watch(Conn conn, String path, String token) {
    }

    private record Fault(int type, String path, String error) {
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final Thread acceptor;
    private final List<Conn> conns = new ArrayList<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();
    private final Map<Integer, Transaction> transactions = new HashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Deque<String[]> eventsBeforeReply = new ArrayDeque<>();
    private final Deque<String> staleReplies = new ArrayDeque<>();
    private final List<Map.Entry<Integer, Runnable>> hooks = new ArrayList<>();
    private int replyType = -1;
    private Node root = new Node();
    private long generation;
    private int nextTx = 1;
    private int eagainCommits;
    private boolean silent;
    private boolean hangUp;
    private int connections;

    private FakeXenstored(Path socket) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        put(XenStoreClient.HOME, "");
        acceptor = new Thread(this::acceptLoop, "fake-xenstored " + socket);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on {@code dir/socket}; the tree holds / and /local/domain/0, as in dom0. */
    static FakeXenstored start(Path dir) {
        try {
            return new FakeXenstored(dir.resolve("socket"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path socketPath() {
        return socket;
    }

    /** The environment that points a client here. */
    Map<String, String> env() {
        return Map.of("XENSTORED_PATH", socket.toString());
    }

    // ---- the tree, seen from outside the protocol ----

    synchronized Optional<String> get(String path) {
        Node n = find(root, path);
        return n == null ? Optional.empty() : Optional.of(new String(n.value, StandardCharsets.UTF_8));
    }

    /** Writes a node (parents created) as another client would, firing watches. */
    synchronized void put(String path, String value) {
        create(root, path).value = value.getBytes(StandardCharsets.UTF_8);
        generation++;
        fire(path);
    }

    synchronized List<String> children(String path) {
        Node n = find(root, path);
        return n == null ? List.of() : List.copyOf(n.children.keySet());
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<Request> requests(int type) {
        return requests.stream().filter(r -> r.type() == type).toList();
    }

    /** How many clients have connected so far. */
    synchronized int connections() {
        return connections;
    }

    // ---- faults ----

    /** The next request of this type (on this path, when not null) is answered with XS_ERROR. */
    synchronized void failNext(int type, String path, String errno) {
        faults.add(new Fault(type, path, errno));
    }

    /** The next {@code times} commits (TRANSACTION_END "T") are refused with EAGAIN. */
    synchronized void refuseCommits(int times) {
        eagainCommits = times;
    }

    /** Before the next reply, a watch event is sent (req_id 0), as xenstored may. */
    synchronized void watchEventBeforeNextReply(String path, String token) {
        eventsBeforeReply.add(new String[] {path, token});
    }

    /** Before the next reply, a reply of the same type to another req_id, carrying {@code payload}. */
    synchronized void staleReplyBeforeNextReply(String payload) {
        staleReplies.add(payload);
    }

    /** The next reply (not an error) carries this type instead of the request's. */
    synchronized void answerNextWithType(int type) {
        replyType = type;
    }

    /** Runs {@code action} when the next request of this type arrives, before answering it. */
    synchronized void beforeNext(int type, Runnable action) {
        hooks.add(Map.entry(type, action));
    }

    /** From now on requests are read and recorded but never answered. */
    synchronized void fallSilent() {
        silent = true;
    }

    /** The next request is recorded, then the connection is closed without an answer. */
    synchronized void hangUpOnNextRequest() {
        hangUp = true;
    }

    // ---- serving ----

    private final class Conn {
        final SocketChannel ch;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        void send(int type, int reqId, int txId, byte[] payload) {
            ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
            b.putInt(type).putInt(reqId).putInt(txId).putInt(payload.length).put(payload).flip();
            try {
                synchronized (this) {
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            } catch (IOException e) {
                // the client went away; nothing to tell it
            }
        }

        void serve() {
            try (ch) {
                while (true) {
                    ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
                    if (!fill(h)) {
                        return;
                    }
                    h.flip();
                    int type = h.getInt();
                    int reqId = h.getInt();
                    int txId = h.getInt();
                    int len = h.getInt();
                    if (len < 0 || len > 4096) {
                        return; // xenstored drops such a client
                    }
                    ByteBuffer p = ByteBuffer.allocate(len);
                    if (!fill(p)) {
                        return;
                    }
                    if (!handle(this, new Request(type, reqId, txId, p.array()))) {
                        return;
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        private boolean fill(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return;
            }
            Conn c = new Conn(ch);
            synchronized (this) {
                conns.add(c);
                connections++;
            }
            Thread t = new Thread(c::serve, "fake-xenstored client");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Answers one request; false to hang up. */
    private synchronized boolean handle(Conn c, Request r) {
        requests.add(r);
        for (Map.Entry<Integer, Runnable> h : List.copyOf(hooks)) {
            if (h.getKey() == r.type()) {
                hooks.remove(h);
                h.getValue().run();
            }
        }
        if (hangUp) {
            hangUp = false;
            return false;
        }
        if (silent) {
            return true;
        }
        while (!eventsBeforeReply.isEmpty()) {
            String[] e = eventsBeforeReply.poll();
            c.send(WATCH_EVENT, 0, 0, strings(e[0], e[1]));
        }
        while (!staleReplies.isEmpty()) {
            c.send(r.type(), r.reqId() + 1000, r.txId(), staleReplies.poll().getBytes(StandardCharsets.UTF_8));
        }
        String error = injected(r);
        if (error == null) {
            try {
                byte[] reply = execute(c, r);
                c.send(replyType >= 0 ? replyType : r.type(), r.reqId(), r.txId(), reply);
                replyType = -1;
                if (r.type() == WATCH) {
                    // fired once up front, after the ack, as xenstored does
                    List<String> a = args(r);
                    c.send(WATCH_EVENT, 0, 0, strings(a.get(0), a.get(1)));
                }
                return true;
            } catch (Refusal e) {
                error = e.getMessage();
            }
        }
        c.send(ERROR, r.reqId(), r.txId(), strings(error));
        return true;
    }

    private String injected(Request r) {
        for (Fault f : faults) {
            if (f.type() == r.type() && (f.path() == null || f.path().equals(r.firstString()))) {
                faults.remove(f);
                return f.error();
            }
        }
        return null;
    }

    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        Refusal(String errno) {
            super(errno, null, false, false);
        }
    }

    private byte[] execute(Conn c, Request r) throws Refusal {
        List<String> a = args(r);
        Transaction tx = null;
        if (r.txId() != 0 && r.type() != WATCH && r.type() != UNWATCH) {
            tx = transactions.get(r.txId());
            if (tx == null) {
                throw new Refusal("ENOENT");
            }
        }
        Node tree = tx == null ? root : tx.root();
        switch (r.type()) {
            case READ: {
                Node n = find(tree, path(a, 0));
                if (n == null) {
                    throw new Refusal("ENOENT");
                }
                return n.value;
            }
            case WRITE: {
                String p = path(a, 0);
                int valueStart = p.getBytes(StandardCharsets.UTF_8).length + 1;
                create(tree, p).value = Arrays.copyOfRange(r.payload(), valueStart, r.payload().length);
                changed(tx, p);
                return ok();
            }
            case MKDIR: {
                String p = path(a, 0);
                if (find(tree, p) == null) {
                    create(tree, p);
                    changed(tx, p);
                }
                return ok();
            }
            case RM: {
                String p = path(a, 0);
                if (p.equals("/")) {
                    throw new Refusal("EINVAL");
                }
                Node parent = find(tree, parentOf(p));
                if (parent == null) {
                    throw new Refusal("ENOENT");
                }
                if (parent.children.remove(leafOf(p)) != null) {
                    changed(tx, p);
                }
                return ok();
            }
            case DIRECTORY: {
                Node n = find(tree, path(a, 0));
                if (n == null) {
                    throw new Refusal("ENOENT");
                }
                return strings(n.children.keySet().toArray(new String[0]));
            }
            case TRANSACTION_START: {
                if (r.txId() != 0) {
                    throw new Refusal("EINVAL");
                }
                int id = nextTx++;
                transactions.put(id, new Transaction(root.copy(), generation, new ArrayList<>()));
                return strings(Integer.toString(id));
            }
            case TRANSACTION_END: {
                if (a.size() != 1 || !(a.get(0).equals("T") || a.get(0).equals("F"))) {
                    throw new Refusal("EINVAL");
                }
                if (tx == null) {
                    throw new Refusal("ENOENT");
                }
                transactions.remove(r.txId());
                if (a.get(0).equals("T")) {
                    if (eagainCommits > 0) {
                        eagainCommits--;
                        throw new Refusal("EAGAIN");
                    }
                    if (tx.generation() != generation) {
                        throw new Refusal("EAGAIN");
                    }
                    root = tx.root();
                    generation++;
                    tx.changed().forEach(this::fire);
                }
                return ok();
            }
            case WATCH: {
                if (a.size() < 2) {
                    throw new Refusal("EINVAL");
                }
                path(a, 0);
                watches.add(new Watch(c, a.get(0), a.get(1)));
                return ok();
            }
            case UNWATCH: {
                if (a.size() < 2 || !watches.remove(new Watch(c, a.get(0), a.get(1)))) {
                    throw new Refusal(a.size() < 2 ? "EINVAL" : "ENOENT");
                }
                return ok();
            }
            default:
                throw new Refusal("ENOSYS");
        }
    }

    private void changed(Transaction tx, String path) {
        if (tx == null) {
            generation++;
            fire(path);
        } else {
            tx.changed().add(path);
        }
    }

    private void fire(String path) {
        for (Watch w : watches) {
            if (path.equals(w.path()) || path.startsWith(w.path() + "/") || w.path().equals("/")) {
                w.conn().send(WATCH_EVENT, 0, 0, strings(path, w.token()));
            }
        }
    }

    /** The NUL-terminated strings of a request; bytes after the last NUL are ignored. */
    private static List<String> args(Request r) {
        List<String> out = new ArrayList<>();
        byte[] p = r.payload();
        int start = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) {
                out.add(new String(p, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }

    /** Argument i as an absolute, well-formed path. */
    private static String path(List<String> a, int i) throws Refusal {
        if (a.size() <= i) {
            throw new Refusal("EINVAL");
        }
        String p = a.get(i);
        if (!p.startsWith("/") || p.contains("//") || (p.endsWith("/") && !p.equals("/"))
                || !p.matches("[A-Za-z0-9/_@-]+")) {
            throw new Refusal("EINVAL");
        }
        return p;
    }

    private static Node find(Node root, String path) {
        Node n = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            n = n.children.get(part);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    private static Node create(Node root, String path) {
        Node n = root;
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                n = n.children.computeIfAbsent(part, k -> new Node());
            }
        }
        return n;
    }

    private static String parentOf(String p) {
        int i = p.lastIndexOf('/');
        return i <= 0 ? "/" : p.substring(0, i);
    }

    private static String leafOf(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static byte[] ok() {
        return strings("OK");
    }

    private static byte[] strings(String... s) {
        StringBuilder b = new StringBuilder();
        for (String x : s) {
            b.append(x).append('\0');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        synchronized (this) {
            for (Conn c : conns) {
                try {
                    c.ch.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
        try {
            acceptor.join(2000);
            Files.deleteIfExists(socket);
        } catch (IOException | InterruptedException e) {
            // a temp dir, removed by JUnit
        }
    }
}
