// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.lab.LabNetwork;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.testing.JsonReader;
import org.xennet.testing.Labs;
import org.xennet.testing.OvsFixture;
import org.xennet.testing.XenstoredFixture;

/**
 * Every script and every one of its commands through the real executable (the JVM launcher, and
 * in the native run the native binary through links named after the scripts): its help, its plan
 * (--dry-run, against the lab's dom0 and the real xenstored) and, for the network scripts, status
 * as JSON read back by a strict parser. The plans change nothing. The scripts' real runs are the
 * other *IT tests; this one reaches the code paths (and so the metadata) of every command.
 */
@Tag("netns")
class EveryScriptIT {
    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;
    private OvsFixture ovs;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        // vif-openvswitch's plan reads ovsdb: a private Open vSwitch in the lab's dom0
        ovs = OvsFixture.start(lab.dom0());
        ovs.addBridge("ovsbr7");
    }

    @AfterEach
    void tearDown() {
        if (ovs != null) {
            ovs.close();
        }
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Executable.Run run(String script, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, script, args);
    }

    private List<String> state() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-t", "nat", "-S").stdout().split("\n")));
        s.add("ip_forward " + Labs.sysctl(lab, lab.dom0(), "net.ipv4.ip_forward"));
        for (String key : xs.ls("backend/vif/7/0")) {
            s.add("xenstore " + key + " = " + xs.read("backend/vif/7/0/" + key));
        }
        return s;
    }

    @Test
    void everyScriptAndCommandAnswersThroughTheExecutableAndThePlansChangeNothing() {
        lab.addGuest("guest7", "vif7.0", "192.0.2.70/24");
        lab.ipIn(lab.dom0(), "link", "add", "xenbr9", "type", "bridge"); // vif-bridge's bridge (not network-bridge's)
        xs.libxlVif(7, 0, "vif-bridge", Map.of("bridge", "xenbr9", "ip", "192.0.2.70"));
        // the domain's own keys libxl writes when it creates the guest (vif-openvswitch reads them)
        String uuid = "7e57f00d-0000-4000-8000-000000000007";
        xs.write("/local/domain/7/vm", "/vm/" + uuid);
        xs.write("/vm/" + uuid + "/name", "guest7");
        xs.write("/vm/" + uuid + "/uuid", uuid);
        List<String> before = state();
        for (String name : Scripts.NAMES) {
            ScriptSpec spec = Scripts.spec(name).orElseThrow();
            Executable.Run help = run(name, Map.of(), "--help");
            assertEquals(0, help.status(), name + " --help: " + help.err());
            assertTrue(help.out().startsWith("Usage: " + name + " "), help.out());

            Map<String, String> env = new HashMap<>();
            if (name.startsWith("vif-")) {
                env.putAll(XenstoredFixture.hotplugEnv(name, 7, 0));
            }
            if (name.equals("vif-openvswitch")) {
                env.putAll(ovs.env());
                xs.write("backend/vif/7/0/bridge", "ovsbr7.10"); // an OVS bridge, access port of VLAN 10
            }
            // the wrapper's pairs, as /etc/xen/xennet-bridges.conf would list them
            String pairs = name.equals("network-wrapper") ? "bridges=eth0:xenbr0" : "antispoof=no";
            for (String command : spec.commands()) {
                Executable.Run plan = run(name, env, command, "--dry-run", pairs);
                String what = name + " " + command + " --dry-run: " + plan.out() + plan.err();
                if (command.equals("status")) {
                    assertNotEquals(0, plan.status(), what); // nothing is running in the lab's dom0
                } else {
                    assertEquals(0, plan.status(), what);
                }
            }
            if (name.equals("vif-openvswitch")) {
                xs.write("backend/vif/7/0/bridge", "xenbr9");
            }
            if (name.startsWith("network-")) {
                Executable.Run status = run(name, Map.of(), "status", "--json", pairs);
                Map<String, Object> doc = JsonReader.object(status.out());
                assertEquals(name, doc.get("script"), status.out());
                assertEquals(Boolean.FALSE, doc.get("running"), status.out());
                assertNotEquals(0, status.status(), name + " status --json: " + status.err());
            }
        }
        assertEquals(before, state());
    }
}
