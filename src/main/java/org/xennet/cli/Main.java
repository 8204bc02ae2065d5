package org.xennet.cli;

import java.nio.file.Path;
import org.xennet.lock.HotplugLock;
import org.xennet.net.RtnetlinkNetwork;
import org.xennet.scripts.ScriptContext;

/** The process entry point: reads the real environment and exits with the status. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        ScriptContext ctx = new ScriptContext(System.getenv(), RtnetlinkNetwork::open, System.out, System.err,
                HotplugLock.DEFAULT_DIR, Path.of("/var/run/xennet"), null);
        int rc = new Cli(ctx).run(System.getProperty("xennet.argv0", "xennet"), args);
        System.out.flush();
        System.exit(rc);
    }
}
