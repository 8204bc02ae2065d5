// SPDX-License-Identifier: Apache-2.0
package org.xennet.error;

/** Not allowed (EPERM, EACCES): usually not root, or not in the owning user namespace. */
public class PermissionException extends KernelException {
    private static final long serialVersionUID = 1L;

    public PermissionException(String operation, String subject, int errno, String kernelMessage) {
        super(operation, subject, errno, kernelMessage);
    }
}
