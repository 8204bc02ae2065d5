// SPDX-License-Identifier: Apache-2.0
package org.xennet.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.xennet.config.ConfigFile;

/**
 * Where and how much to log, decided without touching log4j2: the threshold check on every log
 * call costs a field read, and log4j2 starts only when a message passes it.
 *
 * <p>Sources, later ones winning: built-in defaults; {@code /etc/xen/xennet.conf} (or the file
 * named by {@code XENNET_CONF}) keys {@code log_level}, {@code log_file}, {@code syslog};
 * environment {@code XENNET_LOG_LEVEL}, {@code XENNET_LOG_FILE}, {@code XENNET_SYSLOG}.
 */
public final class LogConfig {
    public static final String DEFAULT_FILE = "/var/log/xen/xen-hotplug.log";
    public static final String DEFAULT_CONF = "/etc/xen/xennet.conf";

    private final Level level;
    private final String file;
    private final boolean syslog;
    private final String tag;

    public LogConfig(Level level, String file, boolean syslog, String tag) {
        this.level = level;
        this.file = file;
        this.syslog = syslog;
        this.tag = tag;
    }

    /** The configuration from the conf file and the environment, for a script named {@code tag}. */
    public static LogConfig from(Map<String, String> env, String tag) {
        return from(env, ConfigFile.forEnv(env), tag);
    }

    /** With xennet.conf read already. */
    public static LogConfig from(Map<String, String> env, ConfigFile conf, String tag) {
        Level level = Level.parse(pick(env, "XENNET_LOG_LEVEL", conf, "log_level", "info"));
        String file = pick(env, "XENNET_LOG_FILE", conf, "log_file", DEFAULT_FILE);
        boolean syslog = ConfigFile.yes(pick(env, "XENNET_SYSLOG", conf, "syslog", "yes"));
        return new LogConfig(level, file.isEmpty() || file.equals("none") ? null : file, syslog, tag);
    }

    private static String pick(Map<String, String> env, String envKey, ConfigFile conf, String key, String def) {
        String v = env.get(envKey);
        if (v != null && !v.isEmpty()) {
            return v;
        }
        return conf.get(key).orElse(def);
    }

    public Level level() {
        return level;
    }

    /** The log file, or null for none. */
    public String file() {
        return file;
    }

    public boolean syslog() {
        return syslog;
    }

    public String tag() {
        return tag;
    }

    /** Whether the log file can be appended to (log4j2 would otherwise complain on stderr). */
    boolean fileWritable() {
        if (file == null) {
            return false;
        }
        Path p = Path.of(file);
        if (Files.exists(p)) {
            return Files.isWritable(p);
        }
        Path dir = p.toAbsolutePath().getParent();
        return dir != null && Files.isDirectory(dir) && Files.isWritable(dir);
    }

}
