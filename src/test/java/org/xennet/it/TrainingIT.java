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
 * The start-up cache's training run (xennet __train) runs the real scripts in a namespace of its
 * own thread and must leave the namespace it was started in exactly as it was.
 */
@Tag("netns")
class TrainingIT {
    @TempDir
    Path tmp;

    @Test
    void trainingRunsTheScriptsPrivatelyAndChangesNothingOutside() throws Exception {
        try (NetnsFixture ns = NetnsFixture.create("xnnf")) {
            String before = ns.ip("-d", "link", "show") + ns.ip("addr") + ns.ip("route", "show", "table", "all")
                    + NetnsFixture.run(List.of("ip", "netns", "exec", ns.name(), "nft", "list", "ruleset")).output();
            Path classes = tmp.resolve("classes.txt");
            Executable.Run r = Executable.run(List.of("ip", "netns", "exec", ns.name()), "xennet",
                    Map.of("XENNET_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes), "__train");
            assertEquals(0, r.status(), r.err());
            assertEquals("", r.out() + r.err(), "training is silent");
            if (!Executable.isNative()) { // the native image runs it too, but has no class loading to show it
                String loaded = Files.readString(classes);
                assertTrue(loaded.contains("org.xennet.scripts.bridge.VifBridge "), "vif-bridge ran");
                assertTrue(loaded.contains("org.xennet.scripts.bridge.NicState "), "network-bridge start ran");
                assertTrue(loaded.contains("org.xennet.plan.OvsSteps ") && loaded.contains("org.xennet.ovsdb.OvsdbJson "),
                        "vif-openvswitch ran against the in-memory ovsdb");
                assertTrue(loaded.contains("org.xennet.firewall.NftRules ") && loaded.contains("org.xennet.jna.LibNftables "),
                        "the guard went in through libnftables (the default backend where it is installed)");
            }
            assertEquals(before, ns.ip("-d", "link", "show") + ns.ip("addr") + ns.ip("route", "show", "table", "all")
                    + NetnsFixture.run(List.of("ip", "netns", "exec", ns.name(), "nft", "list", "ruleset")).output(),
                    "nothing changed in the namespace the training was started in, nftables included");
        }
    }
}
