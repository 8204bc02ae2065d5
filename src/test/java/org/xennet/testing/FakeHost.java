// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import java.util.ArrayList;
import java.util.List;
import org.xennet.model.Address;
import org.xennet.model.Link;
import org.xennet.model.Route;

/** What network-bridge's ops-tier tests compare before and after: the fake host as sorted lines. */
public final class FakeHost {
    private FakeHost() {
    }

    /**
     * Every link (name, kind, MAC, MTU, up, master), address and route of {@code net}, and the
     * FORWARD policy and rules of {@code fw}, sorted: the kernel's order of addresses and routes
     * is not part of the state.
     */
    public static List<String> state(FakeNetwork net, FakeFirewall fw) {
        List<String> s = new ArrayList<>();
        for (Link l : net.links().list()) {
            s.add(l.name() + " " + l.kind() + " " + l.mac() + " " + l.mtu() + " up=" + l.isUp() + " master="
                    + l.masterIndex());
        }
        for (Address a : net.addresses().list()) {
            s.add(a.index() + " " + a);
        }
        for (Route r : net.routes().list()) {
            s.add(r.describe("if" + r.oif()));
        }
        s.add("fw " + fw.policy("FORWARD") + " " + fw.rules());
        s.sort(null);
        return s;
    }
}
