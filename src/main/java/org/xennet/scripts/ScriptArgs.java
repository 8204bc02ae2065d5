// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.xennet.error.UsageException;
import org.xennet.text.Printable;

/**
 * Xen's argument contract ({@code findCommand}/{@code evalVariables} in xen-script-common.sh),
 * without {@code eval}: the command is the first argument with no '=' at all; an argument whose
 * first '=' comes after at least one character is an assignment, taken literally, the last
 * assignment to a name winning; an argument starting with '=' is ignored, as the shell did.
 * A name outside {@code [A-Za-z_][A-Za-z0-9_]*} (the shell ran {@code eval} on it and failed with
 * 127) is refused. xennet's own options ({@code --help}, {@code --dry-run}, {@code --json}) may
 * stand anywhere.
 */
public final class ScriptArgs {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String command;
    private final Map<String, String> assignments;
    private final List<String> ignored;
    private final boolean help;
    private final boolean dryRun;
    private final boolean json;

    private ScriptArgs(String command, Map<String, String> assignments, List<String> ignored, boolean help,
            boolean dryRun, boolean json) {
        this.json = json;
        this.command = command;
        this.assignments = assignments;
        this.ignored = ignored;
        this.help = help;
        this.dryRun = dryRun;
    }

    public static ScriptArgs parse(String script, List<String> argv) {
        String command = null;
        Map<String, String> vars = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        boolean help = false;
        boolean dryRun = false;
        boolean json = false;
        for (String a : argv) {
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (a.equals("--dry-run")) {
                dryRun = true;
                continue;
            }
            if (a.equals("--json")) {
                json = true;
                continue;
            }
            if (a.startsWith("--") && a.indexOf('=') < 0) {
                throw new UsageException(script + ": unknown option " + Printable.quote(a) + " (options: --help, --dry-run, --json)");
            }
            int eq = a.indexOf('=');
            if (eq < 0) {
                if (command == null) {
                    command = a;
                } else {
                    ignored.add(a);
                }
            } else if (eq == 0) {
                ignored.add(a);
            } else {
                String name = a.substring(0, eq);
                if (!NAME.matcher(name).matches()) {
                    throw new UsageException(script + ": malformed assignment " + Printable.quote(a) + ": "
                            + Printable.quote(name) + " is not a variable name (letters, digits and '_', not starting "
                            + "with a digit)");
                }
                vars.remove(name); // keep the order of the winning assignment
                vars.put(name, a.substring(eq + 1));
            }
        }
        return new ScriptArgs(command, Collections.unmodifiableMap(vars), Collections.unmodifiableList(ignored),
                help, dryRun, json);
    }

    /** The command word, or null when there is none. */
    public String command() {
        return command;
    }

    public Map<String, String> assignments() {
        return assignments;
    }

    /** Words after the command and '='-leading arguments, ignored as the shell ignored them. */
    public List<String> ignored() {
        return ignored;
    }

    public boolean help() {
        return help;
    }

    /** {@code --json}: status as JSON. */
    public boolean json() {
        return json;
    }

    public boolean dryRun() {
        return dryRun;
    }
}
