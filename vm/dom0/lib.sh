# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by the dom0 test scripts (vm/tests/*.sh). Checks that report to the harness, the LAN
# scene on dom0's NIC, snapshots for "exact restore", and test guests.
#
# A check's result is one line in $XNVM_RESULTS ("ok|FAIL|skip TEST: WHAT"); the script's own
# output (every command with '+', diffs, what xl and the scripts said) is its log, which the
# host prints when a check failed. A script that exits non-zero or reports nothing fails too.
#
# The LAN: dom0's eth0 is QEMU's virtio-net, cabled to a tap in the host's throwaway namespace
# holding the gateway 192.0.2.1/24 and 2001:db8:1::1/64 (vm/run). Guests use 192.0.2.1x.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
TEST=${XNVM_TEST:-$(basename "$0" .sh)}
RESULTS=${XNVM_RESULTS:-/dev/null}
SHARE=${XNVM_SHARE:-/xnvm}
LAN_GW=192.0.2.1
DOM0_IP=192.0.2.2
GUEST_KERNEL=/run/xnvm/guest/vmlinux
GUEST_INITRD=/run/xnvm/guest/initrd-guest
WORK=$(mktemp -d /tmp/xnvm-test.XXXXXX)

now() { cut -d' ' -f1 /proc/uptime; } # seconds since dom0 booted, for the log's timeline
result() { # result ok|FAIL|skip WHAT
	printf '%s %s: %s\n' "$1" "$TEST" "$2" >>"$RESULTS"
	printf '== %s: %s\n' "$1" "$2"
}
ok() { result ok "$1"; }
nok() { result FAIL "$1"; }
skip() { result skip "$1"; }
# check WHAT COMMAND...: ok when COMMAND succeeds
check() {
	local what=$1
	shift
	printf -- '-- [%s] %s\n+ %s\n' "$(now)" "$what" "$*"
	if "$@"; then
		ok "$what"
	else
		nok "$what"
		return 1
	fi
}
# need WHAT COMMAND...: a check the rest of the script depends on; on failure the script stops
# (its clean-up trap still runs) instead of reporting a cascade of failures
need() {
	check "$@" && return 0
	echo "== stopping: the checks after this one need it"
	exit 3
}
# check_not WHAT COMMAND...: ok when COMMAND fails
check_not() {
	local what=$1
	shift
	printf -- '-- [%s] %s\n+ ! %s\n' "$(now)" "$what" "$*"
	if "$@"; then
		nok "$what"
		return 1
	else
		ok "$what"
	fi
}
# run COMMAND...: logged, with a deadline
run() {
	printf '+ %s\n' "$*"
	timeout -k 5 "${RUN_DEADLINE:-180}" "$@"
}
# the output of a command, for a check (grep -q on it)
has() { # has PATTERN COMMAND...: COMMAND's output matches the extended regex PATTERN
	local pat=$1 out
	shift
	out=$(timeout -k 5 "${RUN_DEADLINE:-180}" "$@" 2>&1)
	local rc=$?
	if ((rc == 124 || rc == 137)); then
		printf '  "%s" did not finish within %s s (killed); its output:\n' "$*" "${RUN_DEADLINE:-180}"
		printf '%s\n' "$out" | sed 's/^/  | /' | tail -40
		return 1
	fi
	printf '%s\n' "$out" | grep -Eq -- "$pat" && return 0
	printf '  (no line matching /%s/ in the output of "%s":)\n' "$pat" "$*"
	printf '%s\n' "$out" | sed 's/^/  | /' | tail -40
	return 1
}
finish() {
	rm -rf -- "$WORK"
}
trap finish EXIT

# ------------------------------------------------------------------------------ the LAN scene
# eth0 as a host's NIC is set up: two IPv4 addresses, an IPv6 address, the default route, a
# static route in main and one in table 100 (what network-bridge must move and give back).
lan_up() {
	ip link set eth0 up
	ip addr flush dev eth0 scope global
	ip addr add $DOM0_IP/24 dev eth0
	ip addr add 192.0.2.3/24 dev eth0
	ip -6 addr add 2001:db8:1::2/64 dev eth0 nodad
	ip route add default via $LAN_GW dev eth0
	ip route add 203.0.113.0/24 via $LAN_GW dev eth0
	ip route add 198.51.100.0/24 via $LAN_GW dev eth0 table 100
	wait_ping $LAN_GW 30
}
lan_down() {
	ip route flush table 100 2>/dev/null
	ip addr flush dev eth0 scope global 2>/dev/null
	ip route flush dev eth0 2>/dev/null
}
wait_ping() { # wait_ping ADDRESS SECONDS
	local i
	for ((i = 0; i < $2; i++)); do
		ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
		sleep 1
	done
	echo "  no answer from $1 within $2 s"
	return 1
}

# ------------------------------------------------------------------------------ snapshots
# Everything network-bridge/-route/-nat stop must give back: links with their details,
# addresses, routes and rules of every table, the interfaces' and forwarding sysctls, and both
# firewalls (chain counters dropped).
snapshot() { # snapshot FILE
	# addresses still in duplicate address detection would differ only by "tentative"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -z $(ip -6 addr show tentative) ]] && break
		sleep 0.2
	done
	# Debian 12's iptables is iptables-nft: a table exists only once something was set in it, and
	# stays (empty) after its last rule goes. Setting a built-in chain's policy to the ACCEPT it
	# already has makes the tables exist in both snapshots, so only rules and policies compare.
	local c
	for c in INPUT FORWARD OUTPUT; do
		[[ $(iptables -S "$c" 2>/dev/null | head -1) == "-P $c ACCEPT" ]] && iptables -P "$c" ACCEPT
		[[ $(ip6tables -S "$c" 2>/dev/null | head -1) == "-P $c ACCEPT" ]] && ip6tables -P "$c" ACCEPT
	done
	iptables -t nat -P POSTROUTING ACCEPT 2>/dev/null
	{
		echo '## links'
		ip -d link show
		echo '## addresses'
		ip addr show
		echo '## routes'
		ip route show table all
		ip -6 route show table all
		echo '## rules'
		ip rule show
		ip -6 rule show
		echo '## sysctls'
		sysctl -a 2>/dev/null | grep -E '^net\.(ipv4\.(conf\.|ip_forward)|ipv6\.conf\.|bridge\.)' | grep -v stable_secret
		echo '## iptables'
		iptables-save | sed -e '/^#/d' -e 's/ \[[0-9]*:[0-9]*\]$//'
		ip6tables-save | sed -e '/^#/d' -e 's/ \[[0-9]*:[0-9]*\]$//'
	} >"$1" 2>&1
}
# same_state BEFORE: the state now is BEFORE's (the difference goes to the log)
same_state() {
	snapshot "$WORK/after"
	if diff -u "$1" "$WORK/after" >"$WORK/diff"; then
		return 0
	fi
	echo '  the state differs from the one before (- before, + now):'
	sed 's/^/  | /' "$WORK/diff" | head -80
	return 1
}

# ------------------------------------------------------------------------------ guests
# guest_create NAME VIF_SPEC KERNEL_ARGS [ENV...]: xl create of a busybox PV guest; its console
# (the ping results) is logged by xenconsoled. Prints xl's output; xl's status is returned.
guest_create() {
	local name=$1 vif=$2 args=$3
	shift 3
	cat >"$WORK/$name.cfg" <<EOC
name = "$name"
type = "pv"
kernel = "$GUEST_KERNEL"
ramdisk = "$GUEST_INITRD"
memory = 96
vcpus = 1
extra = "console=hvc0 loglevel=4 xnvm.name=$name $args"
vif = [ '$vif' ]
on_crash = "destroy"
EOC
	rm -f "/var/log/xen/console/guest-$name.log"
	printf '+ %s xl create %s  (vif: %s)\n' "$*" "$name" "$vif"
	env "$@" timeout -k 5 240 xl create "$WORK/$name.cfg" >"$WORK/$name.xl" 2>&1
	local rc=$?
	sed 's/^/  xl| /' "$WORK/$name.xl"
	return $rc
}
guest_console() { cat "/var/log/xen/console/guest-$1.log" 2>/dev/null; }
# guest_wait NAME SECONDS: the guest has tried all its ping targets
guest_wait() {
	local i
	for ((i = 0; i < $2; i++)); do
		guest_console "$1" | grep -q "XNVM-GUEST $1 done" && return 0
		if [[ -z $(domid "$1") ]]; then
			echo "  $1 does not exist (its xl create failed)"
			return 1
		fi
		sleep 1
	done
	echo "  $1 did not finish its pings within $2 s; its console:"
	guest_console "$1" | sed 's/^/  | /' | tail -30
	return 1
}
# guest_pinged NAME TARGET: the guest's ping to TARGET got an answer
guest_pinged() {
	guest_console "$1" | grep -q "XNVM-GUEST $1 ping $2 ok" && return 0
	echo "  $1's console:"
	guest_console "$1" | sed 's/^/  | /' | tail -20
	return 1
}
domid() { xl domid "$1" 2>/dev/null; }
backend() { # backend NAME [DEVID]: the vif's backend path in XenStore
	echo "/local/domain/0/backend/vif/$(domid "$1")/${2:-0}"
}
hotplug_connected() { # hotplug_connected NAME
	local s
	s=$(xenstore-read "$(backend "$1")/hotplug-status" 2>&1)
	[[ $s == connected ]] && return 0
	echo "  hotplug-status of $1 is '$s'"
	return 1
}
# destroy every guest (each test leaves only Domain-0)
destroy_guests() {
	local d
	for d in $(xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
		run xl destroy "$d"
	done
}
only_dom0() {
	local n
	n=$(xl list | awk 'NR > 1' | wc -l)
	((n == 1)) && return 0
	xl list
	return 1
}
link_exists() { ip link show dev "$1" >/dev/null 2>&1; }
master_of() { ip -o link show dev "$1" 2>/dev/null | grep -o 'master [^ ]*' | cut -d' ' -f2; }
is_port() { # is_port DEV BRIDGE
	local m
	m=$(master_of "$1")
	[[ $m == "$2" ]] && return 0
	echo "  $1's master is '${m:-none}', not $2"
	return 1
}
