// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.util.Map;
import java.util.Optional;
import org.xennet.jna.NftContext;

/**
 * xennet's nftables tables, read and changed through {@link Nftables}: the state a plan is made
 * from ({@link #table}) and the transactions a plan's steps apply. Nothing outside the tables
 * named {@code xennet} is ever read or changed.
 */
public final class NftablesFirewall {
    private final Nftables nft;

    public NftablesFirewall(Nftables nft) {
        this.nft = nft;
    }

    /** Equivalent to: {@code nft list table FAMILY xennet}; empty when there is no such table. */
    public Optional<NftTable> table(String family) {
        return listing(family).map(l -> NftTable.parse(family, l));
    }

    /** The table as nft prints it; empty when there is none. */
    public Optional<String> listing(String family) {
        try {
            return Optional.of(nft.run("list table " + family + " " + NftRules.TABLE + "\n"));
        } catch (NftContext.NftException e) {
            if (absent(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The table, or an empty one when there is none. */
    public NftTable tableOrEmpty(String family) {
        return table(family).orElse(new NftTable(family, Map.of(), Map.of(), Map.of()));
    }

    /** Equivalent to: {@code nft -f -} with the transaction on its standard input: all of it or nothing. */
    public void apply(String transaction) {
        nft.run(transaction);
    }

    /** nft's words for a table (or chain) that is not there. */
    static boolean absent(NftContext.NftException e) {
        return e.getMessage().contains("No such file or directory");
    }
}
