// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.kohsuke.args4j.CmdLineException;
import org.kohsuke.args4j.CmdLineParser;
import org.kohsuke.args4j.Option;
import org.xennet.error.UsageException;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.net.Network;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.text.Table;
import org.xennet.scripts.ScriptContext;
import org.xennet.text.Printable;

/** {@code xennet links [--netns NAME]}: the links and their addresses, for a person. */
final class LinksCommand {
    private final ScriptContext ctx;

    @Option(name = "--netns", metaVar = "NAME", usage = "a namespace from 'ip netns list' (or a path to a netns file)")
    private String netns;

    LinksCommand(ScriptContext ctx) {
        this.ctx = ctx;
    }

    int run(List<String> args) {
        CmdLineParser parser = new CmdLineParser(this);
        try {
            parser.parseArgument(args);
        } catch (CmdLineException e) {
            throw new UsageException(e.getMessage() + " (usage: xennet links [--netns NAME])");
        }
        try (Network net = open()) {
            ctx.out().print(render(net.links().list(), net.addresses().list()));
        }
        return Cli.OK;
    }

    private Network open() {
        if (netns == null) {
            return ctx.network().get();
        }
        Path p = netns.contains("/") ? Path.of(netns) : Path.of("/run/netns", netns);
        if (!Files.exists(p)) {
            throw new UsageException("no network namespace " + Printable.quote(netns) + " (" + p + " does not exist)");
        }
        return RtnetlinkNetwork.openIn(p);
    }

    /** A table like {@code ip -br link} joined with {@code ip -br addr}, masters by name. */
    static String render(List<Link> links, List<Address> addrs) {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : links) {
            names.put(l.index(), l.name());
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATE", "MAC", "MTU", "KIND", "MASTER", "ADDRESSES"});
        for (Link l : links) {
            StringBuilder a = new StringBuilder();
            for (Address x : addrs) {
                if (x.index() == l.index()) {
                    a.append(a.length() == 0 ? "" : " ").append(x.prefix());
                }
            }
            rows.add(new String[] {l.name(),
                    (l.isUp() ? "up" : "down") + (l.isUp() && !l.carrier() ? ",no-carrier" : ""),
                    l.mac() == null ? "-" : l.mac().toString(), String.valueOf(l.mtu()),
                    l.kind() == null ? (l.isLoopback() ? "loopback" : "device") : l.kind(),
                    l.masterIndex() == 0 ? "-" : names.getOrDefault(l.masterIndex(), "#" + l.masterIndex()),
                    a.length() == 0 ? "-" : a.toString()});
        }
        return Table.format(rows);
    }
}
