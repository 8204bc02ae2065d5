// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.kohsuke.args4j.CmdLineException;
import org.kohsuke.args4j.CmdLineParser;
import org.kohsuke.args4j.Option;
import org.xennet.doctor.Doctor;
import org.xennet.doctor.Finding;
import org.xennet.doctor.GuardChecks;
import org.xennet.doctor.Repair;
import org.xennet.doctor.Report;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.log.LogConfig;
import org.xennet.net.Network;
import org.xennet.plan.Plan;
import org.xennet.scripts.ScriptContext;
import org.xennet.text.Json;
import org.xennet.xenstore.XenStore;

/**
 * {@code xennet doctor [--json] [--no-xenstore]} reports; {@code xennet fix [--dry-run]
 * [--no-xenstore]} applies the safe fixes the report proposes, printing each before it runs it,
 * then reports again. Exit status 0 when no error remains (warnings are printed but do not fail:
 * a host with br_netfilter loaded, as any with Docker, always has one), 1 when an error remains
 * or a fix failed; with {@code --strict} a warning counts as an error.
 */
final class DoctorCommand {
    private static final Log LOG = Log.get(DoctorCommand.class);

    private final ScriptContext ctx;
    private final boolean fix;

    @Option(name = "--json", usage = "print the report as JSON (doctor)")
    private boolean json;

    @Option(name = "--dry-run", usage = "show the fixes and change nothing (fix)")
    private boolean dryRun;

    @Option(name = "--no-xenstore", usage = "do not read XenStore (skips the checks that need it)")
    private boolean noXenStore;

    @Option(name = "--strict", usage = "exit 1 on warnings too, not only on errors")
    private boolean strict;

    DoctorCommand(ScriptContext ctx, boolean fix) {
        this.ctx = ctx;
        this.fix = fix;
    }

    int run(List<String> args) {
        String name = fix ? "fix" : "doctor";
        String usage = fix ? "xennet fix [--dry-run] [--no-xenstore] [--strict]"
                : "xennet doctor [--json] [--no-xenstore] [--strict]";
        try {
            new CmdLineParser(this).parseArgument(args);
        } catch (CmdLineException e) {
            throw new UsageException(e.getMessage() + " (usage: " + usage + ")");
        }
        if (fix ? json : dryRun) {
            throw new UsageException((fix ? "--json" : "--dry-run") + " is not an option of " + name + " (usage: "
                    + usage + ")");
        }
        if (fix && !dryRun) {
            Log.configure(LogConfig.from(ctx.env(), "xennet-fix"));
        }
        try (Network net = ctx.network().get(); XenStore xs = openXenStore()) {
            Report report = examine(net, xs);
            if (!fix) {
                ctx.out().print(json ? Json.write(report.json()) : report.text());
                return passes(report) ? Cli.OK : Cli.FAILED;
            }
            return repair(net, xs, report);
        }
    }

    private String xsSkipped;

    private XenStore openXenStore() {
        if (noXenStore) {
            xsSkipped = "--no-xenstore was given";
            return null;
        }
        try {
            return ctx.xenstore().get();
        } catch (XennetException e) {
            xsSkipped = "XenStore is not reachable (" + e.getMessage() + ")";
            return null;
        }
    }

    private Report examine(Network net, XenStore xs) {
        return new Doctor(net, ctx.firewall(), xs, xsSkipped, ctx.stateDir(), ctx.ovs())
                .guards(GuardChecks.Firewall.of(ctx)).examine();
    }

    private int repair(Network net, XenStore xs, Report report) {
        List<Repair> repairs = new ArrayList<>(report.repairs());
        // As vif-bridge does it: onto the bridge, then the MTU, then up.
        repairs.sort(Comparator.comparingInt(r -> r instanceof Repair.Attach ? 0 : r instanceof Repair.Mtu ? 1 : 2));
        if (repairs.isEmpty()) {
            ctx.out().println("xennet fix: nothing it can repair safely");
            ctx.out().print(manual(report));
            return passes(report) ? Cli.OK : Cli.FAILED;
        }
        if (dryRun) {
            Plan plan = new Plan("xennet fix");
            repairs.forEach(r -> plan.add(r.step(net)));
            ctx.out().print(plan.render());
            int n = repairs.size();
            ctx.out().println("(dry run: nothing changed; " + n + " fix" + (n == 1 ? "" : "es") + " would run)");
            ctx.out().print(manual(report));
            return Cli.OK;
        }
        int failed = 0;
        for (Repair r : repairs) {
            ctx.out().println("+ " + r.command());
            Plan plan = new Plan("xennet fix").add(r.step(net));
            try {
                ctx.runner("xennet fix", false).run(plan);
                LOG.info("xennet fix: " + r.command());
            } catch (XennetException e) {
                failed++;
                ctx.out().println("  failed: " + e.getMessage());
                LOG.error("xennet fix: " + r.command() + " failed: " + e.getMessage());
            }
        }
        Report after = examine(net, xs);
        ctx.out().println();
        ctx.out().println("after the fixes: " + after.summary());
        for (Finding f : after.findings()) {
            ctx.out().println(f.line());
        }
        return failed == 0 && passes(after) ? Cli.OK : Cli.FAILED;
    }

    /** No error, or with --strict nothing at all. */
    private boolean passes(Report r) {
        return strict ? r.clean() : !r.hasErrors();
    }

    /** The findings fix leaves to a person. */
    private static String manual(Report report) {
        StringBuilder b = new StringBuilder();
        for (Finding f : report.findings()) {
            if (f.repair() == null) {
                b.append("not repaired automatically: ").append(f.line()).append('\n');
            }
        }
        return b.toString();
    }
}
