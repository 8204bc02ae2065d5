// SPDX-License-Identifier: Apache-2.0
package org.xennet.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.xennet.error.XennetException;
import org.xennet.lab.LabNetwork;
import org.xennet.sys.ProcessRunner;

/** LabNetwork for tests: unique names, and the CI rule (cannot run = fail under CI=true, else skip). */
public final class Labs {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Labs() {
    }

    /** {@code sysctl -w KEY=VALUE} in namespace {@code ns}; fails the test if it fails. */
    public static void setSysctl(LabNetwork lab, String ns, String key, String value) {
        ProcessRunner.Result r = lab.exec(ns, "sysctl", "-q", "-w", key + "=" + value);
        assertTrue(r.ok(), r.stderr());
    }

    /**
     * A sysctl in dotted form with the interface name as is ({@code net.ipv4.conf.vif5.0.proxy_arp}),
     * read from /proc/sys in namespace {@code ns}; "(none)" when it does not exist.
     */
    public static String sysctl(LabNetwork lab, String ns, String key) {
        String path = key.startsWith("net.ipv4.conf.")
                ? "net/ipv4/conf/" + key.substring(14, key.lastIndexOf('.')) + "/" + key.substring(key.lastIndexOf('.') + 1)
                : key.replace('.', '/');
        ProcessRunner.Result r = lab.exec(ns, "cat", "/proc/sys/" + path);
        return r.ok() ? r.stdout().trim() : "(none)";
    }

    public static LabNetwork create() {
        return create("xnt");
    }

    /** A lab whose namespaces are named PREFIX+PID-N-lan, -dom0, ... */
    public static LabNetwork create(String namePrefix) {
        String prefix = namePrefix + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        try {
            return LabNetwork.create(ProcessRunner.local(), prefix);
        } catch (XennetException e) {
            NetnsFixture.unavailable("cannot build the lab namespaces (needs root and iproute2): " + e.getMessage());
            throw e;
        }
    }
}
