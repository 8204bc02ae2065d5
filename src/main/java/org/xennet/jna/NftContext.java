// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.Pointer;
import org.xennet.error.XennetException;

/**
 * One libnftables context in the calling thread's network namespace: nftables commands run
 * in-process, as {@code nft -f FILE} runs them, without a process per rule. Every buffer given to
 * {@link #run} is one transaction (the kernel applies all its changes or none). Not thread-safe;
 * close it when done.
 */
public final class NftContext implements AutoCloseable {
    /** The Debian package that carries the library: named in the error when it is missing. */
    public static final String PACKAGE = "libnftables1";

    private Pointer ctx;

    private NftContext(Pointer ctx) {
        this.ctx = ctx;
    }

    /**
     * A new context with its output and errors kept in buffers. Fails with a message naming the
     * package when the library cannot be loaded.
     */
    public static NftContext open() {
        Pointer p;
        try {
            p = LibNftables.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
        } catch (LinkageError e) {
            // UnsatisfiedLinkError the first time, NoClassDefFoundError after
            throw new XennetException(LibNftables.SONAME + " cannot be loaded (install the Debian package " + PACKAGE
                    + ", or set firewall=iptables in /etc/xen/xennet.conf): " + e.getMessage(), e);
        }
        if (p == null) {
            throw new XennetException("nft_ctx_new failed: no nftables context (out of memory?)");
        }
        if (LibNftables.nft_ctx_buffer_output(p) != 0 || LibNftables.nft_ctx_buffer_error(p) != 0) {
            LibNftables.nft_ctx_free(p);
            throw new XennetException("libnftables: cannot buffer the output of a context");
        }
        return new NftContext(p);
    }

    /** Whether libnftables can be loaded at all (the file is there and its symbols resolve). */
    public static boolean available() {
        try {
            open().close();
            return true;
        } catch (XennetException e) {
            return false;
        }
    }

    /**
     * Runs {@code commands} (nft's syntax, one command a line) as one transaction and returns what
     * they printed ({@code list ...}). A refusal is an {@link NftException} with nft's own message,
     * which names the line and the kernel's reason.
     */
    public String run(String commands) {
        if (ctx == null) {
            throw new IllegalStateException("nftables context closed");
        }
        int rc = LibNftables.nft_run_cmd_from_buffer(ctx, commands);
        // both buffers are read every time: each read also empties its buffer for the next run
        String out = LibNftables.nft_ctx_get_output_buffer(ctx);
        String err = LibNftables.nft_ctx_get_error_buffer(ctx);
        if (rc != 0) {
            throw new NftException(err == null || err.isBlank() ? "nft: exit " + rc : err.strip());
        }
        return out == null ? "" : out;
    }

    @Override
    public void close() {
        if (ctx != null) {
            LibNftables.nft_ctx_free(ctx);
            ctx = null;
        }
    }

    /** nftables refused a command: the message is nft's (the line, a caret, the kernel's reason). */
    public static final class NftException extends XennetException {
        private static final long serialVersionUID = 1L;

        public NftException(String message) {
            super(message);
        }
    }
}
