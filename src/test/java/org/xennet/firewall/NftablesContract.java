// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xennet.jna.NftContext;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;

/**
 * What the guards rely on from nftables, run against the fake the script tests use and against
 * libnftables and the kernel: the same answers, or the fake is lying.
 */
public abstract class NftablesContract {
    protected abstract Nftables nftables();

    private static Guard guard(String dev, String ip) {
        return new Guard(dev, Guard.Layer.BRIDGED, MacAddress.parse("00:16:3e:00:05:00"),
                ip == null ? null : List.of(IpPrefix.parse(ip)));
    }

    @Test
    void noTableIsEmpty() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        assertTrue(fw.table("bridge").isEmpty());
        assertTrue(fw.tableOrEmpty("inet").vifs().isEmpty());
    }

    @Test
    void anInstallIsReadBackAndARepeatChangesNothing() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        Guard g = guard("vif5.0", "192.0.2.55");
        fw.apply(NftRules.install(g));
        NftTable t = fw.table("bridge").orElseThrow();
        assertEquals(NftRules.fingerprint(g), t.guard("vif5.0").orElseThrow());
        String before = fw.listing("bridge").orElseThrow();
        fw.apply(NftRules.install(g));
        assertEquals(before, fw.listing("bridge").orElseThrow(), "a repeat changes nothing");
    }

    @Test
    void anotherGuardForTheSameVifReplacesTheRules() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        fw.apply(NftRules.install(guard("web+0", "192.0.2.55")));
        Guard g = guard("web+0", "192.0.2.56");
        fw.apply(NftRules.install(g));
        NftTable t = fw.table("bridge").orElseThrow();
        assertEquals(NftRules.fingerprint(g), t.guard("web+0").orElseThrow());
        String l = fw.listing("bridge").orElseThrow();
        assertTrue(!l.contains("192.0.2.55") && l.contains("192.0.2.56"), l);
    }

    @Test
    void removalTakesBothAndLeavesTheOthers() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        fw.apply(NftRules.install(guard("vif5.0", "192.0.2.55")));
        fw.apply(NftRules.install(guard("vif6.0", null)));
        fw.apply(NftRules.remove("bridge", "vif5.0", true, true));
        NftTable t = fw.table("bridge").orElseThrow();
        assertEquals(List.of("vif6.0"), List.copyOf(t.vifs().keySet()));
        assertTrue(!t.hasChain("vif5.0") && t.hasChain("vif6.0"), t.toString());
        fw.apply(NftRules.remove("bridge", "vif6.0", true, true));
        assertEquals(List.of("prerouting"), List.copyOf(fw.table("bridge").orElseThrow().chains().keySet()));
    }

    @Test
    void aFailedTransactionChangesNothing() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        fw.apply(NftRules.install(guard("vif5.0", "192.0.2.55")));
        String before = fw.listing("bridge").orElseThrow();
        // the second command fails: the first (removing vif5.0 from the map) must not stay done
        NftContext.NftException e = assertThrows(NftContext.NftException.class,
                () -> fw.apply(NftRules.remove("bridge", "vif5.0", true, false) + NftRules.remove("bridge", "vif7.0", true, false)));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertEquals(before, fw.listing("bridge").orElseThrow());
    }

    @Test
    void aChainTheMapStillJumpsToIsNotDeleted() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        fw.apply(NftRules.install(guard("vif5.0", null)));
        NftContext.NftException e = assertThrows(NftContext.NftException.class,
                () -> fw.apply(NftRules.remove("bridge", "vif5.0", false, true)));
        assertTrue(e.getMessage().contains("Device or resource busy"), e.getMessage());
    }

    @Test
    void anotherFamilysTableIsSeparate() {
        NftablesFirewall fw = new NftablesFirewall(nftables());
        fw.apply(NftRules.install(new Guard("vif5.0", Guard.Layer.ROUTED, null, List.of(IpPrefix.parse("192.0.2.60")))));
        assertTrue(fw.table("bridge").isEmpty());
        assertTrue(fw.table("inet").orElseThrow().guard("vif5.0").isPresent());
    }
}
