// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import org.xennet.error.XennetException;

/** No reply from the kernel within the receive timeout: never hang a hotplug call. */
public class NetlinkTimeoutException extends XennetException {
    private static final long serialVersionUID = 1L;

    public NetlinkTimeoutException(String message) {
        super(message);
    }
}
