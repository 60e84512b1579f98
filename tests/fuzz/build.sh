#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer, as `make fuzz` asks:
#
#   tests/fuzz/build.sh SRCDIR BUILDDIR OUTDIR
#
# SRCDIR is the source tree, BUILDDIR the configured tree that holds
# config.h (the same for a build in the source tree), OUTDIR where the
# objects and the fuzz_NAME programs go. The library sources are compiled
# again here, instrumented for coverage, into one archive each target
# links against; an object is remade when its source or any header is
# newer. FUZZ_CC (clang), FUZZ_DEP_CFLAGS and FUZZ_DEP_LIBS (the OpenSSL,
# libconfig and ncurses flags configure found) and FUZZ_JOBS (2) may be set.
#
# Fuzzing is optional: without clang or libFuzzer's runtime this says so
# and exits 0 having built nothing.
set -u
src=${1:-.}
bld=${2:-.}
out=${3:-fuzz}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-2}
dep_cflags=${FUZZ_DEP_CFLAGS-$(pkg-config --cflags openssl libconfig ncursesw 2>/dev/null)}
dep_libs=${FUZZ_DEP_LIBS-$(pkg-config --libs openssl libconfig ncursesw 2>/dev/null)}

if [ ! -f "$bld/config.h" ]; then
	echo "fuzz: $bld/config.h is missing: run configure first" >&2
	exit 1
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz: skipped: $cc is not installed (Debian: apt-get install clang libclang-rt-14-dev)"
	exit 0
fi
mkdir -p "$out/obj" || exit 1
probe=$out/obj/probe
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
	echo "fuzz: skipped: $cc cannot link with -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev):"
	tail -3 "$probe.log"
	exit 0
fi

warn="-Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 $warn $san -pthread -I$src -I$bld -DSYSCONFDIR=\"/etc\" $dep_cflags"

# Every library source of the two programs (not their main()s or screen).
libsrc=$(cd "$src" && ls proto/*.c srv/*.c tui/*.c | grep -v -e '^srv/main\.c$' \
    -e '^srv/passwd\.c$' -e '^tui/main\.c$' -e '^tui/app\.c$' -e '^tui/draw\.c$' \
    -e '^tui/sitelist\.c$')

# newer FILE TARGET: FILE, or any header, is newer than TARGET (or no TARGET).
newer() {
	[ ! -e "$2" ] && return 0
	[ "$1" -nt "$2" ] && return 0
	[ "$bld/config.h" -nt "$2" ] && return 0
	[ -n "$(find "$src/proto" "$src/srv" "$src/tui" "$src/tests/fuzz" -name '*.h' -newer "$2" 2>/dev/null | head -1)" ]
}

running=0
rm -f "$out"/obj/*.failed
# run LOG CMD...: runs CMD in the background, at most $jobs at a time; a
# failure leaves LOG.failed behind for wait_all.
run() {
	log=$1; shift
	if [ "$running" -ge "$jobs" ]; then
		wait_all || exit 1
	fi
	rm -f "$log.failed"
	( "$@" >"$log" 2>&1 || { echo "fuzz: failed: $*"; cat "$log"; : >"$log.failed"; } ) &
	running=$((running + 1))
}
# Waits for every job; fails if one did.
wait_all() {
	wait
	running=0
	! ls "$out"/obj/*.failed >/dev/null 2>&1
}

echo "fuzz: compiling the library sources into $out/obj"
objs=""
for c in $libsrc; do
	o=$out/obj/$(echo "$c" | tr / _ | sed 's/\.c$/.o/')
	objs="$objs $o"
	if newer "$src/$c" "$o"; then
		# shellcheck disable=SC2086
		run "$o.log" "$cc" $cflags -fsanitize=fuzzer-no-link -c "$src/$c" -o "$o"
	fi
done
wait_all || exit 1
lib=$out/obj/libburrow-fuzz.a
stale=0
for o in $objs; do
	[ "$o" -nt "$lib" ] && stale=1
done
if [ ! -e "$lib" ] || [ $stale -eq 1 ]; then
	rm -f "$lib"
	# shellcheck disable=SC2086
	ar rcs "$lib" $objs || exit 1
fi

echo "fuzz: linking the targets into $out"
for t in "$src"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	if newer "$t" "$out/$name" || [ "$lib" -nt "$out/$name" ]; then
		# shellcheck disable=SC2086
		run "$out/obj/$name.log" "$cc" $cflags -fsanitize=fuzzer "$t" "$lib" \
		    $dep_libs -o "$out/$name"
	fi
done
wait_all || exit 1
# Compiler warnings are kept clean here too.
if grep -l "warning:" "$out"/obj/*.log 2>/dev/null | grep -v probe.log; then
	echo "fuzz: the files above have compiler warnings:"
	grep -h "warning:" "$out"/obj/*.o.log "$out"/obj/fuzz_*.log 2>/dev/null
	exit 1
fi
echo "fuzz: built $(ls "$out"/fuzz_* 2>/dev/null | wc -l) targets in $out"
