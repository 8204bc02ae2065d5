// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xennet.error.Errno;

/**
 * A connected Unix stream socket (xenstored's) as a {@link ByteChannel}, through the JNA that a
 * hotplug call loads anyway for netlink. NIO's {@code SocketChannel.open(UNIX)} would first
 * initialise NIO's networking, about 15 ms of every call. Reads block (the XenStore client reads
 * on its own thread and bounds every request); {@link #close()} shuts the socket down first, so a
 * blocked reader wakes at once.
 */
public final class UnixStreamSocket implements ByteChannel {
    private final int fd;
    private volatile boolean open = true;
    // The descriptor is closed only when no read or write is inside a system call with it, so that
    // a number reused by another socket can never be read from here.
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicBoolean fdClosed = new AtomicBoolean();

    private UnixStreamSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Connects within the timeout. A listener whose queue is full makes a non-blocking connect
     * fail with EAGAIN (xenstored listens with a backlog of 1): retried with a short back-off
     * until the deadline. ENOENT is a {@link NoSuchFileException}, EACCES an
     * {@link AccessDeniedException}, anything else an IOException with the C library's text.
     */
    public static UnixStreamSocket connect(String path, Duration timeout) throws IOException {
        byte[] addr = UnixDatagram.sockaddrUn(path);
        if (addr == null) {
            throw new IOException("socket path longer than 107 bytes: " + path);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = 1;
        while (true) {
            int fd;
            try {
                fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
            } catch (LastErrorException e) {
                throw new IOException(Errno.describe(e.getErrorCode()));
            }
            try {
                LibC.connect(fd, addr, addr.length);
                int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
                LibC.fcntl(fd, LibC.F_SETFL, flags & ~LibC.O_NONBLOCK);
                return new UnixStreamSocket(fd);
            } catch (LastErrorException e) {
                JnaNetlinkSocket.closeQuietly(fd);
                int err = e.getErrorCode();
                if (err == Errno.ENOENT.number()) {
                    throw new NoSuchFileException(path);
                }
                if (err == Errno.EACCES.number()) {
                    throw new AccessDeniedException(path);
                }
                if (err != Errno.EAGAIN.number() || System.nanoTime() + backoffMs * 1_000_000 > deadline) {
                    Errno en = Errno.of(err);
                    throw new IOException(en == null ? Errno.describe(err) : en.text());
                }
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to " + path);
            }
            backoffMs = Math.min(backoffMs * 2, 20);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        inUse.incrementAndGet();
        try {
            return readInUse(dst);
        } finally {
            release();
        }
    }

    private int readInUse(ByteBuffer dst) throws IOException {
        if (!open) {
            return -1;
        }
        byte[] b = new byte[Math.min(dst.remaining(), 65536)];
        while (true) {
            try {
                int n = (int) LibC.recv(fd, b, b.length, 0);
                if (n == 0) {
                    return b.length == 0 ? 0 : -1;
                }
                dst.put(b, 0, n);
                return n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR.number()) {
                    continue;
                }
                if (!open) {
                    return -1; // shut down by close()
                }
                throw new IOException(Errno.describe(e.getErrorCode()));
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        inUse.incrementAndGet();
        try {
            return writeInUse(src);
        } finally {
            release();
        }
    }

    private void release() {
        if (inUse.decrementAndGet() == 0 && !open) {
            closeFd();
        }
    }

    private void closeFd() {
        if (fdClosed.compareAndSet(false, true)) {
            JnaNetlinkSocket.closeQuietly(fd);
        }
    }

    private int writeInUse(ByteBuffer src) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        byte[] b = new byte[src.remaining()];
        src.get(b);
        int done = 0;
        while (done < b.length) {
            byte[] rest = done == 0 ? b : java.util.Arrays.copyOfRange(b, done, b.length);
            try {
                done += (int) LibC.send(fd, rest, rest.length, LibC.MSG_NOSIGNAL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR.number()) {
                    throw new IOException(Errno.describe(e.getErrorCode()));
                }
            }
        }
        return b.length;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        try {
            LibC.shutdown(fd, LibC.SHUT_RDWR); // wakes a reader blocked in recv
        } catch (LastErrorException e) {
            // not connected any more: nothing to wake
        }
        if (inUse.get() == 0) {
            closeFd();
        }
    }
}
