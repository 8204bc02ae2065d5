// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.nio.Buffer;

/**
 * The C library calls xennet needs, bound with JNA direct mapping (no reflection per call, no
 * proxy). Every method throws {@link LastErrorException} with errno on failure; callers in this
 * package turn that into a {@code KernelException} naming what they were doing.
 */
final class LibC {
    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {
    }

    static final int AF_UNIX = 1;
    static final int AF_NETLINK = 16;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDTIMEO = 21;
    static final int SOCK_NONBLOCK = 0x800;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 0x800;
    static final int SHUT_RDWR = 2;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_PEEK = 0x2;

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0x40;
    static final int O_CLOEXEC = 0x80000;

    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int LOCK_UN = 8;

    static final int CLONE_NEWNET = 0x40000000;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, byte[] addr, int len) throws LastErrorException;

    static native int connect(int fd, byte[] addr, int len) throws LastErrorException;

    static native int getsockname(int fd, byte[] addr, int[] len) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, byte[] value, int len) throws LastErrorException;

    static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen)
            throws LastErrorException;

    static native long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    static native long recvfrom(int fd, Buffer buf, long len, int flags, byte[] addr, int[] addrLen)
            throws LastErrorException;

    static native long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int shutdown(int fd, int how) throws LastErrorException;

    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    static native int open(String path, int flags, int mode) throws LastErrorException;

    static native int flock(int fd, int operation) throws LastErrorException;

    static native int setns(int fd, int nstype) throws LastErrorException;

    static native int unshare(int flags) throws LastErrorException;

    static native int kill(int pid, int sig) throws LastErrorException;
}
