// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.xennet.ovsdb.OvsdbConnection;
import org.xennet.ovsdb.OvsdbJson;
import org.xennet.ovsdb.OvsdbOpenVswitch;

/**
 * The Open vSwitch part of the launcher's training run: vif-openvswitch online and offline
 * against an ovsdb-server that exists only as an in-memory channel in this process, so that the
 * classes of the ovsdb client (JSON, JSON-RPC, transactions, the wait for ovs-vswitchd) go into
 * the start-up cache without any daemon or socket. It answers each request with what the client
 * needs to take its whole path: one bridge {@code xenbr0}, the port once added, cur_cfg catching
 * up at once. Used by {@link Training} only.
 */
final class OvsTraining {
    private OvsTraining() {
    }

    /** A client of a pretend server whose bridge has the port vif2.0 already, or not yet. */
    static OvsdbOpenVswitch client(boolean withPort) {
        Canned c = new Canned();
        c.port = withPort;
        return new OvsdbOpenVswitch(new OvsdbConnection("training", c, Duration.ofSeconds(2)), Duration.ofSeconds(2));
    }

    /** The pretend ovsdb-server: replies are computed as the requests are written. */
    private static final class Canned implements ByteChannel {
        private final BlockingQueue<byte[]> out = new LinkedBlockingQueue<>();
        private ByteBuffer current;
        private byte[] pending = new byte[0];
        private volatile boolean open = true;
        private boolean port;
        private long cfg = 1;

        @Override
        @SuppressWarnings("unchecked")
        public synchronized int write(ByteBuffer src) throws ClosedChannelException {
            if (!open) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            byte[] all = new byte[pending.length + n];
            System.arraycopy(pending, 0, all, 0, pending.length);
            src.get(all, pending.length, n);
            int end;
            while ((end = OvsdbJson.frameEnd(all, all.length)) > 0) {
                answer((Map<String, Object>) OvsdbJson.parse(all, 0, end));
                all = java.util.Arrays.copyOfRange(all, end, all.length);
            }
            pending = all;
            return n;
        }

        private void answer(Map<String, Object> request) {
            Object method = request.get("method");
            if (method == null) {
                return; // our answer to an echo: there is none
            }
            List<?> params = (List<?>) request.get("params");
            Object result;
            boolean changed = false;
            if ("monitor".equals(method)) {
                result = Map.of("Open_vSwitch", Map.of("r0", Map.of("new", Map.of("cur_cfg", cfg))));
            } else if (params.size() > 1 && params.get(1) instanceof Map<?, ?> first && "select".equals(first.get("op"))
                    && "Bridge".equals(first.get("table"))) {
                result = snapshot();
            } else if (params.size() == 2 && params.get(1) instanceof Map<?, ?> only && "Interface".equals(only.get("table"))) {
                result = List.of(Map.of("rows", List.of(Map.of("error", List.of("set", List.of()), "ofport", 1L))));
            } else {
                List<Object> results = new ArrayList<>();
                boolean inserted = false;
                for (Object o : params.subList(1, params.size())) {
                    Map<?, ?> op = (Map<?, ?>) o;
                    switch (String.valueOf(op.get("op"))) {
                        case "insert" -> {
                            inserted |= "Port".equals(op.get("table"));
                            results.add(Map.of("uuid", List.of("uuid", "n" + results.size())));
                        }
                        case "mutate" -> results.add(Map.of("count", 1L));
                        case "select" -> results.add(Map.of("rows", List.of(Map.of("next_cfg", cfg + 1))));
                        default -> results.add(Map.of());
                    }
                }
                port = inserted;
                cfg++;
                changed = true;
                result = results;
            }
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("id", request.get("id"));
            reply.put("result", result);
            reply.put("error", OvsdbJson.NULL);
            out.add(OvsdbJson.write(reply).getBytes(StandardCharsets.UTF_8));
            if (changed) {
                Map<String, Object> update = new LinkedHashMap<>();
                update.put("method", "update");
                update.put("params", List.of("xennet-cfg", Map.of("Open_vSwitch", Map.of("r0", Map.of("new",
                        Map.of("cur_cfg", cfg))))));
                update.put("id", OvsdbJson.NULL);
                out.add(OvsdbJson.write(update).getBytes(StandardCharsets.UTF_8));
            }
        }

        private List<Object> snapshot() {
            List<Object> ports = new ArrayList<>(List.of(List.of("uuid", "p0")));
            List<Object> portRows = new ArrayList<>(List.of(row("p0", "xenbr0", "i0")));
            List<Object> ifaceRows = new ArrayList<>(List.of(iface("i0", "xenbr0", "internal")));
            if (port) {
                ports.add(List.of("uuid", "p1"));
                portRows.add(row("p1", "vif2.0", "i1"));
                ifaceRows.add(iface("i1", "vif2.0", ""));
            }
            Map<String, Object> bridge = new LinkedHashMap<>();
            bridge.put("_uuid", List.of("uuid", "b0"));
            bridge.put("name", "xenbr0");
            bridge.put("ports", List.of("set", ports));
            bridge.put("datapath_type", "");
            bridge.put("external_ids", List.of("map", List.of()));
            bridge.put("other_config", List.of("map", List.of()));
            Map<String, Object> root = Map.of("_uuid", List.of("uuid", "r0"), "cur_cfg", cfg, "next_cfg", cfg);
            return List.of(Map.of("rows", List.of(bridge)), Map.of("rows", portRows), Map.of("rows", ifaceRows),
                    Map.of("rows", List.of(root)));
        }

        private static Map<String, Object> row(String uuid, String name, String iface) {
            return Map.of("_uuid", List.of("uuid", uuid), "name", name, "interfaces", List.of("uuid", iface),
                    "tag", List.of("set", List.of()), "trunks", List.of("set", List.of()));
        }

        private static Map<String, Object> iface(String uuid, String name, String type) {
            return Map.of("_uuid", List.of("uuid", uuid), "name", name, "type", type,
                    "external_ids", List.of("map", List.of()), "ofport", 1L, "error", List.of("set", List.of()));
        }

        @Override
        public int read(ByteBuffer dst) {
            while (current == null || !current.hasRemaining()) {
                byte[] b;
                try {
                    b = out.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                if (b.length == 0) {
                    out.add(b);
                    return -1;
                }
                current = ByteBuffer.wrap(b);
            }
            int n = Math.min(dst.remaining(), current.remaining());
            for (int i = 0; i < n; i++) {
                dst.put(current.get());
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
            out.add(new byte[0]);
        }
    }
}
