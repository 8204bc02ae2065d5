#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Run by the harness after the tests, whichever were selected: stops what 10-package started
# (xennetd, as systemd stops it: SIGTERM to its main process, KillMode=process) and checks that
# the daemon took its port file with it (calls then run the scripts themselves) and that the
# tests left no guest.
. /xnvm/dom0/lib.sh

if "$UNIT" status xennetd >/dev/null 2>&1; then
	check "xennet daemon status at the end: running" has '^xennetd is running \(pid [0-9]+, port [0-9]+\)' xennet daemon status
	check "xennetd stops as its unit says and removes its port file" xennetd_stop
	check "xennet daemon status after the stop: not running (exit 3)" sh -c 'xennet daemon status; test $? = 3'
else
	ok "xennetd is not running at the end (nothing to stop)"
fi
check "only Domain-0 is left after the tests" only_dom0
