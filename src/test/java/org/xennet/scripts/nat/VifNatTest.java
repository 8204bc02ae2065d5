// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.Address;
import org.xennet.model.IpPrefix;
import org.xennet.model.Link;
import org.xennet.model.Route;
import org.xennet.net.Sysctls;

/** vif-nat in-process against the fake network, firewall and XenStore, called as libxl calls it. */
@Tag("cli")
class VifNatTest extends NatTestBase {

    /** The keys libxl writes, and a backend vif (a plain link: netback's vifs are not veths). */
    private String guest(int domid, int devid) {
        String be = "backend/vif/" + domid + "/" + devid;
        xs.put(be + "/frontend-id", String.valueOf(domid)).put(be + "/handle", String.valueOf(devid))
                .put(be + "/mac", String.format("00:16:3e:00:%02x:%02x", domid % 256, devid)).put(be + "/hotplug-status", "");
        net.nic("vif" + domid + "." + devid, "fe:ff:ff:ff:ff:ff", 1500);
        return be;
    }

    private int vif(String command, int domid, int devid, String... more) {
        env.put("vif", "vif" + domid + "." + devid);
        env.put("XENBUS_PATH", "backend/vif/" + domid + "/" + devid);
        List<String> args = new ArrayList<>(List.of(command, "type_if=vif"));
        args.addAll(List.of(more));
        return run("vif-nat", args.toArray(new String[0]));
    }

    private List<String> addresses(String dev) {
        return net.addresses().list(dev).stream().map(a -> a.prefix().toString()).toList();
    }

    private List<String> routes(String dev) {
        int idx = net.links().get(dev).index();
        return net.routes().list().stream().filter(r -> r.oif() == idx).map(r -> r.describe(dev)).toList();
    }

    private List<String> state() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.name() + " up=" + l.isUp() + " " + addresses(l.name()));
        }
        for (Route r : net.routes().list()) {
            s.add(r.describe(null) + " oif " + r.oif());
        }
        s.add(fw.rules().toString());
        return s;
    }

    private String status(String be) {
        return xs.read(be + "/hotplug-status").orElse(null);
    }

    @Test
    void onlineGivesTheVifXensRouterAddressRouteAndProxyArp() {
        String be = guest(5, 0);
        assertEquals(0, vif("online", 5, 0), err.toString());
        assertEquals(List.of("10.0.5.128/32"), addresses("vif5.0"), "guest 10.0.5.1: router last octet + 127");
        assertEquals(List.of("10.0.5.1/32 dev vif5.0 src 10.0.5.128"), routes("vif5.0"));
        assertEquals("1", net.sysctls().get(Sysctls.proxyArp("vif5.0")));
        assertTrue(net.links().get("vif5.0").isUp());
        assertEquals(List.of(Rule.of("FORWARD", "-o", "vif5.0", "-j", "ACCEPT"),
                Rule.of("FORWARD", "-i", "vif5.0", "-s", "10.0.5.1/16", "-j", "ACCEPT")), fw.rules());
        assertEquals("connected", status(be));
    }

    @Test
    void theSecondVifOfAGuestGetsTheNextAddressAndHostName() throws Exception {
        Path[] isc = iscFiles();
        guest(5, 1);
        assertEquals(0, vif("online", 5, 1, "dhcp=yes"), err.toString());
        assertEquals(List.of("10.0.5.129/32"), addresses("vif5.1"));
        assertEquals(List.of("10.0.5.2/32 dev vif5.1 src 10.0.5.129"), routes("vif5.1"));
        assertTrue(lines(isc[0]).contains("host dom5-2 { hardware ethernet 00:16:3e:00:05:01; fixed-address 10.0.5.2; "
                + "option routers 10.0.5.129; option host-name \"dom5-2\"; }"), lines(isc[0]).toString());
    }

    @Test
    void domidsAbove255UseTheSecondOctet() {
        guest(300, 0);
        assertEquals(0, vif("online", 300, 0), err.toString());
        assertEquals(List.of("10.1.44.128/32"), addresses("vif300.0"));
    }

    @Test
    void anIpKeyIsTheGuestsAddress() {
        String be = guest(6, 0);
        xs.put(be + "/ip", "192.168.7.20/24 192.168.7.21");
        assertEquals(0, vif("online", 6, 0), err.toString());
        assertEquals(List.of("192.168.7.147/32"), addresses("vif6.0"));
        assertEquals(List.of("192.168.7.20/32 dev vif6.0 src 192.168.7.147",
                "192.168.7.21/32 dev vif6.0 src 192.168.7.147"), routes("vif6.0"), "every address gets its route");
    }

    @Test
    void aRouterOctetAbove255IsRefusedWithAMessageAndNothingChanges() {
        String be = guest(7, 0);
        xs.put(be + "/ip", "10.0.7.200");
        List<String> before = state();
        assertEquals(1, vif("online", 7, 0));
        assertEquals("error", status(be));
        String e = xs.read(be + "/hotplug-error").orElse("");
        assertTrue(e.startsWith("vif-nat online vif7.0: ") && e.contains("at most 128"), e);
        assertEquals(before, state());
    }

    @Test
    void aSecondOnlineChangesNothing() throws Exception {
        Path[] isc = iscFiles();
        guest(5, 0);
        assertEquals(0, vif("online", 5, 0, "dhcp=yes"));
        List<String> once = state();
        List<String> conf = lines(isc[0]);
        List<String> args = lines(isc[2]);
        assertEquals(0, vif("online", 5, 0, "dhcp=yes"), err.toString());
        assertEquals(once, state());
        assertEquals(conf, lines(isc[0]), "no second host entry");
        assertEquals(args, lines(isc[2]));
    }

    @Test
    void offlineRemovesExactlyItsOwnRouteAddressRulesAndHostEntry() throws Exception {
        Path[] isc = iscFiles();
        guest(1, 0);
        guest(12, 0);
        assertEquals(0, vif("online", 1, 0, "dhcp=yes"));
        assertEquals(0, vif("online", 12, 0, "dhcp=yes"));
        net.addresses().add("vif1.0", IpPrefix.parse("198.51.100.1/24"));
        List<String> other = new ArrayList<>(routes("vif12.0"));
        other.addAll(addresses("vif12.0"));
        assertEquals(0, vif("offline", 1, 0, "dhcp=yes"), err.toString());
        assertEquals(List.of("198.51.100.1/24"), addresses("vif1.0"), "an address it did not add stays");
        assertFalse(routes("vif1.0").contains("10.0.1.1/32 dev vif1.0 src 10.0.1.128"));
        assertFalse(net.links().get("vif1.0").isUp());
        List<String> still = new ArrayList<>(routes("vif12.0"));
        still.addAll(addresses("vif12.0"));
        assertEquals(other, still, "vif12.0 is untouched");
        List<String> conf = lines(isc[0]);
        assertFalse(conf.stream().anyMatch(l -> l.startsWith("host dom1 ")), conf.toString());
        assertTrue(conf.stream().anyMatch(l -> l.startsWith("host dom12 ")),
                "exact match: Xen's 'host dom1' also removed dom12");
        assertEquals("INTERFACES=\"eth1 vif12.0\"", lines(isc[2]).get(1));
        assertFalse(fw.rules().stream().anyMatch(r -> r.spec().contains("vif1.0")));
        assertEquals(2, fw.rules().stream().filter(r -> r.spec().contains("vif12.0")).count());
        assertEquals(0, vif("offline", 1, 0, "dhcp=yes"), "offline again succeeds");
    }

    @Test
    void offlineOfAVifThatIsGoneSucceeds() {
        guest(9, 0);
        assertEquals(0, vif("online", 9, 0));
        net.links().delete("vif9.0");
        assertEquals(0, vif("offline", 9, 0), err.toString());
        assertEquals(List.of(), fw.rules());
    }

    @Test
    void aFailureUndoesEverythingTheCallDid() throws Exception {
        Path[] isc = iscFiles();
        String be = guest(5, 0);
        List<String> before = state();
        List<String> conf = lines(isc[0]);
        List<String> args = lines(isc[2]);
        faults = (i, step) -> {
            if (step.description().contains("/etc/xen/scripts/vif-post.d") || step.description().startsWith("iptables")) {
                throw new XennetException("injected");
            }
            if (step.description().startsWith("add vif5.0 to the interfaces")) {
                throw new XennetException("injected at the args file");
            }
        };
        assertEquals(1, vif("online", 5, 0, "dhcp=yes"));
        assertEquals(before, state());
        assertEquals(conf, lines(isc[0]), "the host entry is taken out again");
        assertEquals(args, lines(isc[2]));
        assertEquals("0", net.sysctls().get(Sysctls.proxyArp("vif5.0")));
        assertEquals("error", status(be));
        assertTrue(xs.read(be + "/hotplug-error").orElse("").contains("injected at the args file"));
    }

    @Test
    void dhcpWithoutAMacIsAnError() throws Exception {
        iscFiles();
        String be = guest(5, 0);
        xs.remove(be + "/mac");
        assertEquals(1, vif("online", 5, 0, "dhcp=yes"));
        assertTrue(xs.read(be + "/hotplug-error").orElse("").contains("mac is not set"),
                xs.read(be + "/hotplug-error").toString());
    }

    @Test
    void missingIscFilesAreXensError() {
        String be = guest(5, 0);
        assertEquals(1, vif("online", 5, 0, "dhcp=yes"));
        assertTrue(xs.read(be + "/hotplug-error").orElse("")
                .contains("Failed to find dhcpd configuration or init or args file."));
        assertEquals(List.of(), addresses("vif5.0"));
    }

    @Test
    void dnsmasqGetsAHostsLineAndAStalePidFileIsNotSignalled() throws Exception {
        Path hosts = tmp.resolve("hosts");
        Path pid = tmp.resolve("dnsmasq.pid");
        // This JVM's pid: a process that is not dnsmasq must never get the SIGHUP.
        Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        Files.writeString(tmp.resolve("xennet.conf"), "nat_dhcp=dnsmasq\nnat_dhcp_hosts=" + hosts
                + "\nnat_dhcp_pidfile=" + pid + "\n");
        Files.writeString(hosts, "# admin\n00:16:3e:99:99:99,10.0.99.1,dom99\n");
        guest(5, 0);
        assertEquals(0, vif("online", 5, 0), err.toString());
        assertEquals(List.of("# admin", "00:16:3e:99:99:99,10.0.99.1,dom99", "00:16:3e:00:05:00,10.0.5.1,dom5"),
                lines(hosts));
        assertEquals(0, vif("offline", 5, 0), err.toString());
        assertEquals(List.of("# admin", "00:16:3e:99:99:99,10.0.99.1,dom99"), lines(hosts));
    }

    @Test
    void vifnameRenamesTheVifFirst() {
        String be = guest(5, 0);
        xs.put(be + "/vifname", "guest-web");
        assertEquals(0, vif("online", 5, 0), err.toString());
        assertTrue(net.links().find("vif5.0").isEmpty());
        assertEquals(List.of("10.0.5.128/32"), addresses("guest-web"));
        assertEquals(List.of("10.0.5.1/32 dev guest-web src 10.0.5.128"), routes("guest-web"));
        assertEquals("1", net.sysctls().get(Sysctls.proxyArp("guest-web")), "proxy ARP on the renamed vif");
        assertEquals(0, vif("offline", 5, 0), err.toString());
        assertEquals(List.of(), addresses("guest-web"));
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() {
        String be = guest(5, 0);
        List<String> before = state();
        assertEquals(0, vif("online", 5, 0, "--dry-run"), err.toString());
        assertTrue(out.toString().contains("ip route add 10.0.5.1/32 dev vif5.0 src 10.0.5.128")
                || out.toString().contains("ip route add 10.0.5.1 dev vif5.0 src 10.0.5.128"), out.toString());
        assertEquals(before, state());
        assertEquals("", status(be));
    }

    @Test
    void tapDevicesOnlyRunTheHooks() {
        env.put("INTERFACE", "vif5.0-emu");
        net.nic("vif5.0-emu", "fe:ff:ff:ff:ff:ff", 1500);
        List<String> before = state();
        assertEquals(0, run("vif-nat", "add", "type_if=tap"), err.toString());
        assertEquals(before, state());
    }

    @Test
    void vifIptablesNoLeavesTheFirewallAlone() throws Exception {
        Files.writeString(tmp.resolve("xennet.conf"), "vif_iptables=no\n");
        guest(5, 0);
        assertEquals(0, vif("online", 5, 0), err.toString());
        assertEquals(List.of(), fw.rules());
        assertEquals(List.of("10.0.5.128/32"), addresses("vif5.0"));
    }

    static Address addr(String p) {
        return Address.of(0, IpPrefix.parse(p));
    }
}
