// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.List;

/** Compares two state snapshots (lists of lines) and, when they differ, shows only the lines that do. */
public final class StateDiff {
    private StateDiff() {
    }

    public static void assertSame(List<String> expected, List<String> actual, String what) {
        List<String> missing = new ArrayList<>(expected);
        for (String a : actual) {
            missing.remove(a);
        }
        List<String> extra = new ArrayList<>(actual);
        for (String e : expected) {
            extra.remove(e);
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new AssertionError(what + "\n  missing: " + String.join("\n           ", missing)
                    + "\n  extra:   " + String.join("\n           ", extra));
        }
    }
}
