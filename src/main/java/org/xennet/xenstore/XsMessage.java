// SPDX-License-Identifier: Apache-2.0
package org.xennet.xenstore;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One XenStore message: the {@code struct xsd_sockmsg} header (u32 type, req_id, tx_id, len) and
 * the {@code len} payload bytes after it. Pure: no I/O.
 *
 * <p>The header is a C struct in host byte order; every architecture Xen runs on is little-endian,
 * so native order and little-endian are the same there. Payloads are mostly NUL-terminated strings
 * ({@code docs/misc/xenstore.txt}): a request names its path as {@code path\0}, XS_WRITE appends the
 * raw value without a terminator, XS_DIRECTORY answers {@code name\0name\0...}, XS_READ answers the
 * raw value, XS_ERROR carries the errno name ({@code ENOENT\0}), and a plain success is
 * {@code OK\0}.
 */
public final class XsMessage {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final int type;
    private final int reqId;
    private final int txId;
    private final byte[] payload;

    /**
     * @throws XsFormatException when the payload exceeds {@link Xs#XENSTORE_PAYLOAD_MAX}, which
     *     xenstored answers by dropping the connection
     */
    public XsMessage(int type, int reqId, int txId, byte[] payload) {
        if (payload.length > Xs.XENSTORE_PAYLOAD_MAX) {
            throw new XsFormatException(Xs.typeName(type) + " payload of " + payload.length
                    + " bytes exceeds XENSTORE_PAYLOAD_MAX (" + Xs.XENSTORE_PAYLOAD_MAX + ")");
        }
        this.type = type;
        this.reqId = reqId;
        this.txId = txId;
        this.payload = payload.clone();
    }

    /** The header fields of a message whose payload has not been read yet. */
    public record Header(int type, int reqId, int txId, int length) {
    }

    // ---- building payloads ----

    /** Each string in UTF-8 followed by a NUL: {@code a\0b\0}. An empty call gives no bytes. */
    public static byte[] nulTerminated(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : parts) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** The XS_WRITE payload: {@code path\0} then the value's bytes, not terminated. */
    public static byte[] pathAndValue(String path, byte[] value) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(p, p.length + 1 + value.length);
        System.arraycopy(value, 0, out, p.length + 1, value.length);
        return out;
    }

    // ---- encoding and decoding ----

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(Xs.HEADER_SIZE + payload.length).order(ORDER);
        b.putInt(type).putInt(reqId).putInt(txId).putInt(payload.length).put(payload);
        return b.array();
    }

    /**
     * Reads the 16 header bytes at the buffer's position.
     *
     * @throws XsFormatException when fewer than 16 bytes remain or the length exceeds
     *     {@link Xs#XENSTORE_PAYLOAD_MAX} (the stream cannot be trusted after that)
     */
    public static Header decodeHeader(ByteBuffer in) {
        if (in.remaining() < Xs.HEADER_SIZE) {
            throw new XsFormatException("header needs " + Xs.HEADER_SIZE + " bytes, " + in.remaining() + " left");
        }
        ByteBuffer b = in.duplicate().order(ORDER);
        int type = b.getInt();
        int reqId = b.getInt();
        int txId = b.getInt();
        int len = b.getInt();
        if (Integer.compareUnsigned(len, Xs.XENSTORE_PAYLOAD_MAX) > 0) {
            throw new XsFormatException(Xs.typeName(type) + " claims a payload of " + Integer.toUnsignedString(len)
                    + " bytes, more than XENSTORE_PAYLOAD_MAX (" + Xs.XENSTORE_PAYLOAD_MAX + ")");
        }
        in.position(in.position() + Xs.HEADER_SIZE);
        return new Header(type, reqId, txId, len);
    }

    /** Decodes exactly one whole message: header plus {@code len} payload bytes, nothing more. */
    public static XsMessage decode(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        Header h = decodeHeader(b);
        if (b.remaining() != h.length()) {
            throw new XsFormatException(Xs.typeName(h.type()) + " claims " + h.length() + " payload bytes, "
                    + b.remaining() + " present");
        }
        byte[] p = new byte[h.length()];
        b.get(p);
        return new XsMessage(h.type(), h.reqId(), h.txId(), p);
    }

    // ---- reading payloads ----

    /**
     * The NUL-terminated strings of the payload, in order (XS_DIRECTORY's children, XS_WATCH_EVENT's
     * path and token). Bytes after the last NUL are not a string and are left out, as libxenstore
     * does.
     */
    public List<String> strings() {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == 0) {
                out.add(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The payload up to its first NUL, or all of it when it has none. */
    public String firstString() {
        int end = 0;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        return new String(payload, 0, end, StandardCharsets.UTF_8);
    }

    /** The whole payload as UTF-8 text: an XS_READ value, which has no terminator. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** The errno name of an XS_ERROR reply: "ENOENT". */
    public String errorName() {
        requireType(Xs.XS_ERROR);
        return firstString();
    }

    /** The transaction id of an XS_TRANSACTION_START reply, sent as unsigned decimal text. */
    public int transactionId() {
        requireType(Xs.XS_TRANSACTION_START);
        String s = firstString();
        try {
            return Integer.parseUnsignedInt(s);
        } catch (NumberFormatException e) {
            throw new XsFormatException("XS_TRANSACTION_START reply \"" + s + "\" is not a transaction id");
        }
    }

    /** The path and token of an XS_WATCH_EVENT. */
    public WatchEvent watchEvent() {
        requireType(Xs.XS_WATCH_EVENT);
        List<String> s = strings();
        if (s.size() < 2) {
            throw new XsFormatException("XS_WATCH_EVENT needs a path and a token, has " + s.size() + " strings");
        }
        return new WatchEvent(s.get(0), s.get(1));
    }

    private void requireType(int expected) {
        if (type != expected) {
            throw new XsFormatException("expected " + Xs.typeName(expected) + ", got " + Xs.typeName(type));
        }
    }

    // ---- fields ----

    public int type() {
        return type;
    }

    public int reqId() {
        return reqId;
    }

    public int txId() {
        return txId;
    }

    public byte[] payload() {
        return payload.clone();
    }

    public int length() {
        return Xs.HEADER_SIZE + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof XsMessage)) {
            return false;
        }
        XsMessage m = (XsMessage) o;
        return m.type == type && m.reqId == reqId && m.txId == txId && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((type * 31 + reqId) * 31 + txId) * 31 + Arrays.hashCode(payload);
    }

    /** {@code XS_WRITE(req 7, tx 0, "/a\0b")}, NULs shown as {@code \0}, long payloads cut. */
    @Override
    public String toString() {
        String p = new String(payload, 0, Math.min(payload.length, 200), StandardCharsets.UTF_8).replace("\0", "\\0");
        return Xs.typeName(type) + "(req " + Integer.toUnsignedString(reqId) + ", tx " + Integer.toUnsignedString(txId)
                + ", \"" + p + (payload.length > 200 ? "...\"" : "\"") + ")";
    }
}
