// SPDX-License-Identifier: Apache-2.0
package org.xennet.plan;

import java.util.List;
import java.util.function.Supplier;
import org.xennet.error.XennetException;
import org.xennet.firewall.Guard;
import org.xennet.firewall.NftRules;
import org.xennet.firewall.NftTable;
import org.xennet.firewall.NftablesFirewall;
import org.xennet.jna.NftContext;
import org.xennet.log.Startup;

/**
 * nftables steps, made in one place like {@link NetSteps}: the {@code nft} command an operator
 * could type (a transaction as {@code nft -f -} with the commands on its standard input), the
 * action and the undo together. Each step is one transaction, applied whole or not at all, so a
 * vif's set is never half installed. nftables is opened when a step first runs, so a dry run
 * loads nothing. Undos look before they act: a set that is not there is not removed.
 */
public final class NftSteps {
    private final Supplier<NftablesFirewall> open;
    private NftablesFirewall fw;

    public NftSteps(Supplier<NftablesFirewall> open) {
        this.open = open;
    }

    /** The firewall, opened on first use. */
    public NftablesFirewall firewall() {
        if (fw == null) {
            fw = open.get();
        }
        return fw;
    }

    /** How a transaction reads as a command: {@code nft -f - <<'EOF'}, the commands, {@code EOF}. */
    public static String command(String transaction) {
        return "nft -f - <<'EOF'\n" + transaction + "EOF";
    }

    /** A vif's guard installed (or replaced) in one transaction; undone by removing the vif's set if it is there. */
    public Step install(Guard g) {
        String family = g.layer().family();
        String t = NftRules.install(g);
        return Step.required(command(t), () -> {
            long t0 = Startup.clock();
            try {
                firewall().apply(t);
            } finally {
                Startup.spent("firewall", t0);
            }
            Startup.mark("nftables guard applied");
        })
                .undoneBy(command(NftRules.remove(family, g.dev(), true, true)), () -> removeIfThere(family, g.dev()))
                .undoPolicy(Step.Policy.WARN);
    }

    /** A vif's set removed in one transaction: what {@code now} shows of it. */
    public Step remove(String family, String dev, NftTable now) {
        String shown = NftRules.remove(family, dev, now.vifs().containsKey(dev), now.hasChain(NftRules.chain(dev)));
        return Step.required(command(shown), () -> {
            long t0 = Startup.clock();
            try {
                removeIfThere(family, dev);
            } finally {
                Startup.spent("firewall", t0);
            }
        });
    }

    private void removeIfThere(String family, String dev) {
        firewall().table(family).ifPresent(now -> {
            String t = NftRules.remove(family, dev, now.vifs().containsKey(dev), now.hasChain(NftRules.chain(dev)));
            if (!t.isEmpty()) {
                firewall().apply(t);
            }
        });
    }

    /** network-bridge antispoof for a bridge, in one transaction; undone by removing it if it is there. */
    public Step antispoof(String bridge, List<String> trusted) {
        String t = NftRules.antispoof(bridge, trusted);
        return Step.required(command(t), () -> {
            try {
                firewall().apply(t);
            } catch (NftContext.NftException e) {
                if (e.getMessage().contains("Operation not supported")) {
                    throw new XennetException("the kernel cannot tell a frame's bridge in nftables (meta ibrname: "
                            + "module nft_meta_bridge, CONFIG_NFT_BRIDGE_META), which antispoof=yes needs with "
                            + "firewall=nftables; load the module, or set firewall=iptables: " + e.getMessage(), e);
                }
                throw e;
            }
        })
                .undoneBy(command(NftRules.removeAntispoof(bridge, true, true)), () -> removeAntispoofIfThere(bridge))
                .undoPolicy(Step.Policy.WARN);
    }

    private void removeAntispoofIfThere(String bridge) {
        firewall().table("bridge").ifPresent(now -> {
            String t = NftRules.removeAntispoof(bridge, now.bridges().containsKey(bridge),
                    now.hasChain(NftRules.antispoofChain(bridge)));
            if (!t.isEmpty()) {
                firewall().apply(t);
            }
        });
    }
}
