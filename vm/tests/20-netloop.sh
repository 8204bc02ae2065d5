#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# network-bridge in the netloop topology (the default: bridge xenbr0, veth pair, eth0 moved to
# peth0) on Debian's 6.1 kernel, with the real xl and netback, both ways libxl's vif calls can go:
#  - with xennetd running (10-package started it as its unit says): a bridged guest (vif-bridge)
#    and a routed guest (vif-route); guest to guest, guest to dom0 and guest to LAN pings;
#    hotplug-status; doctor clean (also over /dev/xen/xenbus, and with the socket hidden); a vif
#    whose bridge is missing makes xl create fail with xennet's message;
#  - with xennetd stopped (the launcher's fallback: a JVM per call): a bridged guest (xl and the
#    hotplug call on /dev/xen/xenbus instead of xenstored's socket), its pings, the missing
#    bridge again, xl destroy;
# then xl destroy with the daemon back, nothing of any vif left, and stop restores everything.
# Each xl create's duration is in the results ("time" lines): with and without the daemon.
. /xnvm/dom0/lib.sh

stopped_daemon=''
cleanup() {
	destroy_guests
	/etc/xen/scripts/network-route stop netdev=eth0 >/dev/null 2>&1
	/etc/xen/scripts/network-bridge stop >/dev/null 2>&1
	lan_down
	# leave dom0 as found: the daemon runs again if this script stopped it
	[[ -n $stopped_daemon ]] && ! xennetd_running && xennetd_start
	finish
}
trap cleanup EXIT

# the xl create of a guest on the missing bridge xenbr9, and what xl says (LABEL: with/without xennetd)
broken_case() { # broken_case NAME MAC LABEL
	local name=$1 mac=$2 label=$3
	check_not "$label: xl create of a guest on the missing bridge xenbr9 fails" guest_create "$name" "bridge=xenbr9,mac=$mac" "xnvm.tries=1"
	# libxl prints the backend's hotplug-error after the script's exit status: "script: MESSAGE"
	check "$label: xl prints xennet's hotplug-error (script: vif-bridge online vifN.0: Could not find bridge device xenbr9)" \
		has 'script: vif-bridge online vif[0-9]+\.0: Could not find bridge device xenbr9' cat "$WORK/$name.xl"
	check "$label: the vif call failed on its own, not by libxl's timeout" \
		sh -c "! grep -E 'because of timeout|timed out' '$WORK/$name.xl'"
	check "$label: the failed guest is gone" test -z "$(domid "$name")"
	check "$label: no vif of it is left on a bridge or in the firewall" sh -c "
		! ip -o link show | grep -Eo 'vif[0-9]+\\.[0-9]+' | grep -Evx '$keep' &&
		! iptables-save | grep -Eo 'vif[0-9]+\\.[0-9]+' | grep -Evx '$keep'"
}

check "dom0 reaches the LAN gateway on eth0" lan_up
snapshot "$WORK/before"

check "network-bridge start" run /etc/xen/scripts/network-bridge start
check "xenbr0 is a bridge" has 'bridge' ip -d link show dev xenbr0
check "peth0 (the NIC) is a port of xenbr0" is_port peth0 xenbr0
check "vif0.0 is a port of xenbr0" is_port vif0.0 xenbr0
check "eth0 (the veth) holds dom0's addresses" has 'inet 192\.0\.2\.2/24.*inet 192\.0\.2\.3/24.*inet6 2001:db8:1::2/64' sh -c 'ip addr show dev eth0 | tr "\n" " "'
check "the default route moved to the veth" has '^default via 192\.0\.2\.1 dev eth0' ip route show
check "table 100's route moved to the veth" has '^198\.51\.100\.0/24 via 192\.0\.2\.1 dev eth0' ip route show table 100
check "dom0 reaches the LAN through the bridge" wait_ping $LAN_GW 30
check "network-route start netdev=eth0 (forwarding for the routed guest)" run /etc/xen/scripts/network-route start netdev=eth0

# ------------------------------------------------------------------ with xennetd
need "xennetd runs (started by 10-package as its unit says)" xennetd_running
check "with xennetd: xl create of a bridged guest (vif-bridge on xenbr0)" guest_create g1 'bridge=xenbr0,mac=00:16:3e:00:00:11' \
	"xnvm.ip=192.0.2.11/24 xnvm.gw=192.0.2.1 xnvm.ping=192.0.2.2,192.0.2.1,192.0.2.12 xnvm.tries=240"
check "with xennetd: xl create of a routed guest (vif-route)" \
	guest_create g2 'script=vif-route,ip=192.0.2.12,mac=00:16:3e:00:00:12' \
	"xnvm.ip=192.0.2.12/32 xnvm.route=192.0.2.2 xnvm.gw=192.0.2.2 xnvm.ping=192.0.2.2,192.0.2.1,192.0.2.11 xnvm.tries=240"
d1=$(domid g1) d2=$(domid g2)
keep="vif0\\.0|vif$d1\\.0|vif$d2\\.0"
check "g1's hotplug-status is connected" hotplug_connected g1
check "g2's hotplug-status is connected" hotplug_connected g2
check "xennetd did g1's and g2's work (its log names both vifs online)" \
	sh -c "grep -q 'online vif$d1\\.0' /var/log/xnvm-units/xennetd.log /var/log/xen/xen-hotplug.log 2>/dev/null &&
		grep -q 'online vif$d2\\.0' /var/log/xnvm-units/xennetd.log /var/log/xen/xen-hotplug.log 2>/dev/null"
check "xennet daemon status counts the two backends online" eventually 60 has '^xennetd is running .*: backends 2, online 2;' xennet daemon status
check "vif$d1.0 is a port of xenbr0" is_port "vif$d1.0" xenbr0
check "vif$d1.0 is up" has 'state UP|,UP' ip link show dev "vif$d1.0"
check "vif$d1.0 has its guard (the default firewall backend: nftables where dom0 has it)" guarded "vif$d1.0"
check "dom0 has nftables, so the guard is nftables' (xennet's default on a stock Debian 12)" \
	nft list chain bridge xennet "vif$d1.0"
check "g2's address is routed to vif$d2.0" has "^192\.0\.2\.12 dev vif$d2\.0 " ip route show
check "vif$d2.0 holds dom0's address as a /32" has 'inet 192\.0\.2\.2/32' ip addr show dev "vif$d2.0"
guest_wait g1 300
guest_wait g2 300
check "g1 (bridged) pings dom0" guest_pinged g1 192.0.2.2
check "g1 (bridged) pings the LAN gateway" guest_pinged g1 192.0.2.1
check "g1 (bridged) pings g2 (routed)" guest_pinged g1 192.0.2.12
check "g2 (routed) pings dom0" guest_pinged g2 192.0.2.2
check "g2 (routed) pings the LAN gateway (proxy ARP on eth0)" guest_pinged g2 192.0.2.1
check "g2 (routed) pings g1 (bridged)" guest_pinged g2 192.0.2.11
check "dom0 pings g1 and g2" sh -c 'ping -c1 -W2 192.0.2.11 && ping -c1 -W2 192.0.2.12'

# doctor, reading XenStore over the socket, over /dev/xen/xenbus, and with the socket hidden
check "xennet doctor is clean" run xennet doctor
check "xennet doctor names g1's vif (XenStore read)" has "vif$d1\\.0.*vif of domain $d1 \\(g1\\)" xennet doctor
check "doctor over XENSTORED_PATH=/dev/xen/xenbus: clean, nothing skipped, the guests named" \
	has '"clean": true.*"description": "vif of domain [0-9]+ \(g1\)".*"skipped": \[\]' \
	sh -c 'XENSTORED_PATH=/dev/xen/xenbus xennet doctor --json | tr -d "\n"'
if [[ -S /run/xenstored/socket ]]; then
	check "doctor with xenstored's socket hidden falls back to /dev/xen/xenbus" \
		has '"clean": true.*"description": "vif of domain [0-9]+ \(g1\)".*"skipped": \[\]' \
		unshare -m sh -c 'mount -t tmpfs none /run/xenstored && xennet doctor --json | tr -d "\n"'
else
	ok "xenstored has no socket here: every call above went through /dev/xen/xenbus"
fi

broken_case g9 00:16:3e:00:00:19 "with xennetd"
check "xennetd still runs after the failed guest" xennetd_running

# ------------------------------------------------------------------ without xennetd
stopped_daemon=1
need "xennetd stopped (the unit's stop), its port file gone" xennetd_stop
check "xennet daemon status: not running (exit 3)" sh -c 'xennet daemon status; test $? = 3'
check "without xennetd: xl create of a bridged guest (vif-bridge on xenbr0, a JVM; xl and the call on /dev/xen/xenbus)" \
	guest_create g5 'bridge=xenbr0,mac=00:16:3e:00:00:15' \
	"xnvm.ip=192.0.2.15/24 xnvm.gw=192.0.2.1 xnvm.ping=192.0.2.2,192.0.2.1,192.0.2.11 xnvm.tries=240" \
	XENSTORED_PATH=/dev/xen/xenbus
d5=$(domid g5)
keep="$keep|vif$d5\\.0"
check "g5's hotplug-status is connected (written by the JVM over /dev/xen/xenbus)" hotplug_connected g5
check "vif$d5.0 is a port of xenbr0" is_port "vif$d5.0" xenbr0
guest_wait g5 300
check "g5 (bridged, no daemon) pings dom0" guest_pinged g5 192.0.2.2
check "g5 (bridged, no daemon) pings the LAN gateway" guest_pinged g5 192.0.2.1
check "g5 (bridged, no daemon) pings g1" guest_pinged g5 192.0.2.11
broken_case g8 00:16:3e:00:00:18 "without xennetd"
check "without xennetd: xl destroy g5 (vif-bridge offline, a JVM)" guest_destroy g5
check "nothing of vif$d5.0 is left (link, bridge port, firewall rule, route)" gone_without_trace "vif$d5.0"

# ------------------------------------------------------------------ the daemon back
need "xennetd started again" xennetd_start
stopped_daemon=''
check "xennet daemon status: it took over g1's and g2's backends (reconciled at start)" \
	eventually 60 has '^xennetd is running .*: backends 2, online 2;' xennet daemon status
check "xennet doctor is clean with the daemon back" run xennet doctor

check "with xennetd: xl destroy g1" guest_destroy g1
check "with xennetd: xl destroy g2" guest_destroy g2
check "only Domain-0 is left" only_dom0
check "nothing of vif$d1.0 is left (link, bridge port, firewall rule, route)" gone_without_trace "vif$d1.0"
check "nothing of vif$d2.0 is left (link, firewall rule, g2's route)" gone_without_trace "vif$d2.0"
check "g2's route went with vif-route offline" has '^$' sh -c 'ip route show | grep "^192\.0\.2\.12 " || true'
check "no per-vif firewall rule is left" has '^$' sh -c 'iptables-save | grep -E "vif[0-9]+\.[0-9]" || true'
check "xennet daemon status: nothing online" eventually 60 has '^xennetd is running .*: backends 0, online 0;' xennet daemon status
check "network-route stop" run /etc/xen/scripts/network-route stop netdev=eth0
check "network-bridge stop" run /etc/xen/scripts/network-bridge stop
check "stop restores links, addresses, routes, rules, sysctls and firewall exactly" same_state "$WORK/before"
check "dom0 reaches the LAN on eth0 again" wait_ping $LAN_GW 20
check "xennet doctor is clean after stop" run xennet doctor
