// SPDX-License-Identifier: Apache-2.0
package org.xennet.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.xennet.error.XennetException;
import org.xennet.sys.ProcessRunner;

/**
 * A throwaway world of network namespaces for the lab and the system tests: a "LAN" with a
 * gateway (192.0.2.1, 2001:db8::1), a "dom0" whose eth0 is cabled to it with two IPv4 addresses,
 * one IPv6 address, a default route, a static route in main and one in table 100, and guests
 * cabled to dom0 through a vifD.N backend interface. Everything is made with iproute2 commands
 * (argument vectors, no shell) and removed on close, even after a failure.
 */
public final class LabNetwork implements AutoCloseable {
    public static final String GATEWAY = "192.0.2.1";
    public static final String GATEWAY6 = "2001:db8::1";
    public static final String DOM0_MAC = "00:16:3e:00:00:10";
    private static final Pattern XEN_VIF = Pattern.compile("vif([0-9]+)\\.([0-9]+)");

    private final ProcessRunner run;
    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();

    private LabNetwork(ProcessRunner run, String prefix) {
        this.run = run;
        this.prefix = prefix;
    }

    /** Creates the LAN and dom0 namespaces, named PREFIX-lan and PREFIX-dom0. */
    public static LabNetwork create(ProcessRunner run, String prefix) {
        LabNetwork lab = new LabNetwork(run, prefix);
        try {
            lab.build();
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build() {
        String lan = addNamespace("lan");
        String dom0 = addNamespace("dom0");
        // Each veth is made from inside a fresh namespace that holds neither of its names: a 6.1
        // kernel (Debian 12's) checks a name in the namespace ip runs in, and the host may have
        // its own eth0.
        ipIn(lan, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", dom0);
        ipIn(lan, "addr", "add", GATEWAY + "/24", "dev", "lan0");
        ipIn(lan, "addr", "add", GATEWAY6 + "/64", "dev", "lan0", "nodad");
        ipIn(lan, "link", "set", "lan0", "up");
        ipIn(dom0, "link", "set", "eth0", "address", DOM0_MAC);
        ipIn(dom0, "addr", "add", "192.0.2.10/24", "brd", "+", "dev", "eth0");
        ipIn(dom0, "addr", "add", "192.0.2.11/24", "brd", "+", "dev", "eth0", "label", "eth0:1");
        ipIn(dom0, "addr", "add", "2001:db8::10/64", "dev", "eth0", "nodad");
        ipIn(dom0, "link", "set", "eth0", "up");
        ipIn(dom0, "route", "add", "default", "via", GATEWAY, "dev", "eth0");
        ipIn(dom0, "-6", "route", "add", "default", "via", GATEWAY6, "dev", "eth0");
        ipIn(dom0, "route", "add", "198.51.100.0/24", "via", GATEWAY, "dev", "eth0", "metric", "5");
        ipIn(dom0, "route", "add", "203.0.113.0/24", "via", GATEWAY, "dev", "eth0", "table", "100");
    }

    private String addNamespace(String role) {
        String name = prefix + "-" + role;
        check(run.run(List.of("ip", "netns", "add", name)), "ip netns add " + name);
        namespaces.add(name);
        ipIn(name, "link", "set", "lo", "up");
        return name;
    }

    /** A second NIC: dom0's eth1 (198.18.0.10/24) cabled to the LAN's lan1 (198.18.0.1/24). */
    public void addSecondNic() {
        ipIn(lan(), "link", "add", "lan1", "type", "veth", "peer", "name", "eth1", "netns", dom0());
        ipIn(lan(), "addr", "add", "198.18.0.1/24", "dev", "lan1");
        ipIn(lan(), "link", "set", "lan1", "up");
        ipIn(dom0(), "link", "set", "eth1", "address", "00:16:3e:00:00:11");
        ipIn(dom0(), "addr", "add", "198.18.0.10/24", "dev", "eth1");
        ipIn(dom0(), "link", "set", "eth1", "up");
    }

    public String lan() {
        return prefix + "-lan";
    }

    public String dom0() {
        return prefix + "-dom0";
    }

    public Path dom0Path() {
        return Path.of("/run/netns", dom0());
    }

    /**
     * A guest: namespace PREFIX-NAME whose eth0 is the peer of {@code vif} in dom0 (left
     * unattached, for vif-bridge or the caller to attach), with an address and a default route.
     */
    public String addGuest(String name, String vif, String address) {
        return addGuest(name, vif, address, GATEWAY);
    }

    /**
     * A guest whose default route goes via {@code gateway}. Its eth0 has the MAC a guest of Xen's
     * {@code vifD.N} has in the tests' XenStore ({@code 00:16:3e:00:DD:NN}, D and N in hex), as
     * the frontend takes the {@code mac} key: the nftables guard lets only that one through.
     */
    public String addGuest(String name, String vif, String address, String gateway) {
        String ns = addNamespace(name);
        ipIn(ns, "link", "add", "eth0", "type", "veth", "peer", "name", vif, "netns", dom0());
        Matcher m = XEN_VIF.matcher(vif);
        if (m.matches() && Integer.parseInt(m.group(1)) < 256 && Integer.parseInt(m.group(2)) < 256) {
            ipIn(ns, "link", "set", "eth0", "address", String.format("00:16:3e:00:%02x:%02x",
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        }
        ipIn(ns, "addr", "add", address, "dev", "eth0");
        ipIn(ns, "link", "set", "eth0", "up");
        ipIn(ns, "route", "add", "default", "via", gateway);
        return ns;
    }

    /**
     * True when a ping is answered within about three seconds (a port that has just come up may
     * drop the very first packets).
     */
    public boolean ping(String ns, String address) {
        for (int i = 0; i < 3; i++) {
            if (run.run(List.of("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", "-q", address)).ok()) {
                return true;
            }
        }
        return false;
    }

    /** True when three quick pings all go unanswered. */
    public boolean unreachable(String ns, String address) {
        return !run.run(List.of("ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-q", address))
                .ok();
    }

    /** A command inside a namespace, by argument vector. */
    public ProcessRunner.Result exec(String ns, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(Arrays.asList(argv));
        return run.run(cmd);
    }

    /** A runner whose commands run inside a namespace (for iptables). */
    public ProcessRunner runnerIn(String ns) {
        return (argv, env, limit) -> {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            cmd.addAll(argv);
            return run.run(cmd, env, limit);
        };
    }

    private static final Pattern INDEX = Pattern.compile("^\\d+: ");
    private static final Pattern TIMER = Pattern.compile("(\\w+_timer) +[0-9.]+");

    /**
     * The namespace's links (with details), addresses and routes of every table as sorted lines,
     * with interface indexes and the transient DAD state left out: equal before start and after
     * stop when nothing was left behind.
     */
    public List<String> snapshot(String ns) {
        settle(ns);
        // The kernel finishes some work after a change (an IPv6 link-local address and its local
        // route appear shortly after a link comes up): read until two readings agree (at most 5 s).
        List<String> last = read(ns);
        for (int i = 0; i < 25; i++) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            settle(ns);
            List<String> now = read(ns);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private List<String> read(String ns) {
        List<String> lines = new ArrayList<>();
        for (String[] what : new String[][] {{"-d", "-o", "link", "show"}, {"-o", "addr", "show"},
            {"route", "show", "table", "all"}}) {
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
            cmd.addAll(Arrays.asList(what));
            ProcessRunner.Result r = run.run(cmd);
            check(r, String.join(" ", cmd));
            for (String line : r.stdout().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String l = TIMER.matcher(INDEX.matcher(line).replaceFirst("").replace(" tentative", ""))
                        .replaceAll("$1").replaceAll("\\s+", " ").trim();
                lines.add(what[what.length - 2].equals("table") ? "route: " + l : what[what.length - 2] + ": " + l);
            }
        }
        return lines.stream().sorted().collect(Collectors.toList());
    }

    /** Waits (up to 5 s) until no IPv6 address is tentative: DAD adds routes when it completes. */
    public void settle(String ns) {
        for (int i = 0; i < 50 && ipIn(ns, "addr").contains("tentative"); i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public String ipIn(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(Arrays.asList(args));
        ProcessRunner.Result r = run.run(cmd);
        check(r, String.join(" ", cmd));
        return r.stdout();
    }

    private static void check(ProcessRunner.Result r, String what) {
        if (!r.ok()) {
            throw new XennetException(what + ": exit " + r.status() + ": " + (r.stderr() + r.stdout()).trim());
        }
    }

    /** Removes every namespace this lab made (their links go with them). */
    @Override
    public void close() {
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            run.run(List.of("ip", "netns", "del", namespaces.get(i)));
        }
        namespaces.clear();
    }
}
