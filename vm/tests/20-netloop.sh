#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# network-bridge in the netloop topology (the default: bridge xenbr0, veth pair, eth0 moved to
# peth0) on Debian's 6.1 kernel, with the real xl and netback: a bridged guest (vif-bridge) and
# a routed guest (vif-route, with xl and the hotplug call on /dev/xen/xenbus instead of
# xenstored's socket); guest to guest, guest to dom0 and guest to LAN pings; hotplug-status;
# doctor clean (also over /dev/xen/xenbus, and with the socket hidden); a vif whose bridge is
# missing makes xl create fail with xennet's message; xl destroy; stop restores everything.
. /xnvm/dom0/lib.sh

cleanup() {
	destroy_guests
	/etc/xen/scripts/network-route stop netdev=eth0 >/dev/null 2>&1
	/etc/xen/scripts/network-bridge stop >/dev/null 2>&1
	lan_down
	finish
}
trap cleanup EXIT

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

check "xl create: a bridged guest (vif-bridge on xenbr0)" guest_create g1 'bridge=xenbr0,mac=00:16:3e:00:00:11' \
	"xnvm.ip=192.0.2.11/24 xnvm.gw=192.0.2.1 xnvm.ping=192.0.2.2,192.0.2.1,192.0.2.12 xnvm.tries=120"
check "xl create: a routed guest (vif-route; xl and the hotplug call on /dev/xen/xenbus)" \
	guest_create g2 'script=vif-route,ip=192.0.2.12,mac=00:16:3e:00:00:12' \
	"xnvm.ip=192.0.2.12/32 xnvm.route=192.0.2.2 xnvm.gw=192.0.2.2 xnvm.ping=192.0.2.2,192.0.2.1,192.0.2.11 xnvm.tries=120" \
	XENSTORED_PATH=/dev/xen/xenbus
d1=$(domid g1) d2=$(domid g2)
check "g1's hotplug-status is connected" hotplug_connected g1
check "g2's hotplug-status is connected (written over /dev/xen/xenbus)" hotplug_connected g2
check "vif$d1.0 is a port of xenbr0" is_port "vif$d1.0" xenbr0
check "vif$d1.0 is up" has 'state UP|,UP' ip link show dev "vif$d1.0"
check "g2's address is routed to vif$d2.0" has "^192\.0\.2\.12 dev vif$d2\.0 " ip route show
check "vif$d2.0 holds dom0's address as a /32" has 'inet 192\.0\.2\.2/32' ip addr show dev "vif$d2.0"
guest_wait g1 180
guest_wait g2 180
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

# the broken case: the vif names a bridge that does not exist
check_not "xl create of a guest on the missing bridge xenbr9 fails" guest_create g9 'bridge=xenbr9,mac=00:16:3e:00:00:19' "xnvm.tries=1"
check "xl's output carries xennet's hotplug-error" has 'vif-bridge online vif[0-9]+\.0: Could not find bridge device xenbr9' cat "$WORK/g9.xl"
check "the failed guest is gone" test -z "$(domid g9)"
check "no vif of it is left on a bridge" has '^$' sh -c "ip -o link show | grep -Ev 'vif($d1|$d2|0)\\.0' | grep -o 'vif[0-9]*\\.[0-9]*' || true"

check "xl destroy g1" run xl destroy g1
check "xl destroy g2" run xl destroy g2
check "only Domain-0 is left" only_dom0
check "vif$d1.0 is gone" test ! -e "/sys/class/net/vif$d1.0"
check "g2's route went with vif-route offline" has '^$' sh -c 'ip route show | grep "^192\.0\.2\.12 " || true'
check "no per-vif firewall rule is left" has '^$' sh -c 'iptables-save | grep -E "vif[0-9]+\.[0-9]" || true'
check "network-route stop" run /etc/xen/scripts/network-route stop netdev=eth0
check "network-bridge stop" run /etc/xen/scripts/network-bridge stop
check "stop restores links, addresses, routes, rules, sysctls and firewall exactly" same_state "$WORK/before"
check "dom0 reaches the LAN on eth0 again" wait_ping $LAN_GW 20
check "xennet doctor is clean after stop" run xennet doctor
