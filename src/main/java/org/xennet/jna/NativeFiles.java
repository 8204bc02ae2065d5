// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import org.xennet.error.KernelException;

/** Raw file descriptors, for the few calls that need one (namespace files for IFLA_NET_NS_FD). */
public final class NativeFiles {
    private NativeFiles() {
    }

    public static int openReadOnly(String path) {
        try {
            return LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw KernelException.of("open", path, e.getErrorCode(), null);
        }
    }

    public static void close(int fd) {
        JnaNetlinkSocket.closeQuietly(fd);
    }
}
