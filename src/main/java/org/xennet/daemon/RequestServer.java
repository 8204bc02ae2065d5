// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.xennet.log.Log;
import org.xennet.text.Printable;

/**
 * Where the launcher hands a vif script call to the daemon: a TCP socket on 127.0.0.1 (bash
 * reaches it with its builtin {@code /dev/tcp}, so a handed-over call starts no process at all),
 * its port in a root-only file. The conversation is one line each way after a greeting:
 *
 * <pre>
 *   daemon:  xennetd1 ready
 *   caller:  xennetd1 online|offline XENBUS_PATH VIF SCRIPT
 *   daemon:  OK | ERR message | FALLBACK why
 * </pre>
 *
 * (and {@code xennetd1 status}, answered {@code OK} and the counts). The request carries no
 * authority: the daemon only brings the backend it names to what XenStore and the configuration
 * say (see {@link Xennetd#request}), so any local user may send one and change nothing. FALLBACK
 * tells the caller to run the script itself. The greeting comes from the accepting thread at
 * once, so the caller tells a hung daemon from a busy one within seconds (5 s in the launcher).
 */
final class RequestServer implements AutoCloseable {
    private static final Log LOG = Log.get(RequestServer.class);
    static final String PROTOCOL = "xennetd1";
    static final int MAX_LINE = 512;

    private final ServerSocket socket;
    private final Xennetd engine;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "xennetd request");
        t.setDaemon(true);
        return t;
    });

    RequestServer(Xennetd engine) throws IOException {
        this.engine = engine;
        this.socket = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    }

    int port() {
        return socket.getLocalPort();
    }

    void serve() {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket c = socket.accept();
                    c.setSoTimeout(5000);
                    OutputStream out = c.getOutputStream();
                    out.write((PROTOCOL + " ready\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    handlers.execute(() -> handle(c));
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        LOG.warn("xennetd: accept: " + e.getMessage());
                    }
                }
            }
        }, "xennetd accept");
        t.setDaemon(true);
        t.start();
    }

    private void handle(Socket c) {
        try (c) {
            BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII),
                    MAX_LINE);
            String line;
            try {
                line = readLine(in);
            } catch (SocketTimeoutException e) {
                return;
            }
            String reply = line == null ? null : answer(line);
            if (reply != null) {
                c.getOutputStream().write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            LOG.debug(() -> "xennetd: request: " + e.getMessage());
        }
    }

    /** One line of at most {@value #MAX_LINE} characters, or null. */
    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int ch; (ch = in.read()) >= 0; ) {
            if (ch == '\n') {
                return b.toString();
            }
            if (b.length() >= MAX_LINE) {
                return null;
            }
            b.append((char) ch);
        }
        return null;
    }

    /** The reply to one request line. */
    String answer(String line) {
        String[] w = line.split(" ", -1);
        if (w.length == 2 && w[0].equals(PROTOCOL) && w[1].equals("status")) {
            return "OK " + engine.status();
        }
        if (w.length != 5 || !w[0].equals(PROTOCOL) || !(w[1].equals("online") || w[1].equals("offline"))) {
            return "FALLBACK not a request: " + Printable.cut(line, 80);
        }
        Optional<Backend> b = Backend.of(w[2]);
        if (b.isEmpty() || !w[2].equals(b.get().path()) || !w[3].equals(b.get().vif())
                || !BackendView.OURS.contains(w[4])) {
            return "FALLBACK not a backend of dom0 the daemon handles: " + Printable.cut(w[2] + " " + w[3] + " " + w[4], 120);
        }
        long t0 = System.nanoTime();
        Xennetd.Reply r = engine.request(w[1], b.get(), w[4]);
        LOG.debug(() -> "xennetd: " + w[4] + " " + w[1] + " " + w[3] + ": " + r.word() + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return r.word() + (r.message().isEmpty() ? "" : " " + Printable.controls(r.message().replace('\n', ';')));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed either way
        }
        handlers.shutdownNow();
    }
}
