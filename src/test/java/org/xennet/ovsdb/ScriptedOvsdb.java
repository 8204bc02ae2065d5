// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.opentest4j.AssertionFailedError;

/**
 * ovsdb-server as a script, on the other side of a {@link ByteChannel}: each request the client
 * writes must be the next expected one (method and params, compared as parsed JSON so that only
 * the content counts; the id is not compared), and is answered with the scripted result or
 * error under the request's id. Messages can also be pushed unasked (notifications, the
 * server's echo) and the stream can be cut in the middle of a message or closed.
 */
final class ScriptedOvsdb implements ByteChannel {
    private record Expect(String method, Object params, String reply, boolean error, List<String> after) {
    }

    private static final byte[] EOF = new byte[0];

    private final Deque<Expect> script = new ArrayDeque<>();
    private final BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
    private final List<Map<String, Object>> received = new ArrayList<>();
    private byte[] pending = new byte[0];
    private ByteBuffer current;
    private volatile boolean open = true;
    private volatile AssertionFailedError mismatch;

    /** Expect {@code method(paramsJson)} (null: any params), answer {@code resultJson}; then push {@code after} (raw messages). */
    ScriptedOvsdb expect(String method, String paramsJson, String resultJson, String... after) {
        script.add(new Expect(method, paramsJson == null ? null : OvsdbJson.parse(paramsJson), resultJson, false,
                List.of(after)));
        return this;
    }

    /** Expect {@code method(paramsJson)}, answer with {@code errorJson} as the error. */
    ScriptedOvsdb expectError(String method, String paramsJson, String errorJson) {
        script.add(new Expect(method, OvsdbJson.parse(paramsJson), errorJson, true, List.of()));
        return this;
    }

    /** Expect {@code method} with any params, and never answer. */
    ScriptedOvsdb expectSilence(String method) {
        script.add(new Expect(method, null, null, false, List.of()));
        return this;
    }

    /** Sends raw bytes to the client now. */
    void push(String raw) {
        toClient.add(raw.getBytes(StandardCharsets.UTF_8));
    }

    void hangUp() {
        toClient.add(EOF);
    }

    /** The messages the client sent that were not requests in the script (echo replies). */
    List<Map<String, Object>> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    void assertDone() {
        if (mismatch != null) {
            throw mismatch;
        }
        if (!script.isEmpty()) {
            throw new AssertionFailedError("requests not sent: " + script.size() + ", next " + script.peek().method());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized int write(ByteBuffer src) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        int n = src.remaining();
        byte[] all = new byte[pending.length + n];
        System.arraycopy(pending, 0, all, 0, pending.length);
        src.get(all, pending.length, n);
        int off = 0;
        while (true) {
            byte[] rest = java.util.Arrays.copyOfRange(all, off, all.length);
            int end = OvsdbJson.frameEnd(rest, rest.length);
            if (end < 0) {
                pending = rest;
                return n;
            }
            Map<String, Object> msg = (Map<String, Object>) OvsdbJson.parse(rest, 0, end);
            off += end;
            handle(msg);
        }
    }

    private void handle(Map<String, Object> msg) {
        if (!msg.containsKey("method")) {
            synchronized (received) {
                received.add(msg);
            }
            return;
        }
        Expect e = script.poll();
        if (e == null) {
            fail("unexpected request " + OvsdbJson.write(msg));
            return;
        }
        if (!e.method().equals(msg.get("method"))) {
            fail("expected method " + e.method() + ", got " + OvsdbJson.write(msg));
            return;
        }
        if (e.params() != null && !OvsdbJson.write(e.params()).equals(OvsdbJson.write(msg.get("params")))) {
            fail("request " + e.method() + " differs:\nexpected " + OvsdbJson.write(e.params()) + "\nbut was  "
                    + OvsdbJson.write(msg.get("params")));
            return;
        }
        if (e.reply() == null) {
            return; // silence
        }
        String id = OvsdbJson.write(msg.get("id"));
        String reply = e.error() ? "{\"id\":" + id + ",\"result\":null,\"error\":" + e.reply() + "}"
                : "{\"id\":" + id + ",\"result\":" + e.reply() + ",\"error\":null}";
        push(reply);
        e.after().forEach(this::push);
    }

    private void fail(String why) {
        if (mismatch == null) {
            mismatch = new AssertionFailedError(why);
        }
        hangUp(); // the client sees a broken connection at once instead of a timeout
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        while (current == null || !current.hasRemaining()) {
            byte[] b;
            try {
                b = toClient.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            if (b == EOF) {
                toClient.add(EOF);
                return -1;
            }
            current = ByteBuffer.wrap(b);
        }
        int n = Math.min(dst.remaining(), current.remaining());
        for (int i = 0; i < n; i++) {
            dst.put(current.get());
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        hangUp();
    }
}
