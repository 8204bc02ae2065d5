// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.List;
import java.util.Optional;

/** What a script is called, the commands it accepts and the variables it reads. */
public record ScriptSpec(String name, String summary, List<String> commands, List<Variable> variables) {

    public Optional<Variable> variable(String n) {
        return variables.stream().filter(v -> v.name().equals(n)).findFirst();
    }

    /** Checks every declared variable that has a value, before anything is changed. */
    public void validate(Params p) {
        for (Variable v : variables) {
            p.get(v.name()).ifPresent(val -> v.check(name, val));
        }
    }

    /** {@code xennet SCRIPT --help}. */
    public String help() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: ").append(name).append(" (").append(String.join("|", commands)).append(") [VAR=VALUE]...\n");
        b.append(summary).append("\n\nVariables (environment < VAR=VALUE arguments");
        if (name.startsWith("vif-")) {
            b.append(" < XenStore keys under XENBUS_PATH");
        }
        b.append("; an empty value counts as unset):\n");
        int w = variables.stream().mapToInt(v -> v.name().length()).max().orElse(8);
        for (Variable v : variables) {
            b.append(String.format("  %-" + w + "s  %s", v.name(), v.description()));
            if (v.defaultText() != null && !v.defaultText().isEmpty()) {
                b.append(" [default: ").append(v.defaultText()).append(']');
            }
            b.append('\n');
        }
        b.append("\nOptions: --dry-run prints the plan as commands and changes nothing; --help shows this.\n");
        return b.toString();
    }
}
