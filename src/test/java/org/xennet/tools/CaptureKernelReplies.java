// SPDX-License-Identifier: Apache-2.0
package org.xennet.tools;

import java.time.Duration;
import org.xennet.jna.JnaNetlinkSocket;
import org.xennet.netlink.Nl;
import org.xennet.netlink.NetlinkSocket;
import org.xennet.netlink.NlMessage;
import org.xennet.netlink.rtnl.AddressMessages;
import org.xennet.netlink.rtnl.BridgeVlanMessages;
import org.xennet.netlink.rtnl.LinkMessages;
import org.xennet.netlink.rtnl.Rtnl;
import org.xennet.netlink.rtnl.RouteMessages;

/**
 * Regenerates the captured kernel replies used by the codec tests. Run it inside a throwaway
 * namespace prepared as described in KernelCaptureTest, e.g.
 * {@code unshare -rn sh -c 'ip link add xenbr0 type bridge && ... && java -cp ... CaptureKernelReplies link xenbr0'}.
 * It prints each raw datagram as hex.
 */
public final class CaptureKernelReplies {
    private CaptureKernelReplies() {
    }

    public static void main(String[] args) {
        try (NetlinkSocket s = JnaNetlinkSocket.open(Nl.NETLINK_ROUTE, Duration.ofSeconds(2))) {
            byte[] payload;
            int type;
            int flags = Nl.NLM_F_REQUEST;
            switch (args[0]) {
                case "link":
                    type = Rtnl.RTM_GETLINK;
                    payload = LinkMessages.getByName(args[1]);
                    break;
                case "addr":
                    type = Rtnl.RTM_GETADDR;
                    payload = AddressMessages.dump(Integer.parseInt(args[1]));
                    flags |= Nl.NLM_F_DUMP;
                    break;
                case "route":
                    type = Rtnl.RTM_GETROUTE;
                    payload = RouteMessages.dump(Integer.parseInt(args[1]));
                    flags |= Nl.NLM_F_DUMP;
                    break;
                case "bridge-vlans":
                    type = Rtnl.RTM_GETLINK;
                    payload = BridgeVlanMessages.dump();
                    flags |= Nl.NLM_F_DUMP;
                    break;
                case "master":
                    type = Rtnl.RTM_NEWLINK;
                    payload = LinkMessages.setMaster(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                    flags |= Nl.NLM_F_ACK;
                    break;
                case "mtu":
                    type = Rtnl.RTM_NEWLINK;
                    payload = LinkMessages.setMtu(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                    flags |= Nl.NLM_F_ACK;
                    break;
                default:
                    throw new IllegalArgumentException(args[0]);
            }
            s.send(new NlMessage(type, flags, 42, 0, payload).encode());
            while (true) {
                NetlinkSocket.Datagram d = s.receive();
                StringBuilder b = new StringBuilder();
                for (byte x : d.data()) {
                    b.append(String.format("%02x", x));
                }
                System.out.println(b);
                boolean end = NlMessage.decodeAll(java.nio.ByteBuffer.wrap(d.data()).order(java.nio.ByteOrder.nativeOrder()))
                        .stream().anyMatch(m -> m.type() == Nl.NLMSG_DONE || m.type() == Nl.NLMSG_ERROR
                                || (m.flags() & Nl.NLM_F_MULTI) == 0);
                if (end) {
                    break;
                }
            }
        }
    }
}
