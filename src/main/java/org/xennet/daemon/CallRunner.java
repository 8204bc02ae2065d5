// SPDX-License-Identifier: Apache-2.0
package org.xennet.daemon;

import java.util.List;
import java.util.Map;

/**
 * How the daemon runs a vif script in-process: the same code, checks and reporting to XenStore
 * as a call from libxl (the CLI provides it), with the environment libxl would give.
 */
@FunctionalInterface
public interface CallRunner {

    /** Exit status and what the call printed on stderr. */
    record Result(int status, String err) {
        public boolean ok() {
            return status == 0;
        }
    }

    /**
     * Runs {@code script ARGS...} with {@code env} as its whole environment. With
     * {@code xenstore} false the call runs as if XenStore could not be reached (an offline
     * for a backend that is gone: its keys are gone too).
     */
    Result run(String script, List<String> args, Map<String, String> env, boolean xenstore);
}
