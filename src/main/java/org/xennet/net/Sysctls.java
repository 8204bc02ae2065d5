// SPDX-License-Identifier: Apache-2.0
package org.xennet.net;

import java.util.Optional;
import org.xennet.error.NotFoundException;
import org.xennet.model.InterfaceName;

/**
 * Network sysctls under /proc/sys, named in sysctl's slash form so that interface names with
 * dots ({@code eth0.100}) stay unambiguous: {@code net/ipv4/conf/eth0.100/proxy_arp}.
 */
public interface Sysctls {
    String IPV4_FORWARD = "net/ipv4/ip_forward";
    String IPV6_FORWARDING = "net/ipv6/conf/all/forwarding";
    String BRIDGE_NF_CALL_IPTABLES = "net/bridge/bridge-nf-call-iptables";
    String BRIDGE_NF_CALL_IP6TABLES = "net/bridge/bridge-nf-call-ip6tables";
    String BRIDGE_NF_CALL_ARPTABLES = "net/bridge/bridge-nf-call-arptables";

    /** Equivalent to: {@code sysctl -n KEY}; empty when the key does not exist (module not loaded). */
    Optional<String> find(String key);

    /** Like {@link #find}, a missing key being a NotFoundException. */
    default String get(String key) {
        return find(key).orElseThrow(() -> new NotFoundException("sysctl", key, 2, null));
    }

    /** Equivalent to: {@code sysctl -w KEY=VALUE}. */
    void set(String key, String value);

    /** {@code net/ipv4/conf/DEV/proxy_arp}. */
    static String proxyArp(String dev) {
        return "net/ipv4/conf/" + InterfaceName.check("dev", dev) + "/proxy_arp";
    }

    /** {@code net/ipv6/conf/DEV/disable_ipv6}: 1 for a pure layer-2 port (no link-local address, no DAD). */
    static String disableIpv6(String dev) {
        return "net/ipv6/conf/" + InterfaceName.check("dev", dev) + "/disable_ipv6";
    }

    /** {@code net/ipv4/conf/DEV/forwarding}. */
    static String ipv4Forwarding(String dev) {
        return "net/ipv4/conf/" + InterfaceName.check("dev", dev) + "/forwarding";
    }
}
