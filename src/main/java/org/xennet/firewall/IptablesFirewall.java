// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xennet.error.XennetException;
import org.xennet.lock.HotplugLock;
import org.xennet.log.Startup;
import org.xennet.sys.Deadline;
import org.xennet.sys.ProcessRunner;
import org.xennet.sys.ProcessTimeoutException;

/**
 * {@link Firewall} through the iptables command, and ip6tables beside it for IPv6 rules (argument
 * vectors, no shell), each run under
 * the {@code iptables} hotplug lock that Xen's vif scripts take too, and with {@code -w SECONDS}
 * so that iptables itself waits for the xtables lock a bounded time instead of failing (Xen bug
 * 72) or waiting forever. Every run has a deadline; once iptables has failed to answer in time,
 * later calls fail at once instead of each waiting again, so one hung iptables costs a hotplug
 * call one limit, not one per rule.
 */
public final class IptablesFirewall implements Firewall {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    /** {@code -w}: how long iptables waits for the xtables lock (other programs' iptables). */
    static final int XTABLES_WAIT_SECONDS = 10;
    /**
     * How long one iptables run may take in all: far more than it needs, because in a boot storm
     * (100 JVMs on 2 cores) a process may wait seconds for a CPU; still inside libxl's 40 s.
     */
    static final Duration LIMIT = Duration.ofSeconds(20);

    private final ProcessRunner runner;
    private final Path lockDir;
    private final String command;
    private final Deadline deadline;
    private String unresponsive;

    public IptablesFirewall(ProcessRunner runner, Path lockDir, String command) {
        this(runner, lockDir, command, Deadline.NONE);
    }

    /** With the call's budget bounding the wait for the {@code iptables} lock too. */
    public IptablesFirewall(ProcessRunner runner, Path lockDir, String command, Deadline deadline) {
        this.runner = runner;
        this.lockDir = lockDir;
        this.command = command;
        this.deadline = deadline;
    }

    /** ip6tables beside the iptables this was made with ({@code /sbin/iptables} gives {@code /sbin/ip6tables}). */
    private String command(boolean ipv6) {
        int i = command.lastIndexOf("iptables");
        return ipv6 && i >= 0 ? command.substring(0, i) + "ip6tables" + command.substring(i + "iptables".length())
                : command;
    }

    private ProcessRunner.Result iptables(List<String> args) {
        return iptables(false, args);
    }

    private ProcessRunner.Result iptables(boolean ipv6, List<String> args) {
        String command = command(ipv6);
        if (unresponsive != null) {
            throw new XennetException(command + " " + String.join(" ", args) + ": not run, " + unresponsive);
        }
        List<String> argv = new ArrayList<>();
        argv.add(command);
        argv.add("-w");
        argv.add(String.valueOf(XTABLES_WAIT_SECONDS));
        argv.addAll(args);
        // One iptables at a time, reads too: in a storm, a hundred at once would only fight over
        // the CPU and over nf_tables' transactions, and time out.
        long t0 = Startup.clock(); // XENNET_PROFILE's "firewall" phase: the lock's wait and the run
        try (HotplugLock l = HotplugLock.claim(lockDir, "iptables", deadline.cap(LOCK_WAIT))) {
            return runner.run(argv, Map.of(), LIMIT);
        } catch (ProcessTimeoutException e) {
            unresponsive = command + " did not answer earlier in this call";
            throw e;
        } finally {
            Startup.spent("firewall", t0);
        }
    }

    private void change(String what, List<String> args) {
        change(false, what, args);
    }

    private void change(boolean ipv6, String what, List<String> args) {
        ProcessRunner.Result r = iptables(ipv6, args); // under the iptables lock
        if (!r.ok()) {
            throw new XennetException((ipv6 ? "ip6tables " : "iptables ") + what + ": exit " + r.status() + ": "
                    + r.stderr().trim());
        }
    }

    @Override
    public String policy(String chain) {
        ProcessRunner.Result r = iptables(List.of("-S", chain));
        if (!r.ok()) {
            throw new XennetException("iptables -S " + chain + ": exit " + r.status() + ": " + r.stderr().trim());
        }
        for (String line : r.stdout().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 3 && w[0].equals("-P") && w[1].equals(chain)) {
                return w[2];
            }
        }
        throw new XennetException("iptables -S " + chain + ": no policy line in the output");
    }

    @Override
    public List<Rule> list(String chain) {
        return list(false, chain);
    }

    @Override
    public List<Rule> list6(String chain) {
        return list(true, chain);
    }

    private List<Rule> list(boolean ipv6, String chain) {
        ProcessRunner.Result r = iptables(ipv6, List.of("-S", chain));
        String cmd = ipv6 ? "ip6tables" : "iptables";
        if (!r.ok()) {
            throw new XennetException(cmd + " -S " + chain + ": exit " + r.status() + ": " + r.stderr().trim());
        }
        List<Rule> rules = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length > 2 && w[0].equals("-A") && w[1].equals(chain)) {
                rules.add(new Rule(Rule.FILTER, chain, List.of(w).subList(2, w.length), ipv6));
            }
        }
        return rules;
    }

    @Override
    public void setPolicy(String chain, String policy) {
        change("-P " + chain + " " + policy, List.of("-P", chain, policy));
    }

    private static List<String> table(Rule rule) {
        return rule.table().equals(Rule.FILTER) ? new ArrayList<>() : new ArrayList<>(List.of("-t", rule.table()));
    }

    @Override
    public boolean exists(Rule rule) {
        List<String> args = table(rule);
        args.addAll(List.of("-C", rule.chain()));
        args.addAll(rule.spec());
        ProcessRunner.Result r = iptables(rule.ipv6(), args);
        if (r.status() == 0) {
            return true;
        }
        if (r.status() == 1) {
            return false;
        }
        throw new XennetException(rule.command() + " " + String.join(" ", args) + ": exit " + r.status() + ": "
                + r.stderr().trim());
    }

    private void edit(String op, Rule rule) {
        List<String> args = table(rule);
        args.addAll(List.of(op, rule.chain()));
        args.addAll(rule.spec());
        change(rule.ipv6(), String.join(" ", args), args);
    }

    @Override
    public void append(Rule rule) {
        edit("-A", rule);
    }

    @Override
    public void insert(Rule rule) {
        edit("-I", rule);
    }

    @Override
    public void delete(Rule rule) {
        edit("-D", rule);
    }
}
