// SPDX-License-Identifier: Apache-2.0
package org.xennet.ovsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ovsdb client over a scripted server: the exact transactions each operation sends (what
 * ovs-vsctl would send, minus its optimistic-locking waits: ports are added and removed by
 * mutation, which concurrent writers cannot undo), how replies, errors, notifications and the
 * server's echo are read, and that a change ovs-vswitchd does not apply is taken back.
 */
@Tag("ops")
class OvsdbOpenVswitchScriptedTest {
    private static final String SNAPSHOT = "[\"Open_vSwitch\","
            + "{\"op\":\"select\",\"table\":\"Bridge\",\"where\":[],\"columns\":[\"_uuid\",\"name\",\"ports\","
            + "\"datapath_type\",\"external_ids\",\"other_config\"]},"
            + "{\"op\":\"select\",\"table\":\"Port\",\"where\":[],\"columns\":[\"_uuid\",\"name\",\"interfaces\",\"tag\","
            + "\"trunks\"]},"
            + "{\"op\":\"select\",\"table\":\"Interface\",\"where\":[],\"columns\":[\"_uuid\",\"name\",\"type\","
            + "\"external_ids\",\"ofport\",\"error\"]},"
            + "{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[],\"columns\":[\"_uuid\",\"cur_cfg\",\"next_cfg\"]}]";
    private static final String MONITOR = "[\"Open_vSwitch\",\"xennet-cfg\",{\"Open_vSwitch\":{\"columns\":[\"cur_cfg\"]}}]";
    private static final String MONITOR_REPLY = "{\"Open_vSwitch\":{\"r0\":{\"new\":{\"cur_cfg\":3}}}}";
    private static final String ROOT = "{\"rows\":[{\"_uuid\":[\"uuid\",\"r0\"],\"cur_cfg\":3,\"next_cfg\":3}]}";
    private static final String BR0_ONLY = "[{\"rows\":[{\"_uuid\":[\"uuid\",\"b0\"],\"name\":\"br0\","
            + "\"ports\":[\"uuid\",\"p0\"],\"datapath_type\":\"netdev\",\"external_ids\":[\"map\",[]],"
            + "\"other_config\":[\"map\",[]]}]},"
            + "{\"rows\":[{\"_uuid\":[\"uuid\",\"p0\"],\"name\":\"br0\",\"interfaces\":[\"uuid\",\"i0\"],"
            + "\"tag\":[\"set\",[]],\"trunks\":[\"set\",[]]}]},"
            + "{\"rows\":[{\"_uuid\":[\"uuid\",\"i0\"],\"name\":\"br0\",\"type\":\"internal\",\"external_ids\":[\"map\",[]],"
            + "\"ofport\":65534,\"error\":[\"set\",[]]}]}," + ROOT + "]";
    private static final String WITH_VIF = "[{\"rows\":[{\"_uuid\":[\"uuid\",\"b0\"],\"name\":\"br0\","
            + "\"ports\":[\"set\",[[\"uuid\",\"p0\"],[\"uuid\",\"p1\"]]],\"datapath_type\":\"netdev\","
            + "\"external_ids\":[\"map\",[]],\"other_config\":[\"map\",[]]}]},"
            + "{\"rows\":[{\"_uuid\":[\"uuid\",\"p0\"],\"name\":\"br0\",\"interfaces\":[\"uuid\",\"i0\"],"
            + "\"tag\":[\"set\",[]],\"trunks\":[\"set\",[]]},"
            + "{\"_uuid\":[\"uuid\",\"p1\"],\"name\":\"vif5.0\",\"interfaces\":[\"uuid\",\"i1\"],"
            + "\"tag\":[\"set\",[]],\"trunks\":[\"set\",[10,20]]}]},"
            + "{\"rows\":[{\"_uuid\":[\"uuid\",\"i0\"],\"name\":\"br0\",\"type\":\"internal\",\"external_ids\":[\"map\",[]],"
            + "\"ofport\":65534,\"error\":[\"set\",[]]},"
            + "{\"_uuid\":[\"uuid\",\"i1\"],\"name\":\"vif5.0\",\"type\":\"\","
            + "\"external_ids\":[\"map\",[[\"attached-mac\",\"00:16:3e:00:05:00\"],[\"xen-vm-name\",\"web 1\"]]],"
            + "\"ofport\":2,\"error\":[\"set\",[]]}]}," + ROOT + "]";
    private static final String NEXT_CFG = "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[[\"_uuid\",\"==\","
            + "[\"uuid\",\"r0\"]]],\"mutations\":[[\"next_cfg\",\"+=\",1]]},"
            + "{\"op\":\"select\",\"table\":\"Open_vSwitch\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"r0\"]]],"
            + "\"columns\":[\"next_cfg\"]}";
    private static final String ADD_VIF = "[\"Open_vSwitch\","
            + "{\"op\":\"wait\",\"table\":\"Bridge\",\"where\":[[\"name\",\"==\",\"br0\"]],\"columns\":[\"name\"],"
            + "\"until\":\"==\",\"rows\":[{\"name\":\"br0\"}],\"timeout\":0},"
            + "{\"op\":\"insert\",\"table\":\"Interface\",\"row\":{\"name\":\"vif5.0\",\"external_ids\":[\"map\","
            + "[[\"attached-mac\",\"00:16:3e:00:05:00\"]]]},\"uuid-name\":\"xniface\"},"
            + "{\"op\":\"insert\",\"table\":\"Port\",\"row\":{\"name\":\"vif5.0\",\"interfaces\":[\"named-uuid\",\"xniface\"],"
            + "\"tag\":10},\"uuid-name\":\"xnport\"},"
            + "{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"b0\"]]],"
            + "\"mutations\":[[\"ports\",\"insert\",[\"named-uuid\",\"xnport\"]]]},"
            + NEXT_CFG + "]";
    private static final String ADD_VIF_REPLY = "[{},{\"uuid\":[\"uuid\",\"i1\"]},{\"uuid\":[\"uuid\",\"p1\"]},{\"count\":1},"
            + "{\"count\":1},{\"rows\":[{\"next_cfg\":4}]}]";
    private static final String CUR_CFG_4 = "{\"method\":\"update\",\"params\":[\"xennet-cfg\",{\"Open_vSwitch\":"
            + "{\"r0\":{\"old\":{\"cur_cfg\":3},\"new\":{\"cur_cfg\":4}}}}],\"id\":null}";
    private static final String CHECK_VIF = "[\"Open_vSwitch\",{\"op\":\"select\",\"table\":\"Interface\","
            + "\"where\":[[\"name\",\"==\",\"vif5.0\"]],\"columns\":[\"error\",\"ofport\"]}]";
    private static final PortConfig VIF = new PortConfig("vif5.0", 10, List.of(), "",
            Map.of("attached-mac", "00:16:3e:00:05:00"));

    private final ScriptedOvsdb server = new ScriptedOvsdb();
    private OvsdbOpenVswitch ovs;

    /** One client per test (its reader thread is the only one on the scripted stream). */
    private OvsdbOpenVswitch client(Duration timeout, Duration applyWait) {
        ovs = new OvsdbOpenVswitch(new OvsdbConnection("scripted", server, timeout), applyWait);
        return ovs;
    }

    private OvsdbOpenVswitch ovs() {
        return ovs != null ? ovs : client(Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() {
        if (ovs != null) {
            ovs.close();
        }
    }

    @Test
    void findPortReadsTheTablesInOneTransaction() {
        server.expect("transact", SNAPSHOT, WITH_VIF);
        Optional<OvsPort> p = ovs().findPort("vif5.0");
        server.assertDone();
        assertEquals(new OvsPort("vif5.0", "br0", null, List.of(10, 20), "",
                Map.of("attached-mac", "00:16:3e:00:05:00", "xen-vm-name", "web 1"), 2, null), p.orElseThrow());
    }

    @Test
    void bridgesListsPortsByName() {
        server.expect("transact", SNAPSHOT, WITH_VIF);
        assertEquals(List.of(new OvsBridge("br0", "netdev", List.of("br0", "vif5.0"), Map.of(), Map.of())),
                ovs().bridges());
    }

    @Test
    void replacePortIsOneTransactionAndWaitsForVswitchd() {
        server.expect("monitor", MONITOR, MONITOR_REPLY)
                .expect("transact", SNAPSHOT, BR0_ONLY)
                .expect("transact", ADD_VIF, ADD_VIF_REPLY, CUR_CFG_4)
                .expect("transact", CHECK_VIF, "[{\"rows\":[{\"error\":[\"set\",[]],\"ofport\":2}]}]");
        ovs().replacePort("br0", VIF);
        server.assertDone();
    }

    @Test
    void replacingAnExistingPortTakesItOffItsBridgeInTheSameTransaction() {
        String replace = ADD_VIF.replace("[\"Open_vSwitch\",", "[\"Open_vSwitch\",{\"op\":\"mutate\",\"table\":\"Bridge\","
                + "\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"b0\"]]],\"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"p1\"]]]},");
        server.expect("monitor", MONITOR, MONITOR_REPLY)
                .expect("transact", SNAPSHOT, WITH_VIF)
                .expect("transact", replace, ADD_VIF_REPLY.replace("[{},", "[{\"count\":1},{},"), CUR_CFG_4)
                .expect("transact", CHECK_VIF, "[{\"rows\":[{\"error\":[\"set\",[]],\"ofport\":3}]}]");
        ovs().replacePort("br0", VIF);
        server.assertDone();
    }

    @Test
    void anInterfaceErrorFailsTheChangeAndTakesItBack() {
        String takeBack = "[\"Open_vSwitch\",{\"op\":\"mutate\",\"table\":\"Bridge\",\"where\":[[\"_uuid\",\"==\","
                + "[\"uuid\",\"b0\"]]],\"mutations\":[[\"ports\",\"delete\",[\"uuid\",\"p1\"]]]}," + NEXT_CFG + "]";
        String withNewVif = WITH_VIF.replace("\"trunks\":[\"set\",[10,20]]", "\"trunks\":[\"set\",[]]");
        server.expect("monitor", MONITOR, MONITOR_REPLY)
                .expect("transact", SNAPSHOT, BR0_ONLY)
                .expect("transact", ADD_VIF, ADD_VIF_REPLY, CUR_CFG_4)
                .expect("transact", CHECK_VIF, "[{\"rows\":[{\"error\":\"could not open network device vif5.0 (No such "
                        + "device)\",\"ofport\":-1}]}]")
                .expect("transact", SNAPSHOT, withNewVif)
                .expect("transact", takeBack, "[{\"count\":1},{\"count\":1},{\"rows\":[{\"next_cfg\":5}]}]");
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().replacePort("br0", VIF));
        server.assertDone();
        assertEquals("ovs-vsctl -- --if-exists del-port vif5.0 -- add-port br0 vif5.0 tag=10 -- set interface vif5.0 "
                + "external-ids:attached-mac=\"00:16:3e:00:05:00\": ovs-vswitchd: could not open network device vif5.0 "
                + "(No such device)", e.getMessage());
    }

    @Test
    void aVswitchdThatDoesNotCatchUpIsAnErrorNamingIt() {
        client(Duration.ofSeconds(5), Duration.ofMillis(200));
        server.expect("monitor", MONITOR, MONITOR_REPLY)
                .expect("transact", SNAPSHOT, BR0_ONLY)
                .expect("transact", ADD_VIF, ADD_VIF_REPLY) // cur_cfg never reaches 4
                .expect("transact", SNAPSHOT, WITH_VIF)
                .expect("transact", null, "[{\"count\":1},{\"count\":1},{\"rows\":[{\"next_cfg\":5}]}]");
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().replacePort("br0", VIF));
        assertEquals("not applied", e.error());
        assertTrue(e.getMessage().endsWith("ovs-vswitchd did not apply the change within 200 ms (is ovs-vswitchd "
                + "running? Debian: systemctl status openvswitch-switch)"), e.getMessage());
        server.assertDone();
    }

    @Test
    void aRefusedTransactionCarriesTheServersWords() {
        server.expect("monitor", MONITOR, MONITOR_REPLY)
                .expect("transact", SNAPSHOT, BR0_ONLY)
                .expect("transact", ADD_VIF, "[{},{\"uuid\":[\"uuid\",\"i1\"]},{\"uuid\":[\"uuid\",\"p1\"]},{\"count\":1},"
                        + "{\"count\":1},{\"rows\":[{\"next_cfg\":4}]},{\"error\":\"constraint violation\",\"details\":"
                        + "\"Transaction causes multiple rows in \\\"Port\\\" table to have identical values\"}]");
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().replacePort("br0", VIF));
        assertEquals("constraint violation", e.error());
        assertTrue(e.getMessage().endsWith(": ovsdb-server: constraint violation: Transaction causes multiple rows in "
                + "\"Port\" table to have identical values"), e.getMessage());
    }

    @Test
    void aMissingBridgeIsRefusedBeforeAnyChange() {
        server.expect("monitor", MONITOR, MONITOR_REPLY).expect("transact", SNAPSHOT, BR0_ONLY);
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().replacePort("br9", VIF));
        assertTrue(e.getMessage().endsWith(": no Open vSwitch bridge named br9"), e.getMessage());
        server.assertDone();
    }

    @Test
    void deletingAPortThatIsNotThereSendsNoChange() {
        server.expect("monitor", MONITOR, MONITOR_REPLY).expect("transact", SNAPSHOT, BR0_ONLY);
        ovs().deletePort("vif5.0");
        server.assertDone();
    }

    @Test
    void anEmptyDatabaseSaysItWasNeverInitialised() {
        server.expect("monitor", MONITOR, "{}").expect("transact", SNAPSHOT,
                BR0_ONLY.replace(ROOT, "{\"rows\":[]}"));
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().replacePort("br0", VIF));
        assertTrue(e.getMessage().contains("never initialised"), e.getMessage());
    }

    @Test
    void theServersEchoIsAnsweredWhileWaiting() throws InterruptedException {
        server.push("{\"method\":\"echo\",\"params\":[],\"id\":\"echo\"}");
        server.expect("transact", SNAPSHOT, WITH_VIF);
        assertTrue(ovs().findPort("vif5.0").isPresent());
        for (int i = 0; i < 100 && server.received().isEmpty(); i++) {
            Thread.sleep(10);
        }
        assertEquals(List.of(Map.of("id", "echo", "result", List.of(), "error", OvsdbJson.NULL)), server.received());
    }

    @Test
    void aSilentServerCostsTheTimeoutAndSaysSo() {
        client(Duration.ofMillis(150), Duration.ofSeconds(5));
        server.expectSilence("transact");
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().findPort("vif5.0"));
        assertEquals("timeout", e.error());
        assertEquals("ovs-vsctl list port vif5.0: ovsdb-server at scripted did not answer within 150 ms", e.getMessage());
    }

    @Test
    void aClosedConnectionFailsAtOnceAndStaysFailed() {
        server.hangUp();
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().findPort("vif5.0"));
        assertEquals("io", e.error());
        assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
        assertThrows(OvsdbException.class, () -> ovs().bridges());
    }

    @Test
    void garbageFromTheServerIsAnErrorNotAHang() {
        server.push("{\"id\":1,\"result\":[x]}");
        OvsdbException e = assertThrows(OvsdbException.class, () -> ovs().findPort("vif5.0"));
        assertTrue(e.getMessage().contains("not JSON-RPC"), e.getMessage());
    }

    @Test
    void appliedComparesCurAndNextCfg() {
        server.expect("transact", SNAPSHOT, BR0_ONLY.replace("\"next_cfg\":3", "\"next_cfg\":4"));
        assertFalse(ovs().applied());
        server.expect("transact", SNAPSHOT, BR0_ONLY);
        assertTrue(ovs().applied());
    }

    @Test
    void theSocketComesFromOvsRundirOrXennetConf() {
        assertEquals("/var/run/openvswitch/db.sock", OvsdbOpenVswitch.socketPath(Map.of(), Optional.empty()));
        assertEquals("/tmp/x/db.sock", OvsdbOpenVswitch.socketPath(Map.of("OVS_RUNDIR", "/tmp/x"), Optional.empty()));
        assertEquals("/srv/db.sock", OvsdbOpenVswitch.socketPath(Map.of("OVS_RUNDIR", "/tmp/x"),
                Optional.of("unix:/srv/db.sock")));
        assertThrows(OvsdbException.class, () -> OvsdbOpenVswitch.socketPath(Map.of(), Optional.of("tcp:1.2.3.4:6640")));
    }
}
