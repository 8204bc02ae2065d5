package org.xennet.cli;

import java.util.List;
import java.util.Map;
import org.xennet.net.Network;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptArgs;
import org.xennet.scripts.Scripts;
import org.xennet.scripts.ScriptContext;
import org.xennet.scripts.ScriptSpec;

/**
 * The workload the launcher records into the AOT cache / AppCDS archive: the classes of a
 * hotplug call's start-up path, read-only. It parses arguments as Xen passes them, checks them,
 * opens a netlink socket and lists links and addresses. It changes nothing.
 */
final class Training {
    private final ScriptContext ctx;

    Training(ScriptContext ctx) {
        this.ctx = ctx;
    }

    int run() {
        for (String name : Scripts.NAMES) {
            ScriptSpec spec = Scripts.spec(name).orElseThrow();
            ScriptArgs a = ScriptArgs.parse(name, List.of(spec.commands().get(0), "type_if=vif", "bridge=xenbr0"));
            spec.validate(new Params(name, Map.of("vif", "vif1.0", "XENBUS_PATH", "backend/vif/1/0"),
                    a.assignments()));
        }
        try (Network net = ctx.network().get()) {
            net.links().list();
            net.links().find("lo");
            net.addresses().list();
            net.routes().list();
        }
        return Cli.OK;
    }
}
