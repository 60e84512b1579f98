#!/usr/bin/env bash
# Installs what is missing, builds Burrow, creates the demo users harry and
# beal (passwords "harry" and "beal") with their homes, starts burrowd on
# 127.0.0.1:2121 with config/burrowd.conf and opens burrow, the two-pane
# client, logged in as harry over FTPS. Quitting burrow (q) stops burrowd.
# Without a terminal, or with --server, burrowd runs in the foreground
# instead (Ctrl-C stops it).
set -eu
cd "$(dirname "$0")"
top=$(pwd)

need=(gcc make autoconf automake pkg-config libssl-dev libconfig-dev
      libncurses-dev check libpq-dev libmicrohttpd-dev libpam0g-dev
      libsystemd-dev curl lftp openssl)
missing=()
for p in "${need[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "== installing: ${missing[*]}"
	sudo_cmd=""
	[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
	$sudo_cmd apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

echo "== building"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] ||
	autoreconf -fi >/dev/null 2>&1
mkdir -p build/normal
( cd build/normal && { [ -f Makefile ] || ../../configure -q; } && make -j2 -s >/dev/null )
bin=$top/build/normal

conf=$top/config/burrowd.conf
if [ ! -f config/burrowd.crt ] || [ ! -f config/burrowd.key ]; then
	echo "== creating a self-signed certificate for 127.0.0.1 (config/burrowd.crt)"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 825 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	    -keyout config/burrowd.key -out config/burrowd.crt 2>/dev/null
	chmod 600 config/burrowd.key
fi
for u in harry beal; do
	if ! grep -q "name = \"$u\"" config/users.conf 2>/dev/null; then
		echo "== creating demo user $u (password: $u)"
		echo "$u" | "$bin/burrow-passwd" -c "$conf" add "$u" --stdin
		# harry's demo quota, set once: a later change of the user's
		# own stays.
		if [ "$u" = harry ]; then
			"$bin/burrow-passwd" -c "$conf" quota harry 20M >/dev/null
		fi
	fi
	mkdir -p "home/$u"
	[ -e "home/$u/welcome.txt" ] ||
		printf 'Welcome to Burrow, %s.\nThis is your home: you cannot leave it.\n' "$u" >"home/$u/welcome.txt"
done

if [ "${1:-}" = "--server" ] || ! [ -t 0 ] || ! [ -t 1 ]; then
	cat <<MSG

== burrowd on 127.0.0.1:2121 (Ctrl-C to stop). Users: harry/harry, beal/beal.
   TLS is required (config/burrowd.conf); the certificate is config/burrowd.crt.
   Connect with burrow or any FTPS client, for example:
     build/normal/burrow --cafile config/burrowd.crt ftps://harry:harry@127.0.0.1:2121/
     curl --ssl-reqd --cacert config/burrowd.crt ftp://harry:harry@127.0.0.1:2121/
     lftp -e 'set ssl:ca-file config/burrowd.crt' -u harry,harry ftp://127.0.0.1:2121

MSG
	exec "$bin/burrowd" -f -c "$conf"
fi

log=$top/build/demo-burrowd.log
"$bin/burrowd" -f -c "$conf" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
for _ in $(seq 50); do
	(exec 3<>/dev/tcp/127.0.0.1/2121) 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { echo "burrowd did not start:"; cat "$log"; exit 1; }
	sleep 0.1
done
echo "== burrowd is running (log: build/demo-burrowd.log); opening burrow as harry"
mkdir -p build/demo-local
[ -e build/demo-local/hello.txt ] || echo "A local file: F5 uploads it." >build/demo-local/hello.txt
cd build/demo-local
"$bin/burrow" --cafile "$top/config/burrowd.crt" ftps://harry:harry@127.0.0.1:2121/ || true
echo "== burrow closed; stopping burrowd"
