// SPDX-License-Identifier: Apache-2.0
package org.xennet.sys;

import java.time.Duration;

/**
 * A point in time by which a call must be done: libxl kills a vif script after 40 s, so every
 * wait inside one (a child process, a lock, a XenStore connect) takes at most what is left of the
 * call's budget. Measured on the monotonic clock.
 */
public final class Deadline {
    /** No deadline beyond each wait's own limit (tests, interactive tools). */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    private final long atNanos;

    private Deadline(long atNanos) {
        this.atNanos = atNanos;
    }

    /** {@code budget} from now. */
    public static Deadline in(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos());
    }

    /** What is left, never negative. */
    public Duration remaining() {
        if (atNanos == Long.MAX_VALUE) {
            return Duration.ofNanos(Long.MAX_VALUE);
        }
        return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }

    /** The shorter of {@code limit} and what is left of the budget. */
    public Duration cap(Duration limit) {
        Duration left = remaining();
        return left.compareTo(limit) < 0 ? left : limit;
    }

    public boolean expired() {
        return atNanos != Long.MAX_VALUE && System.nanoTime() - atNanos >= 0;
    }
}
