// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import org.xennet.error.XennetException;

/** Bytes that do not parse as netlink: a bug on one side, never a user error. */
public class NetlinkFormatException extends XennetException {
    private static final long serialVersionUID = 1L;

    public NetlinkFormatException(String message) {
        super("malformed netlink message: " + message);
    }
}
