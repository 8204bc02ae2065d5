package org.xennet.jna;

import com.sun.jna.LastErrorException;
import java.nio.charset.StandardCharsets;

/** One datagram to a Unix socket path (the syslog socket /dev/log). */
public final class UnixDatagram {
    private UnixDatagram() {
    }

    /** Sends, ignoring every failure: logging must never break a hotplug call. */
    public static void sendQuietly(String path, byte[] data) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length > 107) {
            return;
        }
        byte[] addr = new byte[110];
        addr[0] = (byte) LibC.AF_UNIX; // sa_family_t, little or big endian: family fits one byte on LE
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN) {
            addr[0] = 0;
            addr[1] = (byte) LibC.AF_UNIX;
        }
        System.arraycopy(p, 0, addr, 2, p.length);
        int fd;
        try {
            fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            return;
        }
        try {
            LibC.sendto(fd, data, data.length, 0, addr, 2 + p.length + 1);
        } catch (LastErrorException e) {
            // no syslog daemon listening: nothing to do
        } finally {
            JnaNetlinkSocket.closeQuietly(fd);
        }
    }
}
