// SPDX-License-Identifier: Apache-2.0
package org.xennet.error;

/**
 * The base of every failure that reaches the user. Its message is written for a person: it is
 * what lands in XenStore's {@code hotplug-error} and in the log, so it names what was being done
 * and to what.
 */
public class XennetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public XennetException(String message) {
        super(message);
    }

    public XennetException(String message, Throwable cause) {
        super(message, cause);
    }
}
