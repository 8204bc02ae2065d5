// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.util.Optional;

/** A bonding mode, with the kernel's number (IFLA_BOND_MODE) and the name iproute2 and sysfs use. */
public enum BondMode {
    BALANCE_RR(0, "balance-rr"),
    ACTIVE_BACKUP(1, "active-backup"),
    BALANCE_XOR(2, "balance-xor"),
    BROADCAST(3, "broadcast"),
    IEEE_802_3AD(4, "802.3ad"),
    BALANCE_TLB(5, "balance-tlb"),
    BALANCE_ALB(6, "balance-alb");

    private final int number;
    private final String word;

    BondMode(int number, String word) {
        this.number = number;
        this.word = word;
    }

    public int number() {
        return number;
    }

    /** The name {@code ip link add ... type bond mode WORD} takes. */
    public String word() {
        return word;
    }

    public static Optional<BondMode> of(int number) {
        for (BondMode m : values()) {
            if (m.number == number) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    public static Optional<BondMode> byWord(String word) {
        for (BondMode m : values()) {
            if (m.word.equals(word)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return word;
    }
}
