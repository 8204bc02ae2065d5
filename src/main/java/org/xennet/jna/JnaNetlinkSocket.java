// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.netlink.Nl;
import org.xennet.netlink.NetlinkSocket;
import org.xennet.netlink.NetlinkTimeoutException;

/**
 * A netlink socket bound through JNA. Extended ACKs are requested (the kernel's error text),
 * ACKs are capped (the request is not echoed back), and a receive timeout guarantees that a lost
 * reply can never hang a hotplug call.
 */
public final class JnaNetlinkSocket implements NetlinkSocket {
    private static final int SOCKADDR_NL_LEN = 12;

    private final int fd;
    private final int portId;
    private final Duration timeout;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private boolean closed;

    private JnaNetlinkSocket(int fd, int portId, Duration timeout) {
        this.fd = fd;
        this.portId = portId;
        this.timeout = timeout;
    }

    /** Opens a socket in this process's network namespace. */
    public static JnaNetlinkSocket open(int protocol, Duration timeout) {
        return open(protocol, 0, timeout);
    }

    /**
     * Opens a socket that also receives the kernel's notifications of the multicast groups in
     * {@code groups} (a bit mask, e.g. RTMGRP_LINK), as {@code ip monitor link} does.
     */
    public static JnaNetlinkSocket open(int protocol, int groups, Duration timeout) {
        int fd;
        try {
            fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw KernelException.of("netlink socket", "protocol " + protocol, e.getErrorCode(), null);
        }
        try {
            setInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, 1, true);
            setInt(fd, Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, 1, true);
            setInt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 1 << 20, true);
            long us = timeout.toNanos() / 1000;
            byte[] tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                    .putLong(us / 1_000_000).putLong(us % 1_000_000).array();
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, tv.length);
            LibC.bind(fd, sockaddrNl(0, groups), SOCKADDR_NL_LEN);
            byte[] addr = new byte[SOCKADDR_NL_LEN];
            int[] len = {SOCKADDR_NL_LEN};
            LibC.getsockname(fd, addr, len);
            int port = ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).getInt(4);
            return new JnaNetlinkSocket(fd, port, timeout);
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw KernelException.of("netlink bind", "protocol " + protocol, e.getErrorCode(), null);
        }
    }

    /**
     * Opens a socket inside the network namespace named by a file ({@code /run/netns/NAME} or
     * {@code /proc/PID/ns/net}). A netlink socket belongs to the namespace it was created in, so
     * the calling thread enters that namespace only for the socket() call and returns at once.
     */
    public static JnaNetlinkSocket openIn(Path netns, int protocol, Duration timeout) {
        return Netns.callIn(netns, () -> open(protocol, timeout));
    }

    /** {@link #open(int, int, Duration)} inside the network namespace named by a file. */
    public static JnaNetlinkSocket openIn(Path netns, int protocol, int groups, Duration timeout) {
        return Netns.callIn(netns, () -> open(protocol, groups, timeout));
    }

    private static void setInt(int fd, int level, int name, int value, boolean optional) {
        byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        try {
            LibC.setsockopt(fd, level, name, v, 4);
        } catch (LastErrorException e) {
            if (!optional) {
                throw e;
            }
            // Older kernels lack extended ACK; errors then carry the errno alone.
        }
    }

    private static byte[] sockaddrNl(int pid) {
        return sockaddrNl(pid, 0);
    }

    private static byte[] sockaddrNl(int pid, int groups) {
        return ByteBuffer.allocate(SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder())
                .putShort((short) LibC.AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups).array();
    }

    @Override
    public void send(byte[] datagram) {
        byte[] kernel = sockaddrNl(0);
        while (true) {
            try {
                LibC.sendto(fd, datagram, datagram.length, 0, kernel, SOCKADDR_NL_LEN);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR.number()) {
                    throw KernelException.of("netlink send", "", e.getErrorCode(), null);
                }
            }
        }
    }

    @Override
    public Datagram receive() {
        byte[] addr = new byte[SOCKADDR_NL_LEN];
        int[] addrLen = {SOCKADDR_NL_LEN};
        while (true) {
            try {
                // Peek at the real size first so that a large reply is never cut short.
                int size = (int) LibC.recvfrom(fd, buffer, buffer.capacity(), LibC.MSG_PEEK | LibC.MSG_TRUNC, null,
                        null);
                if (size > buffer.capacity()) {
                    buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size) << 1);
                }
                int n = (int) LibC.recvfrom(fd, buffer, buffer.capacity(), 0, addr, addrLen);
                byte[] data = new byte[n];
                buffer.clear();
                buffer.get(data, 0, n);
                buffer.clear();
                int sender = ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder()).getInt(4);
                return new Datagram(data, sender);
            } catch (LastErrorException e) {
                int err = e.getErrorCode();
                if (err == Errno.EINTR.number()) {
                    continue;
                }
                if (err == Errno.EAGAIN.number()) {
                    throw new NetlinkTimeoutException("no reply from the kernel within " + timeout.toMillis() + " ms");
                }
                throw KernelException.of("netlink receive", "", err, null);
            }
        }
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }

    static void closeQuietly(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // nothing useful to do: the descriptor is gone either way
        }
    }
}
