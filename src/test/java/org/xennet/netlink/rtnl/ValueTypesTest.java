// SPDX-License-Identifier: Apache-2.0
package org.xennet.netlink.rtnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.Permission;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xennet.error.UsageException;
import org.xennet.model.IpAddress;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;

/**
 * The value types the codec turns bytes into: MacAddress, IpAddress, IpPrefix. Parsing is strict
 * (the text comes from argv, the environment or XenStore) and never resolves a name. They live
 * here, beside the codec, because that is where they meet the wire.
 */
@Tag("codec")
class ValueTypesTest {

    // ---- MacAddress ----------------------------------------------------------------------

    @Test
    void macParsesAndPrintsLowerCaseWithColons() {
        MacAddress m = MacAddress.parse("00:16:3E:0A:0B:0C");
        assertArrayEquals(new byte[] {0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c}, m.bytes());
        assertEquals("00:16:3e:0a:0b:0c", m.toString());
        assertEquals(m, MacAddress.parse("00-16-3e-0a-0b-0c"));
        assertEquals(m, MacAddress.of(m.bytes()));
        assertFalse(m.isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertTrue(MacAddress.parse("00:00:00:00:00:00").isZero());
        assertEquals("fe:ff:ff:ff:ff:ff", MacAddress.XEN_BACKEND.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00:16:3e:0a:0b", "00:16:3e:0a:0b:0c:0d", "00:16:3e:0a:0b:0g", "00:16:3e:0a:0b:100",
        "00:16:3e:0a::0c", "0016.3e0a.0b0c", "00163e0a0b0c", "00:16:3e:0a:0b:+c", " 00:16:3e:0a:0b:0c"})
    void macRefusesAnythingElseNamingTheValue(String s) {
        UsageException e = assertThrows(UsageException.class, () -> MacAddress.parse(s));
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }

    @Test
    void macFromBytesNeedsSix() {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }

    // ---- IpAddress -----------------------------------------------------------------------

    @Test
    void ipv4ParsesToFourBytes() {
        IpAddress a = IpAddress.parse("192.0.2.255");
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, (byte) 255}, a.bytes());
        assertEquals(IpAddress.AF_INET, a.family());
        assertEquals("192.0.2.255", a.toString());
        assertEquals(a, IpAddress.of(a.bytes()));
        assertTrue(IpAddress.parse("0.0.0.0").isAny());
        assertTrue(IpAddress.parse("169.254.1.1").isLinkLocal());
    }

    @Test
    void ipv6ParsesToSixteenBytes() {
        IpAddress a = IpAddress.parse("2001:db8::1");
        assertArrayEquals(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, a.bytes());
        assertEquals(IpAddress.AF_INET6, a.family());
        assertTrue(IpAddress.parse("fe80::1").isLinkLocal());
        assertTrue(IpAddress.parse("::").isAny());
    }

    @Test
    void ipv4MappedIpv6StaysIpv6() {
        // Java's own parser turns ::ffff:a.b.c.d into an Inet4Address.
        IpAddress a = IpAddress.parse("::ffff:192.0.2.1");
        assertEquals(IpAddress.AF_INET6, a.family());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1},
                a.bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "256.1.1.1", "::g", "host.example", "localhost", "", "1.2.3.4.5", "1..2.3",
        "-1.2.3.4", "+1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24", "0x1.2.3.4", "1234.1.1.1", "1:2:3:4:5:6:7:8:9",
        "1:2", ":::", "2001:db8::1::2", "12345::", "fe80::1%eth0", "[::1]", "::ffff:1.2.3", "::ffff:1.2.3.256",
        "xenbr0", "example.com", "a:b:c:d:e:f:a:b:c"})
    void ipRefusesAnythingElseNamingTheValue(String s) {
        UsageException e = assertThrows(UsageException.class, () -> IpAddress.parse(s));
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"010.0.0.1", "1.2.3.04", "192.168.001.1"})
    void ipv4WithLeadingZerosIsAmbiguousAndRefused(String s) {
        assertThrows(UsageException.class, () -> IpAddress.parse(s));
    }

    /** Fails the moment anything asks the resolver for a name (InetAddress checks connect(host, -1) first). */
    @SuppressWarnings("removal")
    private static final class NoLookups extends SecurityManager {
        @Override
        public void checkConnect(String host, int port) {
            if (port == -1) {
                throw new AssertionError("name lookup of '" + host + "'");
            }
        }

        @Override
        public void checkPermission(Permission perm) {
        }

        @Override
        public void checkPermission(Permission perm, Object context) {
        }
    }

    @SuppressWarnings("removal")
    @Test
    void refusesNamesWithoutLookingThemUp() {
        Assumptions.assumeTrue(Runtime.version().feature() < 18,
                "the lookup probe needs a SecurityManager, refused from Java 18 on by default");
        SecurityManager before = System.getSecurityManager();
        System.setSecurityManager(new NoLookups());
        try {
            // The probe itself works: a real lookup trips it.
            assertThrows(AssertionError.class, () -> java.net.InetAddress.getByName("host.example"));
            for (String s : new String[] {"host.example", "localhost", "::g", "abc:def", "ab::cd::ef", "1.2.3",
                "dead:beef", "a.b", "1:2:3:4:5:6:7:8:9"}) {
                assertThrows(UsageException.class, () -> IpAddress.parse(s), s);
            }
        } finally {
            System.setSecurityManager(before);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "2001:DB8:0:0:0:0:0:1,    2001:db8::1",        // lower case, longest zero run compressed
        "2001:0db8::0001,         2001:db8::1",        // leading zeros dropped
        "2001:db8:0:1:1:1:1:1,    2001:db8:0:1:1:1:1:1", // one zero group is not compressed
        "2001:db8:0:0:1:0:0:1,    2001:db8::1:0:0:1",  // equal runs: the first
        "2001:db8:0:0:1:0:0:0,    2001:db8:0:0:1::",   // the longest run, even after a shorter one
        "0:0:0:0:0:0:0:0,         ::",
        "0:0:0:0:0:0:0:1,         ::1",
        "1:0:0:0:0:0:0:0,         1::",
        "fe80:0:0:0:0:0:0:1,      fe80::1",
        "1:0:2:0:3:0:4:0,         1:0:2:0:3:0:4:0",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    })
    void ipv6TextIsRfc5952(String in, String out) {
        assertEquals(out, IpAddress.parse(in).toString());
        assertEquals(IpAddress.parse(in), IpAddress.parse(out));
    }

    @Test
    void ipv4MappedPrintsMixed() {
        assertEquals("::ffff:192.0.2.1", IpAddress.parse("::ffff:192.0.2.1").toString());
    }

    @Test
    void fromBytesNeedsFourOrSixteen() {
        assertThrows(IllegalArgumentException.class, () -> IpAddress.of(new byte[5]));
    }

    @Test
    void ordersByFamilyThenUnsigned() {
        assertTrue(IpAddress.parse("10.0.0.1").compareTo(IpAddress.parse("192.0.2.1")) < 0);
        assertTrue(IpAddress.parse("255.0.0.0").compareTo(IpAddress.parse("::")) < 0);
        assertEquals(IpAddress.parse("192.0.2.0"), IpAddress.parse("192.0.2.200").mask(24));
        assertEquals(IpAddress.parse("2001:db8::"), IpAddress.parse("2001:db8::ff").mask(63));
    }

    // ---- IpPrefix ------------------------------------------------------------------------

    @Test
    void prefixKeepsHostBitsAndKnowsItsNetwork() {
        IpPrefix p = IpPrefix.parse("192.0.2.10/24");
        assertEquals(IpAddress.parse("192.0.2.10"), p.address());
        assertEquals(24, p.length());
        assertEquals("192.0.2.10/24", p.toString());
        assertEquals(IpPrefix.parse("192.0.2.0/24"), p.network());
        assertTrue(p.contains(IpAddress.parse("192.0.2.200")));
        assertFalse(p.contains(IpAddress.parse("192.0.3.1")));
        assertFalse(p.contains(IpAddress.parse("::1")));
    }

    @Test
    void bareAddressIsAHostPrefix() {
        assertEquals(32, IpPrefix.parse("192.0.2.1").length());
        assertEquals(128, IpPrefix.parse("2001:db8::1").length());
        assertEquals("2001:db8::/32", IpPrefix.parse("2001:0DB8::/32").toString());
    }

    @Test
    void defaultPrefixes() {
        assertEquals(IpPrefix.parse("0.0.0.0/0"), IpPrefix.anyOf(IpAddress.AF_INET));
        assertEquals(IpPrefix.parse("::/0"), IpPrefix.anyOf(IpAddress.AF_INET6));
        assertTrue(IpPrefix.anyOf(IpAddress.AF_INET6).isDefault());
        assertFalse(IpPrefix.parse("0.0.0.0/1").isDefault());
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.0/33", "192.0.2.0/", "192.0.2.0/-1", "192.0.2.0/a", "192.0.2.0/ 24",
        "192.0.2.0/24/1", "2001:db8::/129", "/24", "192.0.2/24", "host.example/24", "192.0.2.0/1000"})
    void prefixRefusesBadInput(String s) {
        UsageException e = assertThrows(UsageException.class, () -> IpPrefix.parse(s));
        // Named whole, or the address part when that is what is wrong.
        String address = s.substring(0, s.indexOf('/'));
        assertTrue(e.getMessage().contains("'" + s + "'") || e.getMessage().contains("'" + address + "'"),
                e.getMessage());
    }

    @Test
    void prefixLengthOutOfRangeIsRefusedByTheConstructorToo() {
        assertThrows(UsageException.class, () -> new IpPrefix(IpAddress.parse("192.0.2.0"), 33));
        assertThrows(UsageException.class, () -> new IpPrefix(IpAddress.parse("192.0.2.0"), -1));
    }
}
