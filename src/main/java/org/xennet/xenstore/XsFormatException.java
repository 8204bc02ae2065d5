// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import org.xennet.error.XennetException;

/** Bytes that do not parse as a XenStore message, or a message too large to send: a bug, never a user error. */
public class XsFormatException extends XennetException {
    private static final long serialVersionUID = 1L;

    public XsFormatException(String message) {
        super("malformed xenstore message: " + message);
    }
}
