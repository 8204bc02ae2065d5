// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.xennet.testing.Labs;
import org.xennet.testing.StateDiff;
import org.xennet.testing.XenstoredFixture;

/**
 * vif-bridge as Xen runs it: the real executable, in dom0's namespace, with env vif and
 * XENBUS_PATH and argv "online type_if=vif", against a real xenstored holding the keys libxl
 * writes, on a bridge made by network-bridge, with a guest namespace behind the vif.
 */
@Tag("netns")
class VifBridgeSystemIT {
    @TempDir
    Path tmp;

    private LabNetwork lab;
    private XenstoredFixture xs;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        xs = XenstoredFixture.start();
        Executable.Run r = xennet("network-bridge", Map.of(), "start");
        assertEquals(0, r.status(), r.err());
    }

    @AfterEach
    void tearDown() {
        if (xs != null) {
            xs.close();
        }
        lab.close();
    }

    private Executable.Run xennet(String script, Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(xs.env());
        env.put("XENNET_FIREWALL", "iptables"); // Xen's rules (NftGuardIT: the nftables backend)
        env.putAll(extra);
        return Executable.inDom0(lab, tmp, env, script, args);
    }

    /** The backend and frontend nodes libxl writes for guest D's vif N before it runs the script. */
    private String libxlKeys(int domid, int devid, Map<String, String> keys) {
        return xs.libxlVif(domid, devid, "vif-bridge", keys);
    }

    private Executable.Run vif(String command, int domid, int devid, Map<String, String> more) {
        Map<String, String> env = XenstoredFixture.hotplugEnv("vif-bridge", domid, devid);
        env.putAll(more);
        env.put("netdev", "");
        return xennet("vif-bridge", env, command, "type_if=vif");
    }

    private List<String> state() {
        List<String> s = new ArrayList<>(lab.snapshot(lab.dom0()));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")));
        return s;
    }

    private String ip(String... args) {
        return lab.ipIn(lab.dom0(), args);
    }

    @Test
    void onlineAttachesTheGuestWhichReachesTheLanAndOfflineDetaches() {
        String guest = lab.addGuest("g5", "vif5.0", "192.0.2.55/24");
        String be = libxlKeys(5, 0, Map.of("bridge", "xenbr0", "ip", "192.0.2.55"));
        Executable.Run on = vif("online", 5, 0, Map.of());
        assertEquals(0, on.status(), on.err());
        assertEquals("connected", xs.read(be + "/hotplug-status"));
        assertEquals("1500", xs.read("/local/domain/5/device/vif/0/mtu"));
        String link = ip("-d", "link", "show", "vif5.0");
        assertTrue(link.contains("master xenbr0"), link);
        assertTrue(link.contains("link/ether fe:ff:ff:ff:ff:ff"), link);
        assertTrue(link.contains(",UP"), link);
        String rules = lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout();
        assertTrue(rules.contains("--physdev-in vif5.0 --physdev-is-bridged -s 192.0.2.55/32 -j ACCEPT")
                || rules.contains("-s 192.0.2.55/32 -m physdev --physdev-in vif5.0 --physdev-is-bridged -j ACCEPT"),
                rules);
        assertTrue(lab.ping(guest, LabNetwork.GATEWAY), "the guest reaches the LAN through vif5.0 and xenbr0");

        Executable.Run again = vif("online", 5, 0, Map.of());
        assertEquals(0, again.status(), again.err());
        assertEquals(rules, lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout(), "no duplicate rule");

        Executable.Run off = vif("offline", 5, 0, Map.of());
        assertEquals(0, off.status(), off.err());
        assertFalse(ip("link", "show", "vif5.0").contains("master"), "detached");
        assertFalse(lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout().contains("vif5.0"), "rules removed");
        assertEquals(0, vif("offline", 5, 0, Map.of()).status(), "offline again succeeds");
    }

    @Test
    void eachFailureWritesASpecificErrorAndChangesNothing() {
        lab.addGuest("g6", "vif6.0", "192.0.2.56/24");
        lab.addGuest("g7", "vif7.0", "192.0.2.57/24");
        String[][] cases = {
            {"bridge", "xenbr9", "Could not find bridge device xenbr9"},
            {"vifname", "vif7.0", "Cannot rename interface vif6.0. An interface with name vif7.0 already exists."},
            {"mtu", "jumbo", "mtu='jumbo' is not an MTU (68-65535)"},
            {"mac", "00:16:3e:00:06", "invalid MAC address '00:16:3e:00:06'"},
            {"ip", "192.0.2.256", "invalid IP address '192.0.2.256'"},
        };
        for (String[] c : cases) {
            Map<String, String> keys = new HashMap<>(Map.of("bridge", "xenbr0"));
            keys.put(c[0], c[1]);
            String be = libxlKeys(6, 0, keys);
            List<String> before = state();
            Executable.Run r = vif("online", 6, 0, Map.of());
            assertEquals(1, r.status(), c[0]);
            String error = xs.read(be + "/hotplug-error");
            assertTrue(error != null && error.startsWith("vif-bridge online vif6.0: ") && error.contains(c[2]),
                    c[0] + ": " + error);
            assertEquals("error", xs.read(be + "/hotplug-status"));
            StateDiff.assertSame(before, state(), "no change after a bad " + c[0]);
            xs.rm(be);
        }
    }

    @Test
    void anUnreachableXenStoreIsAClearErrorWithinTheTimeout() {
        lab.addGuest("g8", "vif8.0", "192.0.2.58/24");
        long t0 = System.nanoTime();
        Executable.Run r = vif("online", 8, 0, Map.of("XENSTORED_PATH", tmp.resolve("no-such-socket").toString()));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("xenstored"), r.err());
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "no hang");
        assertFalse(ip("link", "show", "vif8.0").contains("master"));
    }

}
