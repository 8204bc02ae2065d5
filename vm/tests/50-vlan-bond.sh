#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# network-bridge's VLAN uplinks and bonds (issue 18) on Debian's 6.1 kernel (8021q, bonding),
# inside namespaces this script makes in dom0, so that dom0's own network is not involved:
#   VLANs: host A (xnvl-a) and a peer host P (xnvl-p) joined by a veth trunk (eth1 on both, MTU
#   9000). A bridges eth1 untagged (xenbr1), then netdev=eth1.10 and netdev=eth1 vlan=20 mtu=1400,
#   which network-bridge makes on peth1 with their own bridges xenbr1.10 and xenbr1.20. "Guests"
#   are namespaces plugged into those bridges by a veth each (as netback's vifs are); P's VLAN
#   links are in namespaces of their own. All of VLAN 10 and 20 is one IP subnet, so only the
#   VLANs keep them apart: same-VLAN pings pass (also 8000-byte ones unfragmented on the jumbo
#   VLAN), cross-VLAN pings fail; stopping the VLANs leaves the untagged bridge exactly as it was
#   and the last stop leaves A exactly as it was before.
#   Per-guest VLANs (one VLAN-aware bridge): A starts xenbr1 on eth1 with vlan_filtering=yes;
#   "guests" (namespaces on veths named like netback's vifs, backends of domains 91-95 written to
#   XenStore as libxl writes them; those domains do not exist, so xennetd never takes them up) are
#   plugged by vif-bridge online as libxl calls it, with bridge=xenbr1.10 / xenbr1.20 (access) and
#   xenbr1:10:20 (trunk). Same-VLAN pings pass across the trunk to P and on the host, cross-VLAN
#   and into dom0's untagged network fail; the uplinks carry exactly the VLANs in use; doctor
#   names a vif put on the wrong VLAN and a downed uplink; offline of the last guest of a VLAN
#   takes it off the uplinks; stop leaves A exactly as before.
#   Bonds: host B (xnvl-b) has eth2 and eth3 cabled to a switch namespace (xnvl-s). network-bridge
#   start slaves=eth2,eth3 (active-backup against a bridge in the switch, 802.3ad against an
#   802.3ad bond there) makes the bond and bridges it; B and a guest on xenbr0 reach the switch's
#   address, still with either NIC down; stop gives each NIC back and B is exactly as before.
. /xnvm/dom0/lib.sh

NSS=(xnvl-a xnvl-p xnvl-r10 xnvl-r20 xnvl-g10 xnvl-g20 xnvl-b xnvl-s xnvl-gb xnvl-v1 xnvl-v2 xnvl-v3 xnvl-v4 xnvl-v5 xnvl-v6 xnvl-v7)
DOMS=(91 92 93 94 95 96)
export XENNET_NO_DAEMON=1
cleanup() {
	ip netns exec xnvl-a /etc/xen/scripts/network-bridge stop netdev=eth1.10 >/dev/null 2>&1
	ip netns exec xnvl-a /etc/xen/scripts/network-bridge stop netdev=eth1 vlan=20 >/dev/null 2>&1
	ip netns exec xnvl-a /etc/xen/scripts/network-bridge stop netdev=eth1 >/dev/null 2>&1
	ip netns exec xnvl-b /etc/xen/scripts/network-bridge stop slaves=eth2,eth3 >/dev/null 2>&1
	local n
	for n in "${NSS[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	for n in "${DOMS[@]}"; do
		xenstore-rm "backend/vif/$n" 2>/dev/null
		xenstore-rm "/local/domain/$n" 2>/dev/null
	done
	rm -f /var/run/xennet/vif-bridge/xenbr1.vlans
	finish
}
trap cleanup EXIT

A() { ip netns exec xnvl-a "$@"; }
B() { ip netns exec xnvl-b "$@"; }
nb() { # nb NS ARGS...: network-bridge in namespace NS
	local n=$1
	shift
	run ip netns exec "$n" /etc/xen/scripts/network-bridge "$@"
}
# pings NS ADDRESS [PING ARGS...]: NS reaches ADDRESS (TRIES tries, default 10: bridges settle,
# a bond fails over, LACP negotiates)
pings() {
	local n=$1 a=$2 i
	shift 2
	for ((i = 0; i < ${TRIES:-10}; i++)); do
		ip netns exec "$n" ping -c 1 -W 1 "$@" "$a" >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "  $n got no answer from $a"
	ip netns exec "$n" ip -br addr
	ip netns exec "$n" ip neigh
	return 1
}
# pings_once NS ADDRESS: NS reaches ADDRESS within 3 pings (for check_not)
pings_once() { ip netns exec "$1" ping -c 3 -W 1 "$2" >/dev/null 2>&1; }
is_port_in() { # is_port_in NS DEV BRIDGE
	local m
	m=$(ip -n "$1" -o link show dev "$2" 2>/dev/null | grep -o 'master [^ ]*' | cut -d' ' -f2)
	[[ $m == "$3" ]] && return 0
	echo "  $2's master in $1 is '${m:-none}', not $3"
	return 1
}
# ns_snapshot NS FILE; ns_same NS BEFORE: lib.sh's snapshot, taken inside NS, with a running
# bridge's timers blanked and the routes sorted: a NIC a bond gave back was down and up, so the
# kernel lists the routes it makes itself (fe80::/64, ff00::/8) for it after another NIC's
# (seen on 6.1: same routes, other order), which is the kernel's order, not network-bridge's state
ns_snapshot() {
	# IPv6 duplicate address detection settled first (up to 10 s): an address still "tentative"
	# has no local route yet, and a snapshot taken then differs from the same state a second later
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$1" -6 addr show tentative | grep -q inet6 || break
		sleep 0.2
	done
	ip netns exec "$1" bash -c '. /xnvm/dom0/lib.sh; snapshot "$1"' snap "$2.raw" || return 1
	sed -E 's/(gc_timer|hello_timer|tcn_timer|topology_change_timer|hold_timer|message_age_timer|forward_delay_timer) +[0-9.]+/\1/g' "$2.raw" |
		awk '/^## / { sec++ } { printf "%05d\001%s\001%s\n", sec, /^## / ? "" : route ? $0 : sprintf("%08d", NR), $0 }
			/^## / { route = ($0 == "## routes") }' | LC_ALL=C sort -t $'\001' -k1,1 -k2,2 | cut -d $'\001' -f3- >"$2"
}
ns_same() {
	ns_snapshot "$1" "$WORK/after-$1"
	if diff -u "$2" "$WORK/after-$1" >"$WORK/diff"; then
		return 0
	fi
	echo "  the state of $1 differs from the one before (- before, + now):"
	sed 's/^/  | /' "$WORK/diff" | head -80
	return 1
}
# guest NS HOSTNS BRIDGE ADDRESS/LEN [MTU]: a namespace plugged into BRIDGE of HOSTNS by a veth
guest() {
	local g=$1 h=$2 br=$3 addr=$4 mtu=${5:-1500} port=v${1#xnvl-}
	ip netns add "$g" || return 1
	ip -n "$h" link add "$port" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$g" || return 1
	ip -n "$h" link set "$port" master "$br" up || return 1
	ip -n "$g" link set lo up && ip -n "$g" link set eth0 up && ip -n "$g" addr add "$addr" dev eth0
}
has_link() { # has_link NS DEV PATTERN: DEV's details (ip -d link) match the extended regex
	has "$3" sh -c "ip -n $1 -d link show dev $2 | tr '\n' ' '"
}
modules() { [[ -d /sys/module/8021q && -d /sys/module/bonding ]]; }

need "8021q and bonding are loaded" modules

# ------------------------------------------------------------------------------ VLANs
setup_trunk() {
	local n
	for n in xnvl-a xnvl-p xnvl-r10 xnvl-r20; do
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
	done
	ip -n xnvl-a link add eth1 mtu 9000 type veth peer name eth1 mtu 9000 netns xnvl-p || return 1
	A ip link set eth1 up && A ip addr add 10.0.0.1/24 dev eth1 || return 1
	ip -n xnvl-p link set eth1 up && ip -n xnvl-p addr add 10.0.0.2/24 dev eth1 || return 1
	# P's VLAN links, each in a namespace of its own (the LAN's hosts on VLAN 10 and 20)
	for v in 10 20; do
		ip -n xnvl-p link add link eth1 name eth1.$v type vlan id $v || return 1
		ip -n xnvl-p link set eth1.$v netns xnvl-r$v || return 1
		ip -n xnvl-r$v link set eth1.$v up && ip -n xnvl-r$v addr add 10.9.0.$((v + 2))/24 dev eth1.$v || return 1
	done
}
need "two hosts A and P joined by a veth trunk, P's VLAN 10 and 20 in namespaces" setup_trunk
ns_snapshot xnvl-a "$WORK/a-before"

need "network-bridge start netdev=eth1 (untagged: xenbr1, eth1 moved to peth1)" nb xnvl-a start netdev=eth1
check "A reaches P untagged through xenbr1" pings xnvl-a 10.0.0.2
ns_snapshot xnvl-a "$WORK/a-untagged"
need "network-bridge start netdev=eth1.10 (missing: made)" nb xnvl-a start netdev=eth1.10
need "network-bridge start netdev=eth1 vlan=20 mtu=1400" nb xnvl-a start netdev=eth1 vlan=20 mtu=1400
check "eth1.10 is VLAN 10 on peth1 (the NIC), MTU 9000 (the NIC's)" has_link xnvl-a eth1.10 \
	'eth1\.10@peth1: .*mtu 9000 .*vlan protocol 802\.1Q id 10 '
check "eth1.20 is VLAN 20 on peth1, MTU 1400 (mtu=)" has_link xnvl-a eth1.20 \
	'eth1\.20@peth1: .*mtu 1400 .*vlan protocol 802\.1Q id 20 '
check "eth1.10 is the port of its own bridge xenbr1.10" is_port_in xnvl-a eth1.10 xenbr1.10
check "eth1.20 is the port of its own bridge xenbr1.20" is_port_in xnvl-a eth1.20 xenbr1.20
check "xenbr1.10 is up with MTU 9000" has_link xnvl-a xenbr1.10 'mtu 9000 .*state UP'
check "start again is a no-op" nb xnvl-a start netdev=eth1.10
check "status lists the VLAN bridge" has 'xenbr1\.10' ip netns exec xnvl-a /etc/xen/scripts/network-bridge status netdev=eth1.10

need "guest g10 (10.9.0.11, MTU 9000) on xenbr1.10" guest xnvl-g10 xnvl-a xenbr1.10 10.9.0.11/24 9000
need "guest g20 (10.9.0.21, MTU 1400) on xenbr1.20" guest xnvl-g20 xnvl-a xenbr1.20 10.9.0.21/24 1400
check "g10 reaches VLAN 10 across the trunk" pings xnvl-g10 10.9.0.12
check "g20 reaches VLAN 20 across the trunk" pings xnvl-g20 10.9.0.22
check "g10 reaches VLAN 10 with 8000-byte unfragmented pings (jumbo VLAN)" pings xnvl-g10 10.9.0.12 -M do -s 8000
check_not "g10 does not reach VLAN 20 across the trunk" pings_once xnvl-g10 10.9.0.22
check_not "g20 does not reach VLAN 10 across the trunk" pings_once xnvl-g20 10.9.0.12
check_not "g10 does not reach g20 (same host, other VLAN)" pings_once xnvl-g10 10.9.0.21
check "A still reaches P untagged beside the VLANs" pings xnvl-a 10.0.0.2

run ip -n xnvl-a link del vg10
run ip -n xnvl-a link del vg20
check "network-bridge stop netdev=eth1.10" nb xnvl-a stop netdev=eth1.10
check "network-bridge stop netdev=eth1 vlan=20 mtu=1400" nb xnvl-a stop netdev=eth1 vlan=20 mtu=1400
check "the VLAN links and their bridges are gone, the untagged bridge exactly as it was" ns_same xnvl-a "$WORK/a-untagged"
check "network-bridge stop netdev=eth1" nb xnvl-a stop netdev=eth1
check "A is exactly as before" ns_same xnvl-a "$WORK/a-before"
check "A reaches P on eth1 again" pings xnvl-a 10.0.0.2

# ------------------------------------------------------------------------------ per-guest VLANs
# vifcall online|offline DOMID: vif-bridge in A for backend/vif/DOMID/0, as libxl runs it
vifcall() {
	run ip netns exec xnvl-a env vif="vif$2.0" XENBUS_PATH="backend/vif/$2/0" XENBUS_TYPE=vif \
		XENBUS_BASE_PATH=backend script=/etc/xen/scripts/vif-bridge /etc/xen/scripts/vif-bridge "$1" type_if=vif </dev/null
}
# vifguest NS DOMID BRIDGE-VALUE: namespace NS on a veth vifDOMID.0 of A, its backend's keys
# written as libxl writes them, then vif-bridge online
vifguest() {
	local g=$1 d=$2 be=backend/vif/$2/0
	ip netns add "$g" && ip -n "$g" link set lo up || return 1
	# the guest's own MAC is the backend's mac key, which xennet's guard lets through (as netfront's)
	A ip link add "vif$d.0" type veth peer name eth0 netns "$g" address "00:16:3e:00:5b:$d" || return 1
	xenstore-write "$be/bridge" "$3" "$be/mac" "00:16:3e:00:5b:$d" "$be/hotplug-status" "" || return 1
	[[ ${4:-} == later ]] && return 0
	vifcall online "$d" || return 1
	has '^connected$' xenstore-read "$be/hotplug-status" && ip -n "$g" link set eth0 up
}
# vlans_are DEV "VID FLAGS;...": the port's VLAN table in A is exactly that (bridge vlan show)
vlans_are() {
	local got
	got=$(bridge -n xnvl-a vlan show dev "$1" | sed -E '1d; s/^[^ \t]+//; s/^[ \t]+//; s/[ \t]+$//; /^$/d' |
		LC_ALL=C sort | paste -sd';')
	[[ $got == "$2" ]] && return 0
	echo "  $1 carries '$got', expected '$2'"
	return 1
}
# doctor's findings in A, one line, without blanks: "check":"ID","subject":"DEV"
DOCTOR_A=(sh -c 'ip netns exec xnvl-a xennet doctor --json | tr -d "\n "')
no_vlan_finding() {
	local j
	j=$(timeout -k 5 120 "${DOCTOR_A[@]}") || return 1
	printf '%s\n' "$j" | grep -q '"findings"' || return 1
	! printf '%s\n' "$j" | grep -Eo '"check":"(vif-wrong-vlan|vlan-uplink|vlan-mtu)","subject":"[^"]*"'
}
need "network-bridge start netdev=eth1 vlan_filtering=yes (netloop: xenbr1, peth1, vif0.1)" nb xnvl-a start netdev=eth1 vlan_filtering=yes
check "xenbr1 filters VLANs" has_link xnvl-a xenbr1 'vlan_filtering 1 '
check "A reaches P untagged through the VLAN-aware xenbr1" pings xnvl-a 10.0.0.2
need "v1: vif91.0 with bridge=xenbr1.10" vifguest xnvl-v1 91 xenbr1.10
need "v2: vif92.0 with bridge=xenbr1.20" vifguest xnvl-v2 92 xenbr1.20
need "v3: vif93.0 with bridge=xenbr1.10" vifguest xnvl-v3 93 xenbr1.10
need "v4: vif94.0 with bridge=xenbr1:10:20 (a trunk)" vifguest xnvl-v4 94 xenbr1:10:20
run ip netns exec xnvl-v1 ip addr add 10.9.0.31/24 dev eth0
run ip netns exec xnvl-v1 ip addr add 10.0.0.31/24 dev eth0
run ip netns exec xnvl-v2 ip addr add 10.9.0.32/24 dev eth0
run ip netns exec xnvl-v3 ip addr add 10.9.0.33/24 dev eth0
# the trunk guest tags its own frames: VLAN 10 in v4, VLAN 20 moved to v5
run ip netns exec xnvl-v4 ip link add link eth0 name eth0.10 type vlan id 10 && run ip netns exec xnvl-v4 ip link add link eth0 name eth0.20 type vlan id 20
run ip netns add xnvl-v5 && run ip netns exec xnvl-v4 ip link set eth0.20 netns xnvl-v5
run ip netns exec xnvl-v4 ip link set eth0.10 up && run ip netns exec xnvl-v4 ip addr add 10.9.0.34/24 dev eth0.10
run ip netns exec xnvl-v5 ip link set eth0.20 up && run ip netns exec xnvl-v5 ip addr add 10.9.0.35/24 dev eth0.20
check "vif91.0 is an access port of VLAN 10 only" vlans_are vif91.0 '10 PVID Egress Untagged'
check "vif92.0 is an access port of VLAN 20 only" vlans_are vif92.0 '20 PVID Egress Untagged'
check "vif94.0 is a trunk of 10 and 20, no untagged VLAN" vlans_are vif94.0 '10;20'
check "peth1 (the NIC) carries 10 and 20 tagged beside untagged 1" vlans_are peth1 '1 PVID Egress Untagged;10;20'
check "v1 reaches VLAN 10 across the trunk" pings xnvl-v1 10.9.0.12
check "v2 reaches VLAN 20 across the trunk" pings xnvl-v2 10.9.0.22
check "v1 reaches v3 (same host, VLAN 10)" pings xnvl-v1 10.9.0.33
check "the trunk guest reaches VLAN 10 (its eth0.10)" pings xnvl-v4 10.9.0.12
check "the trunk guest reaches VLAN 20 (its eth0.20)" pings xnvl-v5 10.9.0.22
check "the trunk guest reaches v1 on VLAN 10" pings xnvl-v4 10.9.0.31
# two guests take turns on VLAN 30, the offline of one and the online of the other at the same
# moment (a guest rebooted into another domain): the uplink must carry 30 whenever one is on it
# (without the bridge's lock the offline can find no guest on 30 and take it off the uplink just
# after the online found it there and added nothing)
swap() { # swap OFF ON
	local p rc
	vifcall offline "$1" &
	p=$!
	vifcall online "$2"
	rc=$?
	wait "$p" && return "$rc"
}
need "v6: vif95.0 with bridge=xenbr1.30" vifguest xnvl-v6 95 xenbr1.30
need "v7: vif96.0 with bridge=xenbr1.30 (not online yet)" vifguest xnvl-v7 96 xenbr1.30 later
for r in 1 2 3 4; do
	if ((r % 2)); then off=95 on=96; else off=96 on=95; fi
	check "round $r: vif$off.0 offline while vif$on.0 comes online" swap $off $on
	check "round $r: vif$on.0 on VLAN 30, vif$off.0 detached" vlans_are "vif$on.0" '30 PVID Egress Untagged'
	check "round $r: peth1 still carries VLAN 30" vlans_are peth1 '1 PVID Egress Untagged;10;20;30'
done
check "vif-bridge offline v6" vifcall offline 95
check "vif-bridge offline v7" vifcall offline 96
check "peth1 gives up VLAN 30" vlans_are peth1 '1 PVID Egress Untagged;10;20'
check_not "v1 does not reach VLAN 20 across the trunk" pings_once xnvl-v1 10.9.0.22
check_not "v1 does not reach v2 (same host, VLAN 20)" pings_once xnvl-v1 10.9.0.32
check_not "v2 does not reach v3 (same host, VLAN 10)" pings_once xnvl-v2 10.9.0.33
check_not "v1 does not reach dom0's untagged network (A's 10.0.0.1)" pings_once xnvl-v1 10.0.0.1
check_not "v1 does not reach P's untagged address" pings_once xnvl-v1 10.0.0.2
check "A still reaches P untagged" pings xnvl-a 10.0.0.2
check "doctor: no VLAN finding" no_vlan_finding
run bridge -n xnvl-a vlan add dev vif92.0 vid 30 pvid untagged && run bridge -n xnvl-a vlan del dev vif92.0 vid 20
check "doctor names vif92.0 moved by hand to VLAN 30" has '"check":"vif-wrong-vlan","subject":"vif92.0"' "${DOCTOR_A[@]}"
check "vif-bridge online again puts it back on VLAN 20" vifcall online 92
check "vif92.0 is on VLAN 20 only again" vlans_are vif92.0 '20 PVID Egress Untagged'
check "v2 reaches VLAN 20 again" pings xnvl-v2 10.9.0.22
run ip -n xnvl-a link set peth1 down
check "doctor names the downed uplink peth1" has '"check":"vlan-uplink","subject":"peth1"' "${DOCTOR_A[@]}"
run ip -n xnvl-a link set peth1 up
check "vif-bridge offline v4 (trunk)" vifcall offline 94
check "peth1 keeps 10 and 20 (v1, v3 on 10; v2 on 20)" vlans_are peth1 '1 PVID Egress Untagged;10;20'
run ip -n xnvl-a link del vif92.0 # as netback does on xl destroy, before libxl runs offline
check "vif-bridge offline v2 (its vif gone already)" vifcall offline 92
check "peth1 gives up 20, its last guest gone" vlans_are peth1 '1 PVID Egress Untagged;10'
check "vif-bridge offline v1" vifcall offline 91
check "peth1 keeps 10 (v3)" vlans_are peth1 '1 PVID Egress Untagged;10'
check "vif-bridge offline v3" vifcall offline 93
check "peth1 and vif0.1 carry only the untagged VLAN again" vlans_are peth1 '1 PVID Egress Untagged'
check "vif0.1 too" vlans_are vif0.1 '1 PVID Egress Untagged'
check "no ledger of uplink VLANs is left" test ! -e /var/run/xennet/vif-bridge/xenbr1.vlans
for d in "${DOMS[@]}"; do
	[[ $d == 92 ]] || run ip -n xnvl-a link del "vif$d.0"
	run xenstore-rm "backend/vif/$d"
	run xenstore-rm "/local/domain/$d"
done
check "network-bridge stop netdev=eth1 (VLAN-aware)" nb xnvl-a stop netdev=eth1
check "A is exactly as before" ns_same xnvl-a "$WORK/a-before"

# ------------------------------------------------------------------------------ bonds
setup_bond_hosts() { # setup_bond_hosts MODE: B's eth2/eth3 to the switch's s2/s3
	local n
	for n in xnvl-b xnvl-s; do
		ip netns add "$n" && ip -n "$n" link set lo up || return 1
	done
	ip -n xnvl-b link add eth2 type veth peer name s2 netns xnvl-s || return 1
	ip -n xnvl-b link add eth3 type veth peer name s3 netns xnvl-s || return 1
	if [[ $1 == 802.3ad ]]; then
		ip -n xnvl-s link add sw type bond mode 802.3ad miimon 100 lacp_rate fast || return 1
	else
		ip -n xnvl-s link add sw type bridge stp_state 0 forward_delay 0 || return 1
	fi
	ip -n xnvl-s link set s2 master sw && ip -n xnvl-s link set s3 master sw || return 1
	ip -n xnvl-s link set s2 up && ip -n xnvl-s link set s3 up && ip -n xnvl-s link set sw up || return 1
	ip -n xnvl-s addr add 10.8.0.2/24 dev sw || return 1
	B ip link set eth2 up && B ip link set eth3 up || return 1
	B ip addr add 10.8.0.1/24 dev eth2 && B ip route add 198.51.100.0/24 via 10.8.0.2 dev eth2
}
teardown_bond_hosts() {
	ip netns del xnvl-gb 2>/dev/null
	ip netns del xnvl-b && ip netns del xnvl-s
}
TRIES=40
for mode in active-backup 802.3ad; do
	need "$mode: host B with eth2 and eth3 cabled to a switch" setup_bond_hosts $mode
	check "$mode: B reaches the switch on eth2" pings xnvl-b 10.8.0.2
	ns_snapshot xnvl-b "$WORK/b-before"
	need "$mode: network-bridge start slaves=eth2,eth3 bond_mode=$mode" nb xnvl-b start slaves=eth2,eth3 bond_mode=$mode
	check "$mode: pbond0 is a bond in mode $mode" has_link xnvl-b pbond0 "bond mode $mode "
	check "$mode: eth2 is a port of pbond0" is_port_in xnvl-b eth2 pbond0
	check "$mode: eth3 is a port of pbond0" is_port_in xnvl-b eth3 pbond0
	check "$mode: pbond0 is a port of xenbr0" is_port_in xnvl-b pbond0 xenbr0
	check "$mode: bond0 (the veth) holds B's address and route" has 'inet 10\.8\.0\.1/24.*198\.51\.100\.0/24 via 10\.8\.0\.2 dev bond0' \
		sh -c '{ ip -n xnvl-b addr show dev bond0; ip -n xnvl-b route; } | tr "\n" " "'
	check "$mode: B reaches the switch through the bond" pings xnvl-b 10.8.0.2
	need "$mode: a guest gb (10.8.0.11) on xenbr0" guest xnvl-gb xnvl-b xenbr0 10.8.0.11/24
	check "$mode: gb reaches the switch" pings xnvl-gb 10.8.0.2
	run ip -n xnvl-s link set s2 down
	check "$mode: with eth2's cable down, gb still reaches the switch" pings xnvl-gb 10.8.0.2
	check "$mode: and so does B" pings xnvl-b 10.8.0.2
	run ip -n xnvl-s link set s2 up
	sleep 2
	run ip -n xnvl-s link set s3 down
	check "$mode: with eth3's cable down instead, gb still reaches the switch" pings xnvl-gb 10.8.0.2
	run ip -n xnvl-s link set s3 up
	run ip -n xnvl-b link del vgb
	check "$mode: network-bridge stop slaves=eth2,eth3" nb xnvl-b stop slaves=eth2,eth3 bond_mode=$mode
	check "$mode: the bond is gone, eth2 and eth3 are as before: B exactly as before" ns_same xnvl-b "$WORK/b-before"
	# not after 802.3ad: the switch's own 802.3ad bond, its partner gone, picks the aggregator of
	# either port, and B's address is on eth2 only (seen on 6.1: ARP from eth2 unanswered)
	if [[ $mode == active-backup ]]; then
		check "$mode: B reaches the switch on eth2 again" pings xnvl-b 10.8.0.2
	fi
	check "$mode: namespaces removed" teardown_bond_hosts
done
