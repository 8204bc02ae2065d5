// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.testing.FakeNftables;

/**
 * network-bridge {@code antispoof=yes} on the nftables backend: instead of iptables' FORWARD
 * policy and physdev rules, one chain for the bridge in {@code bridge xennet}, put in by one
 * transaction and taken out by stop; the host as in {@link DryRunGoldenTest}, with nftables.
 */
@Tag("cli")
class NftNetworkBridgeDryRunGoldenTest extends DryRunGolden {

    @BeforeEach
    void withNftables() {
        nft = new FakeNftables();
    }

    @Test
    void startNetloopTrustsTheUplinkAndVif0() {
        String plan = dryRun("network-bridge", "start", "antispoof=yes");
        assertEquals(lines(
                "ip route add default via 192.0.2.1 dev eth0",
                "nft -f - <<'EOF'",
                "add table bridge xennet",
                "add map bridge xennet vifs { type ifname : verdict; }",
                "add map bridge xennet bridges { type ifname : verdict; }",
                "add chain bridge xennet antispoof { type filter hook prerouting priority -299; policy accept; }",
                "flush chain bridge xennet antispoof",
                "add rule bridge xennet antispoof ibrname vmap @bridges",
                "add chain bridge xennet antispoof-xenbr0",
                "flush chain bridge xennet antispoof-xenbr0",
                "add rule bridge xennet antispoof-xenbr0 iifname { \"peth0\", \"vif0.0\" } accept",
                "add rule bridge xennet antispoof-xenbr0 iifname vmap @vifs",
                "add rule bridge xennet antispoof-xenbr0 drop",
                "add element bridge xennet bridges { \"xenbr0\" : jump antispoof-xenbr0 }",
                "EOF"), plan.substring(plan.indexOf("ip route add")));
        assertTrue(!plan.contains("iptables"), plan);
    }

    @Test
    void stopTakesTheChainOutFirst() {
        run("network-bridge", "start", "antispoof=yes");
        String plan = dryRun("network-bridge", "stop");
        assertTrue(plan.startsWith(lines(
                "nft -f - <<'EOF'",
                "delete element bridge xennet bridges { \"xenbr0\" }",
                "delete chain bridge xennet antispoof-xenbr0",
                "EOF",
                "ip link set dev eth0 down")), plan);
        assertTrue(!plan.contains("iptables"), plan);
    }

    @Test
    void theFinalTopologyTrustsItsOnePort() {
        String plan = dryRun("network-bridge", "start", "bridge=eth0", "antispoof=yes");
        assertTrue(plan.contains("add rule bridge xennet antispoof-eth0 iifname { \"peth0\" } accept\n"), plan);
    }

    /** A kernel without meta ibrname (this project's test machine): start fails, names the module, and is undone. */
    @Test
    void withoutBridgeMetaStartFailsAndIsUndone() {
        nft = new FakeNftables().withoutBridgeMeta();
        java.util.List<String> before = withoutDirectories();
        int rc = call("network-bridge", "start", "antispoof=yes");
        assertEquals(1, rc);
        String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(printed.contains("nft_meta_bridge") && printed.contains("firewall=iptables"), printed);
        assertEquals(before, withoutDirectories(), "undone: only the empty lock and state directories are new");
    }

    private java.util.List<String> withoutDirectories() {
        return snapshot().stream().filter(l -> !l.endsWith("/")).toList();
    }
}
