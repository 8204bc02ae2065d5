// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.vif;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.xennet.error.UsageException;
import org.xennet.scripts.Params;

/** XENBUS_PATH names a vif backend, or the call is refused before XenStore is touched. */
@Tag("cli")
class VifTargetTest {
    private static Params params(String path) {
        return new Params("vif-bridge", Map.of("XENBUS_PATH", path, "vif", "vif5.0"), Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"backend/vif/5/0", "/local/domain/0/backend/vif/5/0", "/local/domain/3/backend/vif/5/0",
        "backend/vif/32751/2147483647"})
    void backendPathsAreAccepted(String path) {
        VifTarget t = VifTarget.resolve("vif-bridge", params(path));
        assertEquals(path, t.xenbusPath());
        assertEquals(Optional.of(path), VifTarget.usablePath("vif-bridge", params(path)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tool/xenstored", "backend/vif/99999999999/0", "backend/vif/32752/0", "backend/vbd/5/0",
        "backend/vif/5/0/", "backend/vif/05/0", "/local/domain/0/backend/vif/5", "backend/vif/5/0\nx",
        "../backend/vif/5/0", "backend/vif/-1/0", "backend/vif/5/2147483648", "/local/domain/99999/backend/vif/5/0"})
    void anythingElseIsRefusedByName(String path) {
        UsageException e = assertThrows(UsageException.class, () -> VifTarget.resolve("vif-bridge", params(path)));
        assertTrue(e.getMessage().startsWith("vif-bridge: XENBUS_PATH="), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        assertEquals(Optional.empty(), VifTarget.usablePath("vif-bridge", params(path)));
    }

    @Test
    void aTapDerivesItsBackendFromTheInterfaceName() {
        Params p = new Params("vif-bridge", Map.of("INTERFACE", "vif7.1-emu", "type_if", "tap"), Map.of());
        VifTarget t = VifTarget.resolve("vif-bridge", p);
        assertEquals("/local/domain/0/backend/vif/7/1", t.xenbusPath());
        assertEquals(Optional.of("/local/domain/7/device/vif/1/mtu"), t.frontendMtuPath());
    }
}
