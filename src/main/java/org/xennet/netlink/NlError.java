// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A decoded NLMSG_ERROR: the (negative) errno, or 0 for a plain ACK, the header of the request
 * it answers, and the extended-ack message and offset when the kernel sent them.
 */
public final class NlError {
    private final int error;
    private final int requestType;
    private final int requestSeq;
    private final String message;
    private final int offset;

    public NlError(int error, int requestType, int requestSeq, String message, int offset) {
        this.error = error;
        this.requestType = requestType;
        this.requestSeq = requestSeq;
        this.message = message;
        this.offset = offset;
    }

    /** Negative errno, 0 for an ACK. */
    public int error() {
        return error;
    }

    public boolean isAck() {
        return error == 0;
    }

    public int requestType() {
        return requestType;
    }

    public int requestSeq() {
        return requestSeq;
    }

    /** The kernel's extended-ack text, or null. */
    public String message() {
        return message;
    }

    /** Offset of the offending attribute in the request, or -1. */
    public int offset() {
        return offset;
    }

    public static NlError decode(NlMessage m) {
        if (m.type() != Nl.NLMSG_ERROR) {
            throw new IllegalArgumentException("not an NLMSG_ERROR: " + m);
        }
        ByteBuffer b = m.payloadBuffer();
        if (b.remaining() < 4 + Nl.NLMSG_HDRLEN) {
            throw new NetlinkFormatException("NLMSG_ERROR payload of " + b.remaining() + " bytes");
        }
        int error = b.getInt();
        int origLen = b.getInt();
        int origType = b.getShort() & 0xffff;
        b.getShort(); // original flags
        int origSeq = b.getInt();
        b.getInt(); // original pid
        String msg = null;
        int offs = -1;
        if (m.hasFlag(Nl.NLM_F_ACK_TLVS)) {
            // Without NLM_F_CAPPED the whole request is echoed before the TLVs.
            if (!m.hasFlag(Nl.NLM_F_CAPPED)) {
                int at = 4 + Nl.align(origLen);
                if (origLen < Nl.NLMSG_HDRLEN || at > b.limit()) {
                    throw new NetlinkFormatException("NLMSG_ERROR echoes a request of " + origLen + " bytes in a payload of "
                            + b.limit());
                }
                b.position(at);
            }
            List<NlAttr> tlvs = NlAttrs.parse(b.slice().order(b.order()));
            msg = NlAttrs.find(tlvs, Nl.NLMSGERR_ATTR_MSG).map(NlAttr::string).orElse(null);
            offs = NlAttrs.find(tlvs, Nl.NLMSGERR_ATTR_OFFS).map(NlAttr::u32).orElse(-1);
        }
        return new NlError(error, origType, origSeq, msg, offs);
    }

    @Override
    public String toString() {
        return "NlError(" + error + (message != null ? ", \"" + message + "\"" : "") + ")";
    }
}
