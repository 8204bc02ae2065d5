#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Crafts and captures Ethernet frames for xennet's guard tests: AF_PACKET raw sockets, no modules.

  frames.py send IFACE KIND TOKEN [key=value...]
      Sends one frame. KIND: udp4, udp6, arp-reply, ra, dhcp-offer, dhcp-discover. Keys: smac, dmac
      (default ff:ff:ff:ff:ff:ff), sip, dip, sport, dport. TOKEN (ASCII) rides in the frame: in
      the UDP payload, in an experimental option (type 253) of the router advertisement, or after
      the ARP message as Ethernet padding. (Not after an IP packet: bridge-netfilter trims that.)
  frames.py listen IFACE SECONDS TOKEN...
      Prints "ready", then for SECONDS counts the frames that come in on IFACE carrying each TOKEN
      and prints "TOKEN COUNT" for every one.

Run inside a test's network namespace (ip netns exec NS frames.py ...). Every value comes from the
test; nothing is read from the network but the frames counted.
"""
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0, 64, proto, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def udp4(src, dst, sport, dport, data):
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data)


def ipv6(src, dst, nxt, payload, hop=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, hop, socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def pseudo6(src, dst, nxt, length):
    return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
            + struct.pack("!IxxxB", length, nxt))


def udp6(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = checksum(pseudo6(src, dst, 17, len(u)) + u) or 0xFFFF
    return ipv6(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def router_advertisement(src, token):
    # type 134, hop limit 64, no flags, lifetime 1800 s; a prefix 2001:db8:bad::/64 to autoconfigure from
    ra = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    ra += struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, 86400, 14400, 0, socket.inet_pton(socket.AF_INET6, "2001:db8:bad::"))
    option = token + bytes(-(len(token) + 2) % 8)
    ra += struct.pack("!BB", 253, (len(option) + 2) // 8) + option
    c = checksum(pseudo6(src, "ff02::1", 58, len(ra)) + ra)
    return ipv6(src, "ff02::1", 58, ra[:2] + struct.pack("!H", c) + ra[4:], hop=255)


def bootp(op, chaddr, yiaddr, message_type, token):
    b = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 0, 0x5ec0de, 0, 0x8000, bytes(4),
                    socket.inet_aton(yiaddr), bytes(4), bytes(4), chaddr + bytes(10), bytes(64), bytes(128))
    return b + b"\x63\x82\x53\x63" + bytes([53, 1, message_type, 255]) + token


def frame(kind, token, o):
    smac = mac(o["smac"])
    dmac = mac(o.get("dmac", "ff:ff:ff:ff:ff:ff"))
    if kind == "udp4":
        return dmac + smac + b"\x08\x00" + udp4(o["sip"], o["dip"], int(o.get("sport", 40000)),
                                                 int(o.get("dport", 9999)), token)
    if kind == "udp6":
        return dmac + smac + b"\x86\xdd" + udp6(o["sip"], o["dip"], int(o.get("sport", 40000)),
                                                 int(o.get("dport", 9999)), token)
    if kind == "arp-reply":
        # a gratuitous reply: "sip is at smac", to everyone
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, smac, socket.inet_aton(o["sip"]), dmac,
                          socket.inet_aton(o.get("dip", o["sip"])))
        return dmac + smac + b"\x08\x06" + arp + token
    if kind == "ra":
        return mac("33:33:00:00:00:01") + smac + b"\x86\xdd" + router_advertisement(o["sip"], token)
    if kind == "dhcp-offer":
        return dmac + smac + b"\x08\x00" + udp4(o["sip"], "255.255.255.255", 67, 68,
                                                 bootp(2, mac(o.get("client", "00:16:3e:00:06:00")),
                                                       o.get("yiaddr", "192.0.2.200"), 2, token))
    if kind == "dhcp-discover":
        return dmac + smac + b"\x08\x00" + udp4("0.0.0.0", "255.255.255.255", 68, 67,
                                                 bootp(1, smac, "0.0.0.0", 1, token))
    raise SystemExit("unknown frame kind " + kind)


def send(iface, kind, token, args):
    o = dict(a.split("=", 1) for a in args)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.send(frame(kind, token.encode(), o))
    s.close()


def listen(iface, seconds, tokens):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    counts = {t: 0 for t in tokens}
    print("ready", flush=True)
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        if addr[2] == PACKET_OUTGOING:
            continue
        for t in tokens:
            if t.encode() in data:
                counts[t] += 1
    for t in tokens:
        print(t, counts[t], flush=True)


def main(argv):
    if len(argv) >= 4 and argv[1] == "send":
        send(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) >= 5 and argv[1] == "listen":
        listen(argv[2], float(argv[3]), argv[4:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
