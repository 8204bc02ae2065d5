// SPDX-License-Identifier: Apache-2.0
package org.xennet.model;

import java.nio.charset.StandardCharsets;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/**
 * Validation of interface names before anything is changed. The kernel limits names to 15 bytes
 * (IFNAMSIZ - 1) and forbids '/', ':' and white space; xennet is stricter and accepts only
 * letters, digits and {@code _ . - +}, the characters real Xen setups use ({@code xenbr0},
 * {@code peth0}, {@code vif3.0}, {@code eth0.100}, {@code br-lan}, {@code vif1.0-emu}), so that a
 * name can never be mistaken for an option or a shell expansion in a log line someone pastes.
 */
public final class InterfaceName {
    public static final int MAX_BYTES = 15;

    private InterfaceName() {
    }

    /** Returns the name, or throws a {@link UsageException} naming the variable and the problem. */
    public static String check(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new UsageException(what + " is empty: an interface name is needed");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new UsageException(what + "=" + Printable.quote(name) + " is " + bytes
                    + " bytes long; Linux interface names have at most " + MAX_BYTES + " bytes");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new UsageException(what + "=" + Printable.quote(name) + " is not a valid interface name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '.' || c == '-' || c == '+';
            if (!ok) {
                throw new UsageException(what + "=" + Printable.quote(name) + " is not a valid interface name: character "
                        + Printable.quote(String.valueOf(c)) + " is not allowed (use letters, digits, '_', '.', '-', '+')");
            }
        }
        if (name.charAt(0) == '-') {
            throw new UsageException(what + "=" + Printable.quote(name) + " is not a valid interface name: it starts with '-'");
        }
        return name;
    }

    public static boolean isValid(String name) {
        try {
            check("name", name);
            return true;
        } catch (UsageException e) {
            return false;
        }
    }
}
