// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

/**
 * XenStore wire constants, spelled as in Xen's {@code xen/include/public/io/xs_wire.h}
 * ({@code enum xsd_sockmsg_type}, {@code XENSTORE_PAYLOAD_MAX}); the payload layouts are those of
 * {@code docs/misc/xenstore.txt}.
 */
public final class Xs {
    private Xs() {
    }

    /** {@code sizeof(struct xsd_sockmsg)}: u32 type, req_id, tx_id, len. */
    public static final int HEADER_SIZE = 16;

    /** Longest payload in either direction; xenstored drops a client that sends more. */
    public static final int XENSTORE_PAYLOAD_MAX = 4096;

    public static final int XS_CONTROL = 0; // XS_DEBUG is its old name
    public static final int XS_DIRECTORY = 1;
    public static final int XS_READ = 2;
    public static final int XS_GET_PERMS = 3;
    public static final int XS_WATCH = 4;
    public static final int XS_UNWATCH = 5;
    public static final int XS_TRANSACTION_START = 6;
    public static final int XS_TRANSACTION_END = 7;
    public static final int XS_INTRODUCE = 8;
    public static final int XS_RELEASE = 9;
    public static final int XS_GET_DOMAIN_PATH = 10;
    public static final int XS_WRITE = 11;
    public static final int XS_MKDIR = 12;
    public static final int XS_RM = 13;
    public static final int XS_SET_PERMS = 14;
    public static final int XS_WATCH_EVENT = 15; // only from xenstored, req_id and tx_id 0
    public static final int XS_ERROR = 16; // only from xenstored
    public static final int XS_IS_DOMAIN_INTRODUCED = 17;
    public static final int XS_RESUME = 18;
    public static final int XS_SET_TARGET = 19;
    // 20 was XS_RESTRICT, removed
    public static final int XS_RESET_WATCHES = 21;
    public static final int XS_DIRECTORY_PART = 22;
    public static final int XS_GET_FEATURE = 23;
    public static final int XS_SET_FEATURE = 24;
    public static final int XS_GET_QUOTA = 25;
    public static final int XS_SET_QUOTA = 26;
    public static final int XS_INVALID = 0xffff;

    private static final String[] NAMES = {
        "XS_CONTROL", "XS_DIRECTORY", "XS_READ", "XS_GET_PERMS", "XS_WATCH", "XS_UNWATCH",
        "XS_TRANSACTION_START", "XS_TRANSACTION_END", "XS_INTRODUCE", "XS_RELEASE", "XS_GET_DOMAIN_PATH",
        "XS_WRITE", "XS_MKDIR", "XS_RM", "XS_SET_PERMS", "XS_WATCH_EVENT", "XS_ERROR",
        "XS_IS_DOMAIN_INTRODUCED", "XS_RESUME", "XS_SET_TARGET", null, "XS_RESET_WATCHES",
        "XS_DIRECTORY_PART", "XS_GET_FEATURE", "XS_SET_FEATURE", "XS_GET_QUOTA", "XS_SET_QUOTA",
    };

    /** "XS_READ", or "type 99" for a number without a name. */
    public static String typeName(int type) {
        if (type >= 0 && type < NAMES.length && NAMES[type] != null) {
            return NAMES[type];
        }
        return type == XS_INVALID ? "XS_INVALID" : "type " + Integer.toUnsignedString(type);
    }
}
