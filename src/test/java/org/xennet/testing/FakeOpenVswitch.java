// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.xennet.ovsdb.BridgeConfig;
import org.xennet.ovsdb.OpenVswitch;
import org.xennet.ovsdb.OvsBridge;
import org.xennet.ovsdb.OvsPort;
import org.xennet.ovsdb.OvsdbException;
import org.xennet.ovsdb.PortConfig;

/**
 * An in-memory Open vSwitch for the script tests, with the semantics the contract tests pin down
 * against the real ovsdb-server and ovs-vswitchd ({@code OpenVswitchContract}): a bridge has its
 * internal port of the same name; a port of a system device that does not exist is refused and
 * not kept (ovs-vswitchd's "could not open network device"); names of bridges and ports are
 * unique. It counts changes ({@link #changes()}), and can be told to fail the next change or to
 * act as a stopped ovs-vswitchd ({@link #stopVswitchd}). Closing it does nothing, so one instance
 * serves several calls.
 */
public final class FakeOpenVswitch implements OpenVswitch {
    private record Bridge(BridgeConfig config, List<String> ports) {
    }

    private final Map<String, Bridge> bridges = new TreeMap<>();
    private final Map<String, OvsPort> ports = new TreeMap<>();
    private final Predicate<String> deviceExists;
    private final List<String> changes = new ArrayList<>();
    private String failNext;
    private boolean vswitchdStopped;
    private java.util.function.Consumer<BridgeConfig> bridgeAdded = b -> {
    };
    private java.util.function.Consumer<String> bridgeDeleted = n -> {
    };

    /** @param deviceExists whether a system device of that name exists (ovs-vswitchd opens it) */
    public FakeOpenVswitch(Predicate<String> deviceExists) {
        this.deviceExists = deviceExists;
    }

    /** ovs-vsctl add-br NAME, for setting up a test. */
    public FakeOpenVswitch bridge(String name) {
        addBridge(new BridgeConfig(name, "", null, 0, false, Map.of()));
        changes.clear();
        return this;
    }

    /**
     * What ovs-vswitchd does in the kernel when a bridge comes and goes: its own interface
     * appears and disappears (for the network-bridge tests, with a FakeNetwork).
     */
    public FakeOpenVswitch onBridges(java.util.function.Consumer<BridgeConfig> added,
            java.util.function.Consumer<String> deleted) {
        bridgeAdded = added;
        bridgeDeleted = deleted;
        return this;
    }

    /** The changes made so far, as ovs-vsctl words ("add-port xenbr0 vif5.0", "del-port vif5.0", ...). */
    public List<String> changes() {
        return List.copyOf(changes);
    }

    /** An external id set by someone else on a port's interface (ovn-controller's ovn-installed). */
    public void putExternalId(String port, String key, String value) {
        OvsPort p = ports.get(port);
        Map<String, String> ids = new TreeMap<>(p.externalIds());
        ids.put(key, value);
        ports.put(port, new OvsPort(p.name(), p.bridge(), p.tag(), p.trunks(), p.type(), ids, p.ofport(), p.error()));
    }

    /** ovs-vswitchd reports {@code error} for a port's interface (its device went away). */
    public void interfaceError(String port, String error) {
        OvsPort p = ports.get(port);
        ports.put(port, new OvsPort(p.name(), p.bridge(), p.tag(), p.trunks(), p.type(), p.externalIds(), -1, error));
    }

    /** The next change fails with this ovsdb error word, and changes nothing. */
    public void failNext(String error) {
        failNext = error;
    }

    /** Changes are refused as ovs-vswitchd not applying them in time (and taken back), as with the real one stopped. */
    public void stopVswitchd(boolean stopped) {
        vswitchdStopped = stopped;
    }

    private void change(String what) {
        if (failNext != null) {
            String e = failNext;
            failNext = null;
            throw new OvsdbException(what + ": ovsdb-server: " + e, e);
        }
        if (vswitchdStopped) {
            throw new OvsdbException(what + ": ovs-vswitchd did not apply the change within 20 s", "not applied");
        }
        changes.add(what);
    }

    @Override
    public List<OvsBridge> bridges() {
        List<OvsBridge> out = new ArrayList<>();
        bridges.forEach((n, b) -> {
            Map<String, String> other = new LinkedHashMap<>();
            if (b.config().hwaddr() != null) {
                other.put("hwaddr", b.config().hwaddr());
            }
            out.add(new OvsBridge(n, b.config().datapathType(), b.ports().stream().sorted().toList(),
                    b.config().externalIds(), other));
        });
        return out;
    }

    @Override
    public Optional<OvsPort> findPort(String name) {
        return Optional.ofNullable(ports.get(name));
    }

    @Override
    public List<OvsPort> ports() {
        return List.copyOf(ports.values());
    }

    @Override
    public void replacePort(String bridge, PortConfig port) {
        String what = "add-port " + bridge + " " + port.name();
        if (!bridges.containsKey(bridge)) {
            throw new OvsdbException("ovs-vsctl: no bridge named " + bridge, "no bridge");
        }
        if (!port.type().equals("internal") && !deviceExists.test(port.name())) {
            throw new OvsdbException(what + ": ovs-vswitchd: could not open network device " + port.name()
                    + " (No such device)", "interface error");
        }
        if (bridges.containsKey(port.name())) {
            throw new OvsdbException(what + ": ovsdb-server: constraint violation: a bridge's port", "constraint violation");
        }
        change(what);
        remove(port.name());
        bridges.get(bridge).ports().add(port.name());
        ports.put(port.name(), new OvsPort(port.name(), bridge, port.tag(), port.trunks(), port.type(),
                port.externalIds(), ports.size() + 1, null));
    }

    private void remove(String name) {
        OvsPort old = ports.remove(name);
        if (old != null) {
            bridges.get(old.bridge()).ports().remove(name);
        }
    }

    @Override
    public void deletePort(String name) {
        if (!ports.containsKey(name)) {
            return;
        }
        change("del-port " + name);
        remove(name);
    }

    @Override
    public void addBridge(BridgeConfig b) {
        if (bridges.containsKey(b.name()) || ports.containsKey(b.name())) {
            throw new OvsdbException("ovs-vsctl " + b.vsctlWords() + ": " + b.name() + " exists", "exists");
        }
        change("add-br " + b.name());
        bridges.put(b.name(), new Bridge(b, new ArrayList<>(List.of(b.name()))));
        ports.put(b.name(), new OvsPort(b.name(), b.name(), null, List.of(), "internal", Map.of(), 65534, null));
        bridgeAdded.accept(b);
    }

    @Override
    public void deleteBridge(String name) {
        Bridge b = bridges.get(name);
        if (b == null) {
            return;
        }
        change("del-br " + name);
        for (String p : List.copyOf(b.ports())) {
            ports.remove(p);
        }
        bridges.remove(name);
        bridgeDeleted.accept(name);
    }

    @Override
    public boolean applied() {
        return !vswitchdStopped;
    }

    @Override
    public void close() {
    }
}
