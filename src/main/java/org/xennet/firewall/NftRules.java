// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.xennet.model.IpPrefix;
import org.xennet.model.MacAddress;

/**
 * The nftables commands of xennet's guards, as text in nft's syntax: pure, so that the dry run,
 * the fake and the kernel all see the same words. xennet's rules live in tables of their own,
 * {@code bridge xennet} (bridge ports, layer 2: sees bridged frames whatever
 * {@code bridge-nf-call-iptables} says) and {@code inet xennet} (routed ports), and nothing else is
 * ever touched. Each table has one base chain on the prerouting hook whose one rule jumps, through
 * the verdict map {@code vifs}, to the chain of the vif a frame came in on; frames from any other
 * port (the uplink, dom0's) are not looked at.
 *
 * <p>Each vif's set is installed by one transaction that also (re)states the table, the map and
 * the base chain, and flushes the vif's chain before filling it: applied twice it leaves the same
 * table. The chain's last rule carries a fingerprint of the rules above it in its comment, so that
 * a later call (and doctor) can tell whether what is installed is what XenStore asks for.
 */
public final class NftRules {
    public static final String TABLE = "xennet";
    /** The base chain of each table; also the base chain's hook. */
    public static final String BASE = "prerouting";
    /** The verdict map from a vif's name to the jump to its chain. */
    public static final String VIFS = "vifs";
    /** network-bridge antispoof: its base chain, and the map from a bridge's name to the jump to its chain. */
    public static final String ANTISPOOF = "antispoof";
    public static final String BRIDGES = "bridges";
    /** Ahead of conntrack and its defragmentation: a forged frame is dropped before anything keeps state for it. */
    static final int PRIORITY = -300;
    /** The prefix of a guard's fingerprint comment. */
    public static final String MARK = "xennet ";

    private static final Pattern XEN_NAME = Pattern.compile("vif[0-9]+\\.[0-9]+(-emu)?");

    private NftRules() {
    }

    /**
     * The chain of a vif: its own name for Xen's {@code vifD.N} and {@code vifD.N-emu}, else
     * {@code vif-} and the name with {@code _} doubled and {@code +} as {@code _p} (nft's names
     * take neither a leading digit nor {@code +}, and some words are nft's own keywords).
     */
    public static String chain(String dev) {
        return XEN_NAME.matcher(dev).matches() ? dev : "vif-" + escape(dev);
    }

    /** The chain of network-bridge antispoof for a bridge. */
    public static String antispoofChain(String bridge) {
        return "antispoof-" + escape(bridge);
    }

    private static String escape(String name) {
        return name.replace("_", "__").replace("+", "_p");
    }

    /** An interface name as an nft string (names are checked: letters, digits, {@code _ . - +}). */
    static String quoted(String ifname) {
        return "\"" + ifname + "\"";
    }

    /** The rules of a vif's chain, in order, the fingerprint rule last. */
    public static List<String> rules(Guard g) {
        boolean bridged = g.layer() == Guard.Layer.BRIDGED;
        List<String> r = new ArrayList<>();
        if (g.mac() != null) {
            r.add("ether saddr != " + mac(g.mac()) + " drop");
            if (bridged) {
                r.add("arp saddr ether != " + mac(g.mac()) + " drop");
            }
        }
        if (g.restricted() && bridged) {
            // a tagged frame's addresses are out of these rules' sight
            r.add("ether type { 8021q, 8021ad } drop");
            List<String> arp = new ArrayList<>(List.of("0.0.0.0")); // an ARP probe claims nothing
            g.ipv4().forEach(p -> arp.add(element(p)));
            r.add("arp saddr ip != " + set(arp) + " drop");
        }
        r.add("icmpv6 type nd-router-advert drop");
        r.add("udp sport 67 udp dport 68 drop");
        r.add("udp sport 547 udp dport 546 drop");
        if (g.restricted()) {
            r.add("ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept");
            List<IpPrefix> v4 = g.ipv4();
            if (v4.isEmpty()) {
                r.add((bridged ? "ether type ip" : "meta nfproto ipv4") + " drop");
            } else {
                r.add("ip saddr != " + set(v4.stream().map(NftRules::element).collect(Collectors.toList())) + " drop");
            }
            // duplicate address detection and the first solicitations and reports come from ::
            r.add("ip6 saddr :: icmpv6 type { nd-neighbor-solicit, nd-router-solicit, mld2-listener-report } accept");
            r.add("ip6 saddr != " + set(g.ipv6().stream().map(NftRules::element).collect(Collectors.toList())) + " drop");
        }
        r.add("accept comment \"" + MARK + fingerprint(r) + "\"");
        return r;
    }

    /** The fingerprint of a guard: what its chain's last rule says in its comment. */
    public static String fingerprint(Guard g) {
        List<String> r = rules(g);
        String last = r.get(r.size() - 1);
        return last.substring(last.indexOf(MARK) + MARK.length(), last.length() - 1);
    }

    /**
     * 48 bits of FNV-1a over the rules' text, as 12 hex digits: it tells one guard from another,
     * it guards against nothing (whoever can change the table can change the comment too), so it
     * need not be a cryptographic hash, whose providers would cost every hotplug call their start-up.
     */
    static String fingerprint(List<String> rules) {
        long h = 0xcbf29ce484222325L;
        for (byte b : String.join("\n", rules).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return HexFormat.of().toHexDigits(h).substring(4);
    }

    /** A MAC as nft prints it (without String.format, whose start-up a hotplug call would pay). */
    static String mac(MacAddress m) {
        return HexFormat.ofDelimiter(":").formatHex(m.bytes());
    }

    private static String element(IpPrefix p) {
        return p.length() == p.address().bits() ? p.address().toString() : p.network().toString();
    }

    private static String set(List<String> elements) {
        return "{ " + String.join(", ", elements) + " }";
    }

    /** The table, the map and the base chain, stated again (a repeat changes nothing). */
    static List<String> skeleton(String family) {
        String t = family + " " + TABLE;
        return List.of("add table " + t,
                "add map " + t + " " + VIFS + " { type ifname : verdict; }",
                "add chain " + t + " " + BASE + " { type filter hook prerouting priority " + PRIORITY + "; policy accept; }",
                "flush chain " + t + " " + BASE,
                "add rule " + t + " " + BASE + " iifname vmap @" + VIFS);
    }

    /** One transaction: the vif's chain filled with its guard and entered in the map. */
    public static String install(Guard g) {
        String family = g.layer().family();
        String t = family + " " + TABLE;
        String c = chain(g.dev());
        List<String> lines = new ArrayList<>(skeleton(family));
        lines.add("add chain " + t + " " + c);
        lines.add("flush chain " + t + " " + c);
        for (String rule : rules(g)) {
            lines.add("add rule " + t + " " + c + " " + rule);
        }
        lines.add("add element " + t + " " + VIFS + " { " + quoted(g.dev()) + " : jump " + c + " }");
        return String.join("\n", lines) + "\n";
    }

    /**
     * One transaction: the vif out of the map and its chain deleted; {@code inMap} and
     * {@code hasChain} say which of the two are there (nft refuses to delete what is not).
     */
    public static String remove(String family, String dev, boolean inMap, boolean hasChain) {
        String t = family + " " + TABLE;
        StringBuilder b = new StringBuilder();
        if (inMap) {
            b.append("delete element ").append(t).append(' ').append(VIFS).append(" { ").append(quoted(dev)).append(" }\n");
        }
        if (hasChain) {
            b.append("delete chain ").append(t).append(' ').append(chain(dev)).append('\n');
        }
        return b.toString();
    }

    /**
     * network-bridge antispoof: frames that come in on a port of {@code bridge} other than the
     * trusted ones (the uplink, netloop's vif0.N) pass only through a vif's guard; from any other
     * port they are dropped. One transaction.
     */
    public static String antispoof(String bridge, List<String> trusted) {
        String t = "bridge " + TABLE;
        String c = antispoofChain(bridge);
        List<String> lines = new ArrayList<>();
        lines.add("add table " + t);
        lines.add("add map " + t + " " + VIFS + " { type ifname : verdict; }");
        lines.add("add map " + t + " " + BRIDGES + " { type ifname : verdict; }");
        lines.add("add chain " + t + " " + ANTISPOOF + " { type filter hook prerouting priority " + (PRIORITY + 1)
                + "; policy accept; }");
        lines.add("flush chain " + t + " " + ANTISPOOF);
        lines.add("add rule " + t + " " + ANTISPOOF + " ibrname vmap @" + BRIDGES);
        lines.add("add chain " + t + " " + c);
        lines.add("flush chain " + t + " " + c);
        lines.add("add rule " + t + " " + c + " iifname " + set(trusted.stream().map(NftRules::quoted)
                .collect(Collectors.toList())) + " accept");
        lines.add("add rule " + t + " " + c + " iifname vmap @" + VIFS);
        lines.add("add rule " + t + " " + c + " drop");
        lines.add("add element " + t + " " + BRIDGES + " { " + quoted(bridge) + " : jump " + c + " }");
        return String.join("\n", lines) + "\n";
    }

    /** One transaction: a bridge's antispoof chain out of the map and deleted. */
    public static String removeAntispoof(String bridge, boolean inMap, boolean hasChain) {
        String t = "bridge " + TABLE;
        StringBuilder b = new StringBuilder();
        if (inMap) {
            b.append("delete element ").append(t).append(' ').append(BRIDGES).append(" { ").append(quoted(bridge))
                    .append(" }\n");
        }
        if (hasChain) {
            b.append("delete chain ").append(t).append(' ').append(antispoofChain(bridge)).append('\n');
        }
        return b.toString();
    }
}
