// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import java.nio.charset.StandardCharsets;

/** One datagram to a Unix socket path (the syslog socket /dev/log). */
public final class UnixDatagram {
    private UnixDatagram() {
    }

    /** struct sockaddr_un for a path (family, path, NUL), or null when the path is too long (107 bytes). */
    static byte[] sockaddrUn(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length > 107) {
            return null;
        }
        byte[] addr = new byte[2 + p.length + 1];
        java.nio.ByteBuffer.wrap(addr).order(java.nio.ByteOrder.nativeOrder()).putShort((short) LibC.AF_UNIX);
        System.arraycopy(p, 0, addr, 2, p.length);
        return addr;
    }

    /** Sends, ignoring every failure: logging must never break a hotplug call. */
    public static void sendQuietly(String path, byte[] data) {
        byte[] addr = sockaddrUn(path);
        if (addr == null) {
            return;
        }
        int fd;
        try {
            fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            return;
        }
        try {
            LibC.sendto(fd, data, data.length, 0, addr, addr.length);
        } catch (LastErrorException e) {
            // no syslog daemon listening: nothing to do
        } finally {
            JnaNetlinkSocket.closeQuietly(fd);
        }
    }
}
