// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

/**
 * One VLAN of a bridge port, or of the bridge itself ({@code bridge vlan show}): frames of VLAN
 * {@code vid} pass the port; {@code pvid} marks the VLAN untagged frames arriving on the port
 * are put in (at most one per port); {@code untagged} means frames of that VLAN leave the port
 * without a tag.
 *
 * @param index the interface index of the port (or of the bridge, for its own entries)
 */
public record BridgeVlan(int index, int vid, boolean pvid, boolean untagged) {
    /** The lowest and highest VLAN a bridge takes (0 and 4095 are reserved by 802.1Q). */
    public static final int MIN_VID = 1;
    public static final int MAX_VID = 4094;

    /** The VLAN a bridge gives every new port, untagged, unless its default_pvid was changed. */
    public static final int DEFAULT_PVID = 1;

    /** As {@code bridge vlan show} words it: {@code 10 PVID Egress Untagged}. */
    public String describe() {
        return vid + (pvid ? " PVID" : "") + (untagged ? " Egress Untagged" : "");
    }

    /** The words of {@code bridge vlan add} for this entry: {@code vid 10 pvid untagged}. */
    public String addWords() {
        return "vid " + vid + (pvid ? " pvid" : "") + (untagged ? " untagged" : "");
    }
}
