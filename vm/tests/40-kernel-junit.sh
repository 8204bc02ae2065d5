#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The kernel-sensitive JUnit tests again, inside dom0 on Debian's stock 6.1 kernel (the kernel
# Xen hosts run; it refuses to rename an interface that is up, for one): the network contract
# against the real kernel (KernelNetworkContractTest) and network-bridge start/stop in both
# topologies with exact restore and a fault injected at every step of start and stop
# (NetworkBridgeKernelTest). They run in-process (one JVM, faults injected through the plan
# runner): a JVM per call, as the system ITs do, is too slow under TCG. Each JUnit test is one
# check here; the JUnit XML report is kept in the logs.
# xnvm-deadline: 2100 (one run of the JUnit tests takes 15 min under TCG; a crash runs them again)
. /xnvm/dom0/lib.sh
src=$SHARE/extra/junit.tar
CLASSES=(${XNVM_JUNIT_CLASSES:-org.xennet.net.KernelNetworkContractTest org.xennet.scripts.bridge.NetworkBridgeKernelTest})

if [[ ! -f $src ]]; then
	if [[ ${XNVM_CI:-} == true ]]; then
		nok "the JUnit payload is in the share (vm/junit-payload makes it)"
	else
		skip "the JUnit payload is not in the share (vm/junit-payload makes it; ./dev test-vm does)"
	fi
	exit 0
fi
j=$WORK/junit
need "unpack the JUnit payload in dom0" tar -C "$WORK" -xf "$src"
sel=()
for c in "${CLASSES[@]}"; do sel+=(--select-class "$c"); done
# The JVM with C1 alone (as xennet's launcher runs), which compiles faster under emulation and
# never replaces its code by a second compilation. Under QEMU's multi-threaded TCG, code that
# HotSpot patches on one vCPU while another runs it can be decoded torn: seen twice with tiered
# compilation on openjdk-17 17.0.21.1, a SIGSEGV at the entry of a C1 method just made "not
# entrant", its first bytes half old, half the new jump. (One vCPU for the JVM avoids it too,
# but doubles the run.) Such a crash, a fault of the emulator and not of a test, leaves its
# hs_err report with the logs and its head here, and the tests run once more; a second crash,
# or any failing test, fails the script.
junit() { # junit ATTEMPT: one run of the JUnit console launcher; its reports in $WORK/reports
	local t=$SECONDS
	rm -rf "$WORK/reports"
	echo "+ java -jar junit-platform-console-standalone.jar execute ${sel[*]}"
	RUN_DEADLINE=1300 run java -Xmx384m -Xshare:auto -XX:TieredStopAtLevel=1 \
		-XX:ErrorFile="$XNVM_OUT/logs/hs_err_$1_pid%p.log" -jar "$j/junit-platform-console-standalone.jar" execute \
		--disable-banner --details=tree --disable-ansi-colors \
		--class-path "$j/classes:$j/test-classes:$(printf '%s:' "$j"/lib/*.jar)" \
		"${sel[@]}" --reports-dir "$WORK/reports"
	echo "  JUnit ran $((SECONDS - t)) s"
}
crashed() { # crashed ATTEMPT: the JVM of that attempt died of a fatal error; its report's head shown
	local f found=1
	for f in "$XNVM_OUT"/logs/hs_err_"$1"_pid*.log; do
		[[ -f $f ]] || continue
		found=0
		sed -n '1,/^---------------  T H R E A D/p' "$f" | head -40 | sed 's/^/  | /'
	done
	return $found
}
junit 1
if crashed 1; then
	echo "  the JVM crashed (above; the report is in the logs): the JUnit tests run once more"
	junit 2
	! crashed 2 || echo "  the JVM crashed again"
fi
cp "$WORK"/reports/*.xml "$XNVM_OUT/logs/" 2>/dev/null
# every <testcase> becomes one result line
python3 - "$WORK/reports" "$RESULTS" "$TEST" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
reports, results, test = sys.argv[1:]
n = 0
with open(results, "a") as out:
    for f in sorted(glob.glob(reports + "/*.xml")):
        for tc in ET.parse(f).getroot().iter("testcase"):
            name = tc.get("classname", "").rsplit(".", 1)[-1] + " " + tc.get("name", "")
            if tc.find("failure") is not None or tc.find("error") is not None:
                status = "FAIL"
            elif tc.find("skipped") is not None:
                status = "skip"
                msg = tc.find("skipped").get("message")
                if msg:
                    name += " (" + msg.splitlines()[0][:120] + ")"
            else:
                status = "ok"
            out.write(f"{status} {test}: {name}\n")
            n += 1
if n == 0:
    sys.exit("no <testcase> in the JUnit reports")
PY
