// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.xennet.error.Errno;
import org.xennet.error.KernelException;
import org.xennet.jna.JnaNetlinkSocket;
import org.xennet.model.Link;
import org.xennet.netlink.Nl;
import org.xennet.netlink.NetlinkSocket;
import org.xennet.netlink.NetlinkTimeoutException;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.LinkMessages;
import org.xennet.netlink.rtnl.Rtnl;

/**
 * The kernel's notifications of links appearing, changing and going away, as {@code ip monitor
 * link} shows them: RTM_NEWLINK and RTM_DELLINK from the RTNLGRP_LINK multicast group. When the
 * socket's buffer overflowed (ENOBUFS), events were lost: {@link #next} reports that as
 * {@link Event#lost()}, and the reader must look at every link again.
 */
public final class LinkEvents implements AutoCloseable {
    /** RTMGRP_LINK, the group mask of RTNLGRP_LINK. */
    static final int RTMGRP_LINK = 1;

    /** One notification: a link that is there now (NEWLINK) or gone (DELLINK); or events lost. */
    public record Event(boolean gone, Link link, boolean lost) {
    }

    private final NetlinkSocket socket;
    private final Deque<Event> pending = new ArrayDeque<>();

    private LinkEvents(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Subscribes in this process's network namespace; {@code wait} bounds each {@link #next}. */
    public static LinkEvents open(Duration wait) {
        return new LinkEvents(JnaNetlinkSocket.open(Nl.NETLINK_ROUTE, RTMGRP_LINK, wait));
    }

    /** Subscribes inside the namespace named by a file. */
    public static LinkEvents openIn(Path netns, Duration wait) {
        return new LinkEvents(JnaNetlinkSocket.openIn(netns, Nl.NETLINK_ROUTE, RTMGRP_LINK, wait));
    }

    /** The next event, waiting at most the time given at open; empty when none came. */
    public Optional<Event> next() {
        if (!pending.isEmpty()) {
            return Optional.of(pending.poll());
        }
        NetlinkSocket.Datagram d;
        try {
            d = socket.receive();
        } catch (NetlinkTimeoutException e) {
            return Optional.empty();
        } catch (KernelException e) {
            if (e.errno() == Errno.ENOBUFS.number()) {
                return Optional.of(new Event(false, null, true));
            }
            throw e;
        }
        if (d.senderPort() != 0) {
            return Optional.empty(); // not from the kernel
        }
        for (NlMessage m : NlMessage.decodeAll(ByteBuffer.wrap(d.data()).order(ByteOrder.nativeOrder()))) {
            if (m.type() == Rtnl.RTM_NEWLINK || m.type() == Rtnl.RTM_DELLINK) {
                pending.add(new Event(m.type() == Rtnl.RTM_DELLINK, LinkMessages.decode(m), false));
            }
        }
        return Optional.ofNullable(pending.poll());
    }

    @Override
    public void close() {
        socket.close();
    }
}
