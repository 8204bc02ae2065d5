// SPDX-License-Identifier: Apache-2.0
package org.xennet.firewall;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of xennet's tables as {@code nft list table FAMILY xennet} prints it, reduced to what the
 * scripts and doctor ask: each chain with the fingerprint of its guard (empty for a chain without
 * one), and the elements of the maps {@code vifs} and {@code bridges} (name to chain).
 */
public record NftTable(String family, Map<String, String> chains, Map<String, String> vifs, Map<String, String> bridges) {
    private static final Pattern ELEMENT = Pattern.compile("\"([^\"]*)\"\\s*:\\s*jump\\s+([^,\\s}]+)");
    private static final Pattern MARKED = Pattern.compile("comment \"" + NftRules.MARK + "([0-9a-f]+)\"");

    public NftTable {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
        vifs = Collections.unmodifiableMap(new LinkedHashMap<>(vifs));
        bridges = Collections.unmodifiableMap(new LinkedHashMap<>(bridges));
    }

    /** The table read from nft's listing: blocks open at one tab's indent ({@code \tchain NAME {}) and close with {@code \t}}. */
    public static NftTable parse(String family, String listing) {
        Map<String, String> chains = new LinkedHashMap<>();
        Map<String, String> vifs = new LinkedHashMap<>();
        Map<String, String> bridges = new LinkedHashMap<>();
        String kind = null;
        String name = null;
        StringBuilder body = new StringBuilder();
        for (String line : listing.split("\n")) {
            if (kind == null) {
                if (line.startsWith("\t") && !line.startsWith("\t\t") && line.endsWith("{")) {
                    String[] w = line.trim().split("\\s+");
                    if (w.length >= 3) {
                        kind = w[0];
                        name = w[1];
                        body.setLength(0);
                    }
                }
                continue;
            }
            if (line.equals("\t}")) {
                if (kind.equals("chain")) {
                    Matcher m = MARKED.matcher(body);
                    chains.put(name, m.find() ? m.group(1) : "");
                } else if (kind.equals("map") && (name.equals(NftRules.VIFS) || name.equals(NftRules.BRIDGES))) {
                    Matcher m = ELEMENT.matcher(body);
                    while (m.find()) {
                        (name.equals(NftRules.VIFS) ? vifs : bridges).put(m.group(1), m.group(2));
                    }
                }
                kind = null;
                continue;
            }
            body.append(line).append('\n');
        }
        return new NftTable(family, chains, vifs, bridges);
    }

    /** The fingerprint of a vif's guard as installed; empty when its chain is not there (or not in the map). */
    public Optional<String> guard(String dev) {
        String c = NftRules.chain(dev);
        if (!c.equals(vifs.get(dev)) || !chains.containsKey(c)) {
            return Optional.empty();
        }
        return Optional.of(chains.get(c));
    }

    public boolean hasChain(String chain) {
        return chains.containsKey(chain);
    }
}
