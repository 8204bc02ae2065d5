package org.xennet.text;

/** Text from argv, the environment or XenStore made safe to show: control characters as \xNN. */
public final class Printable {
    private Printable() {
    }

    public static String of(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
