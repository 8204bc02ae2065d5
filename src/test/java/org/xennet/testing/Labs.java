package org.xennet.testing;

import java.util.concurrent.atomic.AtomicInteger;
import org.xennet.error.XennetException;
import org.xennet.lab.LabNetwork;
import org.xennet.sys.ProcessRunner;

/** LabNetwork for tests: unique names, and the CI rule (cannot run = fail under CI=true, else skip). */
public final class Labs {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Labs() {
    }

    public static LabNetwork create() {
        String prefix = "xnt" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        try {
            return LabNetwork.create(ProcessRunner.local(), prefix);
        } catch (XennetException e) {
            NetnsFixture.unavailable("cannot build the lab namespaces (needs root and iproute2): " + e.getMessage());
            throw e;
        }
    }
}
