// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script comes from the process's argv[0]; the launcher's property only when that names none. */
@Tag("cli")
class InvokedNameTest {
    @TempDir
    Path tmp;

    @Test
    void aScriptNamedByArgv0WinsWithoutAnyProperty() {
        assertEquals("vif-bridge", InvokedName.choose("/etc/xen/scripts/vif-bridge", null));
        assertEquals("network-nat", InvokedName.choose("network-nat", null));
        assertEquals("vif-route", InvokedName.choose("./vif-route", "xennet"));
    }

    @Test
    void aJvmsArgv0FallsBackToTheLaunchersProperty() {
        assertEquals("vif-nat", InvokedName.choose("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java", "vif-nat"));
        assertEquals("xennet", InvokedName.choose("java", "xennet"));
    }

    @Test
    void anythingElseIsXennet() {
        assertEquals("xennet", InvokedName.choose("/usr/sbin/xennet", null));
        assertEquals("xennet", InvokedName.choose("java", null));
        assertEquals("xennet", InvokedName.choose("java", ""));
        assertEquals("xennet", InvokedName.choose(null, null));
        assertEquals("xennet", InvokedName.choose("vif-bridge.distrib", null));
        assertEquals("xennet", InvokedName.choose("/etc/xen/scripts/", null));
    }

    @Test
    void argv0IsTheFirstNulTerminatedStringOfCmdline() throws Exception {
        Path f = tmp.resolve("cmdline");
        Files.write(f, "/etc/xen/scripts/vif-bridge\0online\0type_if=vif\0".getBytes(StandardCharsets.UTF_8));
        assertEquals("/etc/xen/scripts/vif-bridge", InvokedName.argv0(f));
        assertNull(InvokedName.firstString(new byte[0]));
        assertNull(InvokedName.firstString(new byte[] {0, 'x', 0}));
        assertEquals("vif-nat", InvokedName.firstString("vif-nat".getBytes(StandardCharsets.UTF_8)));
        assertNull(InvokedName.argv0(tmp.resolve("absent")));
    }

    @Test
    void thisProcessReadsItsOwnArgv0() {
        String own = InvokedName.argv0(InvokedName.CMDLINE);
        assertEquals("java", Cli.baseName(own), "surefire's JVM: " + own);
    }
}
