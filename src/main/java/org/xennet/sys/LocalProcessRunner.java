// SPDX-License-Identifier: Apache-2.0
package org.xennet.sys;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xennet.error.XennetException;
import org.xennet.jna.Signals;
import org.xennet.text.Printable;

/**
 * {@link ProcessRunner} on real processes. Each program starts as the leader of its own process
 * group (through util-linux's {@code setsid}, which in a non-leader simply calls setsid(2) and
 * execs the program: same PID, no extra fork), so that at the deadline the program and whatever
 * it started are killed together. stdout and stderr are drained by two threads while the caller
 * waits, so a program that fills one pipe while the other is read cannot deadlock; each keeps
 * the first {@value #KEEP} bytes and discards the rest (a hook flooding stderr costs no memory).
 */
final class LocalProcessRunner implements ProcessRunner {
    static final LocalProcessRunner UNBOUNDED = new LocalProcessRunner(Deadline.NONE);

    /** Bytes of each stream kept for the result and error messages. */
    static final int KEEP = 64 * 1024;

    private static final String SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid"
            : Files.isExecutable(Path.of("/bin/setsid")) ? "/bin/setsid" : null;

    private static final File DEV_NULL = new File("/dev/null");

    private final Deadline deadline;

    LocalProcessRunner(Deadline deadline) {
        this.deadline = deadline;
    }

    @Override
    public Result run(List<String> argv, Map<String, String> extraEnv, Duration limit) {
        Duration max = deadline.cap(limit);
        String shown = Printable.cut(String.join(" ", argv), 200);
        if (max.isZero()) {
            throw new ProcessTimeoutException(shown + ": not run, the call's time budget is used up");
        }
        List<String> cmd = new ArrayList<>(argv.size() + 1);
        if (SETSID != null) {
            cmd.add(SETSID);
        }
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.environment().putAll(extraEnv);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new XennetException("cannot run " + Printable.quote(argv.get(0)) + ": " + e.getMessage(), e);
        }
        Drain out = new Drain(p.getInputStream(), argv.get(0) + " stdout");
        Drain err = new Drain(p.getErrorStream(), argv.get(0) + " stderr");
        try {
            if (!p.waitFor(max.toNanos(), TimeUnit.NANOSECONDS)) {
                kill(p);
                String said = err.text().trim();
                throw new ProcessTimeoutException(shown + ": no answer within " + seconds(max) + "; killed it and its "
                        + "process group" + (said.isEmpty() ? "" : " (it said: " + Printable.cut(said, 300) + ")"));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new XennetException(shown + ": interrupted; killed it");
        }
        // A grandchild that left the group may still hold the pipes open: do not wait for it.
        out.join();
        err.join();
        return new Result(p.exitValue(), out.text(), err.text());
    }

    private static void kill(Process p) {
        if (SETSID != null) {
            Signals.killGroup(p.pid());
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format("%.1f s", ms / 1000.0);
    }

    /** Reads one stream to its end on its own daemon thread, keeping the first {@value #KEEP} bytes. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;
        private long dropped;

        Drain(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, "drain " + name);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (this) {
                        int room = KEEP - kept.size();
                        int take = Math.min(room, n);
                        kept.write(buf, 0, take);
                        dropped += n - take;
                    }
                }
            } catch (IOException e) {
                // the process was killed or the stream closed: what was read is kept
            }
        }

        void join() {
            try {
                thread.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized String text() {
            String s = kept.toString(StandardCharsets.UTF_8);
            return dropped == 0 ? s : s + "\n[" + dropped + " more bytes not kept]";
        }
    }
}
