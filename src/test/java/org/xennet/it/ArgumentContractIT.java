// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The argument contract through the real launcher and the script-named links. */
@Tag("cli")
class ArgumentContractIT {
    @TempDir
    Path tmp;

    @Test
    void anUnknownCommandThroughTheLinkExitsOneNamingTheValidOnes() {
        Executable.Run r = Executable.run("vif-bridge", "bogus");
        assertEquals(1, r.status());
        assertEquals("vif-bridge: unknown command 'bogus'; valid commands are: online, offline, add, remove\n",
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void xennetScriptFormIsTheSame() {
        Executable.Run r = Executable.run("xennet", "vif-bridge", "bogus");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("vif-bridge: unknown command 'bogus'"), r.err());
    }

    @Test
    void aCommandSubstitutionInAnAssignmentIsNeverRun() {
        Path marker = tmp.resolve("pwned");
        Executable.Run r = Executable.run("xennet", "network-bridge", "start", "bridge=$(touch " + marker + ")");
        assertEquals(1, r.status());
        assertFalse(Files.exists(marker));
        assertTrue(r.err().startsWith("network-bridge: bridge='$(touch "), r.err());
    }

    @Test
    void aSixteenByteNameIsRefusedByName() {
        Executable.Run r = Executable.run("network-bridge", "start", "bridge=abcdefghijklmnopq");
        assertEquals(1, r.status());
        assertEquals("network-bridge: bridge='abcdefghijklmnopq' is 17 bytes long; Linux interface names have at "
                + "most 15 bytes\n", r.err());
    }

    @Test
    void aMissingVifIsRefusedFromTheEnvironment() {
        Executable.Run r = Executable.run(List.of(), "vif-bridge", Map.of("vif", "vif1.0 x"), "online");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("vif='vif1.0 x' is not a valid interface name"), r.err());
    }

    @Test
    void helpWorksForXennetAndForEachScript() {
        Executable.Run r = Executable.run("xennet", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("network-wrapper"));
        Executable.Run s = Executable.run("network-bridge", "--help");
        assertEquals(0, s.status());
        assertTrue(s.out().contains("antispoof"), s.out());
    }

    /** A call that logs nothing at the configured level must not start log4j2 (about 95 ms). */
    @Test
    void log4jIsNotInitialisedWhenNothingIsLogged() {
        assumeFalse(Executable.isNative(), "class loading is the JVM's: a native image has no classes to load");
        Map<String, String> env = Map.of("XENNET_JAVA_OPTS", "-Xlog:class+load=info:file=" + tmp.resolve("cl.txt"));
        Executable.Run ok = Executable.run(List.of(), "xennet", env, "network-bridge", "--help");
        assertEquals(0, ok.status());
        String loaded = read(tmp.resolve("cl.txt"));
        assertTrue(loaded.contains("org.xennet.cli.Cli"), "class logging works");
        assertFalse(loaded.contains("org.apache.logging.log4j.core"), "log4j2 core was loaded for --help");
        assertFalse(loaded.contains("com.sun.jna"), "JNA was loaded for --help");
        assertFalse(loaded.contains("org.kohsuke.args4j"), "args4j was loaded for a script call");

        Map<String, String> env2 = Map.of("XENNET_JAVA_OPTS", "-Xlog:class+load=info:file=" + tmp.resolve("cl2.txt"));
        Executable.Run bad = Executable.run(List.of(), "vif-bridge", env2, "bogus");
        assertEquals(1, bad.status());
        assertTrue(read(tmp.resolve("cl2.txt")).contains("org.apache.logging.log4j.core"),
                "an error is logged, through log4j2");
    }

    /** An error goes to the hotplug log (path overridable for tests) with the script's name, as Xen's did. */
    @Test
    void anErrorIsWrittenToTheHotplugLog() {
        Path log = tmp.resolve("xen-hotplug.log");
        Executable.Run r = Executable.run(List.of(), "vif-bridge", Map.of("XENNET_LOG_FILE", log.toString()), "bogus");
        assertEquals(1, r.status());
        String text = read(log);
        assertTrue(text.matches("(?s)\\d{4}-\\d\\d-\\d\\d \\S+ vif-bridge\\[\\d+\\] ERROR .*vif-bridge: invalid command bogus\\n"),
                text);
    }

    /** The log file (and level) come from the config file when the environment does not name them. */
    @Test
    void theLogFileIsTakenFromTheConfigFile() throws Exception {
        Path conf = tmp.resolve("xennet.conf");
        Files.writeString(conf, "# test\nlog_level=error\nlog_file=" + tmp.resolve("h.log") + "\n");
        Executable.Run r = Executable.run(List.of(), "vif-bridge", Map.of("XENNET_CONF", conf.toString(),
                "XENNET_LOG_FILE", ""), "bogus");
        assertEquals(1, r.status());
        assertTrue(read(tmp.resolve("h.log")).contains("invalid command bogus"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
