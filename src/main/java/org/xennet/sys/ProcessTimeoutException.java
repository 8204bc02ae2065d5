// SPDX-License-Identifier: Apache-2.0
package org.xennet.sys;

import org.xennet.error.XennetException;

/** A child process did not finish within its limit and was killed with its process group. */
public final class ProcessTimeoutException extends XennetException {
    private static final long serialVersionUID = 1L;

    public ProcessTimeoutException(String message) {
        super(message);
    }
}
