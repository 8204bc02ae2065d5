// SPDX-License-Identifier: Apache-2.0
package org.xennet.error;

/** The object does not exist (ENODEV, ENOENT, ESRCH, EADDRNOTAVAIL), or a lookup by name found nothing. */
public class NotFoundException extends KernelException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String operation, String subject, int errno, String kernelMessage) {
        super(operation, subject, errno, kernelMessage);
    }

    /** A lookup of ours found nothing: "link get eth9: No such device (ENODEV)". */
    public static NotFoundException device(String operation, String name) {
        return new NotFoundException(operation, name, Errno.ENODEV.number(), null);
    }
}
