// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.xennet.daemon.CallRunner;
import org.xennet.daemon.Daemon;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.firewall.IptablesFirewall;
import org.xennet.firewall.Nftables;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.log.Log;
import org.xennet.log.LogConfig;
import org.xennet.net.LinkEvents;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.ScriptContext;
import org.xennet.sys.Deadline;
import org.xennet.sys.ProcessRunner;
import org.xennet.xenstore.BorrowedXenStore;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreClient;

/**
 * {@code xennet daemon [run]} runs xennetd in the foreground (systemd's xennetd.service does);
 * {@code xennet daemon status} asks a running one how it is (exit 0) or says that none runs
 * (exit 3). Each vif script call the daemon makes runs through the same {@link Cli} code as a
 * call from libxl, with its own context: the environment libxl would give, a 35 s budget.
 */
final class DaemonCommand {
    private final ScriptContext ctx;
    private Nftables nft;
    private XenStoreClient calls;

    DaemonCommand(ScriptContext ctx) {
        this.ctx = ctx;
    }

    int run(List<String> args) {
        String verb = args.isEmpty() ? "run" : args.get(0);
        if (args.size() > 1 || !(verb.equals("run") || verb.equals("status"))) {
            throw new UsageException("usage: xennet daemon [run|status]");
        }
        Path dir = Daemon.dir(ctx.stateDir());
        if (verb.equals("status")) {
            return status(dir);
        }
        Log.configure(LogConfig.from(ctx.env(), ctx.config().get(), "xennetd"));
        Map<String, String> env = ctx.env();
        Daemon d = new Daemon(dir, ctx.lockDir(), env,
                () -> XenStoreClient.connect(env, Main.XENSTORE_TIMEOUT, Duration.ofSeconds(5)),
                RtnetlinkNetwork::open,
                () -> new IptablesFirewall(ProcessRunner.local(Deadline.in(Main.CALL_BUDGET)), ctx.lockDir(), "iptables",
                        Deadline.in(Main.CALL_BUDGET)),
                () -> new NftablesFirewall(nftables()),
                () -> LinkEvents.open(Duration.ofSeconds(1)), this::call);
        ctx.out().println("xennetd: running (state in " + dir + ")");
        ctx.out().flush();
        return d.run();
    }

    /** One vif script call, in-process, as libxl would make it. */
    private CallRunner.Result call(String script, List<String> args, Map<String, String> env, boolean xenstore) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Deadline deadline = Deadline.in(Main.CALL_BUDGET);
        ProcessRunner processes = ProcessRunner.local(deadline);
        // xennet.conf as it is now: an edit counts from the next vif, as it does for the scripts
        ScriptContext c = ctx.toBuilder(env).configFromFile()
                .out(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).err(errStream)
                .processes(processes).deadline(deadline)
                .firewall(() -> new IptablesFirewall(processes, ctx.lockDir(), "iptables", deadline))
                .xenstore(xenstore ? () -> callConnection(deadline.cap(Duration.ofSeconds(30))) : () -> {
                            throw new XennetException("the backend is gone from XenStore");
                        })
                .nftables(this::nftables).faults(null).build();
        int rc = new Cli(c).runScript(script, args);
        return new CallRunner.Result(rc, err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The connection the daemon's calls share, opened again once lost: a call then makes none
     * (xenstored accepts with a backlog of one, so a storm of calls each connecting queues there,
     * and each connection costs a reader thread). Requests on it are serialized, as xenstored
     * serves them one at a time anyway; transactions too, so that a storm of failing calls writing
     * hotplug-error together stays within xenstored's quota of transactions per connection.
     */
    private synchronized XenStore callConnection(Duration connectBudget) {
        if (calls == null || !calls.isOpen()) {
            if (calls != null) {
                calls.close();
            }
            calls = XenStoreClient.connect(ctx.env(), Main.XENSTORE_TIMEOUT, connectBudget);
        }
        return new BorrowedXenStore(calls);
    }

    /**
     * The daemon's one libnftables context, shared by every call it runs and used by one thread at a
     * time: a context is not safe to use from two threads at once, and a transaction takes a few
     * milliseconds. A library that cannot be loaded is tried again at the next call.
     */
    private synchronized Nftables nftables() {
        if (nft == null) {
            Nftables lib = Nftables.library();
            nft = commands -> {
                synchronized (lib) {
                    return lib.run(commands);
                }
            };
        }
        return nft;
    }

    private int status(Path dir) {
        Path portFile = dir.resolve("port");
        String[] f;
        try {
            f = Files.readString(portFile).trim().split(" ");
        } catch (IOException e) {
            ctx.out().println("xennetd is not running (no " + portFile + ")");
            return ExitCodes.NOT_RUNNING;
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(f[0]))) {
            s.setSoTimeout(5000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII));
            in.readLine();
            s.getOutputStream().write("xennetd1 status\n".getBytes(StandardCharsets.US_ASCII));
            String reply = in.readLine();
            ctx.out().println("xennetd is running (pid " + (f.length > 1 ? f[1] : "?") + ", port " + f[0] + "): "
                    + (reply == null ? "no answer" : reply.replaceFirst("^OK ", "")));
            return reply != null && reply.startsWith("OK") ? ExitCodes.OK : ExitCodes.FAILED;
        } catch (IOException | RuntimeException e) {
            ctx.out().println("xennetd is not running (" + portFile + " names port " + f[0] + ": " + e.getMessage() + ")");
            return ExitCodes.NOT_RUNNING;
        }
    }
}
