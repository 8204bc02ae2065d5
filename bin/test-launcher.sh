#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016 # single-quoted $ (eval'd checks, literal test arguments) is meant
# Self-test of the bin/xennet launcher. Needs a JDK (javac, jar) and, for the start-up cache
# tests, a JDK 17..24 and/or a JDK >= 25 (found in /usr/lib/jvm, or given as
# XENNET_TEST_JDKS="/path/to/jdk17 /path/to/jdk25"). It builds a stand-in for xennet.jar in a
# temporary directory (never in the tree), points XENNET_JAR and XENNET_CACHE_DIR there, and
# removes everything on exit. Last line: "N passed, N failed"; exit status 1 on any failure.
#
# usage: bin/test-launcher.sh [-v]     (-v: show the output of failed checks)

set -u
verbose=''
[[ ${1:-} == -v ]] && verbose=1

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
launcher=$here/xennet
links=(network-bridge network-route network-nat vif-bridge vif-route vif-nat vif-openvswitch network-wrapper)

pass=0 fail=0 skip=0
ok() {
	pass=$((pass + 1))
	printf 'ok    %s\n' "$1"
}
nok() {
	fail=$((fail + 1))
	printf 'FAIL  %s\n' "$1"
	if [[ -n $verbose || -n ${CI:-} ]]; then
		[[ -s $T/out ]] && sed 's/^/      stdout| /' "$T/out" | head -20
		[[ -s $T/err ]] && sed 's/^/      stderr| /' "$T/err" | head -20
	fi
	return 0
}
skipped() {
	skip=$((skip + 1))
	printf 'skip  %s\n' "$1"
}
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}

# ------------------------------------------------------------------------ scratch area
T=$(mktemp -d "${TMPDIR:-/tmp}/xennet-test.XXXXXX") || exit 1
cleanup() {
	local d
	# let background builders started by the launcher finish before their directory goes
	for d in "$T"/cache-*; do
		[[ -e $d/xennet.lock ]] && flock -w 120 "$d/xennet.lock" true 2>/dev/null
	done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run COMMAND...: stdout to $T/out, stderr to $T/err, status to rc
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
# same_out FILE: stdout is byte for byte FILE, stderr is empty, status 0
clean_call() { [[ $rc -eq 0 && ! -s $T/err ]] && cmp -s "$T/out" "$1"; }

# ----------------------------------------------------------------------------- JDKs
jdk_feature() { # jdk_feature JAVA_HOME: prints the feature version from its release file
	local line v=''
	[[ -f $1/release ]] || return 1
	while IFS= read -r line; do
		[[ $line == JAVA_VERSION=* ]] && v=${line#*=} && break
	done <"$1/release"
	v=${v//\"/}
	v=${v%%[!0-9]*}
	[[ -n $v ]] && printf '%s\n' "$v"
}
jdk_lo='' jdk_hi=''
if [[ -n ${XENNET_TEST_JDKS:-} ]]; then
	read -r -a candidates <<<"$XENNET_TEST_JDKS"
else
	candidates=(/usr/lib/jvm/*)
fi
for d in "${candidates[@]}"; do
	[[ -x $d/bin/java ]] || continue
	d=$(readlink -f -- "$d")
	f=$(jdk_feature "$d") || continue
	if ((f >= 25)); then
		[[ -n $jdk_hi ]] || jdk_hi=$d
	elif ((f >= 17)); then
		[[ -n $jdk_lo ]] || jdk_lo=$d
	fi
done
jdks=()
[[ -n $jdk_lo ]] && jdks+=("$jdk_lo")
[[ -n $jdk_hi ]] && jdks+=("$jdk_hi")
javac='' jartool=''
for d in "${jdks[@]}"; do
	if [[ -x $d/bin/javac && -x $d/bin/jar ]]; then
		javac=$d/bin/javac jartool=$d/bin/jar
		break
	fi
done
if [[ -z $javac ]]; then
	printf 'no JDK 17+ with javac and jar found (set XENNET_TEST_JDKS)\n'
	printf '0 passed, 1 failed\n'
	exit 1
fi
printf '# JDKs: %s\n' "${jdks[*]}"

# --------------------------------------------------------------- stand-in xennet.jar
# Main prints what the launcher handed over; __train loads some classes; __exit N exits N.
mkdir -p "$T/src/org/xennet/cli" "$T/classes" "$T/jar" "$T/home/bin" "$T/home/target/native" "$T/etc"
cat >"$T/src/org/xennet/cli/Main.java" <<'EOF'
package org.xennet.cli;

import java.util.*;
import java.util.stream.*;

public class Main {
  public static void main(String[] a) throws Exception {
    if (a.length > 0 && a[0].equals("__train")) {
      Map<String, Integer> m = new java.util.concurrent.ConcurrentHashMap<>();
      m.put("vif1.0", java.util.regex.Pattern.compile("vif(\\d+)\\.(\\d+)").matcher("vif1.0").groupCount());
      String s = IntStream.range(0, 8).boxed().map(String::valueOf).collect(Collectors.joining(","));
      m.put(String.format("%s-%s", s, java.time.Instant.EPOCH), java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self")) ? 1 : 0);
      if (m.size() != 2) System.exit(1);
      return;
    }
    if (a.length == 2 && a[0].equals("__exit")) System.exit(Integer.parseInt(a[1]));
    StringBuilder b = new StringBuilder();
    b.append("argv0=").append(System.getProperty("xennet.argv0")).append('\n');
    b.append("jna.boot.library.path=").append(System.getProperty("jna.boot.library.path")).append('\n');
    b.append("jna.nounpack=").append(System.getProperty("jna.nounpack")).append('\n');
    b.append("jna.nosys=").append(System.getProperty("jna.nosys")).append('\n');
    b.append("class.path=").append(System.getProperty("java.class.path")).append('\n');
    new TreeMap<>(System.getProperties()).forEach((k, v) -> {
      if (k.toString().startsWith("t.")) b.append(k).append('=').append(v).append('\n');
    });
    b.append("argc=").append(a.length).append('\n');
    for (String s : a) b.append("arg:").append(s).append('\n');
    System.out.print(b);
    System.out.flush();
    if (System.getenv("XENNET_TEST_PIDFILE") != null)
      java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("XENNET_TEST_PIDFILE")),
          ProcessHandle.current().pid() + "\n" + System.getProperty("java.home") + "\n");
    if (System.getenv("XENNET_TEST_JVMARGS") != null)
      java.nio.file.Files.write(java.nio.file.Path.of(System.getenv("XENNET_TEST_JVMARGS")),
          ProcessHandle.current().info().arguments().map(Arrays::asList).orElse(List.of("?")));
  }
}
EOF
if ! "$javac" --release 17 -d "$T/classes" "$T/src/org/xennet/cli/Main.java" >"$T/err" 2>&1 ||
	! "$jartool" --create --file "$T/jar/xennet.jar" --main-class org.xennet.cli.Main -C "$T/classes" . >>"$T/err" 2>&1; then
	cat "$T/err"
	printf '0 passed, 1 failed\n'
	exit 1
fi
jar=$T/jar/xennet.jar
cp -p -- "$jar" "$T/home/target/xennet.jar"
touch "$T/home/target/native/libjnidispatch.so"

# expect FILE ARGV0 NATIVE CLASSPATH [ARG...]: writes the stand-in's expected output
expect() {
	local f=$1 a0=$2 nat=$3 cp=$4
	shift 4
	{
		# the launcher passes no JNA property: Java chooses the library's directory (JnaLibrary)
		: "$nat"
		printf 'argv0=%s\njna.boot.library.path=null\njna.nounpack=null\njna.nosys=null\nclass.path=%s\n' "$a0" "$cp"
		printf 'argc=%d\n' $#
		(($#)) && printf 'arg:%s\n' "$@"
	} >"$f"
}

# Arguments a hotplug script must get unchanged: blanks, shell syntax, globs, quotes,
# backslashes, newlines, empty strings, options.
nasty=(online 'two words' "\$(touch $T/pwned)" "\`touch $T/pwned2\`" '' "a'b\"c" 'x;y|z&' '*' '~' \
	'back\slash' $'new\nline' $'\ttab ' -- -e '-n' '${HOME}' '')
# the stand-in jar has no native/ beside it: the package's directory for this machine
case $(uname -m) in
x86_64) native_default=/usr/lib/xennet/linux-x86-64 ;;
aarch64) native_default=/usr/lib/xennet/linux-aarch64 ;;
*) native_default=/usr/lib/xennet/linux-$(uname -m) ;;
esac

# ====================================================================== layout
check "launcher is an executable file" test -f "$launcher" -a -x "$launcher"
for l in "${links[@]}"; do
	check "bin/$l is a relative symlink to xennet" test -L "$here/$l" -a "$(readlink -- "$here/$l")" = xennet
done

# ================================================================ no JDK needed twice
java1=${jdks[0]}/bin/java
export XENNET_JAR=$jar XENNET_JAVA=$java1
unset XENNET_JAVA_OPTS XENNET_NATIVE_DIR XENNET_NO_CACHE JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS
export XENNET_CACHE_DIR=$T/cache-plain

# argv through the vif-bridge link, no cache
expect "$T/exp" vif-bridge "$native_default" "$jar" "${nasty[@]}"
XENNET_NO_CACHE=1 run "$here/vif-bridge" "${nasty[@]}"
check "vif-bridge: argv passed literally, argv0=vif-bridge, no JNA property (no cache)" clean_call "$T/exp"
check "no shell evaluation of \$(...) or backquotes in arguments" test ! -e "$T/pwned" -a ! -e "$T/pwned2"
check "XENNET_NO_CACHE=1: no cache directory created" test ! -e "$T/cache-plain"

expect "$T/exp" xennet "$native_default" "$jar" vif-bridge online
XENNET_NO_CACHE=1 run "$launcher" vif-bridge online
check "xennet SCRIPT ...: argv0=xennet, script passed as first argument" clean_call "$T/exp"

expect "$T/exp" vif-bridge "$native_default" "$jar" cache --clear
XENNET_NO_CACHE=1 run "$here/vif-bridge" cache --clear
check "vif-bridge cache --clear goes to Java, not to the launcher" clean_call "$T/exp"

expect "$T/exp" vif-bridge "$native_default" "$jar" 'a b' '' '$(x)'
XENNET_NO_CACHE=1 run sh "$here/vif-bridge" 'a b' '' '$(x)'
check "started as 'sh vif-bridge': hands itself to bash, argv intact" clean_call "$T/exp"

expect "$T/exp" network-bridge "$native_default" "$jar"
XENNET_NO_CACHE=1 run "$here/network-bridge"
check "no arguments: argc=0, argv0=network-bridge" clean_call "$T/exp"

XENNET_NO_CACHE=1 run "$here/vif-route" __exit 7
check "exit status passes through (7)" test "$rc" -eq 7
XENNET_NO_CACHE=1 run "$launcher" __exit 0
check "exit status passes through (0)" test "$rc" -eq 0

# exec: the JVM is the very process that was started (no shell waiting behind it)
XENNET_NO_CACHE=1 XENNET_TEST_PIDFILE=$T/pid "$here/vif-nat" x >/dev/null 2>&1 </dev/null &
pid=$!
wait "$pid"
check "launcher execs java (same pid, no shell left behind)" test "$(head -1 "$T/pid" 2>/dev/null)" = "$pid"

# hand-over to xennetd: a port file is trusted only with the pid and start time of the live
# process that listens there (a stand-in daemon that answers OK and notes each request)
if command -v python3 >/dev/null; then
	mkdir -p "$T/state/xennetd"
	python3 -c '
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
st = open("/proc/self/stat").read(); start = st[st.rindex(") ") + 2:].split()[19]
open(sys.argv[1] + ".new", "w").write("%d %d %s\n" % (s.getsockname()[1], os.getpid(), start))
os.rename(sys.argv[1] + ".new", sys.argv[1])
while True:
    c, _ = s.accept(); c.sendall(b"xennetd1 ready\n"); f = c.makefile()
    open(sys.argv[2], "a").write(f.readline()); c.sendall(b"OK\n"); c.close()
' "$T/state/xennetd/port.live" "$T/requests" </dev/null >/dev/null 2>&1 &
	standin=$!
	for _ in $(seq 100); do [[ -s $T/state/xennetd/port.live ]] && break; sleep 0.05; done
	read -r sport spid sstart <"$T/state/xennetd/port.live"
	hand() { # hand PORTFILE-CONTENT: a vif-bridge online as libxl makes it, that port file in place
		printf '%s\n' "$1" >"$T/state/xennetd/port"
		XENNET_NO_CACHE=1 XENNET_STATE_DIR=$T/state vif=vif3.0 XENBUS_PATH=backend/vif/3/0 \
			run "$here/vif-bridge" online type_if=vif
	}
	hand "$sport $spid $sstart"
	check "xennetd: handed over to the live process of the port file (no java)" \
		test "$rc" -eq 0 -a ! -s "$T/out" -a "$(cat "$T/requests" 2>/dev/null)" = "xennetd1 online backend/vif/3/0 vif3.0 vif-bridge"
	expect "$T/exp" vif-bridge "$native_default" "$jar" online type_if=vif
	hand "$sport $spid $((sstart + 1))"
	check "xennetd: another start time (a reused pid) is passed by: java runs" clean_call "$T/exp"
	hand "$sport $spid"
	check "xennetd: a port file without the start time is passed by: java runs" clean_call "$T/exp"
	hand "$sport $$ $sstart"
	check "xennetd: a pid that is not the listener's is passed by: java runs" clean_call "$T/exp"
	check "xennetd: nothing but the first call reached the stand-in" test "$(wc -l <"$T/requests")" -eq 1
	kill "$standin" 2>/dev/null
	wait "$standin" 2>/dev/null
	rm -rf -- "$T/state"
else
	skipped "xennetd hand-over (no python3 for a stand-in daemon)"
fi

# XENNET_JAVA_OPTS: split on blanks only, nothing expanded
{
	expect /dev/stdout vif-bridge "$native_default" "$jar" | sed -n '1,5p'
	printf 't.a=1\nt.b=$(touch${IFS}%s/pwned3)\nt.c=*\nt.d=~\nt.e=`id`\nargc=0\n' "$T"
} >"$T/exp"
XENNET_NO_CACHE=1 XENNET_JAVA_OPTS=$'-Dt.a=1  \t-Dt.b=$(touch${IFS}'"$T"$'/pwned3)\n-Dt.c=* -Dt.d=~ -Dt.e=`id`' run "$here/vif-bridge"
check "XENNET_JAVA_OPTS split on blanks only, never expanded" clean_call "$T/exp"
check "XENNET_JAVA_OPTS: \$(...) not executed" test ! -e "$T/pwned3"

# JNA's library directory is Java's to choose (JnaLibrary): nothing about it on the command line
expect "$T/exp" vif-bridge - "$jar" x
XENNET_NO_CACHE=1 MACHTYPE=aarch64-unknown-linux-gnu XENNET_NATIVE_DIR="$T/nat dir" run "$here/vif-bridge" x
check "no JNA property on the command line, whatever MACHTYPE and XENNET_NATIVE_DIR say" clean_call "$T/exp"

XENNET_NO_CACHE=1 XENNET_JAR=$T/missing.jar run "$here/vif-bridge" x
check "missing XENNET_JAR: error on stderr, non-zero status" test "$rc" -ne 0 -a -s "$T/err"

# installed-like layout: launcher copy in home/bin, jar in home/target, called through a
# symlink chain from elsewhere (like /etc/xen/scripts/vif-bridge -> .../bin/xennet)
cp -- "$launcher" "$here/xennet-cache" "$T/home/bin/"
ln -s xennet "$T/home/bin/vif-bridge"
ln -s "$T/home/bin/xennet" "$T/etc/vif-bridge"
ln -s ../home/bin/vif-bridge "$T/etc/vif-route"
expect "$T/exp" vif-bridge "$T/home/target/native" "$T/home/target/xennet.jar" offline
(unset XENNET_JAR && XENNET_NO_CACHE=1 run "$T/etc/vif-bridge" offline && clean_call "$T/exp")
check "jar found via XENNET_HOME through an absolute symlink" test $? -eq 0
expect "$T/exp" vif-route "$T/home/target/native" "$T/home/target/xennet.jar" offline
(unset XENNET_JAR && cd "$T/etc" && XENNET_NO_CACHE=1 run ./vif-route offline && clean_call "$T/exp")
check "jar found through a chain of relative symlinks, argv0 is the name called" test $? -eq 0

# java selection: JAVA_HOME, then PATH
if ((${#jdks[@]} > 1)); then
	jh=${jdks[1]}
else
	jh=${jdks[0]}
fi
(unset XENNET_JAVA && XENNET_NO_CACHE=1 JAVA_HOME=$jh XENNET_TEST_PIDFILE=$T/pid run "$here/vif-bridge" x)
check "JAVA_HOME selects the JVM when XENNET_JAVA is unset" test "$(sed -n 2p "$T/pid" 2>/dev/null)" = "$jh"
mkdir -p "$T/pathbin" && ln -s "$java1" "$T/pathbin/java"
(unset XENNET_JAVA JAVA_HOME && PATH=$T/pathbin:/usr/bin:/bin XENNET_NO_CACHE=1 XENNET_TEST_PIDFILE=$T/pid run "$here/vif-bridge" x)
check "java on PATH is used when neither XENNET_JAVA nor JAVA_HOME is set" test "$(sed -n 2p "$T/pid" 2>/dev/null)" = "${jdks[0]}"

# a cache directory owned by someone else is never used
if ((EUID == 0)); then
	mkdir -p "$T/cache-foreign" && chown 65534 "$T/cache-foreign"
	expect "$T/exp" vif-bridge "$native_default" "$jar" x
	XENNET_CACHE_DIR=$T/cache-foreign run "$here/vif-bridge" x
	check "foreign-owned cache dir: call fine and silent, nothing written there" \
		eval 'clean_call "$T/exp" && [[ -z $(ls -A "$T/cache-foreign") ]]'
else
	skipped "foreign-owned cache dir (needs root)"
fi

# ====================================================================== per JDK: cache
# loaded_from_archive [PROGRAM]: run a call (PROGRAM x, default bin/vif-bridge) with class
# loading logged; true when Main came from the archive
loaded_from_archive() {
	rm -f -- "$T/cl.log"
	JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$T/cl.log" "${1:-$here/vif-bridge}" x >/dev/null 2>&1 </dev/null
	grep -q 'org\.xennet\.cli\.Main source: shared objects file' "$T/cl.log"
}
# given_archive [PROGRAM]: runs a call (PROGRAM x, default bin/vif-bridge) and prints whether its
# JVM was handed an archive on its command line: yes, no, or nothing when it did not run
given_archive() {
	rm -f -- "$T/jvmargs"
	XENNET_TEST_JVMARGS=$T/jvmargs "${1:-$here/vif-bridge}" x >/dev/null 2>&1 </dev/null
	[[ -s $T/jvmargs ]] || return 1
	if grep -q -e '^-XX:SharedArchiveFile=' -e '^-XX:AOTCache=' "$T/jvmargs"; then echo yes; else echo no; fi
}
archive_path() { "$launcher" cache --status 2>/dev/null | sed -n 's/^archive: //p'; }
archive_ready_now() { "$launcher" cache --status >/dev/null 2>&1; }
wait_ready() { # wait_ready SECONDS: until `xennet cache --status` says ready
	local i
	for ((i = 0; i < $1 * 2; i++)); do
		"$launcher" cache --status >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

# an archive of the other JDK for each one, to hand it the wrong kind of file
other_arch=()
if ((${#jdks[@]} == 2)); then
	for n in 1 2; do
		XENNET_JAVA=${jdks[2 - n]}/bin/java XENNET_CACHE_DIR=$T/cache-other-$n run "$launcher" cache
		other_arch[n]=$(XENNET_JAVA=${jdks[2 - n]}/bin/java XENNET_CACHE_DIR=$T/cache-other-$n archive_path)
	done
fi

n=0
for jdk in "${jdks[@]}"; do
	n=$((n + 1))
	f=$(jdk_feature "$jdk")
	export XENNET_JAVA=$jdk/bin/java XENNET_CACHE_DIR=$T/cache-$n
	if ((f >= 25)); then kind=aot; else kind=jsa; fi
	J="JDK $f"

	run "$launcher" cache
	arch=$(archive_path)
	check "$J: xennet cache builds the archive and says where" \
		eval '[[ $rc -eq 0 && -n $arch && -s $arch && $arch == "$XENNET_CACHE_DIR"/*.$kind ]] && grep -qF -- "$arch" "$T/out" && grep -q " s$" "$T/out"'
	check "$J: archive has the jar's mtime" test ! "$arch" -nt "$jar" -a ! "$arch" -ot "$jar"
	run "$launcher" cache --status
	check "$J: cache --status says ready" eval '[[ $rc -eq 0 ]] && grep -q "^state: ready" "$T/out"'
	check "$J: a call uses the archive (Main comes from it)" loaded_from_archive
	check "$J: XENNET_NO_CACHE=1 leaves the archive alone" eval '! XENNET_NO_CACHE=1 loaded_from_archive'

	expect "$T/exp" vif-bridge "$native_default" "$jar" "${nasty[@]}"
	run "$here/vif-bridge" "${nasty[@]}"
	check "$J: argv passed literally with the archive in use, no output noise" clean_call "$T/exp"
	run "$here/vif-bridge" __exit 3
	check "$J: exit status passes through with the archive in use" test "$rc" -eq 3

	# damaged archives (with the jar's mtime, so the launcher hands them to the JVM):
	# the JVM must run without them and say nothing
	cp -p -- "$arch" "$T/good"
	size=$(stat -c %s -- "$arch")
	expect "$T/exp" vif-bridge "$native_default" "$jar" x
	for damage in garbage header empty other-jdk half; do
		chmod u+w -- "$arch"
		case $damage in
		garbage) head -c "$size" /dev/urandom >"$arch" ;;
		header) cp -- "$T/good" "$arch" && head -c 512 /dev/urandom | dd of="$arch" bs=512 seek=0 conv=notrunc 2>/dev/null ;;
		empty) : >"$arch" ;;
		other-jdk)
			other=${other_arch[n]:-}
			if [[ -z $other ]]; then
				cp -p -- "$T/good" "$arch"
				skipped "$J: archive of another JDK (needs two JDKs)"
				continue
			fi
			cp -- "$other" "$arch"
			;;
		half)
			if [[ $kind == jsa ]]; then # JDK 17 maps a truncated archive and dies of SIGBUS: see below
				cp -p -- "$T/good" "$arch"
				continue
			fi
			head -c $((size / 2)) "$T/good" >"$arch"
			;;
		esac
		touch -r "$jar" -- "$arch"
		run "$here/vif-bridge" x
		check "$J: damaged archive ($damage): call succeeds, no output noise" clean_call "$T/exp"
		cp -p -- "$T/good" "$arch"
	done

	# a JVM that crashes with an archive retires it (JDK 17 dies on a truncated one)
	chmod u+w -- "$arch"
	head -c $((size / 2)) "$T/good" >"$arch"
	touch -r "$jar" -- "$arch"
	{ run "$here/vif-bridge" x; } 2>/dev/null # may die of a signal: no "Aborted" from bash
	if [[ -e $arch.hs_err.log ]]; then
		run "$here/vif-bridge" x
		check "$J: after a JVM crash with the archive, the next call runs without it, silently" clean_call "$T/exp"
		run "$launcher" cache --status
		check "$J: cache --status reports the crash" grep -q 'crash' "$T/out"
	else
		check "$J: truncated archive: call succeeds, no output noise" clean_call "$T/exp"
	fi
	run "$launcher" cache
	check "$J: xennet cache replaces a bad archive" eval '[[ $rc -eq 0 && ! -e $arch.hs_err.log ]] && loaded_from_archive'

	# rebuilt jar: the archive is stale, never used, and not rebuilt by a call
	sleep 0.01
	touch -- "$jar"
	run "$here/vif-bridge" x
	check "$J: stale archive (jar rebuilt): call succeeds, no output noise" clean_call "$T/exp"
	sleep 3
	check "$J: a call builds nothing: the stale archive stays as it is" eval '! archive_ready_now'
	run "$launcher" cache
	check "$J: xennet cache rebuilds the stale archive" eval '[[ $rc -eq 0 ]] && archive_ready_now'
	check "$J: rebuilt archive is used" loaded_from_archive

	# --clear, then a call without an archive: it runs without one and starts no builder
	run "$launcher" cache --clear
	check "$J: cache --clear removes the archives" eval '[[ $rc -eq 0 && ! -e $arch ]] && ! compgen -G "$XENNET_CACHE_DIR/xennet-*.$kind" >/dev/null'
	start=${EPOCHREALTIME/./}
	out=$("$here/vif-bridge" x 2>&1 </dev/null)
	rc=$?
	took=$(((${EPOCHREALTIME/./} - start) / 1000))
	printf '%s\n' "$out" >"$T/out"
	: >"$T/err"
	check "$J: first call without archive: succeeds, no noise (${took} ms)" clean_call "$T/exp"
	sleep 3
	check "$J: ... and no archive appears: a hotplug call never builds one" test ! -e "$arch"
	check "$J: no build log or temporary file left" eval '! compgen -G "$XENNET_CACHE_DIR/.tmp-*" >/dev/null && ! compgen -G "$XENNET_CACHE_DIR/*.failed" >/dev/null'
	run "$launcher" cache
	check "$J: xennet cache builds it" eval '[[ $rc -eq 0 ]] && archive_ready_now'

	# XENNET_NO_CACHE: no building either
	export XENNET_CACHE_DIR=$T/cache-none-$n
	XENNET_NO_CACHE=1 run "$here/vif-bridge" x
	sleep 1
	check "$J: XENNET_NO_CACHE=1: call fine, nothing built" eval 'clean_call "$T/exp" && [[ ! -e $XENNET_CACHE_DIR ]]'
	XENNET_NO_CACHE=1 run "$launcher" cache
	check "$J: XENNET_NO_CACHE=1: xennet cache builds nothing" test ! -e "$XENNET_CACHE_DIR"

	# launch records: what a call checks before it hands an archive to the JVM. A JDK of our
	# own: its bin/java and release file are copies, the rest links to this JDK.
	fj=$T/jdk-$n
	mkdir -p -- "$fj/bin" && cp -p -- "$jdk/bin/java" "$fj/bin/" && cp -p -- "$jdk/release" "$fj/"
	for e in "$jdk"/*; do
		[[ ${e##*/} == @(bin|release) ]] || ln -s -- "$e" "$fj/"
	done
	ln -sfn -- "$fj/bin/java" "$T/java-$n"
	export XENNET_JAVA=$T/java-$n XENNET_CACHE_DIR=$T/cache-rec-$n
	run "$launcher" cache
	arch=$(archive_path)
	check "$J: record: xennet cache leaves a launch record beside the archive, a call uses both" \
		eval '[[ $rc -eq 0 && -s $arch.launch ]] && loaded_from_archive'
	ls -lA --time-style=full-iso "$XENNET_CACHE_DIR" >"$T/ls.before"
	run "$here/vif-bridge" x
	ls -lA --time-style=full-iso "$XENNET_CACHE_DIR" >"$T/ls.after"
	check "$J: record: a call writes nothing in the cache directory" \
		eval 'clean_call "$T/exp" && cmp -s "$T/ls.before" "$T/ls.after"'

	# the JDK upgraded in place: its release file replaced (the record has the old one's mtime)
	cp -- "$jdk/release" "$fj/release.new" && touch -d '2001-02-03 04:05:06' -- "$fj/release.new"
	mv -f -- "$fj/release.new" "$fj/release"
	run "$here/vif-bridge" x
	check "$J: record: JDK upgraded in place (release file changed): call silent, archive not used" \
		eval 'clean_call "$T/exp" && [[ $(given_archive) == no ]] && ! archive_ready_now'
	run "$launcher" cache
	check "$J: record: xennet cache after the JDK upgrade: the archive is used again" \
		eval '[[ $rc -eq 0 ]] && archive_ready_now && loaded_from_archive'

	# java at the same path switched to another JDK (the other one, else this one's own java)
	ln -sfn -- "${jdks[2 - n]:-$jdk}/bin/java" "$T/java-$n"
	run "$here/vif-bridge" x
	check "$J: record: java switched to another JDK at the same path: call silent, archive not used" \
		eval 'clean_call "$T/exp" && [[ $(given_archive) == no ]]'
	ln -sfn -- "$fj/bin/java" "$T/java-$n"
	check "$J: record: java switched back: the archive is used again" loaded_from_archive

	# other flags: the archive of the old ones is not used; both live side by side
	check "$J: record: flags changed through XENNET_JAVA_OPTS: archive not used" \
		eval '[[ $(XENNET_JAVA_OPTS=-Dt.flag=1 given_archive) == no ]] && ! XENNET_JAVA_OPTS=-Dt.flag=1 archive_ready_now'
	XENNET_JAVA_OPTS=-Dt.flag=1 run "$launcher" cache
	check "$J: record: xennet cache for those flags: each set of flags uses its own archive" \
		eval '[[ $rc -eq 0 ]] && XENNET_JAVA_OPTS=-Dt.flag=1 loaded_from_archive && loaded_from_archive &&
			[[ $(XENNET_JAVA_OPTS=-Dt.flag=1 archive_path) != "$arch" ]]'

	# the same jar (bytes and mtime) at another path is not the jar the archive was built for;
	# built for it, then the jar rebuilt: the record still fits, the archive does not
	mkdir -p -- "$T/jar2" && cp -p -- "$jar" "$T/jar2/xennet.jar"
	check "$J: record: the jar at another path (XENNET_JAR): archive not used" \
		eval '[[ $(XENNET_JAR=$T/jar2/xennet.jar given_archive) == no ]]'
	XENNET_JAR=$T/jar2/xennet.jar run "$launcher" cache
	check "$J: record: ... xennet cache for that jar: used" eval '[[ $rc -eq 0 ]] && XENNET_JAR=$T/jar2/xennet.jar loaded_from_archive'
	sleep 0.01
	touch -- "$T/jar2/xennet.jar"
	XENNET_JAR=$T/jar2/xennet.jar run "$here/vif-bridge" x
	check "$J: record: ... that jar rebuilt: call silent, archive not used" \
		eval '[[ $rc -eq 0 && ! -s $T/err ]] && [[ $(XENNET_JAR=$T/jar2/xennet.jar given_archive) == no ]]'

	# stale or damaged records are never trusted
	cp -p -- "$arch.launch" "$T/record"
	rm -f -- "$arch.launch"
	run "$here/vif-bridge" x
	check "$J: record: an archive without its record is not used; cache --status says stale" \
		eval 'clean_call "$T/exp" && [[ $(given_archive) == no ]] && "$launcher" cache --status | grep -q "^state: stale"'
	head -c 40 -- "$T/record" >"$arch.launch" && touch -r "$T/record" -- "$arch.launch"
	run "$here/vif-bridge" x
	check "$J: record: a truncated record is ignored, the call is silent" \
		eval 'clean_call "$T/exp" && [[ $(given_archive) == no ]]'
	cp -p -- "$T/record" "$arch.launch"
	if ((EUID == 0)); then
		chown 65534 -- "$arch.launch"
		check "$J: record: a record owned by another user is not trusted" eval '[[ $(given_archive) == no ]]'
		chown 0 -- "$arch.launch"
		chown 65534 -- "$arch"
		check "$J: record: an archive owned by another user is not used" eval '[[ $(given_archive) == no ]]'
		chown 0 -- "$arch"
	else
		skipped "$J: record owned by another user (needs root)"
	fi
	check "$J: record: the record put back: the archive is used again" loaded_from_archive

	# the record is per launcher: another launcher, with its own jar, finds that jar
	mkdir -p -- "$T/home2/bin" "$T/home2/target" && cp -- "$launcher" "$here/xennet-cache" "$T/home2/bin/"
	ln -sfn xennet "$T/home2/bin/vif-bridge" && cp -p -- "$jar" "$T/home2/target/xennet.jar"
	(unset XENNET_JAR && run "$T/home2/bin/xennet" cache && ((rc == 0)) && loaded_from_archive "$T/home2/bin/vif-bridge")
	check "$J: record: built by a launcher without XENNET_JAR, used by its calls" test $? -eq 0
	(unset XENNET_JAR && [[ $(given_archive "$T/home/bin/vif-bridge") == no ]] && run "$T/home/bin/vif-bridge" x &&
		grep -qxF "class.path=$T/home/target/xennet.jar" "$T/out")
	check "$J: record: ... not by another launcher's, which finds its own jar" test $? -eq 0
	# with a fitting record a call forks nothing: no readlink, so no PATH needed
	rm -f -- "$T/cl.log"
	(unset XENNET_JAR && PATH=/nonexistent JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$T/cl.log" run "$T/home2/bin/vif-bridge" x)
	check "$J: record: with a fitting record a call runs no other program (PATH empty)" \
		grep -q 'org\.xennet\.cli\.Main source: shared objects file' "$T/cl.log"
done
((${#jdks[@]} == 2)) || skipped "cache tests need both a JDK 17..24 and a JDK 25+ (found: ${jdks[*]})"

# ----------------------------------------------------------------------------- summary
if ((skip)); then
	printf '%d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skip"
else
	printf '%d passed, %d failed\n' "$pass" "$fail"
fi
((fail == 0))
