// SPDX-License-Identifier: Apache-2.0
package org.xennet.error;

/**
 * The kernel (or a system call) refused an operation. The message has the form
 * {@code <operation> <subject>: <strerror> (<ERRNO>)[; kernel: <extended ack>]}, e.g.
 * {@code link set master vif1.0 -> xenbr0: Invalid argument (EINVAL); kernel: ...}.
 * The kernel often sends only an errno, so operation and subject are ours to add.
 */
public class KernelException extends XennetException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String subject;
    private final int errno;
    private final String kernelMessage;

    public KernelException(String operation, String subject, int errno, String kernelMessage) {
        super(format(operation, subject, errno, kernelMessage));
        this.operation = operation;
        this.subject = subject;
        this.errno = Math.abs(errno);
        this.kernelMessage = kernelMessage;
    }

    static String format(String operation, String subject, int errno, String kernelMessage) {
        StringBuilder b = new StringBuilder(operation);
        if (subject != null && !subject.isEmpty()) {
            b.append(' ').append(subject);
        }
        b.append(": ").append(Errno.describe(errno));
        if (kernelMessage != null && !kernelMessage.isEmpty()) {
            b.append("; kernel: ").append(kernelMessage);
        }
        return b.toString();
    }

    /** Builds the subclass a caller can branch on for this errno. */
    public static KernelException of(String operation, String subject, int errno, String kernelMessage) {
        Errno e = Errno.of(errno);
        if (e != null) {
            switch (e) {
                case ENODEV:
                case ENOENT:
                case ESRCH:
                case EADDRNOTAVAIL:
                    return new NotFoundException(operation, subject, errno, kernelMessage);
                case EEXIST:
                    return new AlreadyExistsException(operation, subject, errno, kernelMessage);
                case EPERM:
                case EACCES:
                    return new PermissionException(operation, subject, errno, kernelMessage);
                default:
                    break;
            }
        }
        return new KernelException(operation, subject, errno, kernelMessage);
    }

    public String operation() {
        return operation;
    }

    public String subject() {
        return subject;
    }

    /** Positive errno number. */
    public int errno() {
        return errno;
    }

    public Errno errnoName() {
        return Errno.of(errno);
    }

    /** The kernel's extended-ack text, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
