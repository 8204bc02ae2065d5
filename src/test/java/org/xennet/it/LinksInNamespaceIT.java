// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.testing.NetnsFixture;

/** {@code xennet links} reads a namespace's links through the real executable. */
@Tag("netns")
class LinksInNamespaceIT {

    @Test
    void listsABridgeItsPortAndAddressesFromInsideAndFromOutside() {
        try (NetnsFixture ns = NetnsFixture.create()) {
            ns.ip("link", "add", "xenbr0", "type", "bridge");
            ns.ip("link", "add", "vif5.0", "type", "veth", "peer", "name", "guest0");
            ns.ip("link", "set", "vif5.0", "master", "xenbr0");
            ns.ip("addr", "add", "192.0.2.10/24", "dev", "xenbr0");
            ns.ip("link", "set", "xenbr0", "up");
            Executable.Run inside = Executable.run(List.of("ip", "netns", "exec", ns.name()), "xennet", Map.of(),
                    "links");
            assertEquals(0, inside.status(), inside.err());
            assertTrue(inside.out().matches("(?s).*\nxenbr0 +up,no-carrier +\\S+ +1500 +bridge +- +192\\.0\\.2\\.10/24\n.*"),
                    inside.out());
            assertTrue(inside.out().matches("(?s).*\nvif5\\.0 +down +\\S+ +1500 +veth +xenbr0 +-\n.*"), inside.out());
            Executable.Run outside = Executable.run("xennet", "links", "--netns", ns.name());
            assertEquals(inside.out(), outside.out());
        }
    }
}
