package org.xennet.firewall;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xennet.error.XennetException;
import org.xennet.lock.HotplugLock;
import org.xennet.sys.ProcessRunner;

/**
 * {@link Firewall} through the iptables command (argument vectors, no shell), each change under
 * the {@code iptables} hotplug lock that Xen's vif scripts take too, and with {@code -w} so that
 * iptables itself waits for the xtables lock instead of failing (Xen bug 72).
 */
public final class IptablesFirewall implements Firewall {
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private final ProcessRunner runner;
    private final Path lockDir;
    private final String command;

    public IptablesFirewall(ProcessRunner runner, Path lockDir, String command) {
        this.runner = runner;
        this.lockDir = lockDir;
        this.command = command;
    }

    private ProcessRunner.Result iptables(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(command);
        argv.add("-w");
        argv.addAll(args);
        return runner.run(argv);
    }

    private void change(String what, List<String> args) {
        try (HotplugLock l = HotplugLock.claim(lockDir, "iptables", LOCK_WAIT)) {
            ProcessRunner.Result r = iptables(args);
            if (!r.ok()) {
                throw new XennetException("iptables " + what + ": exit " + r.status() + ": " + r.stderr().trim());
            }
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
        ProcessRunner.Result r = iptables(args);
        if (r.status() == 0) {
            return true;
        }
        if (r.status() == 1) {
            return false;
        }
        throw new XennetException("iptables " + String.join(" ", args) + ": exit " + r.status() + ": "
                + r.stderr().trim());
    }

    private void edit(String op, Rule rule) {
        List<String> args = table(rule);
        args.addAll(List.of(op, rule.chain()));
        args.addAll(rule.spec());
        change(String.join(" ", args), args);
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
