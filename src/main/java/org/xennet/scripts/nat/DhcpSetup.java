// SPDX-License-Identifier: Apache-2.0
package org.xennet.scripts.nat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.xennet.config.ConfigFile;
import org.xennet.error.UsageException;
import org.xennet.error.XennetException;
import org.xennet.scripts.Params;
import org.xennet.scripts.ScriptContext;
import org.xennet.text.Printable;

/**
 * Which DHCP server the NAT scripts feed, and its files.
 *
 * <ul>
 * <li>{@code isc} (the default; Xen's contract): ISC dhcpd's configuration, init script and
 * args file, found as Xen's scripts find them (first match wins, under the host root).
 * <li>{@code dnsmasq}: one {@code MAC,IP,HOSTNAME} line per guest in a dhcp-hostsfile that
 * dnsmasq re-reads on SIGHUP, sent to the pid in its pid file.
 * </ul>
 *
 * Chosen by {@code nat_dhcp=isc|dnsmasq} in /etc/xen/xennet.conf, overridden by the environment
 * variable {@code XENNET_NAT_DHCP}; the files by {@code nat_dhcp_hosts} / {@code XENNET_NAT_DHCP_HOSTS}
 * (default {@code /var/run/xennet/nat-dhcp-hosts}) and {@code nat_dhcp_pidfile} /
 * {@code XENNET_NAT_DHCP_PIDFILE} (default {@code /run/dnsmasq/dnsmasq.pid}). {@code dhcp}
 * defaults to yes when {@code nat_dhcp} is configured or, as in Xen, when /etc/dhcpd.conf is a file.
 */
record DhcpSetup(Backend backend, Path conf, Path init, Path args, Path hosts, Path pidFile) {

    enum Backend {
        ISC, DNSMASQ
    }

    static final List<String> CONF = List.of("etc/dhcp/dhcpd.conf", "etc/dhcp3/dhcpd.conf", "etc/dhcpd.conf");
    static final List<String> INIT = List.of("etc/init.d/isc-dhcp-server", "etc/init.d/dhcp-server",
            "etc/init.d/dhcp3-server", "etc/init.d/dhcp", "etc/init.d/dhcpd");
    static final List<String> ARGS = List.of("etc/sysconfig/dhcpd", "etc/defaults/dhcp", "etc/default/dhcp-server",
            "etc/default/dhcp3-server");
    static final String DEFAULT_PIDFILE = "/run/dnsmasq/dnsmasq.pid";

    /**
     * The DHCP setup when {@code dhcp} is on, empty when it is off. With ISC, a missing file is
     * Xen's error ("Failed to find dhcpd configuration or init [or args] file.").
     */
    static Optional<DhcpSetup> resolve(Params p, ScriptContext ctx, boolean needArgs) {
        ConfigFile conf = ctx.config().get();
        Optional<String> chosen = setting(ctx, conf, "XENNET_NAT_DHCP", "nat_dhcp");
        Backend backend = chosen.map(DhcpSetup::backend).orElse(Backend.ISC);
        boolean dflt = chosen.isPresent() || Files.isRegularFile(ctx.host("etc/dhcpd.conf"));
        if (!p.yesNo("dhcp", dflt)) {
            return Optional.empty();
        }
        if (backend == Backend.DNSMASQ) {
            Path hosts = Path.of(setting(ctx, conf, "XENNET_NAT_DHCP_HOSTS", "nat_dhcp_hosts")
                    .orElse(ctx.stateDir().resolve("nat-dhcp-hosts").toString()));
            Path pid = Path.of(setting(ctx, conf, "XENNET_NAT_DHCP_PIDFILE", "nat_dhcp_pidfile").orElse(DEFAULT_PIDFILE));
            return Optional.of(new DhcpSetup(backend, null, null, null, hosts, pid));
        }
        Optional<Path> c = first(ctx, CONF, Files::isRegularFile);
        Optional<Path> i = first(ctx, INIT, f -> Files.isRegularFile(f) && Files.isExecutable(f));
        Optional<Path> a = first(ctx, ARGS, Files::isRegularFile);
        if (c.isEmpty() || i.isEmpty() || (needArgs && a.isEmpty())) {
            throw new XennetException(needArgs ? "Failed to find dhcpd configuration or init or args file."
                    : "Failed to find dhcpd configuration or init file.");
        }
        return Optional.of(new DhcpSetup(backend, c.get(), i.get(), a.orElse(null), null, null));
    }

    private static Optional<String> setting(ScriptContext ctx, ConfigFile conf, String env, String key) {
        String v = ctx.env().get(env);
        if (v == null || v.isEmpty()) {
            v = conf.get(key).orElse(null);
        }
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static Backend backend(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "isc":
            case "dhcpd":
                return Backend.ISC;
            case "dnsmasq":
                return Backend.DNSMASQ;
            default:
                throw new UsageException("nat_dhcp=" + Printable.quote(v) + " must be isc or dnsmasq");
        }
    }

    private static Optional<Path> first(ScriptContext ctx, List<String> candidates, Predicate<Path> test) {
        return candidates.stream().map(ctx::host).filter(test).findFirst();
    }

    /** The file the guests' host entries go to. */
    Path entryFile() {
        return backend == Backend.ISC ? conf : hosts;
    }

    String describe() {
        return backend == Backend.ISC ? "ISC dhcpd (" + conf + ", " + init + ")" : "dnsmasq (" + hosts + ")";
    }
}
