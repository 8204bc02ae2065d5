// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.nio.file.Path;
import org.xennet.jna.Netns;
import org.xennet.jna.NftContext;
import org.xennet.log.Startup;

/**
 * nftables as libnftables offers it: a buffer of commands in nft's own syntax, run as one
 * transaction (all of its changes or none), returning what they printed. A refusal is an
 * {@link NftContext.NftException} carrying nft's message. Behind an interface so that script tests
 * run against a fake; {@link #library} is the real one.
 */
@FunctionalInterface
public interface Nftables {
    /** Equivalent to: {@code nft -f -} with {@code commands} on its standard input. */
    String run(String commands);

    /**
     * libnftables in this process and the calling thread's network namespace, through one
     * context opened now. Fails, naming the Debian package, when the library is missing.
     */
    static Nftables library() {
        NftContext ctx = NftContext.open();
        Startup.mark("libnftables loaded");
        return ctx::run;
    }

    /** libnftables inside another network namespace (the lab's dom0): a context per call, opened there. */
    static Nftables in(Path netns) {
        return commands -> Netns.callIn(netns, () -> {
            try (NftContext ctx = NftContext.open()) {
                return ctx.run(commands);
            }
        });
    }
}
