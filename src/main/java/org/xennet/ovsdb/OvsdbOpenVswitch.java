// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link OpenVswitch} spoken directly to ovsdb-server (RFC 7047 transactions on the
 * {@code Open_vSwitch} database), the way ovs-vsctl does it but without starting a process:
 * the state is read in one transaction, each change is one transaction that also raises
 * {@code next_cfg}, and a change returns when ovs-vswitchd has caught up ({@code cur_cfg}, watched
 * through a monitor) and reports no error for the interface it added. A change that is not
 * applied in time, or fails in ovs-vswitchd, is taken back from the database before the
 * exception is thrown, so the database never holds a change the caller was told failed.
 *
 * <p>Endpoint: {@link #socketPath}. Every request waits at most the timeout given to
 * {@link #connect}; waiting for ovs-vswitchd at most {@code applyWait}.
 */
public final class OvsdbOpenVswitch implements OpenVswitch {
    public static final String DB = "Open_vSwitch";
    /** Open vSwitch's own default run directory (ovs-vsctl's {@code unix:$OVS_RUNDIR/db.sock}). */
    public static final String DEFAULT_RUNDIR = "/var/run/openvswitch";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a change waits for ovs-vswitchd unless told otherwise (ovs-vsctl in Xen's script: 30 s). */
    public static final Duration DEFAULT_APPLY_WAIT = Duration.ofSeconds(20);

    private static final String MONITOR_ID = "xennet-cfg";

    private final OvsdbConnection conn;
    private final Duration applyWait;
    private boolean monitoring;
    private long curCfg = Long.MIN_VALUE;

    public OvsdbOpenVswitch(OvsdbConnection conn, Duration applyWait) {
        this.conn = conn;
        this.applyWait = applyWait;
    }

    /**
     * ovs-vsctl's default database socket: {@code configured} (xennet.conf's {@code ovs_db},
     * {@code unix:PATH} or a path) when given, else {@code $OVS_RUNDIR/db.sock}, else
     * {@value #DEFAULT_RUNDIR}{@code /db.sock}.
     */
    public static String socketPath(Map<String, String> env, Optional<String> configured) {
        if (configured.isPresent() && !configured.get().isEmpty()) {
            String c = configured.get();
            if (c.startsWith("unix:")) {
                return c.substring(5);
            }
            if (c.startsWith("/")) {
                return c;
            }
            throw new OvsdbException("ovs_db=" + c + " is not unix:PATH or an absolute path (only Unix sockets)",
                    "connect");
        }
        String rundir = env.get("OVS_RUNDIR");
        return (rundir == null || rundir.isEmpty() ? DEFAULT_RUNDIR : rundir) + "/db.sock";
    }

    public static OvsdbOpenVswitch connect(String socket, Duration timeout, Duration connectBudget, Duration applyWait) {
        return new OvsdbOpenVswitch(OvsdbConnection.open(socket, timeout, connectBudget), applyWait);
    }

    public String endpoint() {
        return conn.endpoint();
    }

    // ---------------------------------------------------------------- reading

    /** The four tables, as far as the operations need them, read in one transaction (a consistent view). */
    record Snapshot(Map<String, Map<String, Object>> bridges, Map<String, Map<String, Object>> ports,
            Map<String, Map<String, Object>> interfaces, Map<String, Object> root) {

        Optional<String> bridgeUuid(String name) {
            return bridges.entrySet().stream().filter(e -> name.equals(e.getValue().get("name"))).map(Map.Entry::getKey)
                    .findFirst();
        }

        Optional<String> portUuid(String name) {
            return ports.entrySet().stream().filter(e -> name.equals(e.getValue().get("name"))).map(Map.Entry::getKey)
                    .findFirst();
        }

        /** The uuid of the bridge whose ports include {@code portUuid}. */
        Optional<String> bridgeOf(String portUuid) {
            return bridges.entrySet().stream().filter(e -> uuidSet(e.getValue().get("ports")).contains(portUuid))
                    .map(Map.Entry::getKey).findFirst();
        }

        String rootUuid() {
            Object u = root.get("_uuid");
            if (u == null) {
                throw new OvsdbException("the Open_vSwitch table of ovsdb is empty: the database was never initialised "
                        + "(ovs-vsctl init, which Debian's openvswitch-switch service does)", "empty");
            }
            return uuid(u);
        }
    }

    Snapshot snapshot(String what) {
        List<Object> params = new ArrayList<>();
        params.add(DB);
        params.add(select("Bridge", List.of(), "_uuid", "name", "ports", "datapath_type", "external_ids",
                "other_config"));
        params.add(select("Port", List.of(), "_uuid", "name", "interfaces", "tag", "trunks"));
        params.add(select("Interface", List.of(), "_uuid", "name", "type", "external_ids", "ofport", "error"));
        params.add(select("Open_vSwitch", List.of(), "_uuid", "cur_cfg", "next_cfg"));
        List<Object> results = transact(what, params);
        List<Map<String, Object>> root = rows(results.get(3));
        return new Snapshot(byUuid(rows(results.get(0))), byUuid(rows(results.get(1))), byUuid(rows(results.get(2))),
                root.isEmpty() ? Map.of() : root.get(0));
    }

    @Override
    public List<OvsBridge> bridges() {
        Snapshot s = snapshot("ovs-vsctl list-br");
        List<OvsBridge> out = new ArrayList<>();
        for (Map<String, Object> b : s.bridges.values()) {
            List<String> ports = new ArrayList<>();
            for (String pu : uuidSet(b.get("ports"))) {
                Map<String, Object> p = s.ports.get(pu);
                if (p != null) {
                    ports.add((String) p.get("name"));
                }
            }
            ports.sort(null);
            out.add(new OvsBridge((String) b.get("name"), string(b.get("datapath_type")), ports,
                    map(b.get("external_ids")), map(b.get("other_config"))));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    @Override
    public Optional<OvsPort> findPort(String name) {
        return ports(snapshot("ovs-vsctl list port " + name)).stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public List<OvsPort> ports() {
        return ports(snapshot("ovs-vsctl list port"));
    }

    private static List<OvsPort> ports(Snapshot s) {
        List<OvsPort> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> be : s.bridges.entrySet()) {
            String bridge = (String) be.getValue().get("name");
            for (String pu : uuidSet(be.getValue().get("ports"))) {
                Map<String, Object> p = s.ports.get(pu);
                if (p == null) {
                    continue;
                }
                List<String> ifaces = uuidSet(p.get("interfaces"));
                Map<String, Object> i = ifaces.isEmpty() ? Map.of() : s.interfaces.getOrDefault(ifaces.get(0), Map.of());
                List<Long> tag = longSet(p.get("tag"));
                List<Integer> trunks = new ArrayList<>();
                longSet(p.get("trunks")).forEach(t -> trunks.add(t.intValue()));
                trunks.sort(null);
                List<Long> ofport = longSet(i.get("ofport"));
                List<String> error = stringSet(i.get("error"));
                out.add(new OvsPort((String) p.get("name"), bridge, tag.isEmpty() ? null : tag.get(0).intValue(), trunks,
                        string(i.get("type")), map(i.get("external_ids")),
                        ofport.isEmpty() ? null : ofport.get(0).intValue(), error.isEmpty() ? null : error.get(0)));
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    @Override
    public boolean applied() {
        Snapshot s = snapshot("ovs-vsctl get Open_vSwitch . cur_cfg");
        if (s.root.isEmpty()) {
            return false;
        }
        return number(s.root.get("cur_cfg")) >= number(s.root.get("next_cfg"));
    }

    // ---------------------------------------------------------------- changes

    @Override
    public void replacePort(String bridge, PortConfig port) {
        String what = "ovs-vsctl -- --if-exists del-port " + port.name() + " -- " + port.vsctlWords(bridge);
        watchCfg(what);
        Snapshot s = snapshot(what);
        String br = s.bridgeUuid(bridge).orElseThrow(() -> new OvsdbException(what + ": no Open vSwitch bridge named "
                + bridge, "no bridge"));
        Optional<OvsPort> old = ports(s).stream().filter(p -> p.name().equals(port.name())).findFirst();
        List<Object> ops = new ArrayList<>();
        removePortOps(s, port.name(), ops);
        ops.add(waitExists("Bridge", bridge));
        insertPortOps(port, "xnport", "xniface", ops);
        ops.add(mutate("Bridge", List.of(whereUuid(br)), "ports", "insert", namedUuid("xnport")));
        long cfg = commit(what, s, ops);
        try {
            awaitApplied(what, cfg);
            checkInterface(what, port.name());
        } catch (OvsdbException e) {
            // take it back: the caller is told it failed, so the database must not keep it
            try {
                Snapshot now = snapshot(what + " (taking it back)");
                List<Object> back = new ArrayList<>();
                removePortOps(now, port.name(), back);
                if (old.isPresent() && now.bridgeUuid(old.get().bridge()).isPresent()) {
                    insertPortOps(old.get().config(), "xnold", "xnoldif", back);
                    back.add(mutate("Bridge", List.of(whereUuid(now.bridgeUuid(old.get().bridge()).get())), "ports",
                            "insert", namedUuid("xnold")));
                }
                commit(what + " (taking it back)", now, back);
            } catch (OvsdbException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    @Override
    public void deletePort(String name) {
        String what = "ovs-vsctl --if-exists del-port " + name;
        watchCfg(what);
        Snapshot s = snapshot(what);
        List<Object> ops = new ArrayList<>();
        if (!removePortOps(s, name, ops)) {
            return;
        }
        awaitApplied(what, commit(what, s, ops));
    }

    @Override
    public void addBridge(BridgeConfig b) {
        String what = "ovs-vsctl " + b.vsctlWords();
        watchCfg(what);
        Snapshot s = snapshot(what);
        if (s.bridgeUuid(b.name()).isPresent()) {
            throw new OvsdbException(what + ": a bridge named " + b.name() + " exists", "exists");
        }
        if (s.portUuid(b.name()).isPresent()) {
            throw new OvsdbException(what + ": a port named " + b.name() + " exists", "exists");
        }
        List<Object> ops = new ArrayList<>();
        Map<String, Object> iface = new LinkedHashMap<>();
        iface.put("name", b.name());
        iface.put("type", "internal");
        if (b.mtu() > 0) {
            iface.put("mtu_request", b.mtu());
        }
        ops.add(insert("Interface", iface, "xniface"));
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("name", b.name());
        port.put("interfaces", namedUuid("xniface"));
        ops.add(insert("Port", port, "xnport"));
        Map<String, Object> bridge = new LinkedHashMap<>();
        bridge.put("name", b.name());
        bridge.put("ports", namedUuid("xnport"));
        if (!b.datapathType().isEmpty()) {
            bridge.put("datapath_type", b.datapathType());
        }
        if (b.hwaddr() != null) {
            bridge.put("other_config", ovsMap(Map.of("hwaddr", b.hwaddr())));
        }
        if (b.stp()) {
            bridge.put("stp_enable", true);
        }
        if (!b.externalIds().isEmpty()) {
            bridge.put("external_ids", ovsMap(b.externalIds()));
        }
        ops.add(insert("Bridge", bridge, "xnbridge"));
        ops.add(mutate("Open_vSwitch", List.of(whereUuid(s.rootUuid())), "bridges", "insert", namedUuid("xnbridge")));
        long cfg = commit(what, s, ops);
        try {
            awaitApplied(what, cfg);
            checkInterface(what, b.name());
        } catch (OvsdbException e) {
            try {
                deleteBridgeRow(what + " (taking it back)", b.name());
            } catch (OvsdbException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    @Override
    public void deleteBridge(String name) {
        String what = "ovs-vsctl --if-exists del-br " + name;
        watchCfg(what);
        Long cfg = deleteBridgeRow(what, name);
        if (cfg != null) {
            awaitApplied(what, cfg);
        }
    }

    private Long deleteBridgeRow(String what, String name) {
        Snapshot s = snapshot(what);
        Optional<String> br = s.bridgeUuid(name);
        if (br.isEmpty()) {
            return null;
        }
        List<Object> ops = new ArrayList<>();
        ops.add(mutate("Open_vSwitch", List.of(whereUuid(s.rootUuid())), "bridges", "delete", uuidAtom(br.get())));
        return commit(what, s, ops);
    }

    /** The ops that take port {@code name} off whichever bridge has it; false when no bridge has it. */
    private static boolean removePortOps(Snapshot s, String name, List<Object> ops) {
        boolean any = false;
        for (Map.Entry<String, Map<String, Object>> p : s.ports.entrySet()) {
            if (!name.equals(p.getValue().get("name"))) {
                continue;
            }
            Optional<String> br = s.bridgeOf(p.getKey());
            if (br.isPresent()) {
                ops.add(mutate("Bridge", List.of(whereUuid(br.get())), "ports", "delete", uuidAtom(p.getKey())));
                any = true;
            }
        }
        return any;
    }

    private static void insertPortOps(PortConfig port, String portName, String ifaceName, List<Object> ops) {
        Map<String, Object> iface = new LinkedHashMap<>();
        iface.put("name", port.name());
        if (!port.type().isEmpty()) {
            iface.put("type", port.type());
        }
        if (!port.externalIds().isEmpty()) {
            iface.put("external_ids", ovsMap(port.externalIds()));
        }
        ops.add(insert("Interface", iface, ifaceName));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", port.name());
        p.put("interfaces", namedUuid(ifaceName));
        if (port.tag() != null) {
            p.put("tag", port.tag());
        }
        if (!port.trunks().isEmpty()) {
            p.put("trunks", List.of("set", new ArrayList<Object>(port.trunks())));
        }
        ops.add(insert("Port", p, portName));
    }

    /**
     * Runs {@code ops} with next_cfg raised, as one transaction; returns the next_cfg that
     * ovs-vswitchd must reach.
     */
    private long commit(String what, Snapshot s, List<Object> ops) {
        List<Object> params = new ArrayList<>();
        params.add(DB);
        params.addAll(ops);
        String root = s.rootUuid();
        params.add(mutate("Open_vSwitch", List.of(whereUuid(root)), "next_cfg", "+=", 1));
        params.add(select("Open_vSwitch", List.of(whereUuid(root)), "next_cfg"));
        List<Object> results = transact(what, params);
        List<Map<String, Object>> rows = rows(results.get(params.size() - 2));
        if (rows.isEmpty()) {
            throw new OvsdbFormatException(what + ": no next_cfg in the transaction's result");
        }
        return number(rows.get(0).get("next_cfg"));
    }

    /** A transaction; an error in any operation (or at commit) fails it with the server's words. */
    @SuppressWarnings("unchecked")
    private List<Object> transact(String what, List<Object> params) {
        Object r = conn.call(what, "transact", params);
        if (!(r instanceof List)) {
            throw new OvsdbFormatException(what + ": the result of a transaction is not an array");
        }
        List<Object> results = (List<Object>) r;
        for (Object o : results) {
            if (o instanceof Map<?, ?> m && m.get("error") != null && m.get("error") != OvsdbJson.NULL) {
                throw new OvsdbException(what + ": ovsdb-server: " + OvsdbConnection.describeError(m),
                        OvsdbConnection.errorWord(m));
            }
        }
        if (results.size() < params.size() - 1) {
            throw new OvsdbFormatException(what + ": " + results.size() + " results for " + (params.size() - 1)
                    + " operations");
        }
        return results;
    }

    // ---------------------------------------------------------------- waiting for ovs-vswitchd

    /** Starts watching cur_cfg (once per connection), before the change, so that no update is missed. */
    @SuppressWarnings("unchecked")
    private void watchCfg(String what) {
        if (monitoring) {
            return;
        }
        Map<String, Object> tables = Map.of("Open_vSwitch", Map.of("columns", List.of("cur_cfg")));
        Object initial = conn.call(what, "monitor", List.of(DB, MONITOR_ID, tables));
        monitoring = true;
        if (initial instanceof Map) {
            absorb((Map<String, Object>) initial);
        }
    }

    @SuppressWarnings("unchecked")
    private void absorb(Map<String, Object> tableUpdates) {
        Object t = tableUpdates.get("Open_vSwitch");
        if (!(t instanceof Map)) {
            return;
        }
        for (Object rowUpdate : ((Map<String, Object>) t).values()) {
            if (rowUpdate instanceof Map<?, ?> ru && ru.get("new") instanceof Map<?, ?> nw
                    && nw.get("cur_cfg") instanceof Long c) {
                curCfg = Math.max(curCfg, c);
            }
        }
    }

    /** Returns once cur_cfg has reached {@code cfg}; an OvsdbException when it does not within applyWait. */
    @SuppressWarnings("unchecked")
    private void awaitApplied(String what, long cfg) {
        long deadline = System.nanoTime() + applyWait.toNanos();
        while (curCfg < cfg) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new OvsdbException(what + ": ovs-vswitchd did not apply the change within "
                        + OvsdbConnection.format(applyWait) + " (is ovs-vswitchd running? Debian: systemctl status "
                        + "openvswitch-switch)", "not applied");
            }
            Optional<Map<String, Object>> n = conn.nextNotification(Duration.ofNanos(left));
            if (n.isPresent() && "update".equals(n.get().get("method")) && n.get().get("params") instanceof List<?> p
                    && p.size() == 2 && MONITOR_ID.equals(p.get(0)) && p.get(1) instanceof Map) {
                absorb((Map<String, Object>) p.get(1));
            }
        }
    }

    /** ovs-vswitchd's verdict on an interface it was to add: its {@code error} column, or ofport -1. */
    private void checkInterface(String what, String name) {
        List<Object> params = new ArrayList<>();
        params.add(DB);
        params.add(select("Interface", List.of(List.of("name", "==", name)), "error", "ofport"));
        List<Map<String, Object>> rows = rows(transact(what, params).get(0));
        if (rows.isEmpty()) {
            throw new OvsdbException(what + ": the interface " + name + " is not in the database after the change "
                    + "(removed meanwhile?)", "missing");
        }
        List<String> error = stringSet(rows.get(0).get("error"));
        List<Long> ofport = longSet(rows.get(0).get("ofport"));
        if (!error.isEmpty()) {
            throw new OvsdbException(what + ": ovs-vswitchd: " + error.get(0), "interface error");
        }
        if (!ofport.isEmpty() && ofport.get(0) == -1) {
            throw new OvsdbException(what + ": ovs-vswitchd could not add " + name + " (ofport -1)", "interface error");
        }
    }

    @Override
    public void close() {
        conn.close();
    }

    // ---------------------------------------------------------------- RFC 7047 shapes

    static Map<String, Object> select(String table, List<Object> where, String... columns) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "select");
        op.put("table", table);
        op.put("where", where);
        op.put("columns", List.of(columns));
        return op;
    }

    static Map<String, Object> insert(String table, Map<String, Object> row, String uuidName) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "insert");
        op.put("table", table);
        op.put("row", row);
        op.put("uuid-name", uuidName);
        return op;
    }

    static Map<String, Object> mutate(String table, List<Object> where, String column, String mutator, Object value) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "mutate");
        op.put("table", table);
        op.put("where", where);
        op.put("mutations", List.of(List.of(column, mutator, value)));
        return op;
    }

    /** Fails the transaction unless a row of {@code table} is named {@code name} (it was not deleted meanwhile). */
    static Map<String, Object> waitExists(String table, String name) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "wait");
        op.put("table", table);
        op.put("where", List.of(List.of("name", "==", name)));
        op.put("columns", List.of("name"));
        op.put("until", "==");
        op.put("rows", List.of(Map.of("name", name)));
        op.put("timeout", 0);
        return op;
    }

    static List<Object> whereUuid(String uuid) {
        return List.of("_uuid", "==", uuidAtom(uuid));
    }

    static List<Object> uuidAtom(String uuid) {
        return List.of("uuid", uuid);
    }

    static List<Object> namedUuid(String name) {
        return List.of("named-uuid", name);
    }

    static List<Object> ovsMap(Map<String, String> m) {
        List<Object> pairs = new ArrayList<>();
        new java.util.TreeMap<>(m).forEach((k, v) -> pairs.add(List.of(k, v)));
        return List.of("map", pairs);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(Object result) {
        if (result instanceof Map<?, ?> m && m.get("rows") instanceof List<?> l) {
            return (List<Map<String, Object>>) l;
        }
        throw new OvsdbFormatException("a select result without rows");
    }

    private static Map<String, Map<String, Object>> byUuid(List<Map<String, Object>> rows) {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            m.put(uuid(r.get("_uuid")), r);
        }
        return m;
    }

    static String uuid(Object atom) {
        if (atom instanceof List<?> l && l.size() == 2 && "uuid".equals(l.get(0)) && l.get(1) instanceof String s) {
            return s;
        }
        throw new OvsdbFormatException("not a uuid: " + OvsdbJson.write(atom));
    }

    /** The members of a set column: a bare atom is a set of one, {@code ["set", [...]]} any number. */
    private static List<Object> set(Object datum) {
        if (datum == null) {
            return List.of();
        }
        if (datum instanceof List<?> l && l.size() == 2 && "set".equals(l.get(0)) && l.get(1) instanceof List<?> members) {
            return new ArrayList<>(members);
        }
        return List.of(datum);
    }

    static List<String> uuidSet(Object datum) {
        List<String> out = new ArrayList<>();
        for (Object o : set(datum)) {
            out.add(uuid(o));
        }
        return out;
    }

    static List<Long> longSet(Object datum) {
        List<Long> out = new ArrayList<>();
        for (Object o : set(datum)) {
            if (!(o instanceof Long)) {
                throw new OvsdbFormatException("not an integer: " + OvsdbJson.write(o));
            }
            out.add((Long) o);
        }
        return out;
    }

    static List<String> stringSet(Object datum) {
        List<String> out = new ArrayList<>();
        for (Object o : set(datum)) {
            if (!(o instanceof String)) {
                throw new OvsdbFormatException("not a string: " + OvsdbJson.write(o));
            }
            out.add((String) o);
        }
        return out;
    }

    static Map<String, String> map(Object datum) {
        Map<String, String> out = new HashMap<>();
        if (datum == null) {
            return out;
        }
        if (!(datum instanceof List<?> l) || l.size() != 2 || !"map".equals(l.get(0)) || !(l.get(1) instanceof List<?>)) {
            throw new OvsdbFormatException("not a map: " + OvsdbJson.write(datum));
        }
        for (Object pair : (List<?>) ((List<?>) datum).get(1)) {
            if (!(pair instanceof List<?> kv) || kv.size() != 2 || !(kv.get(0) instanceof String k)
                    || !(kv.get(1) instanceof String v)) {
                throw new OvsdbFormatException("not a string pair: " + OvsdbJson.write(pair));
            }
            out.put(k, v);
        }
        return out;
    }

    private static String string(Object datum) {
        return datum instanceof String s ? s : "";
    }

    private static long number(Object datum) {
        List<Long> l = longSet(datum);
        return l.isEmpty() ? 0 : l.get(0);
    }
}
