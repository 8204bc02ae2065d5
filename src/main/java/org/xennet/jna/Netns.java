// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.xennet.error.KernelException;

/**
 * Runs code with the calling thread inside another network namespace. Linux namespaces are per
 * thread, so this affects nothing else in the JVM; the thread always returns to its own namespace.
 * Used to create sockets in a namespace and to read its /proc/sys/net.
 */
public final class Netns {
    private Netns() {
    }

    public static <T> T callIn(Path netns, Supplier<T> action) {
        int self;
        int target;
        try {
            self = LibC.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw KernelException.of("open", "/proc/thread-self/ns/net", e.getErrorCode(), null);
        }
        try {
            try {
                target = LibC.open(netns.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            } catch (LastErrorException e) {
                throw KernelException.of("open network namespace", netns.toString(), e.getErrorCode(), null);
            }
            try {
                try {
                    LibC.setns(target, LibC.CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw KernelException.of("setns", netns.toString(), e.getErrorCode(), null);
                }
                try {
                    return action.get();
                } finally {
                    try {
                        LibC.setns(self, LibC.CLONE_NEWNET);
                    } catch (LastErrorException e) {
                        // A thread stuck in the wrong namespace would act on the wrong network.
                        throw new IllegalStateException("cannot return to the original network namespace", e);
                    }
                }
            } finally {
                JnaNetlinkSocket.closeQuietly(target);
            }
        } finally {
            JnaNetlinkSocket.closeQuietly(self);
        }
    }

    /**
     * Moves the calling thread (only it) into a new, empty network namespace of its own, which
     * disappears when the thread ends. For work that must touch no real network.
     */
    public static void unshareThread() {
        try {
            LibC.unshare(LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw KernelException.of("unshare", "network namespace", e.getErrorCode(), null);
        }
    }
}
