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
