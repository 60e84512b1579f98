#!/usr/bin/env bash
# Compares burrowd with vsftpd and Pure-FTPd on this machine (loopback only)
# and prints the figures side by side. Builds nothing: it uses an already
# built tree. Needs root (the peers log in a system account and chroot).
# With --client it runs the client benchmark instead (bench/client.py):
# burrow --batch beside lftp and curl, all against one burrowd.
#
#   bench/run.sh [--builddir DIR] [bench.py options]
#   bench/run.sh --client [--builddir DIR] [client.py options]
#   bench/run.sh --logins [--builddir DIR] [logins.py options]
#
#   --builddir DIR   the build holding burrowd (and burrow; default
#                    build/normal)
#   --size-mib N     size of the big file (default 256)
#   --runs N         runs per figure, the median is shown (default 3)
#   --clients N      parallel sessions in (d) (default 20)
#   --only LETTERS   which measurements, e.g. "ab" (default abcd)
#   --burrowd-rounds N  PBKDF2 rounds of burrowd's user (default 1000)
#
#   --client         the client benchmark; it takes --size-mib, --runs and
#                    --only (default abcdef) as above, and:
#   --files N        small files in its (d) (default 200)
#   --file-kib N     size of each (default 4)
#   --timeout SECS   bound on every client run (default 120)
#
#   --logins         a login flood (bench/logins.py): 256 clients at once
#                    log in to burrowd with its password cache off and on
#                    (PBKDF2, 200000 rounds) and to vsftpd and Pure-FTPd with
#                    their usual hashes (yescrypt through PAM, pure-pw's
#                    argon2id); it takes --runs and --only (default abcd: a
#                    burrowd without the cache, b with it, c vsftpd,
#                    d Pure-FTPd), and --clients N (default 256), --rounds N
#                    (default 200000), --users N (burrowd's, default 1),
#                    --timeout SECS (each flood, default 1800)
#
#   --wan            many files and one big file over a distant link
#                    (bench/wan.py through bench/delayproxy.py): burrow with
#                    1 and 4 connections beside lftp mirror --parallel=1/4
#                    and pget -n 4; it takes --runs and --only (default
#                    abcd), and --delay SECS (each way, default 0.020),
#                    --window BYTES (per connection, default 1 MiB),
#                    --big-mib N (default 256)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$top/build/normal
script=bench.py
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--client) script=client.py; shift ;;
	--wan) script=wan.py; shift ;;
	--logins) script=logins.py; shift ;;
	--builddir) builddir=$2; shift 2 ;;
	--builddir=*) builddir=${1#*=}; shift ;;
	-h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) args+=("$1"); shift ;;
	esac
done
[ -d "$builddir" ] || { echo "run.sh: no build folder $builddir" >&2; exit 2; }
builddir=$(cd "$builddir" && pwd)
need=burrowd tools="curl openssl python3"
case $script in
bench.py) ;;
logins.py) tools=python3 ;;
*) need="burrowd burrow" tools="$tools lftp" ;;
esac
for prog in $need; do
	if [ ! -x "$builddir/$prog" ]; then
		echo "run.sh: $builddir/$prog is not built (run ./test.sh or make first)" >&2
		exit 2
	fi
done
for tool in $tools; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing" >&2; exit 2; }
done
export BURROW_BUILDDIR=$builddir
exec python3 "$top/bench/$script" "${args[@]}"
