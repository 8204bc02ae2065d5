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
# timing WHAT SECONDS: a measured duration in the results ("time TEST: WHAT: N s"); vm/run lists
# them at the end. A number for the reader, never a check.
timing() {
	printf 'time %s: %s: %s s\n' "$TEST" "$1" "$2" >>"$RESULTS"
	printf '== time: %s: %s s\n' "$1" "$2"
}
# stamp: dom0's uptime in centiseconds (a clock for durations that survives a slow date(1))
stamp() {
	local u
	read -r u _ </proc/uptime
	echo $((10#${u%.*} * 100 + 10#${u#*.}))
}
since() { # since STAMP: seconds (one decimal) from STAMP to now
	local d=$(($(stamp) - $1))
	printf '%d.%d' $((d / 100)) $((d % 100 / 10))
}
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
# eventually SECONDS COMMAND...: COMMAND succeeds within SECONDS (tried every 2 s; for what a
# daemon does asynchronously after an event). The last attempt's output goes to the log.
eventually() {
	local secs=$1 t0 out
	shift
	t0=$(stamp)
	while :; do
		if out=$("$@" 2>&1); then
			[[ -z $out ]] || printf '%s\n' "$out"
			return 0
		fi
		(($(stamp) - t0 >= secs * 100)) && break
		sleep 2
	done
	printf '%s\n' "$out"
	echo "  (still so after $secs s)"
	return 1
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

# ------------------------------------------------------------------------------ xennetd
# dom0 has no systemd: vm/dom0/unit runs xennetd.service as the installed unit says (ExecStart,
# Nice, Environment, Restart, KillMode). 10-package starts it after dpkg -i (where a host's
# postinst would), the harness stops it at the end; a test that stops it starts it again.
UNIT=/xnvm/dom0/unit
XENNETD_PORT_FILE=/var/run/xennet/xennetd/port
# xennetd_listening: its port file names a live process that root listens on 127.0.0.1 with (what
# the launcher checks before it hands a call over)
xennetd_listening() {
	local port pid hex
	{ read -r port pid _ <"$XENNETD_PORT_FILE"; } 2>/dev/null || return 1
	[[ $port =~ ^[0-9]+$ && $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
	printf -v hex '%04X' "$port"
	grep -Eq "^ *[0-9]+: (0000000000000000FFFF00000100007F|0100007F):$hex [0-9A-F:]+ 0A " /proc/net/tcp6 /proc/net/tcp
}
# xennetd_start [SECONDS]: start the unit and wait until the daemon listens (the hand-over works)
xennetd_start() {
	local t0 i
	t0=$(stamp)
	run "$UNIT" start xennetd || return 1
	for ((i = 0; i < ${1:-300} * 2; i++)); do
		if xennetd_listening; then
			echo "  xennetd listens after $(since "$t0") s"
			XENNETD_READY_SECONDS=$(since "$t0")
			return 0
		fi
		if ! "$UNIT" status xennetd >/dev/null && ((i > 20)); then
			echo "  xennetd is not running; its log:"
			tail -30 /var/log/xnvm-units/xennetd.log | sed 's/^/  | /'
			return 1
		fi
		sleep 0.5
	done
	echo "  xennetd does not listen after ${1:-300} s; its log:"
	tail -30 /var/log/xnvm-units/xennetd.log | sed 's/^/  | /'
	return 1
}
# xennetd_stop: stop the unit; the daemon removes its port file, so calls run the scripts again
xennetd_stop() {
	run "$UNIT" stop xennetd || return 1
	if [[ -e $XENNETD_PORT_FILE ]]; then
		echo "  $XENNETD_PORT_FILE is still there after the stop"
		return 1
	fi
}
xennetd_running() { "$UNIT" status xennetd >/dev/null 2>&1 && xennetd_listening; }

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
	local daemon='without xennetd' t0
	xennetd_running && daemon='xennetd running'
	printf '+ %s xl create %s  (vif: %s; %s)\n' "$*" "$name" "$vif" "$daemon"
	t0=$(stamp)
	env "$@" timeout -k 5 240 xl create "$WORK/$name.cfg" >"$WORK/$name.xl" 2>&1
	local rc=$?
	XL_SECONDS=$(since "$t0")
	sed 's/^/  xl| /' "$WORK/$name.xl"
	local how=ok
	((rc == 0)) || how="failed, status $rc"
	timing "xl create $name (${vif%%,mac=*}; $daemon; $how)" "$XL_SECONDS"
	return $rc
}
# guest_destroy NAME: xl destroy, timed like xl create (the vif's offline call)
guest_destroy() {
	local daemon='without xennetd' t0 rc
	xennetd_running && daemon='xennetd running'
	t0=$(stamp)
	run xl destroy "$1" >"$WORK/$1.destroy" 2>&1
	rc=$?
	sed 's/^/  xl| /' "$WORK/$1.destroy"
	timing "xl destroy $1 ($daemon)" "$(since "$t0")"
	if grep -q 'because of timeout' "$WORK/$1.destroy"; then
		echo "  libxl killed a hotplug script by its timeout"
		return 1
	fi
	return $rc
}
# guarded DEV: the vif has its guard in the firewall backend xennet uses here (nftables, its
# default where libnftables loads: a chain named after the vif in table bridge xennet; else
# iptables' physdev rules naming it); the backend is printed to the log
guarded() {
	local dev=$1
	if command -v nft >/dev/null && nft list chain bridge xennet "$dev" >/dev/null 2>&1; then
		echo "  nftables: chain $dev in table bridge xennet:"
		nft list chain bridge xennet "$dev" | sed 's/^/  | /'
		return 0
	fi
	if iptables-save 2>/dev/null | grep -E -- "--physdev-(in|out) $dev( |$)"; then
		echo "  iptables: the physdev rules above"
		return 0
	fi
	echo "  no guard for $dev in nftables or iptables"
	return 1
}
# gone_without_trace DEV [MAC]: after xl destroy, nothing of the vif is left: no link, no bridge
# port, no firewall rule (iptables, ip6tables, and nftables where nft is installed), no route;
# with MAC, no dnsmasq host entry
gone_without_trace() {
	local dev=$1 mac=${2:-} bad=0 hosts=/var/run/xennet/nat-dhcp-hosts
	if ip link show dev "$dev" >/dev/null 2>&1; then
		echo "  $dev still exists: $(ip -o link show dev "$dev")"
		bad=1
	fi
	if bridge link show 2>/dev/null | grep -Eq "^[0-9]+: $dev[@:]"; then
		echo "  $dev is still a bridge port"
		bad=1
	fi
	if { iptables-save; ip6tables-save; } 2>/dev/null | grep -E -- "(^| )$dev( |\+|$)"; then
		echo "  firewall rules for $dev are left (above)"
		bad=1
	fi
	# nftables: xennet's default backend where libnftables loads (firewall= in xennet.conf)
	if command -v nft >/dev/null && nft list ruleset 2>/dev/null | grep -E -- "(^|[^A-Za-z0-9_.])$dev([^A-Za-z0-9_.]|$)"; then
		echo "  nftables rules or set elements for $dev are left (above)"
		bad=1
	fi
	if { ip route show table all; ip -6 route show table all; } | grep -E "dev $dev( |$)"; then
		echo "  routes through $dev are left (above)"
		bad=1
	fi
	if [[ -n $mac && -f $hosts ]] && grep -i -- "$mac" "$hosts"; then
		echo "  the dnsmasq host entry for $mac is left in $hosts (above)"
		bad=1
	fi
	return $bad
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
