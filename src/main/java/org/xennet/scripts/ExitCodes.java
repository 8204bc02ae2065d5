// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

/**
 * Exit statuses, compatible with Xen's scripts: 0 success or nothing to do; 1 bad input (nothing
 * changed) or a failure (what the call changed was undone); 3 {@code status} found nothing set up
 * (LSB's "not running").
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int NOT_RUNNING = 3;

    private ExitCodes() {
    }
}
