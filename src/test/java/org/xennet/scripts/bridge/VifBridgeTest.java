// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.cli.Cli;
import org.xennet.error.XennetException;
import org.xennet.firewall.Rule;
import org.xennet.model.Link;
import org.xennet.model.MacAddress;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeNetwork;
import org.xennet.testing.FakeXenStore;

/** vif-bridge in-process against the fake network, firewall and XenStore, called as libxl calls it. */
@Tag("cli")
class VifBridgeTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private FakeFirewall fw;
    private FakeXenStore xs;
    private Map<String, String> env;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private static final String BE = "backend/vif/5/0";

    @BeforeEach
    void setUp() {
        net = new FakeNetwork();
        net.links().addBridge("xenbr0", false, 0);
        net.links().setMtu("xenbr0", 9000);
        net.links().setUp("xenbr0", true);
        net.links().addVeth("vif5.0", "guest0");
        fw = new FakeFirewall();
        xs = new FakeXenStore().put(BE + "/bridge", "xenbr0").put(BE + "/mac", "00:16:3e:00:05:00")
                .put(BE + "/hotplug-status", "");
        env = new HashMap<>(Map.of("XENNET_CONF", tmp.resolve("none").toString(), "XENNET_LOG_FILE", "none",
                "XENNET_SYSLOG", "no", "XENNET_LOG_LEVEL", "error", "vif", "vif5.0", "XENBUS_PATH", BE,
                "script", "/etc/xen/scripts/vif-bridge", "XENBUS_TYPE", "vif"));
    }

    private int run(String... args) {
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(() -> xs)
                .out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).carrierWait(Duration.ZERO).build();
        return new Cli(ctx).run("/etc/xen/scripts/vif-bridge", args);
    }

    private String status() {
        return xs.read(BE + "/hotplug-status").orElse(null);
    }

    private String error() {
        return xs.read(BE + "/hotplug-error").orElse(null);
    }

    private List<String> linkState() {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.name() + " " + l.mac() + " " + l.mtu() + " " + l.isUp() + " " + l.masterIndex());
        }
        s.add(fw.rules().toString());
        return s;
    }

    @Test
    void onlineAttachesWithXenMacAndBridgeMtuAndReportsConnected() {
        assertEquals(0, run("online", "type_if=vif"), err.toString());
        Link v = net.links().get("vif5.0");
        assertEquals(net.links().get("xenbr0").index(), v.masterIndex());
        assertEquals(MacAddress.XEN_BACKEND, v.mac());
        assertEquals(9000, v.mtu(), "the bridge's MTU");
        assertTrue(v.isUp());
        assertEquals("connected", status());
        assertEquals("9000", xs.read("/local/domain/5/device/vif/0/mtu").orElse(null), "the frontend is told");
        assertEquals(List.of(Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-out", "vif5.0",
                "-j", "ACCEPT"), Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-in", "vif5.0",
                "-j", "ACCEPT")), fw.rules(), "no ip: one unrestricted rule each way");
    }

    @Test
    void theMtuKeyWinsOverTheBridge() {
        xs.put(BE + "/mtu", "1400");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(1400, net.links().get("vif5.0").mtu());
        assertEquals("1400", xs.read("/local/domain/5/device/vif/0/mtu").orElse(null));
    }

    @Test
    void aSecondOnlineChangesNothing() {
        xs.put(BE + "/ip", "192.0.2.50 192.0.2.51");
        assertEquals(0, run("online", "type_if=vif"));
        List<String> once = linkState();
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(once, linkState(), "no rule is duplicated, nothing changes");
    }

    @Test
    void ipAddressesGetAntispoofRulesAndOfflineRemovesExactlyThem() {
        Rule foreign = Rule.of("FORWARD", "-j", "LOG");
        fw.append(foreign);
        xs.put(BE + "/ip", "192.0.2.50 192.0.2.51");
        assertEquals(0, run("online", "type_if=vif"));
        List<Rule> rules = fw.rules();
        assertTrue(rules.contains(Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-in",
                "vif5.0", "-s", "192.0.2.50", "-j", "ACCEPT")), rules.toString());
        assertTrue(rules.contains(Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-in",
                "vif5.0", "-s", "192.0.2.51", "-j", "ACCEPT")));
        assertTrue(rules.contains(Rule.of("FORWARD", "-m", "physdev", "--physdev-is-bridged", "--physdev-in",
                "vif5.0", "-p", "udp", "--sport", "68", "--dport", "67", "-j", "ACCEPT")), "DHCP is allowed");
        assertEquals(5, rules.size());
        assertEquals(0, run("offline", "type_if=vif"));
        assertEquals(List.of(foreign), fw.rules());
        assertEquals(0, net.links().get("vif5.0").masterIndex());
        assertFalse(net.links().get("vif5.0").isUp());
        assertEquals(0, run("offline", "type_if=vif"), "offline again succeeds");
        net.links().delete("vif5.0");
        assertEquals(0, run("offline", "type_if=vif"), "offline of a vanished device succeeds");
    }

    @Test
    void theFirewallSwitchTurnsTheRulesOff() throws Exception {
        Files.writeString(tmp.resolve("xennet.conf"), "vif_iptables=no\n");
        env.put("XENNET_CONF", tmp.resolve("xennet.conf").toString());
        assertEquals(0, run("online", "type_if=vif"));
        assertTrue(fw.rules().isEmpty());
    }

    @Test
    void vifnameRenamesAndAClashIsFatalWithXensMessage() {
        xs.put(BE + "/vifname", "web0");
        assertEquals(0, run("online", "type_if=vif"));
        assertTrue(net.links().exists("web0"));
        assertFalse(net.links().exists("vif5.0"));
        assertEquals("connected", status());
        assertEquals(0, run("offline", "type_if=vif"), "offline finds the renamed device");
        assertFalse(net.links().get("web0").isUp());

        net.links().addVeth("vif6.0", "guest1");
        env.put("vif", "vif6.0");
        String be6 = "backend/vif/6/0";
        env.put("XENBUS_PATH", be6);
        xs.put(be6 + "/vifname", "web0").put(be6 + "/bridge", "xenbr0");
        List<String> before = linkState();
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-bridge online vif6.0: Cannot rename interface vif6.0. An interface with name web0 already "
                + "exists.", xs.read(be6 + "/hotplug-error").orElse(null));
        assertEquals("error", xs.read(be6 + "/hotplug-status").orElse(null));
        assertEquals(before, linkState(), "nothing changed");
    }

    @Test
    void aMissingBridgeIsFatal() {
        xs.put(BE + "/bridge", "xenbr7");
        List<String> before = linkState();
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-bridge online vif5.0: Could not find bridge device xenbr7", error());
        assertEquals("error", status());
        assertEquals(before, linkState());
    }

    @Test
    void withoutABridgeKeyTheFirstBridgeIsUsedAndWithNoBridgeAtAllItIsFatal() {
        xs.remove(BE + "/bridge");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(net.links().get("xenbr0").index(), net.links().get("vif5.0").masterIndex());
        net.links().setNoMaster("vif5.0");
        net.links().delete("xenbr0");
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-bridge online vif5.0: Could not find bridge, and none was specified", error());
    }

    @Test
    void aMissingXenbrMapsToTheEthBridgeOfTheFinalTopology() {
        net.links().rename("xenbr0", "eth0");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals(net.links().get("eth0").index(), net.links().get("vif5.0").masterIndex());
    }

    @Test
    void malformedKeysAreFatalBeforeAnyChange() {
        for (String[] kv : new String[][] {{"ip", "192.0.2.300"}, {"mac", "00:16:3e:zz:00:00"}, {"mtu", "big"},
            {"vifname", "a$(reboot)"}}) {
            setUp();
            xs.put(BE + "/" + kv[0], kv[1]);
            List<String> before = linkState();
            assertEquals(1, run("online", "type_if=vif"), kv[0]);
            assertTrue(error().startsWith("vif-bridge online vif5.0: " + kv[0] + "='" + kv[1] + "'"), error());
            assertEquals("error", status());
            assertEquals(before, linkState(), "nothing changed for a bad " + kv[0]);
        }
    }

    @Test
    void aFailedStepUndoesTheAttachAndReportsTheKernelsWords() {
        xs.failWritesUnder("/local/domain/5/device");
        List<String> before = linkState();
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(error().startsWith("vif-bridge online vif5.0: xenstore-write /local/domain/5/device/vif/0/mtu: "
                + "EACCES"), error());
        assertEquals("error", status());
        List<String> after = linkState();
        assertEquals(before.size(), after.size());
        assertEquals(0, net.links().get("vif5.0").masterIndex(), "detached again");
        assertFalse(net.links().get("vif5.0").isUp());
        assertTrue(fw.rules().isEmpty());
    }

    @Test
    void aMissingDeviceIsFatal() {
        env.put("vif", "vif9.0");
        assertEquals(1, run("online", "type_if=vif"));
        assertEquals("vif-bridge online vif9.0: vif9.0 does not exist (the backend interface for " + BE + ")",
                error());
    }

    @Test
    void missingVifOrXenbusPathIsAClearErrorAndChangesNothing() {
        env.remove("vif");
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(err.toString().contains("vif-bridge: vif is not set"), err.toString());
        env.put("vif", "vif5.0");
        env.remove("XENBUS_PATH");
        assertEquals(1, run("online", "type_if=vif"));
        assertTrue(err.toString().contains("vif-bridge: XENBUS_PATH is not set"), err.toString());
        assertEquals(0, net.links().get("vif5.0").masterIndex());
    }

    @Test
    void theOtherTypeIfPairingsDoNothing() {
        List<String> before = linkState();
        assertEquals(0, run("online", "type_if=tap"));
        assertEquals(0, run("add", "type_if=vif"));
        assertEquals(0, run("remove"));
        assertEquals(before, linkState());
        assertEquals("", status());
    }

    @Test
    void tapAddDerivesTheBackendPathFromTheInterface() {
        net.links().addVeth("vif5.0-emu", "qemu0");
        env.put("INTERFACE", "vif5.0-emu");
        assertEquals(0, run("add", "type_if=tap"));
        assertEquals(net.links().get("xenbr0").index(), net.links().get("vif5.0-emu").masterIndex());
        assertEquals("", status(), "hotplug-status is written for online only");
        assertEquals(0, run("remove", "type_if=tap"));
        assertEquals(0, net.links().get("vif5.0-emu").masterIndex());
    }

    @Test
    void hooksRunWithTheScriptsVariables() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("root/etc/xen/scripts/vif-post.d"));
        Path hook = dir.resolve("10-record.hook");
        Path marker = tmp.resolve("hook-ran");
        Files.writeString(hook, "#!/bin/sh\necho \"$command $dev $bridge $XENBUS_PATH\" >> " + marker + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("20-not-executable.hook"), "#!/bin/sh\nexit 1\n");
        assertEquals(0, run("online", "type_if=vif"));
        assertEquals("online vif5.0 xenbr0 " + BE + "\n", Files.readString(marker));
    }

    @Test
    void anUnreachableXenStoreIsAClearError() {
        ScriptContext ctx = ScriptContext.builder(env).network(() -> net).firewall(() -> fw).xenstore(() -> {
            throw new XennetException("cannot connect to xenstored: tried /run/xenstored/socket: No such file");
        }).out(new PrintStream(out, true, StandardCharsets.UTF_8)).err(new PrintStream(err, true, StandardCharsets.UTF_8))
                .under(tmp).hostRoot(tmp).carrierWait(Duration.ZERO).build();
        assertEquals(1, new Cli(ctx).run("vif-bridge", new String[] {"online", "type_if=vif"}));
        assertTrue(err.toString().contains("cannot connect to xenstored"), err.toString());
        assertEquals(0, net.links().get("vif5.0").masterIndex());
    }
}
