// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script is picked from the process's argv[0] with no flag at all: Xen execs
 * /etc/xen/scripts/vif-bridge, and a native executable linked there must run vif-bridge. bash's
 * {@code exec -a NAME} sets argv[0] without any link, so the name cannot come from anywhere else.
 */
@Tag("cli")
class InvokedNameIT {
    @TempDir
    Path tmp;

    /** The program itself, without the launcher and so without -Dxennet.argv0. */
    private List<String> program() {
        if (Executable.isNative()) {
            return List.of(Executable.NATIVE.toString());
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-cp", Executable.PROJECT.resolve("target/xennet.jar").toString(),
                "org.xennet.cli.Main");
    }

    private Executable.Run execAs(String argv0, String... args) {
        List<String> cmd = new ArrayList<>(List.of("-c", "exec -a \"$0\" \"$@\"", argv0));
        cmd.addAll(program());
        cmd.addAll(List.of(args));
        return Executable.run(List.of(), "/bin/bash", Map.of(), cmd.toArray(String[]::new));
    }

    @Test
    void argv0NamesTheScriptWithoutAnyFlag() {
        Executable.Run r = execAs("/etc/xen/scripts/vif-bridge", "bogus");
        assertEquals(1, r.status(), r.err());
        assertEquals("vif-bridge: unknown command 'bogus'; valid commands are: online, offline, add, remove\n",
                r.err());
        Executable.Run h = execAs("network-nat", "--help");
        assertEquals(0, h.status(), h.err());
        assertTrue(h.out().startsWith("Usage: network-nat "), h.out());
    }

    @Test
    void anyOtherArgv0IsXennet() {
        Executable.Run r = execAs("/usr/sbin/some-name", "vif-route", "bogus");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("vif-route: unknown command 'bogus'"), r.err());
        Executable.Run u = execAs("xennet");
        assertEquals(1, u.status(), u.err());
        assertTrue(u.out().startsWith("Usage: xennet SCRIPT COMMAND"), u.out());
    }

    /** Xen's own layout: a link in a scripts directory, resolved to the executable elsewhere. */
    @Test
    void aLinkNamedAfterTheScriptRunsTheScript() throws Exception {
        Path target = Executable.isNative() ? Executable.NATIVE : Executable.PROJECT.resolve("bin/xennet");
        Path scripts = Files.createDirectories(tmp.resolve("etc/xen/scripts"));
        Files.createSymbolicLink(scripts.resolve("vif-nat"), target);
        Executable.Run r = Executable.run(List.of(), scripts.resolve("vif-nat").toString(), Map.of(), "bogus");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("vif-nat: unknown command 'bogus'"), r.err());
    }
}
