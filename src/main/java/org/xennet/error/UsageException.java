// SPDX-License-Identifier: Apache-2.0
package org.xennet.error;

/** Bad input from argv, the environment or XenStore, refused before anything is changed. */
public class UsageException extends XennetException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
