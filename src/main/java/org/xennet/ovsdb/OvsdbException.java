// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import org.xennet.error.XennetException;

/**
 * ovsdb-server refused an operation, could not be reached, or ovs-vswitchd did not apply a
 * change in time. The message names what was being done ({@code ovs-vsctl add-port xenbr0
 * vif5.0}) and the server's error word and details when it sent them
 * ({@code constraint violation: ...}).
 */
public class OvsdbException extends XennetException {
    private static final long serialVersionUID = 1L;

    private final String error;

    public OvsdbException(String message, String error) {
        super(message);
        this.error = error;
    }

    public OvsdbException(String message, String error, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    /**
     * The server's error word ({@code constraint violation}, {@code referential integrity
     * violation}, ...), or ours: {@code connect} (not reachable), {@code io} (the connection
     * broke), {@code timeout} (no answer in time), {@code not applied} (ovs-vswitchd did not catch up).
     */
    public String error() {
        return error;
    }
}
