// SPDX-License-Identifier: Apache-2.0
package org.xennet.sys;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs an external program with an argument vector, never through a shell: nothing from argv,
 * the environment or XenStore can become a command. Output is captured; every run has a real
 * deadline after which the program and everything it started are killed, so a hung tool or hook
 * can never hang a hotplug call.
 */
public interface ProcessRunner {

    /** How long one program may run unless the caller says otherwise. */
    Duration DEFAULT_LIMIT = Duration.ofSeconds(20);

    /** Exit status and output of one run. */
    record Result(int status, String stdout, String stderr) {
        public boolean ok() {
            return status == 0;
        }
    }

    /**
     * Runs with the caller's environment plus {@code extraEnv}, stdin from /dev/null, for at most
     * {@code limit}.
     *
     * @throws ProcessTimeoutException when it did not finish in time (it was killed)
     */
    Result run(List<String> argv, Map<String, String> extraEnv, Duration limit);

    default Result run(List<String> argv, Map<String, String> extraEnv) {
        return run(argv, extraEnv, DEFAULT_LIMIT);
    }

    default Result run(List<String> argv) {
        return run(argv, Map.of(), DEFAULT_LIMIT);
    }

    /** The real thing, without a budget beyond each run's own limit. */
    static ProcessRunner local() {
        return LocalProcessRunner.UNBOUNDED;
    }

    /** The real thing, each run also ending by {@code deadline} (the hotplug call's budget). */
    static ProcessRunner local(Deadline deadline) {
        return new LocalProcessRunner(deadline);
    }
}
