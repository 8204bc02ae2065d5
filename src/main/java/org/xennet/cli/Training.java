// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.xennet.error.XennetException;
import org.xennet.firewall.Nftables;
import org.xennet.jna.Netns;
import org.xennet.jna.NftContext;
import org.xennet.net.Network;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptArgs;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.xenstore.MemoryXenStore;
import org.xennet.xenstore.XenStoreClient;

/**
 * The workload the launcher records into the AOT cache / AppCDS archive: the classes a hotplug
 * call loads. As root it runs the real scripts in a network namespace of its own, made for one
 * thread and gone with it (a bridge, a NIC and a vif that exist nowhere else): network-bridge
 * start and stop, vif-bridge online and offline against an in-memory XenStore, with iptables
 * rules off. Without the right to make a namespace it does the read-only part only: parse and
 * check arguments as Xen passes them, list links, addresses and routes. Either way it changes
 * nothing on the host.
 */
final class Training {
    private final ScriptContext ctx;

    Training(ScriptContext ctx) {
        this.ctx = ctx;
    }

    int run() {
        for (String name : Scripts.NAMES) {
            ScriptSpec spec = Scripts.spec(name).orElseThrow();
            ScriptArgs a = ScriptArgs.parse(name, List.of(spec.commands().get(0), "type_if=vif", "bridge=xenbr0"));
            spec.validate(new Params(name, Map.of("vif", "vif1.0", "XENBUS_PATH", "backend/vif/1/0"),
                    a.assignments()));
        }
        try (Network net = ctx.network().get()) {
            net.links().list();
            net.links().find("lo");
            net.addresses().list();
            net.routes().list();
        }
        try {
            // the client's connect path, failing at once on a socket that does not exist
            XenStoreClient.connect(Map.of("XENSTORED_PATH", "/nonexistent/xennet-training"), Duration.ofMillis(50))
                    .close();
        } catch (XennetException expected) {
            // that was the point
        }
        Thread t = new Thread(this::scriptsInPrivateNamespace, "xennet-training");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Cli.OK;
    }

    private void scriptsInPrivateNamespace() {
        Path dir;
        try {
            Netns.unshareThread();
            dir = Files.createTempDirectory("xennet-training");
        } catch (XennetException | IOException e) {
            return; // not root: the read-only part is all there is
        }
        try (Network net = RtnetlinkNetwork.open()) {
            net.links().setUp("lo", true);
            net.links().addVeth("eth0", "lan0");
            net.links().setUp("lan0", true);
            net.addresses().add("eth0", org.xennet.model.IpPrefix.parse("192.0.2.10/24"));
            net.links().setUp("eth0", true);
            // the default backend, nftables (through libnftables, in this thread's namespace) when it loads
            Map<String, String> env = new HashMap<>(Map.of("XENNET_CONF", dir.resolve("none").toString(),
                    "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no",
                    "vif", "vif1.0", "XENBUS_PATH", "backend/vif/1/0"));
            if (!NftContext.available()) {
                env.put("XENNET_VIF_IPTABLES", "no"); // no iptables run in training
            }
            MemoryXenStore xs = new MemoryXenStore();
            xs.write("backend/vif/1/0/bridge", "xenbr0");
            xs.write("backend/vif/1/0/mac", "00:16:3e:00:01:00");
            xs.write("backend/vif/1/0/ip", "192.0.2.50");
            xs.write("backend/vif/1/0/hotplug-status", "");
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            ScriptContext c = ScriptContext.builder(env).network(RtnetlinkNetwork::open).xenstore(() -> xs)
                    .nftables(Nftables::library).firewall(() -> {
                        throw new XennetException("no iptables in training");
                    })
                    .output(quiet).hostRoot(dir).lockDir(dir.resolve("lock")).stateDir(dir.resolve("state"))
                    .carrierWait(Duration.ofSeconds(1)).build();
            Cli cli = new Cli(c);
            cli.run("network-bridge", new String[] {"start", "netdev=eth0"});
            net.links().addVeth("vif1.0", "guest1");
            cli.run("vif-bridge", new String[] {"online", "type_if=vif"});
            cli.run("vif-bridge", new String[] {"offline", "type_if=vif"});
            openvswitch(net, env, xs, c);
            cli.run("network-bridge", new String[] {"status", "netdev=eth0"});
            cli.run("network-bridge", new String[] {"stop", "netdev=eth0"});
        } catch (XennetException e) {
            // a training run that could not do everything still recorded what it loaded
        } finally {
            FileUtils.deleteQuietly(dir.toFile());
        }
    }

    /** vif-openvswitch online and offline, against the in-memory ovsdb-server of {@link OvsTraining}. */
    private static void openvswitch(Network net, Map<String, String> env, MemoryXenStore xs, ScriptContext c) {
        net.links().addVeth("vif2.0", "guest2");
        String be = "backend/vif/2/0";
        xs.write(be + "/bridge", "xenbr0.10");
        xs.write(be + "/mac", "00:16:3e:00:02:00");
        xs.write(be + "/frontend-id", "2");
        xs.write(be + "/hotplug-status", "");
        xs.write("/local/domain/2/vm", "/vm/training");
        xs.write("/vm/training/name", "training");
        xs.write("/vm/training/uuid", "00000000-0000-4000-8000-000000000002");
        Map<String, String> e = new HashMap<>(env);
        e.put("vif", "vif2.0");
        e.put("XENBUS_PATH", be);
        e.put("ovn", "yes");
        for (String command : List.of("online", "offline")) {
            boolean offline = command.equals("offline");
            ScriptContext oc = ScriptContext.builder(e).network(RtnetlinkNetwork::open).xenstore(() -> xs)
                    .ovs(() -> OvsTraining.client(offline)).output(c.out()).hostRoot(c.hostRoot())
                    .lockDir(c.lockDir()).stateDir(c.stateDir()).build();
            new Cli(oc).run("vif-openvswitch", new String[] {command, "type_if=vif"});
        }
    }
}
