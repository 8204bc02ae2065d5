// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.sys.ProcessRunner;

/** The DHCP files' formats, exact matching, atomic writes and concurrent edits under the vif-nat-dhcp lock. */
@Tag("cli")
class DhcpFilesTest {
    @TempDir
    Path tmp;

    @Test
    void iscHostEntriesMatchTheHostNameExactly() {
        assertTrue(DhcpEntries.isIscHost("host dom1 { hardware ethernet 00:16:3e:00:01:00; }", "dom1"));
        assertTrue(DhcpEntries.isIscHost("  host dom1{ }", "dom1"));
        assertFalse(DhcpEntries.isIscHost("host dom12 { hardware ethernet 00:16:3e:00:0c:00; }", "dom1"));
        assertFalse(DhcpEntries.isIscHost("host dom1-2 { }", "dom1"));
        assertFalse(DhcpEntries.isIscHost("# host dom1 { }", "dom1"));
        assertEquals("host dom5 { hardware ethernet 00:16:3e:00:05:00; fixed-address 10.0.5.1; option routers "
                + "10.0.5.128; option host-name \"dom5\"; }", DhcpEntries.iscHost("dom5", "00:16:3e:00:05:00",
                        "10.0.5.1", "10.0.5.128"));
    }

    @Test
    void dnsmasqEntriesMatchTheHostNameExactly() {
        assertTrue(DhcpEntries.isDnsmasqHost("00:16:3e:00:01:00,10.0.1.1,dom1", "dom1"));
        assertFalse(DhcpEntries.isDnsmasqHost("00:16:3e:00:0c:00,10.0.12.1,dom12", "dom1"));
        assertFalse(DhcpEntries.isDnsmasqHost("#00:16:3e:00:01:00,10.0.1.1,dom1", "dom1"));
    }

    @Test
    void theArgsFileGetsAndLosesExactlyTheVifsWord() {
        List<String> in = List.of("# x", "INTERFACES=eth1", "DHCPDARGS='vif1.10'", "OTHER=vif1.1");
        List<String> with = DhcpEntries.argsWith(in, "vif1.1");
        assertEquals(List.of("# x", "INTERFACES=\"eth1 vif1.1\"", "DHCPDARGS=\"vif1.10 vif1.1\"", "OTHER=vif1.1"), with);
        assertEquals(with, DhcpEntries.argsWith(with, "vif1.1"), "added once");
        assertEquals(List.of("# x", "INTERFACES=\"eth1\"", "DHCPDARGS=\"vif1.10\"", "OTHER=vif1.1"),
                DhcpEntries.argsWithout(with, "vif1.1"), "vif1.10 stays");
    }

    @Test
    void resolvConfAsXenReadsIt() {
        String[] r = DhcpEntries.resolvConf(List.of("domain a.example", "# search commented", "search b.example c",
                "nameserver 192.0.2.1 # comment", "nameserver 192.0.2.2", "nameserver 192.0.2.3"));
        assertEquals("b.example", r[0], "the last search/domain line");
        assertEquals("192.0.2.2", r[1], "the first nameserver line without '#'");
        assertEquals("subnet 10.0.0.0 netmask 255.255.0.0 { }", DhcpEntries.iscSubnet(null, null),
                "no empty options (dhcpd refuses them)");
        assertTrue(DhcpEntries.isOwnSubnet(DhcpEntries.iscSubnet("x", "192.0.2.1")));
        assertFalse(DhcpEntries.isOwnSubnet("subnet 10.0.0.0 netmask 255.255.0.0 {"), "an admin's block is not ours");
    }

    @Test
    void writesAreAtomicKeepTheModeAndASymlinkStaysASymlink() throws Exception {
        Path real = tmp.resolve("etc/dhcpd.conf.real");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "a\n");
        Files.setPosixFilePermissions(real, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Path link = tmp.resolve("etc/dhcpd.conf");
        Files.createSymbolicLink(link, real.getFileName());
        TextFile.edit(tmp.resolve("lock"), link, lines -> {
            lines.add("b");
            return lines;
        });
        assertTrue(Files.isSymbolicLink(link), "Xen's 2014 mv replaced the link with a file");
        assertEquals("a\nb\n", Files.readString(real));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
        try (var s = Files.list(real.getParent())) {
            assertEquals(2, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void concurrentEditsKeepEveryEntry() throws Exception {
        Path hosts = tmp.resolve("hosts");
        DhcpSetup setup = new DhcpSetup(DhcpSetup.Backend.DNSMASQ, null, null, null, hosts, tmp.resolve("pid"));
        DhcpServer server = new DhcpServer(setup, tmp.resolve("lock"), ProcessRunner.local());
        int n = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int d = i + 1;
            fs.add(pool.submit(() -> server.putHost("dom" + d, String.format("00:16:3e:00:%02x:00,10.0.%d.1,dom%d", d, d, d))));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        // and half of them go offline while the other half are re-added
        fs.clear();
        for (int i = 0; i < n; i++) {
            int d = i + 1;
            fs.add(pool.submit(() -> server.putHost("dom" + d, d % 2 == 0 ? null
                    : String.format("00:16:3e:00:%02x:00,10.0.%d.1,dom%d", d, d, d))));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        Set<String> want = new HashSet<>();
        for (int d = 1; d <= n; d += 2) {
            want.add(String.format("00:16:3e:00:%02x:00,10.0.%d.1,dom%d", d, d, d));
        }
        List<String> got = Files.readAllLines(hosts);
        assertEquals(want.size(), got.size(), got.toString());
        assertEquals(want, new HashSet<>(got));
    }
}
