// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import org.xennet.error.XennetException;

/**
 * XenStore refused an operation or could not be reached. The message names the operation, the
 * path and xenstored's error word: {@code xenstore-read backend/vif/3/0/bridge: ENOENT}.
 */
public class XenStoreException extends XennetException {
    private static final long serialVersionUID = 1L;

    private final String error;

    public XenStoreException(String operation, String path, String error, String detail) {
        super(operation + " " + path + ": " + error + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.error = error;
    }

    public XenStoreException(String message, Throwable cause) {
        super(message, cause);
        this.error = "EIO";
    }

    /** xenstored's error word (ENOENT, EACCES, EINVAL, EAGAIN, ...); EIO for a broken connection, ETIMEDOUT for no answer. */
    public String error() {
        return error;
    }

    public boolean isNotFound() {
        return "ENOENT".equals(error);
    }
}
