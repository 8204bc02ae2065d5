// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.testing.NetnsFixture;

/**
 * An error reaches syslog through the real executable: /dev/log (facility daemon, tagged with the
 * script's name and pid), as Xen's scripts logged with logger(1). The syslog daemon is busybox's,
 * listening on a /dev that exists only in a private mount namespace of the test's (a tmpfs with
 * the few device nodes a program needs), so the host's syslog never sees the test.
 */
@Tag("netns")
class SyslogIT {
    @TempDir
    Path tmp;

    private static final String SCRIPT = String.join("\n",
            "set -eu",
            "messages=$1 out=$2 prog=$3",
            "mount -t tmpfs -o mode=755,size=1m xnni-dev /dev",
            "mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5",
            "mknod -m 444 /dev/random c 1 8; mknod -m 444 /dev/urandom c 1 9",
            "busybox syslogd -n -O \"$messages\" & pid=$!",
            "for _ in $(seq 200); do [ -S /dev/log ] && break; sleep 0.05; done",
            "[ -S /dev/log ] || { echo 'syslogd did not start' >&2; kill $pid; exit 3; }",
            "set +e",
            "\"$prog\" bogus >\"$out.stdout\" 2>\"$out.stderr\"; echo $? >\"$out.status\"",
            "for _ in $(seq 100); do grep -q 'invalid command' \"$messages\" 2>/dev/null && break; sleep 0.05; done",
            "kill $pid; wait $pid",
            "exit 0");

    @Test
    void anErrorIsSentToSyslogTaggedWithTheScript() throws Exception {
        if (!"0".equals(NetnsFixture.run(List.of("id", "-u")).output().trim())) {
            NetnsFixture.unavailable("a private mount namespace needs root");
        }
        Path messages = tmp.resolve("messages");
        Path out = tmp.resolve("run");
        Executable.Run r = Executable.run(List.of("unshare", "--mount", "--propagation", "private", "--"), "/bin/bash",
                Map.of("XENNET_SYSLOG", "yes", "XENNET_LOG_FILE", "none"), "-c", SCRIPT, "xnni-syslog", messages.toString(),
                out.toString(), Executable.BIN.resolve("vif-bridge").toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("1", Files.readString(Path.of(out + ".status")).trim(), "vif-bridge bogus exits 1");
        assertTrue(Files.readString(Path.of(out + ".stderr")).startsWith("vif-bridge: unknown command 'bogus'"));
        String log = Files.readString(messages);
        assertTrue(log.matches("(?s).* daemon\\.err vif-bridge\\[\\d+\\]: vif-bridge: invalid command bogus\\n.*"), log);
    }
}
