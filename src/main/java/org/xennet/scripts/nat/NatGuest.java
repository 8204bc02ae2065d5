// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.UsageException;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.scripts.Params;
import org.xennet.scripts.vif.VifTarget;
import org.xennet.text.Printable;

/**
 * vif-nat's addressing of one guest NIC, as Xen's script computes it: domid from
 * {@code frontend-id}, vifid = {@code handle} + 1 (both from XenStore, else from XENBUS_PATH);
 * the guest's address from {@code ip}, else {@code 10.<domid/256>.<domid%256>.<vifid>/16}; the
 * router address on the vif is the first address with 127 added to its last octet (10.0.5.1 →
 * 10.0.5.128); the DHCP host name is {@code dom<domid>}, with {@code -<vifid>} for any vif but
 * the first. Unlike Xen, every IPv4 address of {@code ip} gets its route (Xen used the first
 * only), and an address whose router would have an octet above 255 is refused with a message
 * instead of producing an invalid address.
 *
 * @param addresses the IPv4 addresses of {@code ip} as given (with their prefix length)
 * @param vifIp the guest's first address, without prefix
 * @param router the router address that goes on the vif (as a /32)
 */
record NatGuest(int domid, int vifid, List<IpPrefix> addresses, IpAddress vifIp, IpAddress router, String hostname) {

    static NatGuest resolve(String script, VifTarget t, Params p) {
        int domid = number(script, p, "frontend-id", t.domid(), 0, 65535);
        int handle = number(script, p, "handle", t.devid(), 0, 254);
        int vifid = handle + 1;
        String ip = p.get("ip").orElse("10." + domid / 256 + "." + domid % 256 + "." + vifid + "/16");
        List<IpPrefix> v4 = new ArrayList<>();
        for (String a : ip.trim().split("[\\s,]+")) {
            IpPrefix pre = IpPrefix.parse(a);
            if (pre.family() == IpAddress.AF_INET) {
                v4.add(pre);
            }
        }
        if (v4.isEmpty()) {
            throw new UsageException(script + ": ip=" + Printable.quote(ip) + " has no IPv4 address (NAT is IPv4 only)");
        }
        IpAddress first = v4.get(0).address();
        byte[] b = first.bytes();
        int last = b[3] & 0xff;
        if (last + 127 > 255) {
            throw new UsageException(script + ": ip=" + Printable.quote(ip) + ": the router address is the guest's "
                    + "last octet + 127, so the guest's last octet must be at most 128 (got " + last + ")");
        }
        b[3] = (byte) (last + 127);
        IpAddress router = IpAddress.of(b);
        String hostname = "dom" + domid + (vifid != 1 ? "-" + vifid : "");
        return new NatGuest(domid, vifid, List.copyOf(v4), first, router, hostname);
    }

    private static int number(String script, Params p, String key, int fallback, int min, int max) {
        Optional<String> v = p.get(key);
        if (v.isEmpty()) {
            if (fallback < 0) {
                throw new UsageException(script + ": " + key + " is not in XenStore and XENBUS_PATH does not name "
                        + "the guest (backend/vif/DOMID/DEVID)");
            }
            return fallback;
        }
        return p.integer(key, fallback, min, max);
    }

    /** The host prefixes (/32) the routes go to. */
    List<IpPrefix> hostRoutes() {
        List<IpPrefix> out = new ArrayList<>();
        for (IpPrefix a : addresses) {
            IpPrefix h = new IpPrefix(a.address(), 32);
            if (!out.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }

    IpPrefix routerPrefix() {
        return new IpPrefix(router, 32);
    }
}
