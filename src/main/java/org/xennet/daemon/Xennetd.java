// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Guard;
import org.xennet.firewall.NftRules;
import org.xennet.firewall.NftTable;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.model.Link;
import org.xennet.net.LinkEvents;
import org.xennet.net.Network;
import org.xennet.scripts.vif.VifFirewall;
import org.xennet.xenstore.WatchEvent;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreClient;

/**
 * xennetd: one long-lived process that does the work of vif-bridge, vif-route and vif-nat for
 * the vif backends of the domain it runs in (dom0, or a driver domain) as XenStore and the kernel
 * announce them, instead of one JVM per call
 * (LightVM's xendevd did the same for device hotplug). It watches {@code backend/vif} in XenStore
 * and the kernel's link events; a backend whose keys are written, which libxl has switched on
 * and whose interface netback has made goes online; one that libxl switches off, that netback
 * closes, that disappears, or whose interface goes away goes offline. The work is the scripts'
 * own, run in-process through a {@link CallRunner} with the environment libxl would give them,
 * under the same per-vif locks, so a script call and the daemon never act on one vif at once.
 *
 * <p>libxl still runs the vif script for every backend; the launcher hands that call to the
 * daemon ({@link RequestServer}), which answers with the outcome for the backend the call names,
 * as XenStore says it is: the request carries no authority of its own.
 *
 * <p>At start, and whenever it reconnects to xenstored or lost link events, it reconciles: every
 * backend is looked at again (a connected one is brought to what online does, which repairs it;
 * a pending one goes online), and rules left by vifs that are gone are removed. So a SIGKILL of
 * the daemon or a restart of xenstored ends in the same state as if nothing had happened.
 *
 * <p>Longer than ~300 lines because the watch path, the request path and the reconcile all read
 * and change one table (what the daemon did for each backend) under one lock per backend; kept in
 * one class, no other code can touch that table or take the locks in another order.
 */
public final class Xennetd {
    private static final Log LOG = Log.get(Xennetd.class);
    static final String TOKEN = "xennetd";
    /**
     * Relative, so resolved against the home of the domain the daemon runs in: dom0's
     * {@code /local/domain/0/backend/vif}, or a driver domain's own backends when it runs there
     * (xenstored reports the events of a relative watch relatively, as libxl names backends to
     * the scripts).
     */
    static final String WATCHED = "backend/vif";
    static final Duration RECONCILE_EVERY = Duration.ofSeconds(60);

    private final Map<String, String> env;
    private final Supplier<XenStoreClient> xenstore;
    private final Supplier<Network> network;
    private final Supplier<Firewall> firewall;
    private final Supplier<NftablesFirewall> nftables;
    private final Supplier<LinkEvents> linkEvents;
    private final CallRunner runner;

    private final Map<Backend, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Set<Backend> queued = ConcurrentHashMap.newKeySet();
    /** What the daemon last did for a backend it handles, and the interface it did it to. */
    private final Map<Backend, Tracked> tracked = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "xennetd worker");
        t.setDaemon(true);
        return t;
    });
    /**
     * Writes the summary line of each online and offline, so that a handed-over call gets its
     * verdict without waiting for it: a line costs some 0.3-0.4 ms in log4j here (measured in the
     * daemon, a tenth of its time for an online). One thread: the lines keep their order.
     */
    private final ExecutorService log = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "xennetd log");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong onlines = new AtomicLong();
    private final AtomicLong offlines = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean stopped;
    private volatile XenStore reader;
    private volatile Runnable onReady;
    private volatile long lastReconcile;

    record Tracked(String dev, String script, boolean online) {
    }

    public Xennetd(Map<String, String> env, Supplier<XenStoreClient> xenstore, Supplier<Network> network,
            Supplier<Firewall> firewall, Supplier<NftablesFirewall> nftables, Supplier<LinkEvents> linkEvents,
            CallRunner runner) {
        this.env = Map.copyOf(env);
        this.xenstore = xenstore;
        this.network = network;
        this.firewall = firewall;
        this.nftables = nftables;
        this.linkEvents = linkEvents;
        this.runner = runner;
    }

    /** Counts for {@code xennet daemon status}. */
    public String status() {
        return "backends " + tracked.size() + ", online " + tracked.values().stream().filter(Tracked::online).count()
                + "; since start: " + onlines.get() + " online, " + offlines.get() + " offline, " + failures.get()
                + " failed";
    }

    public void stop() {
        stopped = true;
        workers.shutdownNow();
        log.shutdown();
        try {
            log.awaitTermination(2, TimeUnit.SECONDS); // the last lines written before the process ends
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs until {@link #stop}; {@code ready} runs once, when XenStore is watched and the first reconcile queued. */
    public void run(Runnable ready) {
        this.onReady = ready;
        run();
    }

    /** Runs until {@link #stop}: XenStore watched, reconnected with back-off when xenstored goes away. */
    public void run() {
        Thread links = new Thread(this::followLinks, "xennetd link events");
        links.setDaemon(true);
        links.start();
        long backoffMs = 200;
        while (!stopped) {
            try (XenStoreClient xs = xenstore.get()) {
                xs.watch(WATCHED, TOKEN);
                reader = xs;
                LOG.info("xennetd: watching " + WATCHED + " at " + xs.endpoint());
                backoffMs = 200;
                reconcile();
                Runnable r = onReady;
                if (r != null) {
                    onReady = null;
                    r.run();
                }
                while (!stopped) {
                    Optional<WatchEvent> e = xs.nextWatchEvent(Duration.ofSeconds(1));
                    e.flatMap(w -> Backend.of(w.path())).ifPresent(this::submit);
                    if (System.nanoTime() - lastReconcile > RECONCILE_EVERY.toNanos()) {
                        reconcile();
                    }
                }
            } catch (XennetException e) {
                reader = null;
                if (stopped) {
                    return;
                }
                LOG.warn("xennetd: XenStore: " + e.getMessage() + "; connecting again in " + backoffMs + " ms");
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5000);
            }
        }
    }

    private void followLinks() {
        while (!stopped) {
            try (LinkEvents events = linkEvents.get()) {
                while (!stopped) {
                    Optional<LinkEvents.Event> e = events.next();
                    if (e.isEmpty()) {
                        continue;
                    }
                    if (e.get().lost()) {
                        LOG.warn("xennetd: link events were lost (socket buffer full); looking at every backend");
                        lastReconcile = 0;
                        continue;
                    }
                    Link l = e.get().link();
                    backendOf(l.name()).ifPresent(this::submit);
                }
            } catch (XennetException e) {
                LOG.warn("xennetd: link events: " + e.getMessage());
                sleep(1000);
            }
        }
    }

    /** The backend an interface belongs to: by its vifD.N name, or the vifname a tracked backend gave it. */
    private Optional<Backend> backendOf(String dev) {
        for (Map.Entry<Backend, Tracked> t : tracked.entrySet()) {
            if (t.getValue().dev().equals(dev)) {
                return Optional.of(t.getKey());
            }
        }
        if (dev.matches("vif[0-9]{1,5}\\.[0-9]{1,9}")) {
            return Backend.of("backend/vif/" + dev.substring(3).replace('.', '/'));
        }
        return Optional.empty();
    }

    /** Queues a look at a backend; several events for one backend while it waits count once. */
    void submit(Backend b) {
        if (queued.add(b)) {
            workers.execute(() -> {
                queued.remove(b);
                try {
                    evaluate(b);
                } catch (RuntimeException e) {
                    LOG.error("xennetd: " + b + ": " + e.getMessage());
                }
            });
        }
    }

    private <T> T locked(Backend b, Supplier<T> body) {
        ReentrantLock l = locks.computeIfAbsent(b, k -> new ReentrantLock());
        l.lock();
        try {
            return body.get();
        } finally {
            l.unlock();
        }
    }

    private boolean deviceExists(String dev) {
        try (Network net = network.get()) {
            return net.links().exists(dev);
        }
    }

    /** The connection the daemon reads with; a request that comes while it reconnects waits a little. */
    private XenStore reader() {
        for (int i = 0; i < 40 && reader == null && !stopped; i++) {
            sleep(50);
        }
        XenStore xs = reader;
        if (xs == null) {
            throw new XennetException("not connected to xenstored");
        }
        return xs;
    }

    /** What the backend should be now, and doing it when the daemon has not done it yet. */
    void evaluate(Backend b) {
        locked(b, () -> {
            BackendView v = BackendView.read(reader(), b);
            Tracked t = tracked.get(b);
            if (!v.exists()) {
                if (t != null && t.online()) {
                    offline(b, v, t, false);
                }
                tracked.remove(b);
                return null;
            }
            if (!v.ours()) {
                return null; // libxl's call runs that script itself
            }
            boolean device = deviceExists(v.dev());
            if (v.closing() || (!device && t != null && t.online())) {
                if (t != null && t.online()) {
                    offline(b, v, t, true);
                }
                return null;
            }
            if (device && v.ready() && (t == null || !t.online()) && !"error".equals(v.hotplugStatus())) {
                online(b, v);
            }
            return null;
        });
    }

    private CallRunner.Result online(Backend b, BackendView v) {
        long t0 = System.nanoTime();
        CallRunner.Result r = runner.run(v.scriptName(), List.of("online", "type_if=vif"), callEnv(b, v), true);
        if (r.ok()) {
            onlines.incrementAndGet();
            tracked.put(b, new Tracked(v.dev(), v.scriptName(), true));
            String line = "xennetd: " + v.scriptName() + " online " + v.dev() + " (" + b + ") in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms";
            later(() -> LOG.info(line));
        } else {
            failures.incrementAndGet();
            tracked.put(b, new Tracked(v.dev(), v.scriptName(), false));
            String line = "xennetd: " + v.scriptName() + " online " + v.dev() + " (" + b + ") failed: " + r.err().trim();
            later(() -> LOG.error(line));
        }
        return r;
    }

    /** A summary line, written by the log thread (by this one once the daemon stops). */
    private void later(Runnable line) {
        try {
            log.execute(line);
        } catch (RejectedExecutionException e) {
            line.run();
        }
    }

    /** Offline; {@code keys}: the backend's keys are still in XenStore (else the vif's rules are found by its name). */
    private CallRunner.Result offline(Backend b, BackendView v, Tracked t, boolean keys) {
        String script = t != null ? t.script() : v.scriptName();
        Map<String, String> e = callEnv(b, v);
        if (t != null) {
            e.put("vifname", t.dev().equals(b.vif()) ? "" : t.dev());
        }
        CallRunner.Result r = runner.run(script, List.of("offline", "type_if=vif"), e, keys);
        offlines.incrementAndGet();
        tracked.put(b, new Tracked(t != null ? t.dev() : v.dev(), script, false));
        String line = "xennetd: " + script + " offline " + (t != null ? t.dev() : v.dev()) + " (" + b + ")"
                + (r.ok() ? "" : ": " + r.err().trim());
        later(() -> LOG.info(line));
        return r;
    }

    /** The environment libxl gives a vif script (libxl_linux.c), on top of the daemon's own. */
    private Map<String, String> callEnv(Backend b, BackendView v) {
        Map<String, String> e = new HashMap<>(env);
        e.put("vif", b.vif());
        e.put("XENBUS_PATH", b.path());
        e.put("XENBUS_TYPE", "vif");
        e.put("XENBUS_BASE_PATH", "backend");
        e.put("script", v.script() != null ? v.script() : "/etc/xen/scripts/" + v.scriptName());
        e.put("netdev", v.gatewaydev() == null ? "" : v.gatewaydev());
        return e;
    }

    /**
     * A script call handed over by the launcher: the outcome for the backend it names, as
     * XenStore says it is. FALLBACK when the backend is not one the daemon handles (the caller
     * then runs the script itself).
     */
    Reply request(String command, Backend b, String script) {
        return locked(b, () -> {
            BackendView v;
            try {
                v = BackendView.read(reader(), b);
            } catch (XennetException e) {
                return Reply.fallback("XenStore: " + e.getMessage());
            }
            Tracked t = tracked.get(b);
            if (command.equals("online")) {
                if (!v.exists() || !v.ours() || !v.scriptName().equals(script)) {
                    return Reply.fallback(v.exists() ? "the backend's script is " + v.scriptName() : "no such backend");
                }
                if (t != null && t.online() && "connected".equals(v.hotplugStatus()) && deviceExists(v.dev())) {
                    return Reply.OK; // done when the backend appeared
                }
                CallRunner.Result r = online(b, v);
                return r.ok() ? Reply.OK : Reply.error(r.err());
            }
            // offline: only for a backend that is going or gone, whatever the caller says
            boolean device = deviceExists(v.exists() ? v.dev() : t != null ? t.dev() : b.vif());
            if (v.exists() && !v.closing() && device) {
                LOG.warn("xennetd: offline asked for " + b + ", which XenStore says is online: nothing done");
                return Reply.OK;
            }
            if (v.exists() && !v.ours()) {
                return Reply.fallback("the backend's script is " + v.scriptName());
            }
            if (t != null && !t.online()) {
                return Reply.OK; // done already: the daemon saw it switched off or gone
            }
            CallRunner.Result r = offline(b, v, t, v.exists());
            if (!v.exists()) {
                tracked.remove(b);
            }
            return r.ok() ? Reply.OK : Reply.error(r.err());
        });
    }

    /** Every backend looked at again; rules of vifs that are gone removed. */
    void reconcile() {
        lastReconcile = System.nanoTime();
        List<Backend> all = new ArrayList<>();
        XenStore xs = reader();
        try {
            for (String d : xs.directory("backend/vif")) {
                if (!d.matches("[0-9]{1,5}")) {
                    continue;
                }
                for (String n : xs.directory("backend/vif/" + d)) {
                    Backend.of("backend/vif/" + d + "/" + n).ifPresent(all::add);
                }
            }
        } catch (XennetException e) {
            if (!(e instanceof org.xennet.xenstore.XenStoreException x && x.isNotFound())) {
                throw e;
            }
        }
        for (Backend b : tracked.keySet()) {
            if (!all.contains(b)) {
                all.add(b);
            }
        }
        LOG.info("xennetd: reconciling " + all.size() + " backend(s)");
        for (Backend b : all) {
            submit(b);
        }
        removeOrphanRules(all);
    }

    /**
     * The guards of vif interfaces that no longer exist and belong to no backend, what a kill left
     * behind: iptables FORWARD rules, and the sets in xennet's nftables tables.
     */
    private void removeOrphanRules(List<Backend> backends) {
        Set<String> alive = ConcurrentHashMap.newKeySet();
        try (Network net = network.get()) {
            net.links().list().forEach(l -> alive.add(l.name()));
        }
        for (Backend b : backends) {
            alive.add(b.vif());
            Tracked t = tracked.get(b);
            if (t != null) {
                alive.add(t.dev());
            }
        }
        removeOrphanGuards(alive);
        Firewall fw;
        List<Rule> rules;
        try {
            fw = firewall.get();
            rules = fw.list(VifFirewall.FORWARD);
        } catch (XennetException e) {
            LOG.debug(() -> "xennetd: firewall not read: " + e.getMessage());
            return;
        }
        for (Rule r : rules) {
            Optional<String> dev = VifFirewall.vifNamed(r);
            if (dev.isPresent() && !alive.contains(dev.get())) {
                try {
                    fw.delete(r);
                    LOG.info("xennetd: removed " + r.asAppend() + " (" + dev.get() + " is gone)");
                } catch (XennetException e) {
                    LOG.warn("xennetd: cannot remove " + r.asAppend() + ": " + e.getMessage());
                }
            }
        }
    }

    /** The nftables sets of vanished vifs, each removed in one transaction (no table, or no libnftables: nothing). */
    private void removeOrphanGuards(Set<String> alive) {
        NftablesFirewall fw;
        try {
            fw = nftables.get();
        } catch (XennetException | UnsatisfiedLinkError e) {
            LOG.debug(() -> "xennetd: nftables not read: " + e.getMessage());
            return;
        }
        for (Guard.Layer layer : Guard.Layer.values()) {
            Optional<NftTable> table;
            try {
                table = fw.table(layer.family());
            } catch (XennetException e) {
                LOG.debug(() -> "xennetd: table " + layer.family() + " " + NftRules.TABLE + " not read: " + e.getMessage());
                continue;
            }
            if (table.isEmpty()) {
                continue;
            }
            NftTable t = table.get();
            for (String dev : List.copyOf(t.vifs().keySet())) {
                if (alive.contains(dev)) {
                    continue;
                }
                try {
                    fw.apply(NftRules.remove(layer.family(), dev, true, t.hasChain(NftRules.chain(dev))));
                    LOG.info("xennetd: removed the guard of " + dev + " from table " + layer.family() + " "
                            + NftRules.TABLE + " (" + dev + " is gone)");
                } catch (XennetException e) {
                    LOG.warn("xennetd: cannot remove the guard of " + dev + ": " + e.getMessage());
                }
            }
        }
    }

    /** The answer to a handed-over call. */
    record Reply(String word, String message) {
        static final Reply OK = new Reply("OK", "");

        static Reply error(String message) {
            return new Reply("ERR", message.trim());
        }

        static Reply fallback(String why) {
            return new Reply("FALLBACK", why);
        }
    }

    private static void sleep(long ms) {
        try {
            TimeUnit.MILLISECONDS.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
