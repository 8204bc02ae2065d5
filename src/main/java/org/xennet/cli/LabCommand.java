// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kohsuke.args4j.CmdLineException;
import org.kohsuke.args4j.CmdLineParser;
import org.kohsuke.args4j.Option;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.firewall.IptablesFirewall;
import org.xennet.firewall.Nftables;
import org.xennet.lab.LabNetwork;
import org.xennet.net.Network;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.bridge.BridgeStatus;
import org.xennet.lab.LabXenstored;
import org.xennet.sys.ProcessRunner;
import org.xennet.xenstore.BorrowedXenStore;
import org.xennet.xenstore.XenStoreClient;
import org.xennet.xenstore.XenStore;
import org.xennet.text.Printable;

/**
 * {@code xennet lab}: the whole bridged-host flow in throwaway namespaces, on any Linux box with
 * root and iproute2, no Xen needed. A LAN with a gateway, a dom0 cabled to it, network-bridge
 * start, a guest on the bridge, network-bridge stop, each with what it changed and a ping to prove
 * it. Everything it made is removed at the end, also after a failure.
 *
 * <p>Longer than ~300 lines because it is a narrated sequence of scenes read top to bottom, as
 * an operator follows it on screen; the namespaces, checks and guests it drives live in
 * {@code org.xennet.lab}.
 */
final class LabCommand {
    private final ScriptContext ctx;
    private final PrintStream out;
    private int checks;
    private int failed;

    @Option(name = "--topology", metaVar = "netloop|final",
            usage = "netloop: xenbr0 with a veth pair (Xen 3.0); final: the bridge takes the NIC's name (Xen 3.2+)")
    private String topology = "netloop";

    @Option(name = "--mode", metaVar = "bridge|route|nat", usage = "bridged (default), routed or NAT networking")
    private String mode = "bridge";

    @Option(name = "--keep", usage = "leave the namespaces for inspection instead of removing them")
    private boolean keep;

    LabCommand(ScriptContext ctx) {
        this.ctx = ctx;
        this.out = ctx.out();
    }

    int run(List<String> args) {
        CmdLineParser parser = new CmdLineParser(this);
        try {
            parser.parseArgument(args);
        } catch (CmdLineException e) {
            throw new UsageException(e.getMessage()
                    + " (usage: xennet lab [--mode bridge|route|nat] [--topology netloop|final] [--keep])");
        }
        if (!List.of("bridge", "route", "nat").contains(mode)) {
            throw new UsageException("--mode must be bridge, route or nat, not " + Printable.quote(mode));
        }
        if (!topology.equals("netloop") && !topology.equals("final")) {
            throw new UsageException("--topology must be netloop or final, not " + Printable.quote(topology));
        }
        String prefix = "xnlab" + ProcessHandle.current().pid();
        out.println(mode.equals("bridge")
                ? "xennet lab: a bridged Xen host in throwaway network namespaces (" + topology + " topology)"
                : "xennet lab: a " + (mode.equals("route") ? "routed" : "NAT") + " Xen host in throwaway network "
                        + "namespaces");
        out.println();
        LabNetwork lab;
        try {
            lab = LabNetwork.create(ProcessRunner.local(), prefix);
        } catch (XennetException e) {
            throw new XennetException("cannot build the lab (it needs root and iproute2): " + e.getMessage(), e);
        }
        try {
            if (mode.equals("bridge")) {
                flow(lab);
            } else {
                routedOrNat(lab, mode.equals("route"));
            }
        } finally {
            if (keep) {
                out.println("Namespaces kept: " + lab.lan() + ", " + lab.dom0() + " (and the guest's). Remove with: "
                        + "ip netns del NAME");
            } else {
                lab.close();
                deleteTree(stateDir(lab));
                out.println("Clean-up: the lab's namespaces and state files are removed.");
            }
        }
        out.println();
        out.println(failed == 0 ? "Result: all " + checks + " checks passed."
                : "Result: " + failed + " of " + checks + " checks FAILED.");
        return failed == 0 ? Cli.OK : Cli.FAILED;
    }

    private void flow(LabNetwork lab) {
        String dom0 = lab.dom0();
        String bridge = topology.equals("final") ? "eth0" : "xenbr0";
        section("1. The host before: dom0's eth0 is cabled to a LAN whose gateway is " + LabNetwork.GATEWAY);
        show(lab, "eth0");
        check("dom0 pings the LAN gateway " + LabNetwork.GATEWAY, lab.ping(dom0, LabNetwork.GATEWAY));
        check("dom0 pings the LAN gateway " + LabNetwork.GATEWAY6, lab.ping(dom0, LabNetwork.GATEWAY6));
        List<String> before = lab.snapshot(dom0);

        String[] start = topology.equals("final") ? new String[] {"start", "bridge=eth0"} : new String[] {"start"};
        section("2. network-bridge " + String.join(" ", start) + "   (the plan, printed by --dry-run, then run)");
        script(lab, with(start, "--dry-run"));
        int rc = script(lab, start);
        check("network-bridge start exits 0", rc == 0);
        show(lab, bridge);
        check("dom0 still pings the LAN gateway " + LabNetwork.GATEWAY, lab.ping(dom0, LabNetwork.GATEWAY));
        check("dom0 still pings the LAN gateway " + LabNetwork.GATEWAY6, lab.ping(dom0, LabNetwork.GATEWAY6));
        check("a second start changes nothing", script(lab, start) == 0);

        guest(lab, bridge);

        String[] stop = topology.equals("final") ? new String[] {"stop", "bridge=eth0"} : new String[] {"stop"};
        section("4. network-bridge " + String.join(" ", stop));
        check("network-bridge stop exits 0", script(lab, stop) == 0);
        show(lab, "eth0");
        List<String> after = lab.snapshot(dom0);
        check("dom0's links, addresses and routes (all tables) are exactly as before start (" + before.size()
                + " lines compared)", after.equals(before));
        check("dom0 pings the LAN gateway " + LabNetwork.GATEWAY, lab.ping(dom0, LabNetwork.GATEWAY));
        out.println();
    }

    private XenStore labXenStore() {
        throw new XennetException("the lab's network-bridge does not use XenStore");
    }

    /** Locks and the state record of the lab's network-bridge, apart from the host's /var/run. */
    private static Path stateDir(LabNetwork lab) {
        return Path.of(System.getProperty("java.io.tmpdir"), "xennet-lab-" + lab.dom0());
    }

    private static void deleteTree(Path dir) {
        try {
            org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile());
        } catch (java.io.IOException e) {
            // a temp directory left behind is harmless
        }
    }

    /**
     * Routed (vif-route: the guest keeps an address of the LAN, dom0 answers ARP for it) or NAT
     * (vif-nat: the guest gets 10.0.D.N behind a router address on its vif, dom0 masquerades).
     */
    private void routedOrNat(LabNetwork lab, boolean routed) {
        String dom0 = lab.dom0();
        String stub = ctx.env().get("XENNET_LAB_XENSTORED_STUB");
        if (stub == null || !Files.isRegularFile(Path.of(stub)) || !Files.isExecutable(LabXenstored.DAEMON)) {
            throw new XennetException("--mode " + mode + " needs Debian's xenstored and the stub: run it as ./dev lab --mode "
                    + mode);
        }
        String script = routed ? "network-route" : "network-nat";
        String vifScript = routed ? "vif-route" : "vif-nat";
        section("1. The host before: dom0's eth0 is cabled to a LAN whose gateway is " + LabNetwork.GATEWAY);
        show(lab, "none");
        List<String> before = lab.snapshot(dom0);
        String fwBefore = lab.exec(dom0, "iptables", "-S").stdout() + lab.exec(dom0, "iptables", "-t", "nat", "-S")
                .stdout();
        String forwardBefore = lab.exec(dom0, "cat", "/proc/sys/net/ipv4/ip_forward").stdout().trim();

        section("2. " + script + " start");
        check(script + " start exits 0", network(lab, script, "start", "netdev=eth0") == 0);
        out.println("  net.ipv4.ip_forward = " + lab.exec(dom0, "cat", "/proc/sys/net/ipv4/ip_forward").stdout().trim()
                + (routed ? ", eth0 proxy_arp = " + lab.exec(dom0, "cat", "/proc/sys/net/ipv4/conf/eth0/proxy_arp")
                        .stdout().trim() : ""));
        if (!routed) {
            out.println("  " + lab.exec(dom0, "iptables", "-t", "nat", "-S", "POSTROUTING").stdout().trim()
                    .replace("\n", "\n  "));
        }
        String guestAddr = routed ? "192.0.2.60/24" : "10.0.5.1/16";
        String guestIp = guestAddr.substring(0, guestAddr.indexOf('/'));
        section("3. A guest boots: its eth0 (" + guestAddr + ") is the peer of vif5.0 in dom0; " + vifScript
                + " runs as libxl runs it, against Debian's xenstored");
        // NAT: the guest's router is the address vif-nat puts on the vif (10.0.5.1 + 127)
        String guest = lab.addGuest("guest5", "vif5.0", guestAddr, routed ? LabNetwork.GATEWAY : "10.0.5.128");
        try (LabXenstored xs = LabXenstored.start(LabXenstored.DAEMON, Path.of(stub), Path.of("/tmp"));
             XenStore store = XenStoreClient.connect(Map.of("XENSTORED_PATH", xs.socketPath().toString()),
                     Duration.ofSeconds(5))) {
            String be = "backend/vif/5/0";
            store.writeAll(libxlKeys(5, vifScript, routed ? Map.of("ip", guestIp) : Map.of()));
            Map<String, String> env = new HashMap<>(Map.of("vif", "vif5.0", "XENBUS_PATH", be, "XENBUS_TYPE", "vif",
                    "script", "/etc/xen/scripts/" + vifScript, "netdev", ""));
            String[] online = routed ? new String[] {"online", "type_if=vif"}
                    : new String[] {"online", "type_if=vif", "dhcp=no"};
            check(vifScript + " online exits 0", vif(lab, vifScript, store, env, online) == 0);
            check("hotplug-status is \"connected\"", "connected".equals(store.read(be + "/hotplug-status").orElse(null)));
            out.println();
            out.println("    " + lab.ipIn(dom0, "-br", "addr", "show", "dev", "vif5.0").trim());
            for (String l : lab.ipIn(dom0, "route", "show", "dev", "vif5.0").split("\n")) {
                if (!l.isBlank()) {
                    out.println("    " + l.trim());
                }
            }
            out.println();
            check("the guest (" + guestIp + ") pings the LAN gateway " + LabNetwork.GATEWAY, lab.ping(guest,
                    LabNetwork.GATEWAY));
            if (routed) {
                check("the LAN pings the guest (dom0 answers ARP for it: proxy ARP)", lab.ping(lab.lan(), guestIp));
            } else {
                check("the guest pings dom0's LAN address 192.0.2.10", lab.ping(guest, "192.0.2.10"));
            }
            String[] offline = routed ? new String[] {"offline", "type_if=vif"}
                    : new String[] {"offline", "type_if=vif", "dhcp=no"};
            check(vifScript + " offline exits 0", vif(lab, vifScript, store, env, offline) == 0);
        }
        lab.ipIn(dom0, "link", "del", "vif5.0");
        out.println("  (guest shut down: vif5.0 removed)");

        section("4. " + script + " stop");
        check(script + " stop exits 0", network(lab, script, "stop", "netdev=eth0") == 0);
        check("dom0's links, addresses and routes are exactly as before", lab.snapshot(dom0).equals(before));
        check("the firewall rules are exactly as before", fwBefore.equals(lab.exec(dom0, "iptables", "-S").stdout()
                + lab.exec(dom0, "iptables", "-t", "nat", "-S").stdout()));
        check("net.ipv4.ip_forward is back to " + forwardBefore,
                forwardBefore.equals(lab.exec(dom0, "cat", "/proc/sys/net/ipv4/ip_forward").stdout().trim()));
        out.println();
    }

    /**
     * A guest on the bridge. With Debian's xenstored and the stub (./dev lab builds it), the
     * backend keys are written as libxl writes them and vif-bridge online/offline run against
     * that XenStore, as Xen runs them; without, the vif is attached by hand as vif-bridge would.
     */
    private void guest(LabNetwork lab, String bridge) {
        String dom0 = lab.dom0();
        String stub = ctx.env().get("XENNET_LAB_XENSTORED_STUB");
        boolean real = stub != null && Files.isRegularFile(Path.of(stub)) && Files.isExecutable(LabXenstored.DAEMON);
        String guest = lab.addGuest("guest1", "vif1.0", "192.0.2.50/24");
        if (!real) {
            section("3. A guest: its eth0 is the peer of vif1.0 in dom0, attached to " + bridge + " by hand "
                    + "(no xenstored here: ./dev lab starts Debian's xenstored and runs vif-bridge itself)");
            lab.ipIn(dom0, "link", "set", "vif1.0", "address", "fe:ff:ff:ff:ff:ff");
            lab.ipIn(dom0, "link", "set", "vif1.0", "master", bridge, "up");
            show(lab, bridge);
            check("the guest (192.0.2.50) pings the LAN gateway through " + bridge, lab.ping(guest,
                    LabNetwork.GATEWAY));
            check("the guest pings dom0 (192.0.2.10)", lab.ping(guest, "192.0.2.10"));
        } else {
            section("3. A guest boots: its eth0 is the peer of vif1.0 in dom0; xenstored (Debian's, no hypervisor) "
                    + "holds the keys libxl writes, and vif-bridge runs as libxl runs it");
            try (LabXenstored xs = LabXenstored.start(LabXenstored.DAEMON, Path.of(stub), Path.of("/tmp"));
                 XenStore store = XenStoreClient.connect(Map.of("XENSTORED_PATH", xs.socketPath().toString()),
                         Duration.ofSeconds(5))) {
                String be = "backend/vif/1/0";
                store.writeAll(libxlKeys(1, "vif-bridge", Map.of("bridge", bridge, "ip", "192.0.2.50")));
                store.write("/local/domain/1/name", "guest1");
                out.println("  xenstore: " + be + "/{bridge=" + bridge + ", ip=192.0.2.50, mac=00:16:3e:00:01:00, "
                        + "hotplug-status=\"\"}");
                Map<String, String> env = new HashMap<>(Map.of("vif", "vif1.0", "XENBUS_PATH", be,
                        "XENBUS_TYPE", "vif", "script", "/etc/xen/scripts/vif-bridge"));
                int rc = vifBridge(lab, store, env, "online", "type_if=vif");
                check("vif-bridge online exits 0", rc == 0);
                check("hotplug-status is \"connected\"", "connected".equals(store.read(be + "/hotplug-status")
                        .orElse(null)));
                check("the frontend's mtu node says " + store.read("/local/domain/1/device/vif/0/mtu").orElse("?"),
                        store.read("/local/domain/1/device/vif/0/mtu").isPresent());
                show(lab, bridge);
                String guard = nftGuards(lab);
                out.println(guard != null ? "  nft list table bridge xennet (the guest's guard):"
                        : "  iptables -S FORWARD (the guest's antispoof rules):");
                for (String l : (guard != null ? guard : lab.exec(dom0, "iptables", "-S", "FORWARD").stdout()).split("\n")) {
                    out.println("    " + l);
                }
                check("the guest (192.0.2.50) pings the LAN gateway through " + bridge, lab.ping(guest,
                        LabNetwork.GATEWAY));
                check("the guest pings dom0 (192.0.2.10)", lab.ping(guest, "192.0.2.10"));
                troubleshoot(lab, guest, bridge, store);
                check("vif-bridge offline exits 0", vifBridge(lab, store, env, "offline", "type_if=vif") == 0);
                String left = nftGuards(lab);
                check("the guest's rules are gone", !lab.exec(dom0, "iptables", "-S", "FORWARD").stdout()
                        .contains("vif1.0") && (left == null || !left.contains("vif1.0")));
            }
        }
        lab.ipIn(dom0, "link", "del", "vif1.0");
        out.println("  (guest shut down: vif1.0 removed)");
    }

    /**
     * What an admin does when a guest has no network, as the Xen wiki tells it (brctl show, ip
     * link, the guest's bridge in its config), done by xennet doctor; then xennet fix.
     */
    private void troubleshoot(LabNetwork lab, String guest, String bridge, XenStore store) {
        String dom0 = lab.dom0();
        section("");
        section("3b. Troubleshooting: someone moves vif1.0 onto another bridge (virbr0) and takes it down");
        lab.ipIn(dom0, "link", "add", "virbr0", "type", "bridge");
        lab.ipIn(dom0, "link", "set", "virbr0", "up");
        lab.ipIn(dom0, "link", "set", "vif1.0", "master", "virbr0");
        lab.ipIn(dom0, "link", "set", "vif1.0", "down");
        check("the guest is cut off", lab.unreachable(guest, LabNetwork.GATEWAY));
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int rc = runInDom0(lab, "xennet", Map.of(), () -> new BorrowedXenStore(store), "", report, "doctor");
        String text = report.toString(StandardCharsets.UTF_8);
        check("xennet doctor exits 1 and names vif1.0 on virbr0, expected " + bridge, rc == 1
                && text.contains("vif1.0 (domain 1 (guest1)) is on virbr0, expected " + bridge));
        check("xennet doctor says vif1.0 is down", text.contains("vif1.0 (domain 1 (guest1)) is down"));
        ByteArrayOutputStream fixed = new ByteArrayOutputStream();
        // What fix changed goes to the hotplug log at level info; the lab has no log file.
        rc = runInDom0(lab, "xennet", Map.of("XENNET_LOG_LEVEL", "warn"), () -> new BorrowedXenStore(store), "", fixed,
                "fix");
        check("xennet fix moves vif1.0 back onto " + bridge + " and brings it up",
                fixed.toString(StandardCharsets.UTF_8).contains("+ ip link set dev vif1.0 master " + bridge)
                        && fixed.toString(StandardCharsets.UTF_8).contains("+ ip link set dev vif1.0 up"));
        check("the guest pings the LAN gateway again", lab.ping(guest, LabNetwork.GATEWAY));
        ByteArrayOutputStream after = new ByteArrayOutputStream();
        out.println("  $ xennet doctor --json   (the same report for programs; its output is not shown here)");
        runInDom0(lab, "xennet", Map.of(), () -> new BorrowedXenStore(store), null, after, "doctor", "--json");
        String json = after.toString(StandardCharsets.UTF_8);
        check("it lists " + (json.split("\"check\": ", -1).length - 1) + " finding(s), none about vif1.0",
                json.startsWith("{") && !json.contains("\"subject\": \"vif1.0\""));
        lab.ipIn(dom0, "link", "del", "virbr0");
        out.println("  (virbr0 removed)");
        out.println();
    }

    /** The backend nodes libxl writes for guest D's first vif before it runs the script. */
    private static Map<String, String> libxlKeys(int domid, String script, Map<String, String> more) {
        String be = "backend/vif/" + domid + "/0";
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        keys.put(be + "/frontend", "/local/domain/" + domid + "/device/vif/0");
        keys.put(be + "/frontend-id", String.valueOf(domid));
        keys.put(be + "/handle", "0");
        keys.put(be + "/mac", String.format("00:16:3e:00:%02x:00", domid));
        more.forEach((k, v) -> keys.put(be + "/" + k, v));
        keys.put(be + "/script", "/etc/xen/scripts/" + script);
        keys.put(be + "/hotplug-status", "");
        return keys;
    }

    private int vifBridge(LabNetwork lab, XenStore store, Map<String, String> vars, String... args) {
        return vif(lab, "vif-bridge", store, vars, args);
    }

    /** dom0's {@code bridge xennet} table as nft lists it (the guards of the nftables backend); null when there is none. */
    private static String nftGuards(LabNetwork lab) {
        try {
            return Nftables.in(lab.dom0Path()).run("list table bridge xennet\n").strip();
        } catch (XennetException e) {
            return null;
        }
    }

    /** Runs a vif-* script in dom0, in-process, against the lab's XenStore, as libxl runs it. */
    private int vif(LabNetwork lab, String name, XenStore store, Map<String, String> vars, String... args) {
        return runInDom0(lab, name, vars, () -> new BorrowedXenStore(store), "vif=" + vars.get("vif") + " XENBUS_PATH="
                + vars.get("XENBUS_PATH") + " ", args);
    }

    /**
     * Runs a script in dom0, in-process (netlink socket and iptables inside the namespace, locks
     * and state records in the lab's own directory), and prints the command line (with
     * {@code shownEnv} before it) and its output indented; nothing when shownEnv is null.
     */
    private int runInDom0(LabNetwork lab, String name, Map<String, String> vars,
            java.util.function.Supplier<XenStore> xenstore, String shownEnv, String... args) {
        return runInDom0(lab, name, vars, xenstore, shownEnv, new ByteArrayOutputStream(), args);
    }

    /** The same, leaving the output in {@code buf} too. */
    private int runInDom0(LabNetwork lab, String name, Map<String, String> vars,
            java.util.function.Supplier<XenStore> xenstore, String shownEnv, ByteArrayOutputStream buf,
            String... args) {
        PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>(ctx.env());
        env.putAll(vars);
        env.putIfAbsent("XENNET_LOG_FILE", "none");
        env.putIfAbsent("XENNET_SYSLOG", "no");
        Path state = stateDir(lab);
        try {
            Files.createDirectories(state);
        } catch (java.io.IOException e) {
            throw new XennetException("cannot create a lab state directory: " + e.getMessage(), e);
        }
        ScriptContext c = ScriptContext.builder(env).network(() -> RtnetlinkNetwork.openIn(lab.dom0Path()))
                .firewall(() -> new IptablesFirewall(lab.runnerIn(lab.dom0()), state.resolve("lock"), "iptables"))
                .nftables(() -> Nftables.in(lab.dom0Path()))
                .xenstore(xenstore).output(p).hostRoot(state).lockDir(state.resolve("lock"))
                .stateDir(state.resolve("run")).carrierWait(Duration.ofSeconds(5)).build();
        if (shownEnv == null) {
            return new Cli(c).run(name, args); // quiet: the caller shows what it wants of buf
        }
        out.println("  $ " + shownEnv + name + " " + String.join(" ", args));
        int rc = new Cli(c).run(name, args);
        for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                out.println("    " + line);
            }
        }
        return rc;
    }

    private static String[] with(String[] a, String extra) {
        String[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = extra;
        return b;
    }

    private void section(String title) {
        out.println(title);
    }

    private void check(String what, boolean ok) {
        checks++;
        if (!ok) {
            failed++;
        }
        out.println("  [" + (ok ? " ok " : "FAIL") + "] " + what);
    }

    /** Runs network-bridge in dom0, in-process, with its output indented. */
    private int script(LabNetwork lab, String... args) {
        return network(lab, "network-bridge", args);
    }

    /** Runs a network-* script in dom0, in-process, with its output indented. */
    private int network(LabNetwork lab, String name, String... args) {
        return runInDom0(lab, name, Map.of(), this::labXenStore, "", args);
    }

    /** The bridge (if any) and dom0's links, addresses and routes, as a person reads them. */
    private void show(LabNetwork lab, String bridge) {
        try (Network net = RtnetlinkNetwork.openIn(lab.dom0Path())) {
            out.println();
            for (String line : LinksCommand.render(net.links().list(), net.addresses().list()).split("\n")) {
                out.println("    " + line);
            }
            if (net.links().find(bridge).filter(l -> l.isBridge()).isPresent()) {
                out.println();
                String hostIf = "eth0";
                for (String line : BridgeStatus.render(net, bridge, hostIf).split("\n")) {
                    out.println("    " + line);
                }
            } else {
                out.println();
                out.println("    routes (ip route show table all, without the kernel's local table):");
                for (String line : lab.ipIn(lab.dom0(), "route", "show", "table", "all").split("\n")) {
                    if (!line.contains("table local") && !line.isBlank()) {
                        out.println("      " + line.stripTrailing());
                    }
                }
            }
            out.println();
        }
    }

}
