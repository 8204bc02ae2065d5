// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A vif backend of the domain xennetd runs in: {@code backend/vif/D/N}, as libxl names it to the scripts. */
record Backend(int domid, int devid) {
    private static final Pattern IN_PATH =
            Pattern.compile("^(?:/local/domain/[0-9]{1,5}/)?backend/vif/([0-9]{1,5})/([0-9]{1,9})(?:/.*)?$");

    /**
     * The backend a XenStore path (a watch event's, or XENBUS_PATH) lies in, if any. xenstored
     * reports the events of the daemon's relative watch under the home of the domain it runs in
     * (absolute over the socket), so any domain's home is accepted here: only its own arrive.
     */
    static Optional<Backend> of(String path) {
        Matcher m = IN_PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        long d = Long.parseLong(m.group(1));
        long n = Long.parseLong(m.group(2));
        if (d > 0x7FEF || n > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new Backend((int) d, (int) n));
    }

    /** {@code backend/vif/D/N}, relative to the domain's home, as libxl passes it. */
    String path() {
        return "backend/vif/" + domid + "/" + devid;
    }

    /** The interface netback makes for it, before any vifname rename. */
    String vif() {
        return "vif" + domid + "." + devid;
    }

    @Override
    public String toString() {
        return path();
    }
}
