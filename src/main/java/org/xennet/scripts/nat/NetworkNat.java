// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.firewall.Firewall;
import org.xennet.firewall.Rule;
import org.xennet.log.Log;
import org.xennet.model.Address;
import org.xennet.net.Network;
import org.xennet.net.Sysctls;
import org.xennet.plan.FirewallSteps;
import org.xennet.plan.NetSteps;
import org.xennet.plan.Plan;
import org.xennet.plan.Step;
import org.xennet.scripts.ExitCodes;
import org.xennet.scripts.JsonStatus;
import org.xennet.scripts.Params;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.StatusJson;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.Netdev;
import org.xennet.scripts.nat.DhcpSetup.Backend;
import org.xennet.sys.ProcessRunner;

/**
 * {@code network-nat start|stop|status}: IPv4 forwarding on and {@code iptables -t nat -A
 * POSTROUTING -o NETDEV -j MASQUERADE}, added once however often start runs; with {@code dhcp},
 * the ISC subnet declaration in dhcpd.conf (and a dhcpd restart) or dnsmasq's hosts file. stop
 * removes exactly what start added and puts ip_forward back, from the state record. Unlike
 * Xen's script: no duplicate rule on a second start, {@code dhcp=no} exits 0, stop succeeds when
 * there is nothing to remove, a failure undoes what the call did, and netdev defaults to the
 * device of the default route.
 */
public final class NetworkNat implements Script, JsonStatus {
    private static final Log LOG = Log.get(NetworkNat.class);

    private final ScriptSpec spec = Scripts.spec("network-nat").orElseThrow();
    /** Child processes: the call's own ({@link ScriptContext#processes}) unless a test gives another. */
    private final ProcessRunner runner;

    public NetworkNat() {
        this(null);
    }

    NetworkNat(ProcessRunner runner) {
        this.runner = runner;
    }

    @Override
    public ScriptSpec spec() {
        return spec;
    }

    @Override
    public int run(String command, Params p, boolean dryRun, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            String netdev = Netdev.of(p, net);
            boolean antispoof = p.yesNo("antispoof", false);
            Optional<DhcpSetup> dhcp = DhcpSetup.resolve(p, ctx, false);
            Optional<DhcpServer> server = dhcp.map(d -> new DhcpServer(d, ctx.lockDir(), runner(ctx)));
            switch (command) {
                case "start":
                    return ctx.locked("network-nat", dryRun, () -> start(netdev, antispoof, server, net, dryRun, ctx));
                case "stop":
                    return ctx.locked("network-nat", dryRun, () -> stop(netdev, server, net, dryRun, ctx));
                default:
                    return status(netdev, dhcp, net, ctx);
            }
        }
    }


    private ProcessRunner runner(ScriptContext ctx) {
        return runner != null ? runner : ctx.processes();
    }

    // ---------------------------------------------------------------- start

    int start(String netdev, boolean antispoof, Optional<DhcpServer> server, Network net, boolean dryRun,
            ScriptContext ctx) {
        if (!net.links().exists(netdev)) {
            throw new XennetException("netdev " + netdev + " does not exist; name the outgoing interface with "
                    + "netdev=NAME");
        }
        Path recordFile = NatState.path(ctx.stateDir(), netdev);
        Optional<NatState> old = NatState.read(recordFile);
        String forward = net.sysctls().get(Sysctls.IPV4_FORWARD);
        Firewall fw = ctx.firewall().get();
        Rule masq = NatFirewall.masquerade(netdev);
        Plan plan = new Plan("network-nat start");
        boolean[] masqAdded = {old.map(NatState::masqueradeAdded).orElse(false)};
        boolean[] subnetAdded = {old.map(NatState::subnetAdded).orElse(false)};
        boolean[] hostsCreated = {old.map(NatState::hostsCreated).orElse(false)};
        if (!forward.equals("1")) {
            plan.add(new NetSteps(net).sysctl(Sysctls.IPV4_FORWARD, "1", forward));
        }
        if (!fw.exists(masq)) {
            plan.add(Step.required("iptables " + masq.asAppend(), () -> {
                fw.append(masq);
                masqAdded[0] = true;
            }).undoneBy(FirewallSteps.deleteWords(masq), () -> fw.delete(masq)));
        }
        // antispoof=yes (documented by Xen, never implemented there): only what a vif's rules accept is forwarded
        String[] oldPolicy = {old.map(NatState::oldForwardPolicy).orElse(null)};
        if (antispoof) {
            String policy = fw.policy(NatFirewall.FORWARD);
            if (!policy.equals("DROP")) {
                plan.add(new FirewallSteps(() -> fw).policy(NatFirewall.FORWARD, "DROP", policy)
                        .undoPolicy(Step.Policy.REQUIRED));
                oldPolicy[0] = policy;
            }
        }
        server.ifPresent(s -> addDhcpStart(plan, s, ctx, subnetAdded, hostsCreated));
        String dhcpName = server.map(s -> s.backend().name().toLowerCase()).orElse("no");
        plan.add(Step.required("write state record " + recordFile, () -> new NatState(netdev,
                old.map(NatState::forwardBefore).orElse(forward), masqAdded[0], dhcpName, subnetAdded[0],
                hostsCreated[0], oldPolicy[0]).write(recordFile)).undoneBy("restore state record " + recordFile, () -> {
                    if (old.isPresent()) {
                        old.get().write(recordFile);
                    } else {
                        deleteQuietly(recordFile);
                    }
                }));
        ctx.runner("network-nat", dryRun).run(plan);
        if (!dryRun) {
            ctx.out().println("network-nat: NAT out of " + netdev + " started (ip_forward=1, MASQUERADE"
                    + (oldPolicy[0] != null ? ", FORWARD policy DROP" : "")
                    + server.map(s -> ", DHCP: " + s.setup().describe()).orElse("") + ")");
        }
        return ExitCodes.OK;
    }

    private void addDhcpStart(Plan plan, DhcpServer s, ScriptContext ctx, boolean[] subnetAdded, boolean[] hostsCreated) {
        DhcpSetup d = s.setup();
        if (d.backend() == Backend.ISC) {
            if (!DhcpEntries.mentionsSubnet(TextFile.read(d.conf()))) {
                String[] rc = DhcpEntries.resolvConf(TextFile.read(ctx.host("etc/resolv.conf")));
                String line = DhcpEntries.iscSubnet(rc[0], rc[1]);
                plan.add(Step.required("append to " + d.conf() + ": " + line, () -> {
                    TextFile.edit(ctx.lockDir(), d.conf(), lines -> {
                        lines.add(line);
                        return lines;
                    });
                    subnetAdded[0] = true;
                }).undoneBy("remove the subnet declaration from " + d.conf() + "; " + d.init() + " restart", () -> {
                    TextFile.edit(ctx.lockDir(), d.conf(), NetworkNat::withoutOwnSubnet);
                    tryReload(s);
                }));
                plan.add(Step.required(d.init() + " restart", s::reload));
            }
        } else if (!Files.exists(d.hosts())) {
            plan.add(Step.required("create " + d.hosts() + " (dnsmasq --dhcp-hostsfile)", () -> {
                TextFile.write(d.hosts(), List.of());
                hostsCreated[0] = true;
            }).undoneBy("rm " + d.hosts(), () -> deleteQuietly(d.hosts())));
        }
    }

    private static List<String> withoutOwnSubnet(List<String> lines) {
        lines.removeIf(DhcpEntries::isOwnSubnet);
        return lines;
    }

    private static void tryReload(DhcpServer s) {
        try {
            s.reload();
        } catch (XennetException e) {
            LOG.warn("network-nat: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- stop

    int stop(String netdev, Optional<DhcpServer> server, Network net, boolean dryRun, ScriptContext ctx) {
        Path recordFile = NatState.path(ctx.stateDir(), netdev);
        Optional<NatState> rec = NatState.read(recordFile);
        Firewall fw = ctx.firewall().get();
        Rule masq = NatFirewall.masquerade(netdev);
        Plan plan = new Plan("network-nat stop");
        // Without a record (a start by Xen's script), stop does what Xen's stop did: remove the rule.
        if (rec.map(NatState::masqueradeAdded).orElse(true) && fw.exists(masq)) {
            plan.add(Step.required(FirewallSteps.deleteWords(masq), () -> fw.delete(masq))
                    .undoneBy("iptables " + masq.asAppend(), () -> fw.append(masq)));
        }
        server.ifPresent(s -> {
            DhcpSetup d = s.setup();
            if (d.backend() == Backend.ISC && rec.map(NatState::subnetAdded).orElse(true)
                    && TextFile.read(d.conf()).stream().anyMatch(DhcpEntries::isOwnSubnet)) {
                plan.add(Step.warn("remove the subnet declaration from " + d.conf(),
                        () -> TextFile.edit(ctx.lockDir(), d.conf(), NetworkNat::withoutOwnSubnet)));
                plan.add(Step.warn(d.init() + " restart", s::reload));
            } else if (d.backend() == Backend.DNSMASQ && rec.map(NatState::hostsCreated).orElse(false)
                    && Files.exists(d.hosts()) && DhcpEntries.dnsmasqEntries(TextFile.read(d.hosts())) == 0) {
                plan.add(Step.warn("rm " + d.hosts(), () -> deleteQuietly(d.hosts())));
            }
        });
        rec.map(NatState::oldForwardPolicy).ifPresent(policy -> plan.add(new FirewallSteps(() -> fw)
                .policy(NatFirewall.FORWARD, policy, null).withPolicy(Step.Policy.WARN)));
        if (rec.isPresent() && !rec.get().forwardBefore().equals("1")
                && net.sysctls().get(Sysctls.IPV4_FORWARD).equals("1")) {
            String before = rec.get().forwardBefore();
            plan.add(new NetSteps(net).sysctl(Sysctls.IPV4_FORWARD, before, null).withPolicy(Step.Policy.WARN));
        }
        if (rec.isPresent()) {
            plan.add(Step.bestEffort("rm " + recordFile, () -> deleteQuietly(recordFile)));
        }
        if (plan.isEmpty()) {
            ctx.out().println("network-nat: nothing set up for " + netdev + "; nothing to stop");
            return ExitCodes.OK;
        }
        ctx.runner("network-nat", dryRun).run(plan);
        if (!dryRun) {
            ctx.out().println("network-nat: NAT out of " + netdev + " stopped");
        }
        return ExitCodes.OK;
    }

    // ---------------------------------------------------------------- status

    /** What status reports, read once for the text and the JSON form. */
    record Status(String netdev, boolean exists, String forward, Rule masquerade, boolean present, String dhcp,
            List<String> addresses) {
    }

    static Status facts(String netdev, Optional<DhcpSetup> dhcp, Network net, ScriptContext ctx) {
        Rule masq = NatFirewall.masquerade(netdev);
        boolean exists = net.links().exists(netdev);
        List<String> addrs = new ArrayList<>();
        if (exists) {
            for (Address a : net.addresses().list(netdev)) {
                addrs.add(a.toString());
            }
        }
        return new Status(netdev, exists, net.sysctls().find(Sysctls.IPV4_FORWARD).orElse(null), masq,
                ctx.firewall().get().exists(masq), dhcp.map(DhcpSetup::describe).orElse(null), addrs);
    }

    int status(String netdev, Optional<DhcpSetup> dhcp, Network net, ScriptContext ctx) {
        Status s = facts(netdev, dhcp, net, ctx);
        StringBuilder b = new StringBuilder();
        b.append("netdev ").append(netdev).append(s.exists() ? "" : " (does not exist)").append('\n');
        b.append("ip_forward ").append(s.forward() == null ? "?" : s.forward()).append('\n');
        b.append("MASQUERADE (").append(s.masquerade().asAppend()).append(") ")
                .append(s.present() ? "present" : "ABSENT").append('\n');
        b.append("dhcp ").append(s.dhcp() == null ? "no" : s.dhcp()).append('\n');
        for (String a : s.addresses()) {
            b.append("  ").append(a).append('\n');
        }
        ctx.out().print(b);
        if (!s.present()) {
            ctx.out().println("network-nat is not started for " + netdev);
            return ExitCodes.NOT_RUNNING;
        }
        return ExitCodes.OK;
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("cannot remove " + p + ": " + e.getMessage());
        }
    }

    /** {@code status --json}: forwarding, the MASQUERADE rule, the DHCP set-up and netdev's addresses. */
    @Override
    public StatusJson.Status statusJson(Params p, ScriptContext ctx) {
        try (Network net = ctx.network().get()) {
            Status s = facts(Netdev.of(p, net), DhcpSetup.resolve(p, ctx, false), net, ctx);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", StatusJson.VERSION);
            m.put("script", "network-nat");
            m.put("running", s.present());
            m.put("netdev", s.netdev());
            m.put("netdev_exists", s.exists());
            m.put("ip_forward", s.forward());
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("rule", s.masquerade().asAppend());
            rule.put("present", s.present());
            m.put("masquerade", rule);
            m.put("dhcp", s.dhcp());
            m.put("addresses", new ArrayList<Object>(s.addresses()));
            return new StatusJson.Status(s.present() ? ExitCodes.OK : ExitCodes.NOT_RUNNING, m);
        }
    }
}
