// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.Locale;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.log.Log;
import org.xennet.log.Startup;
import org.xennet.text.Printable;

/**
 * Which packet filter holds the guests' guards: {@code firewall=nftables|iptables|none} in
 * xennet.conf ({@code XENNET_FIREWALL} in the environment wins). Unset, it is nftables when the
 * kernel has nf_tables and libnftables is installed, else iptables. {@code vif_iptables=no} (or
 * {@code XENNET_VIF_IPTABLES=no}) still means none for the vifs, as it did before there was a
 * choice. Chosen per call.
 */
public enum FirewallBackend {
    /** xennet's own tables, {@code bridge xennet} and {@code inet xennet}, through libnftables in-process. */
    NFTABLES,
    /** Xen's FORWARD rules through the iptables (and ip6tables) commands. */
    IPTABLES,
    /** No per-vif rules. */
    NONE;

    private static final Log LOG = Log.get(FirewallBackend.class);

    /** The backend of the per-vif rules. */
    public static FirewallBackend forVifs(ScriptContext ctx) {
        ConfigFile conf = ctx.config().get();
        if (!ConfigFile.yes(ctx.env().getOrDefault("XENNET_VIF_IPTABLES", conf.get("vif_iptables").orElse("yes")))) {
            return NONE;
        }
        return configured(ctx);
    }

    /**
     * The backend of network-bridge's {@code antispoof=yes}, which is its own switch: nftables
     * when that is the backend, iptables otherwise (firewall=none included, as before).
     */
    public static FirewallBackend forAntispoof(ScriptContext ctx) {
        return configured(ctx) == NFTABLES ? NFTABLES : IPTABLES;
    }

    /** The {@code firewall} setting, or what this host has when it is unset. */
    static FirewallBackend configured(ScriptContext ctx) {
        String v = ctx.env().get("XENNET_FIREWALL");
        if (v == null || v.isEmpty()) {
            v = ctx.config().get().get("firewall").orElse("");
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "nftables": case "nft": return NFTABLES;
            case "iptables": return IPTABLES;
            case "none": case "no": return NONE;
            case "": case "auto": return detect(ctx);
            default:
                throw new UsageException("firewall=" + Printable.quote(v) + " is not a firewall backend (nftables, iptables "
                        + "or none)");
        }
    }

    /** nftables if libnftables loads and the kernel answers it; iptables otherwise. */
    private static FirewallBackend detect(ScriptContext ctx) {
        try {
            ctx.nftables().get().run("list tables\n");
            Startup.mark("firewall probed: nftables");
            return NFTABLES;
        } catch (XennetException e) {
            if (e.getMessage().contains("Operation not permitted")) {
                return NFTABLES; // there, but not for this user (a dry run as non-root)
            }
            LOG.debug(() -> "firewall: nftables unusable here (" + e.getMessage() + "); using iptables");
            return IPTABLES;
        }
    }
}
