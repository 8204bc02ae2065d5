// SPDX-License-Identifier: Apache-2.0
package org.xennet.jna;

import com.sun.jna.LastErrorException;

/** kill(2) for what Java's ProcessHandle cannot do: a signal to a whole process group. */
public final class Signals {
    public static final int SIGKILL = 9;

    private Signals() {
    }

    /** Equivalent to: {@code kill -KILL $$}: the process ends here, as the OOM killer would end it. */
    public static void killSelf() {
        try {
            LibC.kill((int) ProcessHandle.current().pid(), SIGKILL);
        } catch (LastErrorException e) {
            // fall through to the caller's halt
        }
    }

    /**
     * Equivalent to: {@code kill -KILL -PGID}. Returns false when the signal could not be sent
     * (ESRCH: nothing of that group is left); the caller kills the process itself as well.
     */
    public static boolean killGroup(long pgid) {
        if (pgid <= 1 || pgid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a process group: " + pgid);
        }
        try {
            LibC.kill(-(int) pgid, SIGKILL);
            return true;
        } catch (LastErrorException e) {
            return false;
        }
    }
}
