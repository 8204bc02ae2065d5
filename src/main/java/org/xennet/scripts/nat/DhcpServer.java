// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.scripts.nat.DhcpSetup.Backend;
import org.xennet.sys.ProcessRunner;

/**
 * The DHCP server as the NAT scripts use it: a guest's host entry in and out of its file (under
 * the {@code vif-nat-dhcp} lock, atomically), the vif in the ISC args file, and telling the
 * server: ISC's {@code INIT restart} (an argument vector, no shell), or SIGHUP to dnsmasq, sent
 * only when the pid file names a process that is dnsmasq (a stale pid file must not make us
 * signal whatever process has that pid now).
 */
final class DhcpServer {
    private static final Log LOG = Log.get(DhcpServer.class);

    private final DhcpSetup setup;
    private final Path lockDir;
    private final ProcessRunner runner;
    private final Path proc;

    DhcpServer(DhcpSetup setup, Path lockDir, ProcessRunner runner) {
        this(setup, lockDir, runner, Path.of("/proc"));
    }

    DhcpServer(DhcpSetup setup, Path lockDir, ProcessRunner runner, Path proc) {
        this.setup = setup;
        this.lockDir = lockDir;
        this.runner = runner;
        this.proc = proc;
    }

    DhcpSetup setup() {
        return setup;
    }

    Backend backend() {
        return setup.backend();
    }

    /** The guest's entry in the server's syntax. */
    String entry(NatGuest g, String mac) {
        return backend() == Backend.ISC ? DhcpEntries.iscHost(g.hostname(), mac, g.vifIp().toString(), g.router().toString())
                : DhcpEntries.dnsmasqHost(g.hostname(), mac, g.vifIp().toString());
    }

    /** The guest's lines now in the file. */
    List<String> hostLines(String hostname) {
        return DhcpEntries.hostLines(TextFile.read(setup.entryFile()), backend(), hostname);
    }

    /** Replaces the guest's entry (exact host name) by {@code entry}, or removes it when null; returns the old lines. */
    List<String> putHost(String hostname, String entry) {
        List<String> before = TextFile.edit(lockDir, setup.entryFile(),
                lines -> DhcpEntries.replaceHost(lines, backend(), hostname, entry));
        return DhcpEntries.hostLines(before, backend(), hostname);
    }

    /** Puts back the guest's lines as they were (the undo of {@link #putHost}). */
    void restoreHost(String hostname, List<String> old) {
        TextFile.edit(lockDir, setup.entryFile(), lines -> {
            List<String> out = DhcpEntries.replaceHost(lines, backend(), hostname, null);
            out.addAll(old);
            return out;
        });
    }

    /** ISC only: the vif in (or out of) the args file's interface lists; a no-op for dnsmasq. */
    void args(String dev, boolean add) {
        if (backend() != Backend.ISC || setup.args() == null) {
            return;
        }
        TextFile.edit(lockDir, setup.args(),
                lines -> add ? DhcpEntries.argsWith(lines, dev) : DhcpEntries.argsWithout(lines, dev));
    }

    /** ISC: whether {@link #args} would change the args file (false for dnsmasq). */
    boolean argsChange(String dev, boolean add) {
        if (backend() != Backend.ISC || setup.args() == null) {
            return false;
        }
        List<String> lines = TextFile.read(setup.args());
        return !(add ? DhcpEntries.argsWith(lines, dev) : DhcpEntries.argsWithout(lines, dev)).equals(lines);
    }

    /**
     * The step's words and action that make the server read its files again: ISC {@code INIT
     * restart}; for dnsmasq {@code kill -HUP PID}, with the pid found now, or null when there is
     * no dnsmasq to tell (logged).
     */
    String reloadCommand() {
        if (backend() == Backend.ISC) {
            return setup.init() + " restart";
        }
        String pid = dnsmasqPid();
        return pid == null ? null : "kill -HUP " + pid;
    }

    /** Makes the server read its files again: ISC {@code INIT restart}, dnsmasq SIGHUP. */
    void reload() {
        if (backend() == Backend.ISC) {
            ProcessRunner.Result r = runner.run(List.of(setup.init().toString(), "restart"));
            if (!r.ok()) {
                throw new XennetException(setup.init() + " restart: exit " + r.status() + ": "
                        + (r.stderr() + r.stdout()).trim());
            }
            return;
        }
        String pid = dnsmasqPid();
        if (pid == null) {
            return;
        }
        ProcessRunner.Result r = runner.run(List.of("kill", "-HUP", pid));
        if (!r.ok()) {
            throw new XennetException("kill -HUP " + pid + " (dnsmasq): exit " + r.status() + ": " + r.stderr().trim());
        }
    }

    /** The running dnsmasq's pid from the pid file, or null (logged) when there is none to tell. */
    String dnsmasqPid() {
        String pid;
        try {
            pid = Files.readString(setup.pidFile(), StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            LOG.info("no dnsmasq pid file " + setup.pidFile() + ": dnsmasq reads " + setup.hosts() + " when it starts");
            return null;
        } catch (IOException e) {
            throw new XennetException("cannot read dnsmasq pid file " + setup.pidFile() + ": " + e.getMessage(), e);
        }
        if (!pid.matches("[1-9][0-9]{0,9}")) {
            throw new XennetException("dnsmasq pid file " + setup.pidFile() + " does not hold a pid");
        }
        String comm;
        try {
            comm = Files.readString(proc.resolve(pid).resolve("comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            LOG.warn("dnsmasq pid file " + setup.pidFile() + " names pid " + pid + ", which is not running; "
                    + "dnsmasq reads " + setup.hosts() + " when it starts");
            return null;
        }
        if (!comm.equals("dnsmasq")) {
            LOG.warn("dnsmasq pid file " + setup.pidFile() + " names pid " + pid + ", which is " + comm
                    + ", not dnsmasq: not signalled");
            return null;
        }
        return pid;
    }
}
