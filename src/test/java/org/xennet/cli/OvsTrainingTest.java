// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/** The training's in-memory ovsdb-server takes vif-openvswitch through its whole path, online and offline. */
@Tag("cli")
class OvsTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void onlineAndOfflineSucceedAgainstThePretendServer() {
        FakeNetwork net = new FakeNetwork();
        net.links().addVeth("vif2.0", "guest2");
        String be = "backend/vif/2/0";
        FakeXenStore xs = new FakeXenStore().put(be + "/bridge", "xenbr0.10").put(be + "/mac", "00:16:3e:00:02:00")
                .put(be + "/frontend-id", "2").put(be + "/hotplug-status", "").put("/local/domain/2/vm", "/vm/t")
                .put("/vm/t/name", "t").put("/vm/t/uuid", "u");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (String command : new String[] {"online", "offline"}) {
            boolean offline = command.equals("offline");
            ScriptContext ctx = ScriptContext.builder(Map.of("XENNET_CONF", tmp.resolve("none").toString(),
                    "XENNET_LOG_FILE", "none", "XENNET_SYSLOG", "no", "vif", "vif2.0", "XENBUS_PATH", be, "ovn", "yes"))
                    .network(() -> net).xenstore(() -> xs).ovs(() -> OvsTraining.client(offline))
                    .output(new PrintStream(err, true, StandardCharsets.UTF_8)).under(tmp).build();
            assertEquals(0, new Cli(ctx).run("vif-openvswitch", new String[] {command, "type_if=vif"}), err.toString());
        }
        assertEquals("connected", xs.read(be + "/hotplug-status").orElse(null));
    }
}
