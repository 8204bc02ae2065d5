// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink;

/**
 * The native boundary of netlink: one datagram out, one datagram in. The protocol logic on top
 * (sequence numbers, ACKs, dumps, errors) lives in {@link NetlinkTransport}, in plain Java, so it
 * is tested with scripted bytes and no native library.
 */
public interface NetlinkSocket extends AutoCloseable {

    /** Sends one datagram to the kernel (port id 0). */
    void send(byte[] datagram);

    /**
     * Blocks for the next datagram, up to the socket's receive timeout.
     *
     * @throws NetlinkTimeoutException when nothing arrived in time
     */
    Datagram receive();

    /** The port id the kernel assigned to this socket. */
    int portId();

    @Override
    void close();

    /** A received datagram and the port id of its sender (0 = the kernel). */
    final class Datagram {
        private final byte[] data;
        private final int senderPort;

        public Datagram(byte[] data, int senderPort) {
            this.data = data;
            this.senderPort = senderPort;
        }

        public byte[] data() {
            return data;
        }

        public int senderPort() {
            return senderPort;
        }
    }
}
