// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.lock.HotplugLock;
import org.xennet.log.Log;
import org.xennet.log.Startup;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.text.Printable;
import org.xennet.xenstore.Xs;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * What every vif script shares (vif-common.sh and xen-hotplug-common.sh): the type_if pairing
 * rules, the device and backend path, the XenStore keys that override the parameters (checked
 * like arguments), {@code hotplug-status=connected} after a successful online, and Xen's
 * {@code fatal}: on any failure, refusals of bad input included, {@code hotplug-error} and
 * {@code hotplug-status=error} written in one transaction whenever XENBUS_PATH names a usable
 * backend, so that libxl always learns why.
 *
 * <p>Calls for one vif are serialized by a lock of their own held across reading the state,
 * planning and applying, so that any interleaving of online and offline for a vif ends in what
 * the last call implies, with every rule once. offline works without XenStore (a boot storm may
 * make it unreachable): the vif is detached and its rules removed all the same.
 */
public abstract class VifScript implements Script {
    private static final Log LOG = Log.get(VifScript.class);

    /** What a hotplug-error may take of XenStore's payload (the path and a NUL ride along). */
    static final int HOTPLUG_ERROR_MAX = 2048;

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

    /** offline (vif) or remove (tap): best effort; {@code xs} is null when XenStore could not be reached. */
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
            LOG.debug(() -> name + ": " + command + " with type_if=" + Printable.quote(typeIf) + ": nothing to do");
            return ExitCodes.OK;
        }
        VifTarget target = VifTarget.resolve(name, p);
        if (dryRun) {
            return serialized(command, target, p, true, ctx);
        }
        try (HotplugLock l = HotplugLock.claim(ctx.lockDir(), lockName(target), ctx.deadline().cap(ScriptContext.LOCK_WAIT))) {
            return serialized(command, target, p, false, ctx);
        }
    }

    /** One lock per backend: {@code xennet-vif-D.N} (the device name may change with vifname). */
    static String lockName(VifTarget t) {
        return "xennet-vif-" + t.domid() + "." + t.devid();
    }

    private int serialized(String command, VifTarget target, Params p, boolean dryRun, ScriptContext ctx) {
        boolean up = command.equals("online") || command.equals("add");
        Startup.mark("xenstore connect");
        XenStore xs;
        try {
            xs = ctx.xenstore().get();
        } catch (XennetException e) {
            if (!up) {
                // offline must still detach the vif and remove its rules: without the keys, by the device
                LOG.warn(name + " " + command + " " + target.dev() + ": " + e.getMessage()
                        + "; going on without the XenStore keys");
                spec.validate(p);
                return offline(command, target, p, dryRun, ctx, null);
            }
            throw new Reported(name + " " + command + " " + target.dev() + ": " + e.getMessage()
                    + "; hotplug-status could not be written", e);
        }
        Startup.mark("xenstore connected");
        try (xs) {
            try {
                readKeys(xs, target, p);
                Startup.mark("xenstore keys read");
                spec.validate(p);
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
                String message = name + " " + command + " " + target.dev() + ": " + message(e);
                if (!dryRun) {
                    fatal(xs, target.xenbusPath(), message);
                }
                throw new Reported(message, e);
            }
        }
    }

    /** A failure already reported to XenStore (or that cannot be): {@link #refused} writes nothing more. */
    static final class Reported extends XennetException {
        private static final long serialVersionUID = 1L;

        Reported(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A refusal before {@link #run} reached XenStore (a bad argument, a bad variable, a bad
     * XENBUS_PATH or vif): written as hotplug-error when XENBUS_PATH (or a tap's INTERFACE) names
     * a usable backend, so that libxl reports the reason instead of a bare exit status.
     */
    @Override
    public void refused(String command, Params p, String message, ScriptContext ctx) {
        Optional<String> path = VifTarget.usablePath(name, p);
        if (path.isEmpty()) {
            return;
        }
        try (XenStore xs = ctx.xenstore().get()) {
            fatal(xs, path.get(), message.startsWith(name) ? message : name + (command == null ? "" : " " + command)
                    + ": " + message);
        } catch (XennetException e) {
            LOG.error(name + ": could not write hotplug-error to " + Printable.quote(path.get()) + ": " + e.getMessage());
        }
    }

    /** A refusal that the run reported already is not reported twice. */
    public static boolean reported(XennetException e) {
        return e instanceof Reported;
    }

    private String message(XennetException e) {
        String m = e.getMessage();
        return m.startsWith(name + ": ") ? m.substring(name.length() + 2) : m;
    }

    /**
     * Xen's fatal(): hotplug-error then hotplug-status=error, together; the message cut to what
     * XenStore takes, so that an overlong value cannot keep the error from libxl. A failure here is
     * only logged.
     */
    private void fatal(XenStore xs, String backend, String message) {
        Map<String, String> w = new LinkedHashMap<>();
        w.put(backend + "/hotplug-error", fit(message));
        w.put(backend + "/hotplug-status", "error");
        try {
            xs.writeAll(w);
        } catch (XennetException e) {
            LOG.error(name + ": could not write hotplug-error to " + backend + ": " + e.getMessage());
        }
    }

    /** The message escaped (it is shown by xl) and cut to {@value #HOTPLUG_ERROR_MAX} bytes at most. */
    static String fit(String message) {
        String m = Printable.controls(message);
        int max = Math.min(HOTPLUG_ERROR_MAX, Xs.XENSTORE_PAYLOAD_MAX - 200);
        if (m.getBytes(StandardCharsets.UTF_8).length <= max) {
            return m;
        }
        String cut = Printable.cut(m, max / 4 * 3);
        while (cut.getBytes(StandardCharsets.UTF_8).length > max) {
            cut = cut.substring(0, cut.length() - 64);
        }
        return cut;
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
    protected static boolean planRename(Plan plan, NetSteps ns, VifTarget t, Params p, boolean wasUp) {
        Optional<String> wanted = wantedName(t, p);
        String dev = t.dev();
        if (wanted.isEmpty() || wanted.get().equals(dev)) {
            return false;
        }
        String to = wanted.get();
        if (ns.network().links().exists(to)) {
            throw new XennetException("Cannot rename interface " + dev + ". An interface with name " + to
                    + " already exists.");
        }
        plan.add(ns.down(dev, wasUp));
        plan.add(ns.rename(dev, to));
        return true;
    }

    /** The frontend's MTU node (set_mtu), undone by putting back what was there, or removing it. */
    protected static void frontendMtu(Plan plan, VifTarget t, XenStore xs, int mtu) {
        String path = t.frontendMtuPath().orElseThrow();
        Optional<String> old = xs.read(path);
        String value = String.valueOf(mtu);
        if (old.equals(Optional.of(value))) {
            return;
        }
        plan.add(Step.required("xenstore-write " + path + " " + value, () -> xs.write(path, value))
                .undoneBy(old.isPresent() ? "xenstore-write " + path + " " + old.get() : "xenstore-rm " + path, () -> {
                    if (old.isPresent()) {
                        xs.write(path, old.get());
                    } else {
                        xs.remove(path);
                    }
                }));
    }

    /** offline: the device's name now, its {@code vifname} if a link has that name, else the original. */
    protected static String currentName(Network net, VifTarget t, Params p) {
        return wantedName(t, p).filter(n -> net.links().exists(n)).orElse(t.dev());
    }
}
