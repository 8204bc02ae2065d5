// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.model.InterfaceName;
import org.xennet.scripts.StateFiles;
import org.xennet.text.Printable;

/**
 * What a network-nat start changed, so that stop undoes exactly that:
 * {@code /var/run/xennet/network-nat/NETDEV.state}, plain {@code key=value} lines read literally,
 * written atomically. A second start keeps the first one's record (its {@code ip_forward} is the
 * value from before any start).
 *
 * @param forwardBefore ip_forward before the first start ("0" or "1")
 * @param masqueradeAdded whether start added the MASQUERADE rule (false: it was there already)
 * @param dhcp "no", "isc" or "dnsmasq"
 * @param subnetAdded ISC: whether start appended the subnet declaration to dhcpd.conf
 * @param hostsCreated dnsmasq: whether start created the hosts file
 * @param oldForwardPolicy the FORWARD policy antispoof=yes replaced with DROP; null when start did not change it
 */
record NatState(String netdev, String forwardBefore, boolean masqueradeAdded, String dhcp, boolean subnetAdded,
        boolean hostsCreated, String oldForwardPolicy) {

    static Path path(Path stateDir, String netdev) {
        return stateDir.resolve("network-nat").resolve(InterfaceName.check("netdev", netdev) + ".state");
    }

    static Optional<NatState> read(Path file) {
        Optional<List<String>> read = StateFiles.read(file);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = read.get();
        String netdev = null;
        String fwd = null;
        boolean masq = false;
        String dhcp = "no";
        boolean subnet = false;
        boolean hosts = false;
        String policy = null;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new XennetException("state record " + file + " is damaged (line " + Printable.quote(line) + "); remove it "
                        + "and run stop again");
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1);
            switch (k) {
                case "netdev": netdev = v; break;
                case "ip_forward": fwd = v; break;
                case "masquerade_added": masq = v.equals("yes"); break;
                case "dhcp": dhcp = v; break;
                case "subnet_added": subnet = v.equals("yes"); break;
                case "hosts_created": hosts = v.equals("yes"); break;
                case "forward_policy": policy = v.matches("[A-Z]+") ? v : null; break;
                default: break; // a later version's key
            }
        }
        if (netdev == null || fwd == null || !fwd.matches("[0-9]")) {
            throw new XennetException("state record " + file + " is damaged (no netdev or ip_forward); remove it "
                    + "and run stop again");
        }
        return Optional.of(new NatState(netdev, fwd, masq, dhcp, subnet, hosts, policy));
    }

    void write(Path file) {
        List<String> lines = new ArrayList<>();
        lines.add("# network-nat start, read by network-nat stop");
        lines.add("version=1");
        lines.add("netdev=" + netdev);
        lines.add("ip_forward=" + forwardBefore);
        lines.add("masquerade_added=" + (masqueradeAdded ? "yes" : "no"));
        lines.add("dhcp=" + dhcp);
        lines.add("subnet_added=" + (subnetAdded ? "yes" : "no"));
        lines.add("hosts_created=" + (hostsCreated ? "yes" : "no"));
        if (oldForwardPolicy != null) {
            lines.add("forward_policy=" + oldForwardPolicy);
        }
        StateFiles.write(file, String.join("\n", lines) + "\n");
    }
}
