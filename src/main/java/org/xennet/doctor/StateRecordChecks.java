// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.doctor.Finding.Check;
import org.xennet.error.XennetException;
import org.xennet.scripts.bridge.BridgeSettings;
import org.xennet.scripts.bridge.NetworkBridge;
import org.xennet.scripts.bridge.StateRecord;

/**
 * xennet's own state records: a network-bridge start or stop that was killed part-way (with the
 * step and the command that recovers), damaged or stale records, and the route/NAT records of an
 * interface that is gone.
 */
final class StateRecordChecks {
    private final HostSnapshot host;
    private final List<Finding> findings;
    private final Path stateDir;

    StateRecordChecks(HostSnapshot host, List<Finding> findings, Path stateDir) {
        this.host = host;
        this.findings = findings;
        this.stateDir = stateDir;
    }

    void checkStateRecords() {
        boolean tmpExplained = false;
        int first = findings.size();
        for (Path f : records(stateDir.resolve("network-bridge"))) {
            Optional<StateRecord> r;
            try {
                r = StateRecord.read(f);
            } catch (XennetException e) {
                findings.add(Finding.error(Check.STATE_RECORD, f.toString(), e.getMessage(), "mv " + f + " "
                        + f + ".damaged"));
                continue;
            }
            if (r.isEmpty()) {
                continue;
            }
            StateRecord s = r.get();
            boolean bridge = host.byName.containsKey(s.bridge()) && host.byName.get(s.bridge()).isBridge();
            boolean pdev = host.byName.containsKey(s.pdev());
            String args = "netdev=" + s.netdev() + " bridge=" + s.bridge();
            if (s.interrupted()) {
                tmpExplained |= s.topology() == StateRecord.Topology.FINAL;
                findings.add(Finding.error(Check.START_INTERRUPTED, s.bridge(), "network-bridge "
                        + (s.phase() == StateRecord.Phase.STARTING ? "start" : "stop") + " of " + s.bridge() + " on "
                        + s.netdev() + " was killed " + NetworkBridge.whereInterrupted(s, host.net)
                        + ": the host may be half-bridged and " + s.netdev() + " offline",
                        "network-bridge stop " + args + " (takes back exactly what it did, from " + f
                                + "), then network-bridge start " + args + " if the bridge is wanted"));
            } else if (!bridge && !pdev) {
                findings.add(Finding.warning(Check.STATE_RECORD, f.toString(), "state record " + f + " describes "
                        + s.bridge() + " and " + s.pdev() + ", which are gone (undone by hand?)",
                        "rm " + f + " (network-bridge start also removes it)"));
            } else if (!bridge) {
                findings.add(Finding.error(Check.START_INTERRUPTED, s.pdev(), s.pdev() + " exists but "
                        + s.bridge() + " does not: the bridge was removed by hand and " + s.netdev()
                        + "'s NIC is still named " + s.pdev(),
                        "network-bridge stop " + args + " (gives the NIC back its name, addresses and routes)"));
            }
        }
        String tmp = BridgeSettings.TMP_BRIDGE;
        if (host.byName.containsKey(tmp) && !tmpExplained) {
            findings.add(first, Finding.error(Check.START_INTERRUPTED, tmp, "bridge " + tmp
                    + " exists: a network-bridge start (bridge named like the NIC) was killed before it finished",
                    "ip link del " + tmp + ", check the NIC's name and addresses, then run network-bridge "
                            + "start again"));
        }
        for (String script : List.of("network-route", "network-nat")) {
            for (Path f : records(stateDir.resolve(script))) {
                String netdev = f.getFileName().toString().replaceFirst("\\.state$", "");
                if (!host.byName.containsKey(netdev)) {
                    findings.add(Finding.warning(Check.STATE_RECORD, f.toString(), "state record " + f + " is for "
                            + netdev + ", which does not exist: " + script + " stop cannot restore it",
                            "rm " + f + " once you have checked ip_forward and iptables -S"));
                }
            }
        }
    }

    static List<Path> records(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.state")) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw new XennetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }
}
