// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.xennet.net.RtnetlinkNetwork;

/**
 * A throwaway network namespace ({@code ip netns add xntest-PID-N}), removed on close even when
 * the test failed. When namespaces cannot be created (not root, no iproute2) the test is skipped
 * with the reason, except under CI=true, where that is a failure: a CI run whose system tier did
 * not run is not green.
 */
public final class NetnsFixture implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final List<Process> started = new ArrayList<>();

    private NetnsFixture(String name) {
        this.name = name;
    }

    public static NetnsFixture create() {
        return create("xntest");
    }

    /** A namespace named {@code PREFIX-PID-N}, for tests whose namespaces carry their own prefix. */
    public static NetnsFixture create(String prefix) {
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        Result r = run(List.of("ip", "netns", "add", name));
        if (r.status != 0) {
            unavailable("cannot create a network namespace with 'ip netns add' (needs root): " + r.output.trim());
        }
        NetnsFixture ns = new NetnsFixture(name);
        ns.ip("link", "set", "lo", "up");
        return ns;
    }

    public static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            fail("system tier cannot run under CI=true: " + why);
        }
        Assumptions.abort(why);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** A Network bound to this namespace (netlink socket created inside it). */
    public RtnetlinkNetwork network() {
        return RtnetlinkNetwork.openIn(path());
    }

    /** Runs {@code ip ARGS} inside the namespace; fails the test on a non-zero status. */
    public String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        Result r = run(cmd);
        if (r.status != 0) {
            fail(String.join(" ", cmd) + " failed (" + r.status + "): " + r.output);
        }
        return r.output;
    }

    /** Runs a command inside the namespace and returns status and combined output. */
    public Result exec(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(command);
        return run(cmd);
    }

    public static Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, out + "\n(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(127, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }

    /** Keeps track of a process started in the namespace, so close() ends it (by PID, ours only). */
    public Process track(Process p) {
        started.add(p);
        return p;
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroy();
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run(List.of("ip", "netns", "del", name));
    }

    /** Exit status and output of a command. */
    public record Result(int status, String output) {
    }
}
