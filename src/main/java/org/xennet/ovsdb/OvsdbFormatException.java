// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

/** What came from ovsdb-server is not JSON, or not the JSON-RPC or RFC 7047 shape expected. */
public final class OvsdbFormatException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    public OvsdbFormatException(String message) {
        super(message, "format");
    }
}
