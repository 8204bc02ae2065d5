// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xennet.model.Link;
import org.xennet.scripts.ScriptContext;
import org.xennet.testing.FakeFirewall;
import org.xennet.testing.FakeXenStore;
import org.xennet.testing.FakeNetwork;

/** The multi-call front end, in-process against the fake network. */
@Tag("cli")
class CliTest {
    @TempDir
    Path tmp;

    private FakeNetwork net;
    private ByteArrayOutputStream out;
    private ByteArrayOutputStream err;
    private Map<String, String> env;
    private int networkOpened;

    @BeforeEach
    void setUp() {
        net = new FakeNetwork().nic("eth0", "00:16:3e:aa:bb:cc", 1500);
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        env = new HashMap<>();
        env.put("XENNET_CONF", tmp.resolve("none.conf").toString());
        env.put("XENNET_LOG_FILE", "none");
        env.put("XENNET_SYSLOG", "no");
        env.put("XENNET_LOG_LEVEL", "warn");
    }

    private int run(String argv0, String... args) {
        ScriptContext ctx = ScriptContext.builder(env).network(() -> {
            networkOpened++;
            return net;
        }).firewall(FakeFirewall::new).xenstore(FakeXenStore::new).out(new PrintStream(out, true, StandardCharsets.UTF_8))
                .err(new PrintStream(err, true, StandardCharsets.UTF_8)).under(tmp).hostRoot(tmp)
                .carrierWait(Duration.ZERO).build();
        return new Cli(ctx).run(argv0, args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<Link> linksBefore() {
        return net.links().list();
    }

    @Test
    void anUnknownCommandNamesTheValidOnesAndChangesNothing() {
        List<Link> before = linksBefore();
        assertEquals(1, run("xennet", "vif-bridge", "bogus"));
        assertEquals("vif-bridge: unknown command 'bogus'; valid commands are: online, offline, add, remove\n", err());
        assertEquals(before, net.links().list());
        assertEquals(0, networkOpened, "the network is not even opened for bad input");
    }

    @Test
    void theScriptIsChosenByTheInvokedName() {
        assertEquals(1, run("/etc/xen/scripts/network-bridge", "bogus"));
        assertEquals("network-bridge: unknown command 'bogus'; valid commands are: start, stop, status\n", err());
    }

    @Test
    void noCommandIsAnError() {
        assertEquals(1, run("network-route", "netdev=eth0"));
        assertTrue(err().startsWith("network-route: no command given; valid commands are: start, stop, status"));
    }

    @Test
    void aCommandSubstitutionIsNeverRun() throws Exception {
        Path marker = tmp.resolve("pwned");
        assertEquals(1, run("xennet", "network-bridge", "start", "bridge=$(touch " + marker + ")"));
        assertFalse(Files.exists(marker));
        assertTrue(err().startsWith("network-bridge: bridge='$(touch "), err());
        assertEquals(0, networkOpened);
    }

    @Test
    void aSixteenByteBridgeNameIsRefusedByName() {
        assertEquals(1, run("xennet", "network-bridge", "start", "bridge=abcdefghijklmnop"));
        assertEquals("network-bridge: bridge='abcdefghijklmnop' is 16 bytes long; Linux interface names have at most "
                + "15 bytes\n", err());
    }

    @Test
    void badValuesAreRefusedWithTheVariableNamed() {
        env.put("vif", "vif1.0");
        env.put("XENBUS_PATH", "backend/vif/1/0");
        assertEquals(1, run("vif-bridge", "online", "mac=00:16:3e:zz:00:01"));
        assertTrue(err().contains("mac='00:16:3e:zz:00:01'"), err());
        err.reset();
        assertEquals(1, run("vif-bridge", "online", "ip=10.0.0.300"));
        assertTrue(err().contains("ip='10.0.0.300'"), err());
        err.reset();
        assertEquals(1, run("vif-bridge", "online", "mtu=9"));
        assertTrue(err().contains("mtu='9' is not an MTU"), err());
        err.reset();
        assertEquals(1, run("network-bridge", "start", "antispoof=maybe"));
        assertTrue(err().contains("antispoof='maybe' must be yes or no"), err());
    }

    @Test
    void aBadValueFromTheEnvironmentIsRefusedToo() {
        env.put("vif", "vif1.0;reboot");
        assertEquals(1, run("vif-bridge", "online"));
        assertTrue(err().contains("vif='vif1.0;reboot' is not a valid interface name"), err());
    }

    @Test
    void helpListsScriptsAndScriptHelpListsVariables() {
        assertEquals(0, run("xennet", "--help"));
        for (String s : List.of("network-bridge", "network-route", "network-nat", "network-wrapper", "vif-bridge",
                "vif-route", "vif-nat")) {
            assertTrue(out().contains("  " + s + " "), s);
        }
        out.reset();
        assertEquals(0, run("xennet", "vif-bridge", "--help"));
        assertTrue(out().startsWith("Usage: vif-bridge (online|offline|add|remove) [VAR=VALUE]..."), out());
        assertTrue(out().contains("XENBUS_PATH"));
        assertTrue(out().contains("< XenStore keys under XENBUS_PATH"));
    }

    @Test
    void anUnknownToolIsAnError() {
        assertEquals(1, run("xennet", "frobnicate"));
        assertTrue(err().startsWith("xennet: unknown script or command 'frobnicate'"), err());
    }

    @Test
    void linksShowsATable() {
        net.links().addBridge("xenbr0", false, 0);
        net.links().setMaster("eth0", "xenbr0");
        net.links().setUp("xenbr0", true);
        net.addresses().add("xenbr0", org.xennet.model.IpPrefix.parse("192.0.2.10/24"));
        assertEquals(0, run("xennet", "links"));
        String[] lines = out().split("\n");
        assertTrue(lines[0].matches("NAME +STATE +MAC +MTU +KIND +MASTER +ADDRESSES"), lines[0]);
        assertTrue(out().contains("eth0    down   00:16:3e:aa:bb:cc  1500   device    xenbr0  -\n"), out());
        assertTrue(out().matches("(?s).*xenbr0 +up +\\S+ +1500 +bridge +- +192\\.0\\.2\\.10/24\n.*"), out());
    }

    @Test
    void linksRefusesAMissingNamespace() {
        assertEquals(1, run("xennet", "links", "--netns", "no-such-ns-xyz"));
        assertTrue(err().contains("no network namespace 'no-such-ns-xyz'"), err());
    }
}
