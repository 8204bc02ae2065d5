// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.net.Network;
import org.xennet.plan.PlanRunner;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/** What the NAT script tests share: the fakes, a host root under a temporary directory, and running a script through the CLI. */
abstract class NatTestBase {
    @TempDir
    Path tmp;

    FakeNetwork net;
    FakeFirewall fw;
    FakeXenStore xs;
    Map<String, String> env;
    ByteArrayOutputStream out;
    ByteArrayOutputStream err;
    PlanRunner.FaultInjector faults;
    /** The network the scripts get: the fake, unless a test wraps it. */
    Network network;

    @BeforeEach
    void setUpBase() {
        net = new FakeNetwork();
        fw = new FakeFirewall();
        xs = new FakeXenStore();
        env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("xennet.conf").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error"));
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        faults = null;
        network = null;
    }

    Path root() {
        return tmp.resolve("root");
    }

    ScriptContext ctx() {
        return ScriptContext.builder(env).network(() -> network != null ? network : net).firewall(() -> fw)
                .xenstore(() -> xs).out(new PrintStream(out, true, StandardCharsets.UTF_8))
                .err(new PrintStream(err, true, StandardCharsets.UTF_8)).under(tmp).hostRoot(root())
                .carrierWait(Duration.ZERO).faults(faults).build();
    }

    int run(String script, String... args) {
        out.reset();
        err.reset();
        return new Cli(ctx()).run("/etc/xen/scripts/" + script, args);
    }

    /** A file under the host root. */
    Path host(String rel, String text) throws IOException {
        Path p = root().resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    /** ISC dhcpd's files, with an init script that records its argument in {@code init.log}. */
    Path[] iscFiles() throws IOException {
        Path conf = host("etc/dhcp/dhcpd.conf", "# admin's config\nddns-update-style none;\n");
        Path init = host("etc/init.d/isc-dhcp-server", "#!/bin/sh\necho \"$1\" >> " + tmp.resolve("init.log") + "\n");
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path args = host("etc/default/dhcp3-server", "# interfaces\nINTERFACES=\"eth1\"\n");
        return new Path[] {conf, init, args};
    }

    List<String> initLog() throws IOException {
        Path log = tmp.resolve("init.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    static List<String> lines(Path p) throws IOException {
        return Files.readAllLines(p);
    }
}
