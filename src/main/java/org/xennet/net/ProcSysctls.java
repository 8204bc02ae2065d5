// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/**
 * Sysctls read and written as files under a root ({@code /proc/sys}). Only keys under
 * {@code net/} are accepted. Access can be routed through a namespace switch, because
 * /proc/sys/net shows the network namespace of the thread that reads it.
 */
public final class ProcSysctls implements Sysctls {
    /** Runs file access in the right namespace (identity for the process's own). */
    public interface Scope {
        <T> T call(Supplier<T> action);
    }

    private final Path root;
    private final Scope scope;

    public ProcSysctls(Path root, Scope scope) {
        this.root = root;
        this.scope = scope;
    }

    public static ProcSysctls host() {
        return new ProcSysctls(Path.of("/proc/sys"), new Scope() {
            @Override
            public <T> T call(Supplier<T> action) {
                return action.get();
            }
        });
    }

    private Path path(String key) {
        if (!key.startsWith("net/") || key.contains("..") || key.contains("//") || key.endsWith("/")) {
            throw new UsageException("sysctl key " + Printable.quote(key) + " is not a key under net/");
        }
        return root.resolve(key);
    }

    @Override
    public Optional<String> find(String key) {
        Path p = path(key);
        return scope.call(() -> {
            try {
                return Optional.of(Files.readString(p, StandardCharsets.US_ASCII).trim());
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw failure("sysctl read", key, e);
            }
        });
    }

    @Override
    public void set(String key, String value) {
        Path p = path(key);
        scope.call(() -> {
            try {
                Files.writeString(p, value + "\n", StandardCharsets.US_ASCII);
                return null;
            } catch (IOException e) {
                throw failure("sysctl write", key + "=" + value, e);
            }
        });
    }

    private static KernelException failure(String op, String subject, IOException e) {
        Errno errno = e instanceof NoSuchFileException ? Errno.ENOENT
                : e instanceof AccessDeniedException ? Errno.EACCES : fromReason(e);
        return KernelException.of(op, subject, errno == null ? Errno.EIO.number() : errno.number(),
                errno == null ? e.getMessage() : null);
    }

    /** Java reports write errors as text ("Operation not permitted"); map it back to the errno. */
    private static Errno fromReason(IOException e) {
        String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        if (reason != null) {
            for (Errno x : Errno.values()) {
                if (reason.equals(x.text())) {
                    return x;
                }
            }
        }
        return null;
    }
}
