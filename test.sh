#!/usr/bin/env bash
# Builds Burrow and runs every test: the Check unit tests and the end-to-end
# tests against a real burrowd, first in a normal warning-free build, then
# under AddressSanitizer+UndefinedBehaviorSanitizer, then make distcheck,
# the unit tests under valgrind and the pool's under ThreadSanitizer, and last
# a bounded run of every fuzz target (tests/fuzz). Installs what is missing on
# Debian first. Ends with the line "N passed, N failed".
#
#   ./test.sh            everything
#   ./test.sh --quick    the normal build only
#   ./test.sh --fuzz     the fuzz targets only (configures build/normal if need be)
set -u
cd "$(dirname "$0")"
top=$(pwd)
quick=0
fuzz_only=0
[ "${1:-}" = "--quick" ] && quick=1
[ "${1:-}" = "--fuzz" ] && fuzz_only=1

passed=0
failed=0
log=$top/build/logs
# The peer servers (vsftpd, Pure-FTPd) are unpacked once, here, for every
# build of the run (tests/peers.py).
export BURROW_PEERS_DIR=$top/build/peers
mkdir -p "$log"

need=(gcc make autoconf automake pkg-config libssl-dev libconfig-dev
      libncurses-dev check curl lftp python3 valgrind openssl logrotate groff-base
      tmux libwrap0 libsodium23 haproxy clang libclang-rt-14-dev
      libmicrohttpd-dev libsystemd-dev systemd debhelper lintian
      libpq-dev postgresql
      libpam0g-dev libpam-wrapper libnss-wrapper)
missing=()
for p in "${need[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing: ${missing[*]}"
	sudo_cmd=""
	[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
	# Debian's postgresql makes and starts a system cluster on port 5432
	# when installed; the tests start their own (tests/pg.py), so none.
	if [[ " ${missing[*]} " == *" postgresql "* ]] &&
	    [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		$sudo_cmd mkdir -p /etc/postgresql-common &&
		echo "create_main_cluster = false" |
		    $sudo_cmd tee /etc/postgresql-common/createcluster.conf >/dev/null
	fi
	$sudo_cmd apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq \
	    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	    "${missing[@]}" >"$log/apt.log" 2>&1 ||
	    { echo "apt-get install failed: see $log/apt.log"; tail -20 "$log/apt.log"; }
fi

echo "== autoreconf"
autoreconf -fi >"$log/autoreconf.log" 2>&1 || { cat "$log/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }

# Reads automake's test summary from a make check log and adds its counts.
count_summary() {
	local p f
	p=$(sed -n 's/^# PASS: *\([0-9]*\)$/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^# \(FAIL\|XPASS\|ERROR\): *\([0-9]*\)$/\2/p' "$1" | awk '{s+=$1} END {print s+0}')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ -z "$p" ] && failed=$((failed + 1))
}

# build NAME CONFIGURE-ARGS...: configures and builds in build-NAME.
build() {
	local name=$1; shift
	echo "== build ($name): configure $*"
	mkdir -p "build/$name"
	( cd "build/$name" && ../../configure -q "$@" >"$log/configure-$name.log" 2>&1 &&
	  make -j2 >"$log/make-$name.log" 2>&1 && make -j2 check TESTS= >>"$log/make-$name.log" 2>&1 )
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "build ($name) failed:"; tail -30 "$log/configure-$name.log" "$log/make-$name.log"
		failed=$((failed + 1))
		return 1
	fi
	if grep -n "warning:" "$log/make-$name.log"; then
		echo "build ($name) has compiler warnings"
		failed=$((failed + 1))
	fi
	return 0
}

# check NAME: runs make check in build-NAME.
check() {
	local name=$1
	echo "== make check ($name)"
	( cd "build/$name" && make -j2 check >"$log/check-$name.log" 2>&1 )
	grep -E "^(PASS|FAIL|ERROR|XPASS|SKIP):" "$log/check-$name.log" | grep -v "^PASS" | head -40
	sed -n '/^# TOTAL/,/^# ERROR/p' "$log/check-$name.log"
	count_summary "$log/check-$name.log"
	# Show what failed.
	for f in build/$name/tests/*.log; do
		grep -q "^not ok" "$f" 2>/dev/null && { echo "--- $f"; grep -A25 "^not ok" "$f" | cut -c1-300 | head -60; }
	done
}

# The fuzz targets, each for a bounded number of inputs on a fresh copy of
# its seed corpus (the seeds themselves are not written to). A target
# passes when libFuzzer exits 0; a crash, leak, timeout or broken
# invariant fails it.
FUZZ_RUNS=20000
fuzz_section() {
	local t name work
	echo "== fuzz (each target for $FUZZ_RUNS inputs)"
	if [ ! -f build/normal/Makefile ]; then
		mkdir -p build/normal
		( cd build/normal && ../../configure -q --enable-werror >"$log/configure-normal.log" 2>&1 ) ||
		    { echo "configure failed:"; tail -20 "$log/configure-normal.log"; failed=$((failed + 1)); return; }
	fi
	if ! ( cd build/normal && make fuzz >"$log/make-fuzz.log" 2>&1 ); then
		echo "make fuzz failed:"; tail -30 "$log/make-fuzz.log"
		failed=$((failed + 1))
		return
	fi
	if ! ls build/normal/fuzz/fuzz_* >/dev/null 2>&1; then
		echo "make fuzz built no target:"; tail -5 "$log/make-fuzz.log"
		failed=$((failed + 1))
		return
	fi
	work=build/normal/fuzz/corpus
	for t in build/normal/fuzz/fuzz_*; do
		name=${t##*/fuzz_}
		rm -rf "${work:?}/$name"
		mkdir -p "$work/$name"
		if "$t" -runs=$FUZZ_RUNS -max_total_time=60 -timeout=10 \
		    -artifact_prefix="$log/fuzz-$name-" "$work/$name" "tests/fuzz/$name" \
		    >"$log/fuzz-$name.log" 2>&1; then
			passed=$((passed + 1))
		else
			echo "fuzz: $name failed (input kept as $log/fuzz-$name-*):"
			grep -v "^#[0-9]" "$log/fuzz-$name.log" | tail -30
			failed=$((failed + 1))
		fi
	done
}

if [ $fuzz_only -eq 1 ]; then
	fuzz_section
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

if build normal --enable-werror; then
	check normal
fi

if [ $quick -eq 0 ]; then
	if build asan --enable-sanitizers; then
		check asan
	fi

	echo "== make distcheck (the release tarball builds, passes its tests, installs and uninstalls)"
	if ( cd build/normal && make -j2 distcheck >"$log/distcheck.log" 2>&1 ); then
		passed=$((passed + 1))
	else
		echo "make distcheck failed:"; grep -E "^(FAIL|ERROR)|Error|error:" "$log/distcheck.log" | head -20
		failed=$((failed + 1))
	fi

	echo "== valgrind (unit tests)"
	for t in build/normal/tests/check_*; do
		[ -x "$t" ] || continue
		if CK_FORK=no valgrind -q --error-exitcode=1 --leak-check=full \
		    --errors-for-leak-kinds=definite,indirect "$t" >"$log/valgrind-$(basename "$t").log" 2>&1; then
			passed=$((passed + 1))
		else
			echo "valgrind: $t failed:"; tail -30 "$log/valgrind-$(basename "$t").log"
			failed=$((failed + 1))
		fi
	done

	echo "== ThreadSanitizer (the server's pool, password gate and metrics counters, the client's transfer queue, the hashing pipe)"
	mkdir -p build/tsan
	if ( cd build/tsan && ../../configure -q --enable-tsan --disable-hardening >"$log/configure-tsan.log" 2>&1 &&
	     make -j2 tests/check_pool tests/check_queue tests/check_xlog tests/check_parallel tests/check_verify tests/check_hcache tests/check_metrics >"$log/make-tsan.log" 2>&1 ); then
		for t in check_pool check_queue check_xlog check_parallel check_verify check_hcache check_metrics; do
			if CK_FORK=no TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/tests/$t >"$log/tsan-$t.log" 2>&1; then
				passed=$((passed + 1))
			else
				echo "ThreadSanitizer: $t failed:"; tail -40 "$log/tsan-$t.log"
				failed=$((failed + 1))
			fi
		done
	else
		echo "ThreadSanitizer build failed:"; tail -40 "$log/make-tsan.log"
		failed=$((failed + 1))
	fi

	fuzz_section
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
