#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# xennet's .deb installed the way an admin does it: dpkg -i on a dom0 with Debian's Xen tools.
# Every later script needs this one (vm/run always runs it).
. /xnvm/dom0/lib.sh
scripts=(network-bridge network-route network-nat network-wrapper vif-bridge vif-route vif-nat)

t=$SECONDS
check "dpkg -i xennet.deb" run dpkg -i "$SHARE/xennet.deb"
echo "  dpkg -i took $((SECONDS - t)) s (the postinst builds the start-up cache)"
check "the package is installed" has '^ii +xennet ' dpkg -l xennet
for s in vif-bridge vif-route vif-nat; do
	check "Debian's $s is diverted to $s.distrib" has "^diversion of /etc/xen/scripts/$s to /etc/xen/scripts/$s.distrib by xennet" dpkg-divert --list "/etc/xen/scripts/$s"
	check "$s.distrib is Debian's script" has '^#!/bin/bash' head -1 "/etc/xen/scripts/$s.distrib"
done
for s in "${scripts[@]}"; do
	check "/etc/xen/scripts/$s is xennet" test "$(readlink -f /etc/xen/scripts/$s)" = /usr/share/xennet/bin/xennet
done
t=$SECONDS
check "xennet runs on dom0's JRE" has "^xennet " xennet version
echo "  xennet version took $((SECONDS - t)) s under this accelerator"
t=$SECONDS
check "java -version" run java -version
echo "  java -version took $((SECONDS - t)) s"

# xennetd.service: the package enables it and a host's systemd starts it; dom0 here has no
# systemd, so vm/dom0/unit runs it as the installed unit says (ExecStart, Nice, Environment,
# Restart, KillMode), before any guest is created. The harness stops it after the last test.
unit=/lib/systemd/system/xennetd.service
check "the package installed $unit" test -f "$unit"
check "the package enabled xennetd.service (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/xennetd.service
t0=$(stamp)
need "xennetd.service started as its unit says, and the daemon listens" xennetd_start
timing "xennetd from start to listening" "$(since "$t0")"
pid=$("$UNIT" pid xennetd)
want_nice=$(sed -n 's/^Nice=//p' "$unit")
check "xennetd runs at the unit's Nice=${want_nice:-0}" test "$(cut -d' ' -f19 "/proc/$pid/stat")" = "${want_nice:-0}"
for e in $(sed -n 's/^Environment=//p' "$unit"); do
	check "xennetd has the unit's Environment=$e" grep -qxF -- "$e" <(tr '\0' '\n' <"/proc/$pid/environ")
done
opts=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^XENNET_JAVA_OPTS=//p')
for o in $opts; do
	check "xennetd's JVM runs with the unit's $o (XENNET_JAVA_OPTS)" grep -qxF -- "$o" <(tr '\0' '\n' <"/proc/$pid/cmdline")
done
check "xennetd is the unit's ExecStart ($(sed -n 's/^ExecStart=//p' "$unit"))" has 'org\.xennet\.cli\.Main daemon$' sh -c "tr '\\0' ' ' </proc/$pid/cmdline | sed 's/ \$//'"
check "the port file is root's alone (its directory is root's, mode 700)" has '^700 root$' stat -c '%a %U' "${XENNETD_PORT_FILE%/*}"
check "xennet daemon status: running, nothing handled yet" has '^xennetd is running \(pid [0-9]+, port [0-9]+\): backends 0' xennet daemon status
