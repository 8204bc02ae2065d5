// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.Map;
import org.xennet.error.UsageException;
import org.xennet.text.Json;
import org.xennet.text.Printable;

/**
 * {@code SCRIPT status --json}: the status of the network-* scripts as JSON for programs
 * (monitoring, configuration management). Every document has {@code version} (of the shape,
 * raised only when a field changes meaning or goes away), {@code script} and {@code running};
 * the exit status is the one of the text status (0 set up, 3 not). The shapes are in the README.
 */
public final class StatusJson {
    /** The version of the JSON shapes. */
    public static final int VERSION = 1;

    private StatusJson() {
    }

    /** The status data and the exit status that goes with it. */
    public record Status(int exitCode, Map<String, Object> data) {
    }

    public static int print(Script impl, String command, Params p, ScriptContext ctx) {
        String script = impl.spec().name();
        if (!command.equals("status")) {
            throw new UsageException(script + ": --json goes with status, not with " + Printable.quote(command));
        }
        if (!(impl instanceof JsonStatus j)) {
            throw new UsageException(script + ": status has no --json form");
        }
        Status s = j.statusJson(p, ctx);
        ctx.out().print(Json.write(s.data()));
        return s.exitCode();
    }
}
