// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.model.InterfaceName;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.JsonStatus;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptArgs;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.text.Printable;

/**
 * {@code network-wrapper start|stop|status}: network-bridge for every netdev/bridge pair of a
 * list (the file {@code config=}, default /etc/xen/xennet-bridges.conf, or {@code bridges=eth0:xenbr0,...}).
 * Global VAR=VAL arguments go to every pair; a pair's own VAR=VAL in the file win. Pairs start in
 * list order and stop in reverse. A pair that fails is rolled back by network-bridge itself, the
 * others go on (unlike Xen's final network-bridge, an existing bridge does not stop the next
 * one), and the exit status is 1 if any pair failed.
 */
public final class NetworkWrapper implements Script, JsonStatus {
    public static final String DEFAULT_CONFIG = "/etc/xen/xennet-bridges.conf";

    private final ScriptSpec spec = Scripts.spec("network-wrapper").orElseThrow();

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    /** One line of the list: netdev, bridge and the pair's own assignments. */
    record Pair(String netdev, String bridge, Map<String, String> vars) {
        String label() {
            return netdev + " -> " + bridge;
        }
    }

    /** Each pair's network-bridge parameters, all checked before the first is used: bad input changes nothing. */
    private static List<Params> pairParams(List<Pair> order, Params p) {
        ScriptSpec bridgeSpec = Scripts.spec("network-bridge").orElseThrow();
        List<Params> params = new ArrayList<>();
        for (Pair pair : order) {
            Map<String, String> vars = new LinkedHashMap<>(p.globals());
            vars.remove("config");
            vars.remove("bridges");
            vars.putAll(pair.vars());
            vars.put("netdev", pair.netdev());
            vars.put("bridge", pair.bridge());
            Params pp = new Params("network-bridge", Map.of(), vars);
            bridgeSpec.validate(pp);
            params.add(pp);
        }
        return params;
    }

    private static List<Pair> pairs(Params p) {
        List<Pair> pairs = p.get("bridges").isPresent() ? parseInline(p.get("bridges").get())
                : parseFile(Path.of(p.get("config", DEFAULT_CONFIG)));
        if (pairs.isEmpty()) {
            throw new UsageException("network-wrapper: no netdev/bridge pairs (give bridges=eth0:xenbr0,... or list "
                    + "them in " + p.get("config", DEFAULT_CONFIG) + ")");
        }
        return pairs;
    }

    /** {@code status --json}: network-bridge's document for each pair; running when all are. */
    @Override
    public StatusJson.Status statusJson(Params p, ScriptContext ctx) {
        List<Params> params = pairParams(pairs(p), p);
        List<Object> docs = new ArrayList<>();
        boolean all = true;
        for (Params pp : params) {
            StatusJson.Status s = BridgeStatus.json(pp, ctx);
            all &= s.exitCode() == ExitCodes.OK;
            docs.add(s.data());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", StatusJson.VERSION);
        m.put("script", "network-wrapper");
        m.put("running", all);
        m.put("pairs", docs);
        return new StatusJson.Status(all ? ExitCodes.OK : ExitCodes.NOT_RUNNING, m);
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        List<Pair> order = new ArrayList<>(pairs(p));
        if (command.equals("stop")) {
            java.util.Collections.reverse(order);
        }
        List<Params> params = pairParams(order, p);
        int failures = 0;
        List<String> report = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            Pair pair = order.get(i);
            ctx.out().println("network-wrapper: " + command + " " + pair.label());
            try {
                int rc = new NetworkBridge().run(command, params.get(i), dryRun, ctx);
                report.add(pair.label() + ": " + (rc == 0 ? dryRun && !command.equals("status")
                        ? "planned (dry run: nothing changed)" : ok(command) : rc == ExitCodes.NOT_RUNNING
                        ? "not started" : "exit " + rc));
                if (rc != 0) {
                    failures++;
                }
            } catch (XennetException e) {
                failures++;
                report.add(pair.label() + ": FAILED" + (dryRun ? "" : ", rolled back") + ": " + e.getMessage());
                ctx.err().println("network-wrapper: " + pair.label() + ": " + e.getMessage());
            }
        }
        ctx.out().println("network-wrapper: " + command + " summary:");
        for (String r : report) {
            ctx.out().println("  " + r);
        }
        return failures == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static String ok(String command) {
        switch (command) {
            case "start": return "up";
            case "stop": return "stopped";
            default: return "up";
        }
    }

    static List<Pair> parseInline(String s) {
        List<Pair> out = new ArrayList<>();
        for (String item : s.split(",")) {
            String[] nb = item.trim().split(":", -1);
            if (nb.length != 2) {
                throw new UsageException("network-wrapper: bridges=" + Printable.quote(s) + ": "
                        + Printable.quote(item) + " is not netdev:bridge");
            }
            out.add(new Pair(InterfaceName.check("netdev", nb[0]), InterfaceName.check("bridge", nb[1]), Map.of()));
        }
        return out;
    }

    /** "netdev bridge [VAR=VAL...]" per line; '#' starts a comment. */
    static List<Pair> parseFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException("network-wrapper: " + file + " does not exist (list 'netdev bridge' pairs there, "
                    + "or give bridges=eth0:xenbr0,...)");
        } catch (IOException e) {
            throw new UsageException("network-wrapper: cannot read " + file + ": " + e.getMessage());
        }
        List<Pair> out = new ArrayList<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.replaceAll("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            if (w.length < 2 || w[0].contains("=") || w[1].contains("=")) {
                throw new UsageException(file + ":" + n + ": expected 'netdev bridge [VAR=VALUE...]', found "
                        + Printable.quote(line));
            }
            ScriptArgs extra = ScriptArgs.parse("network-wrapper", List.of(w).subList(2, w.length));
            if (extra.command() != null) {
                throw new UsageException(file + ":" + n + ": " + Printable.quote(extra.command()) + " is not VAR=VALUE");
            }
            out.add(new Pair(InterfaceName.check("netdev", w[0]), InterfaceName.check("bridge", w[1]),
                    extra.assignments()));
        }
        return out;
    }
}
