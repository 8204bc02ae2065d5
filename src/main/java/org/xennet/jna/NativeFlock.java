// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;

/**
 * flock(2) on a file, as Xen's locking.sh takes it with {@code flock -x}. Java's FileChannel
 * locks are fcntl record locks, which do not exclude flock holders, so they would not serialise
 * xennet against the shell scripts.
 */
public final class NativeFlock implements AutoCloseable {
    private final int fd;
    private final String path;
    private boolean closed;

    private NativeFlock(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** Opens (creating if needed) the lock file. */
    public static NativeFlock open(String path) {
        try {
            return new NativeFlock(LibC.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0644), path);
        } catch (LastErrorException e) {
            throw KernelException.of("open lock file", path, e.getErrorCode(), null);
        }
    }

    /** Tries an exclusive lock without blocking; false when another process holds it. */
    public boolean tryLockExclusive() {
        try {
            LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB);
            return true;
        } catch (LastErrorException e) {
            int err = e.getErrorCode();
            if (err == Errno.EAGAIN.number() || err == Errno.EINTR.number()) {
                return false;
            }
            throw KernelException.of("flock", path, err, null);
        }
    }

    /** The descriptor, to compare its inode with the path's ({@code /proc/self/fd/N}). */
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JnaNetlinkSocket.closeQuietly(fd);
        }
    }
}
