// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.testing.JsonReader;

/** {@code status --json}: the documented shapes, parsed back, and the exit status of the text form. */
@Tag("cli")
class StatusJsonTest extends DryRunGolden {
    private Map<String, Object> json() {
        return JsonReader.object(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void networkBridgeStatusBeforeAndAfterStart() {
        assertEquals(ExitCodes.NOT_RUNNING, call("network-bridge", "status", "--json"));
        Map<String, Object> j = json();
        assertEquals(List.of("version", "script", "running", "netdev", "topology", "bridge", "addresses", "routes",
                "state_record"), new ArrayList<>(j.keySet()));
        assertEquals(1L, j.get("version"));
        assertEquals(Boolean.FALSE, j.get("running"));
        assertNull(j.get("bridge"));

        assertEquals(0, call("network-bridge", "start"), out.toString(StandardCharsets.UTF_8));
        assertEquals(0, call("network-bridge", "status", "--json"));
        j = json();
        assertEquals(Boolean.TRUE, j.get("running"));
        assertEquals("eth0", j.get("netdev"));
        assertEquals("netloop", j.get("topology"));
        Map<?, ?> br = (Map<?, ?>) j.get("bridge");
        assertEquals("xenbr0", br.get("name"));
        assertEquals(Boolean.FALSE, br.get("stp"));
        List<String> ports = new ArrayList<>();
        for (Object p : (List<?>) br.get("ports")) {
            ports.add(((Map<?, ?>) p).get("name") + " " + ((Map<?, ?>) p).get("up"));
        }
        assertEquals(List.of("peth0 true", "vif0.0 true"), ports.stream().sorted().toList());
        assertEquals(List.of("192.0.2.10/24 label eth0"), j.get("addresses"));
        assertTrue(((List<?>) j.get("routes")).contains("default via 192.0.2.1 dev eth0"), j.get("routes").toString());
        assertEquals(tmp.resolve("state/network-bridge/xenbr0.state").toString(), j.get("state_record"));
    }

    @Test
    void jsonGoesWithStatusOnly() {
        assertEquals(1, call("network-bridge", "start", "--json"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("network-bridge: --json goes with status, not with "
                + "'start'"), out.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("lo", "eth0"), net.links().list().stream().map(l -> l.name()).toList(), "nothing started");
    }

    @Test
    void networkRouteStatus() {
        assertEquals(ExitCodes.NOT_RUNNING, call("network-route", "status", "--json"));
        Map<String, Object> j = json();
        assertEquals(List.of("version", "script", "running", "netdev", "netdev_exists", "ip_forward", "proxy_arp",
                "forward_policy", "state_record"), new ArrayList<>(j.keySet()));
        assertEquals(Boolean.FALSE, j.get("running"));
        assertEquals("0", j.get("ip_forward"));
        assertEquals(0, call("network-route", "start", "antispoof=yes"), out.toString(StandardCharsets.UTF_8));
        assertEquals(0, call("network-route", "status", "--json"));
        j = json();
        assertEquals(Boolean.TRUE, j.get("running"));
        assertEquals("eth0", j.get("netdev"));
        assertEquals("1", j.get("ip_forward"));
        assertEquals("1", j.get("proxy_arp"));
        assertEquals("DROP", j.get("forward_policy"));
        assertEquals(tmp.resolve("state/network-route/eth0.state").toString(), j.get("state_record"));
    }

    @Test
    void networkNatStatus() {
        assertEquals(ExitCodes.NOT_RUNNING, call("network-nat", "status", "--json", "dhcp=no"));
        Map<String, Object> j = json();
        assertEquals(List.of("version", "script", "running", "netdev", "netdev_exists", "ip_forward", "masquerade",
                "dhcp", "addresses"), new ArrayList<>(j.keySet()));
        assertEquals(Map.of("rule", "-t nat -A POSTROUTING -o eth0 -j MASQUERADE", "present", false),
                j.get("masquerade"));
        assertEquals(0, call("network-nat", "start", "dhcp=no"), out.toString(StandardCharsets.UTF_8));
        assertEquals(0, call("network-nat", "status", "--json", "dhcp=no"));
        j = json();
        assertEquals(Boolean.TRUE, j.get("running"));
        assertEquals("1", j.get("ip_forward"));
        assertNull(j.get("dhcp"));
        assertEquals(List.of("192.0.2.10/24 label eth0"), j.get("addresses"));
    }

    @Test
    void scriptsWithoutAStatusHaveNoJson() {
        assertEquals(1, call("vif-bridge", "status", "--json"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("unknown command 'status'"),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void networkWrapperStatusHasEveryPair() {
        net.nic("eth1", "00:16:3e:00:00:11", 1500);
        assertEquals(0, call("network-wrapper", "start", "bridges=eth0:xenbr0,eth1:xenbr1"),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(0, call("network-wrapper", "status", "--json", "bridges=eth0:xenbr0,eth1:xenbr1"));
        Map<String, Object> j = json();
        assertEquals(List.of("version", "script", "running", "pairs"), new ArrayList<>(j.keySet()));
        assertEquals(Boolean.TRUE, j.get("running"));
        List<String> pairs = new ArrayList<>();
        for (Object p : (List<?>) j.get("pairs")) {
            Map<?, ?> m = (Map<?, ?>) p;
            pairs.add(m.get("netdev") + ":" + ((Map<?, ?>) m.get("bridge")).get("name") + " " + m.get("running"));
        }
        assertEquals(List.of("eth0:xenbr0 true", "eth1:xenbr1 true"), pairs);
        assertEquals(ExitCodes.NOT_RUNNING, call("network-wrapper", "status", "--json",
                "bridges=eth0:xenbr0,eth1:xenbr1,eth2:xenbr2"));
        assertEquals(Boolean.FALSE, json().get("running"), "eth2's pair is not started");
    }
}
