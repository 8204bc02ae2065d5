#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The kernel-sensitive JUnit tests again, inside dom0 on Debian's stock 6.1 kernel (the kernel
# Xen hosts run; it refuses to rename an interface that is up, for one): the network contract
# against the real kernel (KernelNetworkContractTest) and network-bridge start/stop in both
# topologies with exact restore and a fault injected at every step of start and stop
# (NetworkBridgeKernelTest). They run in-process (one JVM, faults injected through the plan
# runner): a JVM per call, as the system ITs do, is too slow under TCG. Each JUnit test is one
# check here; the JUnit XML report is kept in the logs.
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
t=$SECONDS
echo "+ java -jar junit-platform-console-standalone.jar execute ${sel[*]}"
RUN_DEADLINE=1200 run java -Xmx384m -Xshare:auto -jar "$j/junit-platform-console-standalone.jar" execute \
	--disable-banner --details=tree --disable-ansi-colors \
	--class-path "$j/classes:$j/test-classes:$(printf '%s:' "$j"/lib/*.jar)" \
	"${sel[@]}" --reports-dir "$WORK/reports"
echo "  JUnit ran $((SECONDS - t)) s"
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
