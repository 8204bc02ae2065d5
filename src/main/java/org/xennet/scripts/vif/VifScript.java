package org.xennet.scripts.vif;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.log.Startup;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * What every vif script shares (vif-common.sh and xen-hotplug-common.sh): the type_if pairing
 * rules, the device and backend path, the XenStore keys that override the parameters (checked
 * like arguments), {@code hotplug-status=connected} after a successful online, and Xen's
 * {@code fatal}: on any failure {@code hotplug-error} and {@code hotplug-status=error} written in
 * one transaction.
 */
public abstract class VifScript implements Script {
    private static final Log LOG = Log.get(VifScript.class);

    private final String name;
    private final ScriptSpec spec;
    private final List<String> keys;

    protected VifScript(String name, List<String> keys) {
        this.name = name;
        this.spec = Scripts.spec(name).orElseThrow();
        this.keys = keys;
    }

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    /** online (vif) or add (tap): a plan with undo; a failure is thrown. */
    protected abstract int online(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs);

    /** offline (vif) or remove (tap): best effort. */
    protected abstract int offline(String command, VifTarget t, Params p, boolean dryRun, ScriptContext ctx, XenStore xs);

    /** The backend interface online works on; its absence is the error every vif script reports alike. */
    protected static Link backendLink(Network net, VifTarget t) {
        return net.links().find(t.dev()).orElseThrow(() -> new XennetException(t.dev()
                + " does not exist (the backend interface for " + t.xenbusPath() + ")"));
    }

    @Override
    public final int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        String typeIf = p.get("type_if", "vif");
        boolean vifCommand = command.equals("online") || command.equals("offline");
        if (vifCommand != typeIf.equals("vif")) {
            // as upstream: online/offline are for vif, add/remove for tap; the other pairings do nothing
            LOG.debug(() -> name + ": " + command + " with type_if=" + typeIf + ": nothing to do");
            return ExitCodes.OK;
        }
        VifTarget target = VifTarget.resolve(name, p);
        Startup.mark("xenstore connect");
        XenStore xs;
        try {
            xs = ctx.xenstore().get();
        } catch (XennetException e) {
            throw new XennetException(name + " " + command + " " + target.dev() + ": " + e.getMessage()
                    + "; hotplug-status could not be written", e);
        }
        Startup.mark("xenstore connected");
        try (xs) {
            try {
                readKeys(xs, target, p);
                Startup.mark("xenstore keys read");
                spec.validate(p);
                boolean up = command.equals("online") || command.equals("add");
                int rc = up ? online(command, target, p, dryRun, ctx, xs) : offline(command, target, p, dryRun, ctx, xs);
                if (dryRun && command.equals("online")) {
                    ctx.out().println("xenstore-write " + target.key("hotplug-status") + " connected");
                } else if (command.equals("online")) {
                    try {
                        xs.write(target.key("hotplug-status"), "connected");
                    } catch (XenStoreException e) {
                        throw new XennetException("Writing " + target.key("hotplug-status")
                                + "=connected to xenstore failed: " + e.getMessage(), e);
                    }
                }
                Startup.mark(name + " " + command + " done");
                LOG.debug(() -> "Successful " + name + " " + command + " for " + target.dev() + ".");
                return rc;
            } catch (XennetException e) {
                if (!dryRun) {
                    fatal(xs, target, name + " " + command + " " + target.dev() + ": " + message(e));
                }
                throw e;
            }
        }
    }

    private String message(XennetException e) {
        String m = e.getMessage();
        return m.startsWith(name + ": ") ? m.substring(name.length() + 2) : m;
    }

    /** Xen's fatal(): hotplug-error then hotplug-status=error, together; a failure here is only logged. */
    private void fatal(XenStore xs, VifTarget t, String message) {
        Map<String, String> w = new LinkedHashMap<>();
        w.put(t.key("hotplug-error"), message);
        w.put(t.key("hotplug-status"), "error");
        try {
            xs.writeAll(w);
        } catch (XennetException e) {
            LOG.error(name + ": could not write hotplug-error to " + t.xenbusPath() + ": " + e.getMessage());
        }
    }

    /** XenStore keys override the environment and the arguments; a missing key leaves them alone. */
    private void readKeys(XenStore xs, VifTarget t, Params p) {
        Map<String, String> found = new LinkedHashMap<>();
        for (String k : keys) {
            try {
                xs.read(t.key(k)).ifPresent(v -> found.put(k, v));
            } catch (XenStoreException e) {
                throw new XennetException("cannot read " + t.key(k) + " from XenStore: " + e.getMessage(), e);
            }
        }
        p.overlay(found);
    }

    /** The name the {@code vifname} key asks for ({@code -emu} appended for a tap), if any. */
    protected static Optional<String> wantedName(VifTarget t, Params p) {
        return p.ifname("vifname").map(n -> t.typeIf().equals("tap") ? n + "-emu" : n);
    }

    /**
     * online: the steps that rename the device to its {@code vifname} (down, then rename, undone
     * by the reverse), refusing a name another link has with Xen's message. Returns true when a
     * rename was planned: the device is then down under {@code wantedName}.
     */
    protected static boolean planRename(Plan plan, Network net, VifTarget t, Params p) {
        Optional<String> wanted = wantedName(t, p);
        String dev = t.dev();
        if (wanted.isEmpty() || wanted.get().equals(dev)) {
            return false;
        }
        String to = wanted.get();
        if (net.links().exists(to)) {
            throw new XennetException("Cannot rename interface " + dev + ". An interface with name " + to
                    + " already exists.");
        }
        plan.add(Step.required("ip link set dev " + dev + " down", () -> net.links().setUp(dev, false)));
        plan.add(Step.required("ip link set dev " + dev + " name " + to, () -> net.links().rename(dev, to))
                .undoneBy("ip link set dev " + to + " name " + dev, () -> {
                    net.links().setUp(to, false);
                    net.links().rename(to, dev);
                }));
        return true;
    }

    /** offline: the device's name now, its {@code vifname} if a link has that name, else the original. */
    protected static String currentName(Network net, VifTarget t, Params p) {
        return wantedName(t, p).filter(n -> net.links().exists(n)).orElse(t.dev());
    }
}
