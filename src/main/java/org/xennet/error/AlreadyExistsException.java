// SPDX-License-Identifier: Apache-2.0
package org.xennet.error;

/** The object already exists (EEXIST). */
public class AlreadyExistsException extends KernelException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String operation, String subject, int errno, String kernelMessage) {
        super(operation, subject, errno, kernelMessage);
    }
}
