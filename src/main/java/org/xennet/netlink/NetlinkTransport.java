// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.xennet.error.KernelException;
import org.xennet.error.XennetException;

/**
 * Request/response over a {@link NetlinkSocket}: numbers each request, reads until the ACK, the
 * single reply or NLMSG_DONE, and turns NLMSG_ERROR into a {@link KernelException} that names the
 * operation and its subject. Replies from another sender or with another sequence number (a late
 * answer to a request that timed out) are ignored. A dump that the kernel marks interrupted
 * (NLM_F_DUMP_INTR, the table changed meanwhile) is repeated a bounded number of times.
 */
public final class NetlinkTransport implements AutoCloseable {
    /** How often an interrupted dump is repeated before giving up. */
    public static final int DUMP_ATTEMPTS = 5;

    private final NetlinkSocket socket;
    private int seq;

    public NetlinkTransport(NetlinkSocket socket) {
        this(socket, (int) (System.nanoTime() & 0x3fffffff));
    }

    /** With a fixed first sequence number, for tests. */
    public NetlinkTransport(NetlinkSocket socket, int firstSeq) {
        this.socket = socket;
        this.seq = firstSeq;
    }

    /**
     * Sends a change request with NLM_F_ACK and waits for the kernel's verdict.
     *
     * @param operation what is done, for the error ("link set master")
     * @param subject what it is done to ("vif1.0 -> xenbr0")
     */
    public void execute(String operation, String subject, int type, int flags, byte[] payload) {
        int s = send(type, flags | Nl.NLM_F_REQUEST | Nl.NLM_F_ACK, payload);
        while (true) {
            for (NlMessage m : receiveFor(s, operation, subject)) {
                if (m.type() == Nl.NLMSG_ERROR) {
                    check(NlError.decode(m), operation, subject);
                    return;
                }
                // Echoed or unexpected messages before the ACK are skipped.
            }
        }
    }

    /** Sends a GET for one object and returns the kernel's reply. */
    public NlMessage get(String operation, String subject, int type, byte[] payload) {
        int s = send(type, Nl.NLM_F_REQUEST, payload);
        while (true) {
            for (NlMessage m : receiveFor(s, operation, subject)) {
                if (m.type() == Nl.NLMSG_ERROR) {
                    check(NlError.decode(m), operation, subject);
                    throw new XennetException(operation + " " + subject + ": kernel sent an ACK instead of a reply");
                }
                return m;
            }
        }
    }

    /** Sends a dump request and collects every reply up to NLMSG_DONE. */
    public List<NlMessage> dump(String operation, String subject, int type, byte[] payload) {
        for (int attempt = 1; ; attempt++) {
            int s = send(type, Nl.NLM_F_REQUEST | Nl.NLM_F_DUMP, payload);
            List<NlMessage> out = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NlMessage m : receiveFor(s, operation, subject)) {
                    interrupted |= m.hasFlag(Nl.NLM_F_DUMP_INTR);
                    if (m.type() == Nl.NLMSG_DONE) {
                        checkDone(m, operation, subject);
                        done = true;
                        break;
                    } else if (m.type() == Nl.NLMSG_ERROR) {
                        check(NlError.decode(m), operation, subject);
                        done = true;
                        break;
                    } else if (m.type() != Nl.NLMSG_NOOP) {
                        out.add(m);
                    }
                }
            }
            if (!interrupted) {
                return Collections.unmodifiableList(out);
            }
            if (attempt >= DUMP_ATTEMPTS) {
                throw new XennetException(operation + " " + subject + ": the dump was interrupted " + DUMP_ATTEMPTS
                        + " times by concurrent changes (NLM_F_DUMP_INTR); try again");
            }
        }
    }

    private int send(int type, int flags, byte[] payload) {
        int s = ++seq;
        if (s == 0) {
            s = ++seq;
        }
        socket.send(new NlMessage(type, flags, s, 0, payload).encode());
        return s;
    }

    /** Reads datagrams until one holds messages answering sequence number s. */
    private List<NlMessage> receiveFor(int s, String operation, String subject) {
        while (true) {
            NetlinkSocket.Datagram d;
            try {
                d = socket.receive();
            } catch (NetlinkTimeoutException e) {
                throw new NetlinkTimeoutException(operation + " " + subject + ": " + e.getMessage());
            }
            if (d.senderPort() != 0) {
                continue; // not from the kernel
            }
            List<NlMessage> all = NlMessage.decodeAll(ByteBuffer.wrap(d.data()).order(ByteOrder.nativeOrder()));
            List<NlMessage> mine = new ArrayList<>(all.size());
            for (NlMessage m : all) {
                if (m.seq() == s) {
                    mine.add(m);
                }
            }
            if (!mine.isEmpty()) {
                return mine;
            }
        }
    }

    private static void check(NlError e, String operation, String subject) {
        if (!e.isAck()) {
            throw KernelException.of(operation, subject, e.error(), e.message());
        }
    }

    private static void checkDone(NlMessage m, String operation, String subject) {
        ByteBuffer b = m.payloadBuffer();
        if (b.remaining() >= 4) {
            int err = b.getInt();
            if (err < 0) {
                String msg = null;
                if (m.hasFlag(Nl.NLM_F_ACK_TLVS)) {
                    msg = NlAttrs.find(NlAttrs.parse(b.slice().order(b.order())), Nl.NLMSGERR_ATTR_MSG)
                            .map(NlAttr::string).orElse(null);
                }
                throw KernelException.of(operation, subject, err, msg);
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
