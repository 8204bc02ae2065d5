// SPDX-License-Identifier: Apache-2.0
package org.xennet.cli;

import org.xennet.error.XennetException;
import org.xennet.scripts.Script;
import org.xennet.scripts.ScriptSpec;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.bridge.NetworkBridge;
import org.xennet.scripts.bridge.NetworkWrapper;
import org.xennet.scripts.bridge.VifBridge;
import org.xennet.scripts.nat.NetworkNat;
import org.xennet.scripts.nat.VifNat;
import org.xennet.scripts.ovs.VifOpenvswitch;
import org.xennet.scripts.route.NetworkRoute;
import org.xennet.scripts.route.VifRoute;

/** Makes the script a name stands for. Only the invoked script's class is loaded (a switch, no reflection, no scanning). */
final class ScriptFactory {
    private ScriptFactory() {
    }

    /** The implementation of a script. */
    static Script create(String name) {
        ScriptSpec spec = Scripts.spec(name).orElseThrow(() -> new XennetException("unknown script " + name));
        switch (name) {
            case "network-bridge":
                return new NetworkBridge();
            case "network-wrapper":
                return new NetworkWrapper();
            case "vif-bridge":
                return new VifBridge();
            case "network-route":
                return new NetworkRoute();
            case "vif-route":
                return new VifRoute();
            case "network-nat":
                return new NetworkNat();
            case "vif-nat":
                return new VifNat();
            case "vif-openvswitch":
                return new VifOpenvswitch();
            default:
                throw new XennetException("no implementation for " + spec.name());
        }
    }
}
