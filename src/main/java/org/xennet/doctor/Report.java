// SPDX-License-Identifier: Apache-2.0
package org.xennet.doctor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xennet.model.Link;
import org.xennet.scripts.bridge.BridgeStatus;
import org.xennet.text.Table;

/**
 * What {@code xennet doctor} prints: a brctl-show-like table of the bridges and their ports,
 * one line per finding, the checks it could not make and why, and a summary. {@link #json()}
 * is the same, for programs; its shape is documented in the README and checked by tests.
 */
public record Report(List<Bridge> bridges, List<Finding> findings, List<Skipped> skipped) {
    /** The version of the JSON shape; raised only when a field changes meaning or goes away. */
    public static final int JSON_VERSION = 1;

    public Report {
        bridges = List.copyOf(bridges);
        findings = List.copyOf(findings);
        skipped = List.copyOf(skipped);
    }

    public record Bridge(Link link, List<Port> ports) {
    }

    /** A bridge port; {@code what} says what it is ("physical", "vif of domain 5 (web)", "veth"). */
    public record Port(Link link, String what, boolean guest) {
    }

    /** Checks not made: their ids, and why. */
    public record Skipped(String checks, String why) {
    }

    /** Whether any finding is an error (warnings alone do not fail doctor unless --strict). */
    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
    }

    public boolean clean() {
        return findings.isEmpty();
    }

    public List<Repair> repairs() {
        List<Repair> r = new ArrayList<>();
        for (Finding f : findings) {
            if (f.repair() != null) {
                r.add(f.repair());
            }
        }
        return r;
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        if (bridges.isEmpty()) {
            b.append("no bridges\n");
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"BRIDGE/PORT", "STATE", "CARRIER", "MTU", "MAC", "WHAT"});
            for (Bridge br : bridges) {
                Link l = br.link();
                rows.add(new String[] {l.name(), state(l), "-", String.valueOf(l.mtu()), String.valueOf(l.mac()),
                        "bridge, stp " + (l.bridge() != null && l.bridge().stpState() != 0 ? "on" : "off")
                                + (br.ports().isEmpty() ? ", no ports" : "")});
                for (Port p : br.ports()) {
                    Link pl = p.link();
                    rows.add(new String[] {"  " + pl.name(), state(pl), pl.carrier() ? "yes" : "NO",
                            String.valueOf(pl.mtu()), String.valueOf(pl.mac()), p.what()});
                }
            }
            b.append(Table.format(rows));
        }
        b.append('\n');
        for (Finding f : findings) {
            b.append(f.line()).append('\n');
        }
        for (Skipped s : skipped) {
            b.append("skipped: ").append(s.checks()).append(": ").append(s.why()).append('\n');
        }
        b.append(summary()).append('\n');
        return b.toString();
    }

    public String summary() {
        if (findings.isEmpty()) {
            return "no problems found" + (skipped.isEmpty() ? "" : " (some checks skipped, see above)");
        }
        long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
        long warnings = findings.size() - errors;
        int auto = repairs().size();
        return plural(errors, "error") + ", " + plural(warnings, "warning")
                + (auto == 0 ? "" : "; 'xennet fix' repairs " + auto + " of them (try 'xennet fix --dry-run')");
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static String state(Link l) {
        return l.isUp() ? "up" : "DOWN";
    }

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", JSON_VERSION);
        m.put("clean", clean());
        List<Object> bs = new ArrayList<>();
        for (Bridge br : bridges) {
            Map<String, Object> bm = BridgeStatus.link(br.link());
            bm.put("stp", br.link().bridge() != null && br.link().bridge().stpState() != 0);
            List<Object> ps = new ArrayList<>();
            for (Port p : br.ports()) {
                Map<String, Object> pm = BridgeStatus.link(p.link());
                pm.put("carrier", p.link().carrier());
                pm.put("kind", p.guest() ? "vif" : p.what().equals("physical") ? "physical" : p.link().kind());
                pm.put("description", p.what());
                ps.add(pm);
            }
            bm.put("ports", ps);
            bs.add(bm);
        }
        m.put("bridges", bs);
        List<Object> fs = new ArrayList<>();
        for (Finding f : findings) {
            fs.add(f.json());
        }
        m.put("findings", fs);
        List<Object> ss = new ArrayList<>();
        for (Skipped s : skipped) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("checks", List.of(s.checks().split(", ")));
            sm.put("reason", s.why());
            ss.add(sm);
        }
        m.put("skipped", ss);
        return m;
    }
}
