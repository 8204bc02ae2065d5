// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Map;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.log.LogConfig;
import org.xennet.log.Startup;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptArgs;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.vif.VifScript;
import org.xennet.text.Printable;

/**
 * The multi-call front end. Invoked as a script name ({@code vif-bridge online ...}, through a
 * link) or as {@code xennet SCRIPT ARGS...} or {@code xennet TOOL ...}. Returns the exit status;
 * only {@link Main} calls System.exit.
 *
 * <p>Exit status: see {@link ExitCodes}.
 */
public final class Cli {
    public static final int OK = ExitCodes.OK;
    public static final int FAILED = ExitCodes.FAILED;

    private static final Log LOG = Log.get(Cli.class);

    private final ScriptContext ctx;

    public Cli(ScriptContext ctx) {
        this.ctx = ctx;
    }

    /** @param argv0 the name the program was invoked as (basename of $0) */
    public int run(String argv0, String[] args) {
        String self = baseName(argv0);
        if (Scripts.spec(self).isPresent()) {
            return runScript(self, Arrays.asList(args));
        }
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            ctx.out().print(usage());
            return args.length == 0 ? FAILED : OK;
        }
        String first = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (Scripts.spec(first).isPresent()) {
            return runScript(first, rest);
        }
        try {
            switch (first) {
                case "--version":
                case "version":
                    ctx.out().println("xennet " + version());
                    return OK;
                case "links":
                    return new LinksCommand(ctx).run(rest);
                case "lab":
                    return new LabCommand(ctx).run(rest);
                case "doctor":
                    return new DoctorCommand(ctx, false).run(rest);
                case "fix":
                    return new DoctorCommand(ctx, true).run(rest);
                case "daemon":
                    return new DaemonCommand(ctx).run(rest);
                case "__train":
                    return new Training(ctx).run();
                default:
                    ctx.err().println("xennet: unknown script or command " + Printable.quote(first) + "; scripts: "
                            + String.join(", ", Scripts.NAMES) + "; tools: daemon, doctor, fix, lab, links, version (see xennet --help)");
                    return FAILED;
            }
        } catch (XennetException e) {
            ctx.err().println("xennet " + first + ": " + e.getMessage());
            return FAILED;
        }
    }

    int runScript(String name, List<String> argv) {
        Startup.mark("script " + name);
        ScriptSpec spec = Scripts.spec(name).orElseThrow();
        Script script = ScriptFactory.create(name);
        try {
            Log.configure(LogConfig.from(ctx.env(), ctx.config().get(), name));
        } catch (UsageException e) {
            return refuse(script, null, new Params(name, ctx.env(), Map.of()), name + ": " + e.getMessage());
        }
        ScriptArgs a;
        try {
            a = ScriptArgs.parse(name, argv);
        } catch (UsageException e) {
            return refuse(script, null, new Params(name, ctx.env(), Map.of()), e.getMessage());
        }
        if (a.help()) {
            ctx.out().print(spec.help());
            return OK;
        }
        String command = a.command();
        Params p = new Params(name, ctx.env(), a.assignments());
        if (command == null || !spec.commands().contains(command)) {
            String m = name + ": " + (command == null ? "no command given" : "unknown command "
                    + Printable.quote(command)) + "; valid commands are: " + String.join(", ", spec.commands());
            ctx.err().println(m);
            LOG.error(name + ": invalid command " + (command == null ? "(none)" : Printable.of(command)));
            script.refused(null, p, m, ctx);
            return FAILED;
        }
        try {
            spec.validate(p);
            if (a.json()) {
                return StatusJson.print(script, command, p, ctx);
            }
            return script.run(command, p, a.dryRun(), ctx);
        } catch (UsageException e) {
            return a.dryRun() ? fail(e.getMessage()) : refuse(script, command, p, e.getMessage());
        } catch (XennetException e) {
            String msg = e.getMessage().startsWith(name) ? e.getMessage() : name + " " + command + ": " + e.getMessage();
            if (a.dryRun() || VifScript.reported(e)) {
                return fail(msg);
            }
            return refuse(script, command, p, msg);
        }
    }

    /** Bad input or a failure: one line on stderr and in the log, and the script tells its caller (hotplug-error). */
    private int refuse(Script script, String command, Params p, String message) {
        fail(message);
        script.refused(command, p, message, ctx);
        return FAILED;
    }

    private int fail(String message) {
        String m = Printable.controls(message);
        ctx.err().println(m);
        LOG.error(m);
        return FAILED;
    }

    static String baseName(String argv0) {
        if (argv0 == null || argv0.isEmpty()) {
            return "xennet";
        }
        int slash = argv0.lastIndexOf('/');
        return slash < 0 ? argv0 : argv0.substring(slash + 1);
    }

    static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    static String usage() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: xennet SCRIPT COMMAND [VAR=VALUE]...   (or call it through a link named after the script)\n");
        b.append("       xennet TOOL [OPTIONS]\n\n");
        b.append("One executable for Xen's network scripts, with their argument contract.\n\nScripts:\n");
        for (String n : Scripts.NAMES) {
            ScriptSpec s = Scripts.spec(n).orElseThrow();
            b.append(String.format("  %-16s %-28s %s%n", n, String.join("|", s.commands()), firstSentence(s.summary())));
        }
        b.append("\nTools:\n");
        b.append("  lab [--mode bridge|route|nat] [--topology netloop|final] [--keep]\n");
        b.append("                                the bridged host + guest flow in throwaway namespaces (root)\n");
        b.append("  doctor [--json] [--no-xenstore] [--strict]\n");
        b.append("                                check bridges, ports, vifs against XenStore, MTUs, netfilter and\n");
        b.append("                                state records; one line per finding with its fix; exit 1 on an error\n");
        b.append("  fix [--dry-run] [--no-xenstore] [--strict]\n");
        b.append("                                apply doctor's safe fixes (vif onto its bridge, vif up, vif MTU)\n");
        b.append("  daemon [run|status]           xennetd: does the vif scripts' work as XenStore announces it;\n");
        b.append("                                the scripts hand their calls to it (xennetd.service runs it)\n");
        b.append("  links [--netns NAME]          the links, their state and addresses, as a table\n");
        b.append("  cache [--clear]               build (or remove) the start-up cache (handled by the launcher)\n");
        b.append("  version                       print the version\n");
        b.append("\n'xennet SCRIPT --help' lists a script's variables. Exit status: 0 success, 1 bad input or\n");
        b.append("failure (nothing left half-done), 3 status found nothing set up.\n");
        return b.toString();
    }

    private static String firstSentence(String s) {
        int dot = s.indexOf(". ");
        return dot < 0 ? s : s.substring(0, dot + 1);
    }

    PrintStream out() {
        return ctx.out();
    }
}
