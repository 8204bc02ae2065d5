// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.model.InterfaceName;
import org.xennet.text.Printable;

/**
 * A script's variables with the shell's precedence: environment, then VAR=VAL arguments, then
 * (vif scripts) XenStore, each later source winning. As with {@code ${var:-default}}, an empty
 * value counts as unset.
 */
public final class Params {
    private final String script;
    private final Map<String, String> values;
    private final Map<String, String> args;

    public Params(String script, Map<String, String> env, Map<String, String> args) {
        this.script = script;
        this.values = new HashMap<>(env);
        this.values.putAll(args);
        this.args = Map.copyOf(args);
    }

    /** The VAR=VAL arguments alone (what a wrapper passes on), without the environment. */
    public Map<String, String> globals() {
        return args;
    }

    /** Adds a higher-precedence source (XenStore keys); empty values there do not override. */
    public void overlay(Map<String, String> more) {
        more.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                values.put(k, v);
            }
        });
    }

    public Optional<String> get(String name) {
        String v = values.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    public String get(String name, String def) {
        return get(name).orElse(def);
    }

    /** A required value; its absence is an error naming the variable. */
    public String require(String name, String why) {
        return get(name).orElseThrow(() -> new UsageException(script + ": " + name + " is not set (" + why + ")"));
    }

    public Optional<String> ifname(String name) {
        return get(name).map(v -> InterfaceName.check(name, v));
    }

    public boolean yesNo(String name, boolean def) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return def;
        }
        try {
            return ConfigFile.yes(v.get());
        } catch (UsageException e) {
            throw new UsageException(script + ": " + name + "=" + Printable.quote(v.get())
                    + " must be yes or no");
        }
    }

    public int integer(String name, int def, int min, int max) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return def;
        }
        String s = v.get();
        if (!s.matches("[0-9]{1,9}")) {
            throw new UsageException(script + ": " + name + "=" + Printable.quote(s) + " is not a number");
        }
        int n = Integer.parseInt(s);
        if (n < min || n > max) {
            throw new UsageException(script + ": " + name + "=" + n + " is outside " + min + "-" + max);
        }
        return n;
    }

    public String script() {
        return script;
    }
}
