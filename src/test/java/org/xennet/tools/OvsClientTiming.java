// SPDX-License-Identifier: Apache-2.0
package org.xennet.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xennet.ovsdb.OvsdbOpenVswitch;
import org.xennet.ovsdb.PortConfig;
import org.xennet.sys.ProcessRunner;

/**
 * The measurement behind vif-openvswitch's choice of ovsdb client (run by bench/ovs, inside a
 * namespace with a private ovsdb-server and ovs-vswitchd): the change a vif-openvswitch online
 * and offline make (replace the port with VLAN and external ids, then delete it), made the two
 * ways xennet could make it, each returning once ovs-vswitchd applied it:
 *
 * <ul>
 * <li>{@code vsctl}: {@code ovs-vsctl --timeout=30 -- --if-exists del-port ... -- add-port ...}
 * and {@code ovs-vsctl --timeout=30 --if-exists del-port} through the project's ProcessRunner
 * (argv, real deadline), as Xen's script does;
 * <li>{@code jsonrpc}: {@link OvsdbOpenVswitch}, connect included, as one hotplug call does.
 * </ul>
 *
 * <p>usage: {@code OvsClientTiming SOCKET BRIDGE DEVICE vsctl|jsonrpc ROUNDS}. Prints one line per
 * round: milliseconds for the online change and for the offline change. The first round runs
 * in a cold JVM, as a hotplug call does (with JNA loaded, as the call has by then for XenStore
 * and netlink); later ones show the warm cost.
 */
public final class OvsClientTiming {
    private OvsClientTiming() {
    }

    public static void main(String[] args) {
        String socket = args[0];
        String bridge = args[1];
        String dev = args[2];
        boolean vsctl = args[3].equals("vsctl");
        int rounds = Integer.parseInt(args[4]);
        Map<String, String> ids = Map.of("xen-vm-name", "bench", "xen-vm-uuid", "00000000-0000-4000-8000-000000000005",
                "attached-mac", "00:16:3e:00:05:00");
        ProcessRunner runner = ProcessRunner.local();
        Duration limit = Duration.ofSeconds(35);
        // a hotplug call has loaded JNA (XenStore, netlink) before it talks to Open vSwitch
        org.xennet.net.RtnetlinkNetwork.open().close();
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            if (vsctl) {
                List<String> add = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + socket, "--timeout=30", "--",
                        "--if-exists", "del-port", dev, "--", "add-port", bridge, dev, "tag=10", "--", "set", "interface",
                        dev));
                ids.forEach((k, v) -> add.add("external-ids:" + k + "=\"" + v + "\""));
                check(runner.run(add, Map.of(), limit));
            } else {
                try (OvsdbOpenVswitch o = OvsdbOpenVswitch.connect(socket, Duration.ofSeconds(10), Duration.ofSeconds(5),
                        Duration.ofSeconds(20))) {
                    o.replacePort(bridge, new PortConfig(dev, 10, List.of(), "", ids));
                }
            }
            long t1 = System.nanoTime();
            if (vsctl) {
                check(runner.run(List.of("ovs-vsctl", "--db=unix:" + socket, "--timeout=30", "--if-exists", "del-port",
                        dev), Map.of(), limit));
            } else {
                try (OvsdbOpenVswitch o = OvsdbOpenVswitch.connect(socket, Duration.ofSeconds(10), Duration.ofSeconds(5),
                        Duration.ofSeconds(20))) {
                    o.deletePort(dev);
                }
            }
            long t2 = System.nanoTime();
            System.out.printf("%.3f %.3f%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }

    private static void check(ProcessRunner.Result r) {
        if (!r.ok()) {
            throw new IllegalStateException("ovs-vsctl exited " + r.status() + ": " + r.stderr());
        }
    }
}
