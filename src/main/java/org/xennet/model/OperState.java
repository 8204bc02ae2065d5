// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

/** RFC 2863 operational state, as IFLA_OPERSTATE reports it. */
public enum OperState {
    UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

    public static OperState of(int v) {
        return v >= 0 && v < values().length ? values()[v] : UNKNOWN;
    }
}
