// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.util.List;
import java.util.Optional;
import org.xennet.xenstore.XenStore;
import org.xennet.xenstore.XenStoreException;

/**
 * What XenStore says of one backend at one moment: whether it is there, libxl's {@code online}
 * flag and netback's {@code state}, the script libxl will run, the name the interface will have,
 * and {@code hotplug-status}.
 */
record BackendView(Backend backend, boolean exists, boolean online, int state, String script, String dev,
        String hotplugStatus, String gatewaydev) {

    /** XenbusStateInitWait: netback waits for the hotplug script. */
    static final int INIT_WAIT = 2;

    /** XenbusStateClosing: the backend is going away. */
    static final int CLOSING = 5;

    /** The scripts whose work the daemon does itself. */
    static final List<String> OURS = List.of("vif-bridge", "vif-route", "vif-nat");

    static BackendView read(XenStore xs, Backend b) {
        String p = b.path();
        Optional<String> state;
        try {
            state = xs.read(p + "/state");
        } catch (XenStoreException e) {
            if (e.isNotFound()) {
                state = Optional.empty();
            } else {
                throw e;
            }
        }
        Optional<String> online = xs.read(p + "/online");
        if (state.isEmpty() && online.isEmpty() && xs.read(p + "/script").isEmpty()) {
            return new BackendView(b, false, false, 0, null, b.vif(), null, null);
        }
        int st = state.filter(s -> s.matches("[0-9]{1,2}")).map(Integer::parseInt).orElse(0);
        String vifname = xs.read(p + "/vifname").filter(s -> !s.isEmpty()).orElse(null);
        return new BackendView(b, true, online.filter("1"::equals).isPresent(), st,
                xs.read(p + "/script").orElse(null), vifname != null ? vifname : b.vif(),
                xs.read(p + "/hotplug-status").orElse(""), xs.read(p + "/gatewaydev").orElse(""));
    }

    /** The script's name ({@code /etc/xen/scripts/vif-bridge} is vif-bridge); libxl's default when none is set. */
    String scriptName() {
        if (script == null || script.isEmpty()) {
            return "vif-bridge";
        }
        return script.substring(script.lastIndexOf('/') + 1);
    }

    /** Whether the daemon does this backend's work (else libxl's script call does it all). */
    boolean ours() {
        return OURS.contains(scriptName());
    }

    /** libxl has switched it off or netback is closing it. */
    boolean closing() {
        return !online || state >= CLOSING;
    }

    /**
     * Ready for online as libxl sees it: switched on and netback waiting for the hotplug script
     * (InitWait, 2) or past it. libxl writes the keys with state 1 (Initialising) and runs the
     * script only once netback reaches InitWait, so a backend is never taken while half written.
     */
    boolean ready() {
        return online && state >= INIT_WAIT && state < CLOSING;
    }
}
