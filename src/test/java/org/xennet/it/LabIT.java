// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xennet.testing.NetnsFixture;
import org.xennet.testing.XenstoredFixture;

/**
 * {@code xennet lab}, the project's main job, as the README runs it: every mode ends with all its
 * checks passed, and leaves no namespace behind.
 */
@Tag("netns")
class LabIT {
    @ParameterizedTest
    @CsvSource({"bridge,netloop", "bridge,final", "route,netloop", "nat,netloop"})
    void everyModePassesAllItsChecksAndCleansUp(String mode, String topology) {
        if (!"0".equals(NetnsFixture.run(List.of("id", "-u")).output().trim())) {
            NetnsFixture.unavailable("xennet lab needs root");
        }
        Executable.Run r = Executable.run(List.of(), "xennet", Map.of("XENNET_LAB_XENSTORED_STUB",
                XenstoredFixture.stubLibrary().toString()), "lab", "--mode", mode, "--topology", topology);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Result: all "), r.out());
        assertFalse(r.out().contains("[FAIL]"), r.out());
        if (mode.equals("bridge")) {
            assertTrue(r.out().contains("vif-bridge runs as libxl runs it"), "the real xenstored was used: " + r.out());
            assertTrue(r.out().contains("[ ok ] xennet fix moves vif1.0 back onto"), r.out());
        }
        String netns = NetnsFixture.run(List.of("ip", "netns", "list")).output();
        assertFalse(netns.contains("xnlab"), "namespaces left: " + netns);
    }
}
