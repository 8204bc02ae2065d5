// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xennet.error.UsageException;

/** Xen's findCommand/evalVariables contract, without eval. */
@Tag("cli")
class ScriptArgsTest {

    @Test
    void theCommandIsTheFirstWordWithoutAnEqualsSignInAnyPosition() {
        ScriptArgs a = ScriptArgs.parse("network-bridge", List.of("netdev=eth1", "start", "stop", "bridge=xenbr1"));
        assertEquals("start", a.command());
        assertEquals(Map.of("netdev", "eth1", "bridge", "xenbr1"), a.assignments());
        assertEquals(List.of("stop"), a.ignored());
    }

    @Test
    void assignmentsAreLiteralAndTheLastOneWins() {
        ScriptArgs a = ScriptArgs.parse("vif-bridge", List.of("online", "bridge=$(touch /tmp/x)", "ip=a b",
                "bridge=xenbr0", "mac="));
        assertEquals("xenbr0", a.assignments().get("bridge"));
        assertEquals("a b", a.assignments().get("ip"));
        assertEquals("", a.assignments().get("mac"));
    }

    @Test
    void valuesMayContainEqualsSigns() {
        assertEquals("a=b", ScriptArgs.parse("x", List.of("v=a=b")).assignments().get("v"));
    }

    @Test
    void anArgumentStartingWithEqualsIsIgnoredAsTheShellDid() {
        ScriptArgs a = ScriptArgs.parse("x", List.of("=foo", "start"));
        assertEquals("start", a.command());
        assertEquals(List.of("=foo"), a.ignored());
    }

    @Test
    void noCommandIsNull() {
        assertNull(ScriptArgs.parse("x", List.of("a=1")).command());
    }

    @Test
    void anInvalidNameIsRefusedWithTheValueShown() {
        UsageException e = assertThrows(UsageException.class,
                () -> ScriptArgs.parse("network-bridge", List.of("start", "foo-bar=1")));
        assertEquals("network-bridge: malformed assignment 'foo-bar=1': 'foo-bar' is not a variable name "
                + "(letters, digits and '_', not starting with a digit)", e.getMessage());
        assertThrows(UsageException.class, () -> ScriptArgs.parse("x", List.of("1x=1")));
        assertThrows(UsageException.class, () -> ScriptArgs.parse("x", List.of("$(id)=1")));
    }

    @Test
    void controlCharactersAreShownEscaped() {
        UsageException e = assertThrows(UsageException.class, () -> ScriptArgs.parse("x", List.of("a\nb=1")));
        assertTrue(e.getMessage().contains("a\\x0ab=1"), e.getMessage());
    }

    @Test
    void ownOptionsAreRecognisedAnywhereAndUnknownOnesRefused() {
        ScriptArgs a = ScriptArgs.parse("x", List.of("start", "--dry-run"));
        assertTrue(a.dryRun());
        assertTrue(ScriptArgs.parse("x", List.of("--help")).help());
        assertThrows(UsageException.class, () -> ScriptArgs.parse("x", List.of("--force")));
    }

    @Test
    void precedenceIsEnvironmentThenArgumentsThenOverlayAndEmptyMeansUnset() {
        Params p = new Params("vif-bridge", Map.of("bridge", "env0", "mac", "00:16:3e:00:00:01", "ip", "1.2.3.4"),
                Map.of("bridge", "arg0", "ip", ""));
        assertEquals("arg0", p.get("bridge").orElseThrow());
        assertTrue(p.get("ip").isEmpty(), "an empty argument counts as unset");
        p.overlay(Map.of("bridge", "xs0", "mac", ""));
        assertEquals("xs0", p.get("bridge").orElseThrow());
        assertEquals("00:16:3e:00:00:01", p.get("mac").orElseThrow(), "an empty XenStore value does not override");
    }
}
