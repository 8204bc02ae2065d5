package org.xennet.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xennet.error.XennetException;

/**
 * Runs an external program with an argument vector, never through a shell: nothing from argv,
 * the environment or XenStore can become a command. Output is captured; a bounded wait keeps a
 * hung tool from hanging a hotplug call.
 */
public interface ProcessRunner {

    /** Exit status and output of one run. */
    record Result(int status, String stdout, String stderr) {
        public boolean ok() {
            return status == 0;
        }
    }

    /** Runs with the caller's environment plus {@code extraEnv}. */
    Result run(List<String> argv, Map<String, String> extraEnv);

    default Result run(List<String> argv) {
        return run(argv, Map.of());
    }

    /** The real thing, with a 30 s limit per command. */
    static ProcessRunner local() {
        return (argv, extraEnv) -> {
            try {
                ProcessBuilder pb = new ProcessBuilder(argv);
                pb.environment().putAll(extraEnv);
                Process p = pb.start();
                p.getOutputStream().close();
                // Small outputs only (iptables -S); read stderr after stdout.
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new XennetException(String.join(" ", argv) + ": no answer within 30 s");
                }
                return new Result(p.exitValue(), out, err);
            } catch (IOException e) {
                throw new XennetException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new XennetException(String.join(" ", argv) + ": interrupted");
            }
        };
    }
}
