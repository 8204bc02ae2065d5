// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Parsing and lookup of attribute lists. */
public final class NlAttrs {
    private NlAttrs() {
    }

    /**
     * Parses attributes from the buffer's position to its limit. A truncated trailing attribute
     * is an error: the kernel never sends one, so it means our framing is wrong.
     */
    public static List<NlAttr> parse(ByteBuffer b) {
        List<NlAttr> out = new ArrayList<>();
        while (b.remaining() >= Nl.NLA_HDRLEN) {
            int start = b.position();
            int len = b.getShort() & 0xffff;
            int rawType = b.getShort() & 0xffff;
            if (len < Nl.NLA_HDRLEN || start + len > b.limit()) {
                throw new NetlinkFormatException("attribute type " + (rawType & Nl.NLA_TYPE_MASK)
                        + " claims " + len + " bytes, " + (b.limit() - start) + " left");
            }
            byte[] v = new byte[len - Nl.NLA_HDRLEN];
            b.get(v);
            out.add(new NlAttr(rawType, (rawType & Nl.NLA_F_NESTED) != 0, v));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return Collections.unmodifiableList(out);
    }

    public static Optional<NlAttr> find(List<NlAttr> attrs, int type) {
        for (NlAttr a : attrs) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
