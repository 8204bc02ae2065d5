// SPDX-License-Identifier: Apache-2.0
package org.xennet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
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

/**
 * network-route start/stop/status as a process in dom0's namespace, against the real sysctls:
 * stop puts back exactly what start found, including the per-interface forwarding flags that
 * writing net.ipv4.ip_forward rewrites.
 */
@Tag("netns")
class NetworkRouteSystemIT {
    @TempDir
    Path tmp;

    private LabNetwork lab;

    @BeforeEach
    void setUp() {
        lab = Labs.create();
        lab.addSecondNic();
        sysctl("net.ipv4.ip_forward", "0");
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private void sysctl(String key, String value) {
        Labs.setSysctl(lab, lab.dom0(), key, value);
    }

    private String sysctl(String key) {
        return Labs.sysctl(lab, lab.dom0(), key);
    }

    private Executable.Run run(String... args) {
        return Executable.inDom0(lab, tmp, Map.of(), "network-route", args);
    }

    private List<String> sysctls() {
        List<String> s = new ArrayList<>();
        for (String dev : List.of("all", "default", "lo", "eth0", "eth1")) {
            for (String k : List.of("forwarding", "proxy_arp", "accept_redirects")) {
                String key = "net.ipv4.conf." + dev + "." + k;
                s.add(key + " = " + sysctl(key));
            }
        }
        s.add("net.ipv4.ip_forward = " + sysctl("net.ipv4.ip_forward"));
        s.addAll(List.of(lab.exec(lab.dom0(), "iptables", "-S").stdout().split("\n")));
        return s;
    }

    @Test
    void startThenStopRestoresEverySysctlExactly() {
        sysctl("net.ipv4.conf.eth1.forwarding", "1"); // an interface that forwarded on its own
        List<String> before = sysctls();
        List<String> links = lab.snapshot(lab.dom0());
        assertEquals(3, run("status").status(), "not set up yet");

        Executable.Run start = run("start");
        assertEquals(0, start.status(), start.err());
        assertEquals("1", sysctl("net.ipv4.ip_forward"));
        assertEquals("1", sysctl("net.ipv4.conf.eth0.proxy_arp"), "netdev = the default route's device");
        assertEquals("0", sysctl("net.ipv4.conf.eth1.proxy_arp"));
        Executable.Run status = run("status");
        assertEquals(0, status.status(), status.out());
        assertTrue(status.out().contains("net.ipv4.conf.eth0.proxy_arp = 1"), status.out());

        List<String> started = sysctls();
        assertEquals(0, run("start").status(), "a second start");
        StateDiff.assertSame(started, sysctls(), "a second start changes nothing");

        Executable.Run stop = run("stop");
        assertEquals(0, stop.status(), stop.err());
        StateDiff.assertSame(before, sysctls(), "stop restores every sysctl");
        assertEquals("1", sysctl("net.ipv4.conf.eth1.forwarding"), "the per-interface exception is back");
        StateDiff.assertSame(links, lab.snapshot(lab.dom0()), "links, addresses and routes untouched");
        assertEquals(3, run("status").status());
        assertEquals(0, run("stop").status(), "stop again: nothing recorded, nothing done");
        StateDiff.assertSame(before, sysctls(), "still as before");
    }

    @Test
    void antispoofSetsTheForwardPolicyAndStopPutsItBack() {
        List<String> before = sysctls();
        Executable.Run start = run("start", "netdev=eth1", "antispoof=yes");
        assertEquals(0, start.status(), start.err());
        assertTrue(lab.exec(lab.dom0(), "iptables", "-S", "FORWARD").stdout().contains("-P FORWARD DROP"));
        assertEquals("1", sysctl("net.ipv4.conf.eth1.proxy_arp"));
        assertEquals("0", sysctl("net.ipv4.conf.eth0.proxy_arp"));
        assertEquals(0, run("stop", "netdev=eth1").status());
        StateDiff.assertSame(before, sysctls(), "policy and sysctls restored");
    }

    @Test
    void anUnknownCommandIsRefusedWhereXenSwitchedForwardingOn() {
        List<String> before = sysctls();
        Executable.Run r = run("restart");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("unknown command 'restart'"), r.err());
        StateDiff.assertSame(before, sysctls(), "nothing changed");
    }
}
