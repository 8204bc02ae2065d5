package org.xennet.scripts.nat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xennet.error.XennetException;
import org.xennet.model.InterfaceName;

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
 */
record NatState(String netdev, String forwardBefore, boolean masqueradeAdded, String dhcp, boolean subnetAdded,
        boolean hostsCreated) {

    static Path path(Path stateDir, String netdev) {
        return stateDir.resolve("network-nat").resolve(InterfaceName.check("netdev", netdev) + ".state");
    }

    static Optional<NatState> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new XennetException("cannot read state record " + file + ": " + e.getMessage(), e);
        }
        String netdev = null;
        String fwd = null;
        boolean masq = false;
        String dhcp = "no";
        boolean subnet = false;
        boolean hosts = false;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new XennetException("state record " + file + " is damaged (line '" + line + "'); remove it "
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
                default: break; // a later version's key
            }
        }
        if (netdev == null || fwd == null || !fwd.matches("[0-9]")) {
            throw new XennetException("state record " + file + " is damaged (no netdev or ip_forward); remove it "
                    + "and run stop again");
        }
        return Optional.of(new NatState(netdev, fwd, masq, dhcp, subnet, hosts));
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
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new XennetException("cannot write state record " + file + ": " + e.getMessage(), e);
        }
    }
}
