#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# network-bridge in the final topology (bridge=eth0: the bridge takes the NIC's name, the NIC
# becomes peth0) on Debian's 6.1 kernel, with network-nat: a bridged guest and a NATed guest
# (vif-nat, its dnsmasq host entry); guest to guest (through the NAT), guest to dom0 and guest
# to LAN pings; doctor clean; xl destroy; stop restores everything.
. /xnvm/dom0/lib.sh

conf=/etc/xen/xennet.conf
cleanup() {
	destroy_guests
	/etc/xen/scripts/network-nat stop netdev=eth0 >/dev/null 2>&1
	/etc/xen/scripts/network-bridge stop bridge=eth0 >/dev/null 2>&1
	lan_down
	rm -f "$conf"
	finish
}
trap cleanup EXIT

check "dom0 reaches the LAN gateway on eth0" lan_up
snapshot "$WORK/before"

check "network-bridge start bridge=eth0" run /etc/xen/scripts/network-bridge start bridge=eth0
check "eth0 is now a bridge" has 'bridge forward_delay' ip -d link show dev eth0
check "peth0 (the NIC) is its port" is_port peth0 eth0
check "the bridge holds dom0's addresses" has 'inet 192\.0\.2\.2/24.*inet 192\.0\.2\.3/24.*inet6 2001:db8:1::2/64' sh -c 'ip addr show dev eth0 | tr "\n" " "'
check "the default route is on the bridge" has '^default via 192\.0\.2\.1 dev eth0' ip route show
check "table 100's route is on the bridge" has '^198\.51\.100\.0/24 via 192\.0\.2\.1 dev eth0' ip route show table 100
check "dom0 reaches the LAN through the bridge" wait_ping $LAN_GW 30
check "xennet network-bridge status --json says final topology" has '"topology": "final"' xennet network-bridge status bridge=eth0 --json
check "network-nat start netdev=eth0 dhcp=no" run /etc/xen/scripts/network-nat start netdev=eth0 dhcp=no
check "the MASQUERADE rule is there" has '^-A POSTROUTING -o eth0 -j MASQUERADE' iptables -t nat -S POSTROUTING
printf 'nat_dhcp=dnsmasq\n' >"$conf"

check "xl create: a bridged guest (vif-bridge on eth0)" guest_create g3 'bridge=eth0,mac=00:16:3e:00:00:13' \
	"xnvm.ip=192.0.2.13/24 xnvm.gw=192.0.2.1 xnvm.ping=192.0.2.2,192.0.2.1 xnvm.tries=120"
check "xl create: a NATed guest (vif-nat, ip=10.0.5.1)" guest_create g4 'script=vif-nat,ip=10.0.5.1,mac=00:16:3e:00:00:14' \
	"xnvm.ip=10.0.5.1/16 xnvm.gw=10.0.5.128 xnvm.ping=10.0.5.128,192.0.2.2,192.0.2.1,192.0.2.13 xnvm.tries=120"
d3=$(domid g3) d4=$(domid g4)
check "g3's hotplug-status is connected" hotplug_connected g3
check "g4's hotplug-status is connected" hotplug_connected g4
check "vif$d3.0 is a port of the bridge eth0" is_port "vif$d3.0" eth0
check "vif$d4.0 holds the router address 10.0.5.128/32" has 'inet 10\.0\.5\.128/32' ip addr show dev "vif$d4.0"
check "10.0.5.1 is routed to vif$d4.0" has "^10\.0\.5\.1 dev vif$d4\.0 " ip route show
check "vif-nat wrote g4's dnsmasq host entry" has '00:16:3e:00:00:14.*10\.0\.5\.1' cat /var/run/xennet/nat-dhcp-hosts
guest_wait g3 180
guest_wait g4 180
check "g3 (bridged) pings dom0" guest_pinged g3 192.0.2.2
check "g3 (bridged) pings the LAN gateway" guest_pinged g3 192.0.2.1
check "g4 (NAT) pings its router on dom0" guest_pinged g4 10.0.5.128
check "g4 (NAT) pings dom0's LAN address" guest_pinged g4 192.0.2.2
check "g4 (NAT) pings the LAN gateway (masqueraded: the LAN has no route to 10/8)" guest_pinged g4 192.0.2.1
check "g4 (NAT) pings g3 (bridged)" guest_pinged g4 192.0.2.13
check "xennet doctor is clean" run xennet doctor

check "xl destroy g3" run xl destroy g3
check "xl destroy g4" run xl destroy g4
check "only Domain-0 is left" only_dom0
check "vif-nat offline removed g4's route" has '^$' sh -c 'ip route show | grep "^10\.0\.5\.1 " || true'
check "vif-nat offline removed g4's host entry" has '^$' sh -c 'grep 00:16:3e:00:00:14 /var/run/xennet/nat-dhcp-hosts || true'
rm -f "$conf"
check "network-nat stop" run /etc/xen/scripts/network-nat stop netdev=eth0
check "network-bridge stop bridge=eth0" run /etc/xen/scripts/network-bridge stop bridge=eth0
check "stop restores links, addresses, routes, rules, sysctls and firewall exactly" same_state "$WORK/before"
check "dom0 reaches the LAN on eth0 again" wait_ping $LAN_GW 20
