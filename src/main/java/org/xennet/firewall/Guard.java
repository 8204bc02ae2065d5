// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.util.ArrayList;
import java.util.List;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;

/**
 * What a guest may send through its vif, from its XenStore keys: frames from its own MAC
 * ({@code mac}), and, when {@code ip} is given, IPv4 and ARP only from the IPv4 addresses of
 * {@code ip}, IPv6 only from its IPv6 addresses and its link-local address (the EUI-64 of its MAC).
 * {@code addresses} is null when there is no {@code ip} key: the guest's addresses are then not
 * restricted. {@code mac} is null when there is no {@code mac} key.
 *
 * @param dev the vif (its name after any vifname rename)
 * @param layer bridged (a bridge port: layer-2 rules) or routed (vif-route, vif-nat: layer-3 rules)
 */
public record Guard(String dev, Layer layer, MacAddress mac, List<IpPrefix> addresses) {

    /** Where the vif is: the nftables family its rules go in. */
    public enum Layer {
        /** A bridge port: table {@code bridge xennet}, which sees frames without bridge-netfilter. */
        BRIDGED("bridge"),
        /** A routed port (vif-route, vif-nat): table {@code inet xennet}. */
        ROUTED("inet");

        private final String family;

        Layer(String family) {
            this.family = family;
        }

        /** The nftables family: {@code bridge} or {@code inet}. */
        public String family() {
            return family;
        }
    }

    public Guard {
        addresses = addresses == null ? null : List.copyOf(addresses);
    }

    /** Whether the guest's sources are restricted (an {@code ip} key). */
    public boolean restricted() {
        return addresses != null;
    }

    /** The IPv4 networks of {@code ip}, each once, none inside another. */
    public List<IpPrefix> ipv4() {
        return family(IpAddress.AF_INET, null);
    }

    /** The IPv6 networks of {@code ip} and the link-local address, each once, none inside another. */
    public List<IpPrefix> ipv6() {
        return family(IpAddress.AF_INET6, linkLocal());
    }

    /**
     * The guest's IPv6 link-local address: fe80::/64 with the modified EUI-64 of its MAC (RFC 4291
     * appendix A), or the whole of fe80::/64 when its MAC is not known.
     */
    public IpPrefix linkLocal() {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfe;
        a[1] = (byte) 0x80;
        if (mac == null) {
            return new IpPrefix(IpAddress.of(a), 64);
        }
        byte[] m = mac.bytes();
        a[8] = (byte) (m[0] ^ 0x02);
        a[9] = m[1];
        a[10] = m[2];
        a[11] = (byte) 0xff;
        a[12] = (byte) 0xfe;
        a[13] = m[3];
        a[14] = m[4];
        a[15] = m[5];
        return new IpPrefix(IpAddress.of(a), 128);
    }

    private List<IpPrefix> family(int family, IpPrefix extra) {
        List<IpPrefix> all = new ArrayList<>();
        if (extra != null) {
            all.add(extra);
        }
        if (addresses != null) {
            for (IpPrefix p : addresses) {
                if (p.family() == family) {
                    all.add(p.network());
                }
            }
        }
        // nft refuses overlapping intervals in one set: keep the outermost of each
        List<IpPrefix> out = new ArrayList<>();
        for (IpPrefix p : all) {
            boolean inside = all.stream().anyMatch(o -> o.length() < p.length() && o.contains(p.address()));
            if (!inside && !out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
