// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libnftables calls xennet needs (libnftables(3), Debian package libnftables1: the library the
 * {@code nft} command is built on), bound with JNA direct mapping like {@link LibC}. The library is
 * loaded by its soname when this class is first used; {@link NftContext} turns a missing library
 * into an error that names the package.
 */
final class LibNftables {
    /** The soname: the ABI these declarations follow. */
    static final String SONAME = "libnftables.so.1";

    static {
        Native.register(LibNftables.class, SONAME);
    }

    private LibNftables() {
    }

    /** {@code NFT_CTX_DEFAULT}: the context nft itself uses. */
    static final int NFT_CTX_DEFAULT = 0;

    /** {@code struct nft_ctx *nft_ctx_new(uint32_t flags)}; null on failure. */
    static native Pointer nft_ctx_new(int flags);

    /** {@code void nft_ctx_free(struct nft_ctx *ctx)}. */
    static native void nft_ctx_free(Pointer ctx);

    /** {@code int nft_ctx_buffer_output(struct nft_ctx *ctx)}: output to a buffer instead of stdout; 0 on success. */
    static native int nft_ctx_buffer_output(Pointer ctx);

    /** {@code int nft_ctx_buffer_error(struct nft_ctx *ctx)}: errors to a buffer instead of stderr; 0 on success. */
    static native int nft_ctx_buffer_error(Pointer ctx);

    /** {@code const char *nft_ctx_get_output_buffer(struct nft_ctx *ctx)}: what the last commands printed. */
    static native String nft_ctx_get_output_buffer(Pointer ctx);

    /** {@code const char *nft_ctx_get_error_buffer(struct nft_ctx *ctx)}: what the last commands complained of. */
    static native String nft_ctx_get_error_buffer(Pointer ctx);

    /**
     * {@code int nft_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf)}: the commands of
     * {@code buf}, as {@code nft -f} runs a file: the changes among them are one transaction,
     * applied whole or not at all. 0 on success.
     */
    static native int nft_run_cmd_from_buffer(Pointer ctx, String buf);
}
