// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.xennet.error.XennetException;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.sys.ProcessRunner;
import org.xennet.text.Printable;

/**
 * Xen's {@code call_hooks vif post}: every executable {@code /etc/xen/scripts/vif-post.d/*.hook}
 * (or in {@code XENNET_HOOK_DIR}), in name order. Xen sourced them into the script's shell;
 * xennet executes them, with the script's variables in the environment ({@code command},
 * {@code dev}, {@code vif}, {@code XENBUS_PATH}, {@code bridge}, {@code ip}, {@code mac},
 * {@code type_if}). A hook can no longer change the script's variables, and a failing hook is a
 * warning instead of ending the script; a hook that hangs is killed, with what it started, after
 * {@link #HOOK_LIMIT}. The step reads as the command that runs the hook: {@code env VAR=VALUE... HOOK}.
 */
public final class Hooks {
    /** How long one hook may run before it is killed (with everything it started) and reported. */
    static final Duration HOOK_LIMIT = Duration.ofSeconds(10);

    private Hooks() {
    }

    public static void add(Plan plan, ScriptContext ctx, String script, String command, String dev, VifTarget t, Params p,
            String bridge) {
        add(plan, ctx, script, command, dev, t, p, bridge, Map.of());
    }

    /** With more variables for the hooks ({@code main_ip} and {@code netdev} for vif-route, as Xen's hooks saw them). */
    public static void add(Plan plan, ScriptContext ctx, String script, String command, String dev, VifTarget t, Params p,
            String bridge, Map<String, String> more) {
        String override = ctx.env().get("XENNET_HOOK_DIR");
        Path dir = override != null && !override.isEmpty() ? Path.of(override) : ctx.host("etc/xen/scripts/vif-post.d");
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> hooks = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> f.getFileName().toString().endsWith(".hook") && Files.isExecutable(f)
                    && Files.isRegularFile(f)).sorted().forEach(hooks::add);
        } catch (IOException e) {
            return;
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("command", command);
        env.put("dev", dev);
        env.put("vif", t.dev());
        env.put("XENBUS_PATH", t.xenbusPath());
        env.put("type_if", t.typeIf());
        env.put("bridge", bridge);
        env.put("ip", p.get("ip", ""));
        env.put("mac", p.get("mac", ""));
        env.put("script", script);
        env.putAll(more);
        StringBuilder words = new StringBuilder("env");
        env.forEach((k, v) -> words.append(' ').append(k).append('=').append(quote(v)));
        for (Path h : hooks) {
            plan.add(Step.warn(words + " " + quote(h.toString()), () -> {
                ProcessRunner.Result r = ctx.processes().run(List.of(h.toString()), env, HOOK_LIMIT);
                if (!r.ok()) {
                    throw new XennetException("hook " + h + " exited " + r.status() + ": "
                            + Printable.cut(r.stderr().trim(), 500));
                }
            }));
        }
    }

    /** A word as the shell reads it back: as is when plain, else in single quotes. */
    static String quote(String v) {
        if (!v.isEmpty() && v.matches("[A-Za-z0-9_./:@,+=-]+")) {
            return v;
        }
        return "'" + v.replace("'", "'\\''") + "'";
    }
}
