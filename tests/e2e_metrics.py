"""
e2e_metrics: burrowd's Prometheus endpoint (metrics_listen), scraped with
curl.

Known traffic moves the counters by exactly that much: two logins, one
failed login (which bans the address with ban_after = 1), a 1 MiB upload
and download, an upload stopped by a small quota (whose bytes received lie
between what fitted and what was sent), an FTPS download whose control and
data connections each count a TLS handshake, and a TLS handshake that
fails. The gauges show the session served while it is, and one queued
behind max_clients. Only GET /metrics
answers 200 (HEAD too, without a body), in the 0.0.4 text format; other
paths get 404, other methods 405. Without metrics_listen nothing more
listens; with it, only on the address given (IPv4 or IPv6). A bad value is
reported with file and line, and an address in use at startup. No series
names a user or a path.
"""
import ftplib
import io
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BUILDDIR, BURROWD, HOST, RawClient, Server,  # noqa: E402
                     free_port, run, test, wait_until)

MiB = 1024 * 1024
CONTENT_TYPE = "text/plain; version=0.0.4"
SAMPLE = re.compile(r'^([a-z_]+)(\{[a-z_]+="[^"\\\n]*"(,[a-z_]+="[^"\\\n]*")*\})?'
                    r' ([0-9]+)$')


def curl(*args, timeout=20):
    p = subprocess.run(["curl", "-sS", "--max-time", "10"] + list(args),
                       capture_output=True, timeout=timeout)
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    return p


def http(url, *args):
    """(status, headers dict with lower-case names, body) of one request."""
    p = curl("-i", *args, url)
    assert p.returncode == 0, p.err
    head, _, body = p.out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body


def parse(text):
    """The samples of an exposition text, {"name{labels}": value}, checking
    its shape: every family has # HELP and # TYPE before its samples."""
    samples, typed = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge"), line
            assert name not in typed, "TYPE twice: " + line
            typed[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample: %r" % line
        assert m.group(1) in typed, "sample before its TYPE: " + line
        if typed[m.group(1)] == "counter":
            assert m.group(1).endswith("_total"), line
        key = m.group(1) + (m.group(2) or "")
        assert key not in samples, "twice: " + line
        samples[key] = int(m.group(4))
    assert text.endswith("\n")
    return samples


def scrape(addr):
    status, headers, body = http("http://%s/metrics" % addr)
    assert status == 200, (status, body)
    assert headers["content-type"].startswith(CONTENT_TYPE), headers
    return parse(body)


def baseline(srv):
    """The first scrape, once the harness's own probe of the FTP port
    (one connection, made to see that burrowd is up) has been counted."""
    assert wait_until(lambda: scrape(srv.maddr)[
        "burrow_sessions_total"] == 1), scrape(srv.maddr)
    return scrape(srv.maddr)


def moved(before, after):
    """What changed between two scrapes, counters and gauges alike."""
    return {k: after[k] - before.get(k, 0) for k in after
            if after[k] != before.get(k, 0)}


def metrics_server(**kw):
    port = free_port()
    srv = Server(metrics_listen="%s:%d" % (HOST, port), **kw)
    srv.maddr = "%s:%d" % (HOST, port)
    return srv


def listening(pid):
    """The (address, port) pairs the process pid listens on over TCP."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    found = set()
    for table, v6 in (("tcp", False), ("tcp6", True)):
        with open("/proc/net/" + table) as f:
            next(f)
            for row in f:
                cols = row.split()
                if cols[3] != "0A" or cols[9] not in inodes:
                    continue
                addr, port = cols[1].split(":")
                raw = bytes.fromhex(addr)
                if v6:
                    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    text = socket.inet_ntop(socket.AF_INET6, raw)
                else:
                    text = socket.inet_ntop(socket.AF_INET, raw[::-1])
                found.add((text, int(port, 16)))
    return found


def refused(host, port):
    try:
        socket.create_connection((host, port), 2).close()
        return False
    except ConnectionRefusedError:
        return True


@test
def counters_after_known_traffic():
    """Every counter moves by exactly the traffic, and nothing else."""
    srv = metrics_server(users={"harry": "pw"}, quotas={"harry": "1100K"},
                         tls={}, ban_after=1)
    with srv:
        small = os.urandom(1000)
        with open(os.path.join(srv.home("harry"), "small.bin"), "wb") as f:
            f.write(small)
        big = os.urandom(MiB)
        start = baseline(srv)
        assert start["burrow_build_info{version=\"0.1.0\"}"] == 1, start
        assert start["burrow_sessions_served"] == 0, start

        # Login 1 (plain): 1 MiB up, the same down.
        f = srv.ftp("harry", "pw")
        f.storbinary("STOR big.bin", io.BytesIO(big))
        got = []
        f.retrbinary("RETR big.bin", got.append)
        assert b"".join(got) == big
        mid = scrape(srv.maddr)
        assert moved(start, mid) == {
            "burrow_sessions_served": 1,
            "burrow_sessions_total": 1,
            "burrow_logins_total": 1,
            "burrow_data_bytes_total{direction=\"in\"}": MiB,
            "burrow_data_bytes_total{direction=\"out\"}": MiB,
            "burrow_transfers_total{result=\"ok\"}": 2,
        }, moved(start, mid)

        # The quota (1100K) stops the next 200K after 76K.
        try:
            try:
                f.storbinary("STOR more.bin", io.BytesIO(
                    os.urandom(200 * 1024)))
                raise AssertionError("the quota let 200K more in")
            except (ConnectionResetError, BrokenPipeError):
                # The server closed the data connection at the quota
                # before all was sent: its 552 is still to be read.
                f.voidresp()
                raise AssertionError("no 552 after the quota")
        except ftplib.error_perm as e:
            assert str(e).startswith("552"), e
        f.quit()
        assert wait_until(lambda: scrape(srv.maddr)[
            "burrow_sessions_served"] == 0)
        q = scrape(srv.maddr)
        d = moved(mid, q)
        fitted = 1100 * 1024 - MiB
        assert fitted <= d.pop("burrow_data_bytes_total{direction=\"in\"}") \
            <= 200 * 1024, d
        assert d == {
            "burrow_sessions_served": -1,
            "burrow_transfers_total{result=\"quota\"}": 1,
            "burrow_quota_refusals_total": 1,
        }, d

        # Login 2, over TLS: curl resumes the session on the data
        # connection, so both handshakes succeed.
        p = curl("--ssl-reqd", "--cacert", srv.cert, "-o", "-",
                 srv.url("harry", "/small.bin"))
        assert p.returncode == 0 and p.stdout == small, p.err
        # A handshake that fails: AUTH TLS, then bytes that are not TLS.
        with RawClient(srv.port) as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            c.sock.sendall(b"this is not a ClientHello\r\n" * 20)
            assert c.at_eof()
        # A failed login, which bans the address (ban_after = 1).
        try:
            srv.ftp("harry", "wrong")
            raise AssertionError("a wrong password logged in")
        except ftplib.error_perm as e:
            assert str(e).startswith("530"), e
        with RawClient(srv.port) as c:
            assert c.reply().startswith("421"), "not banned"
        assert wait_until(lambda: scrape(srv.maddr)[
            "burrow_sessions_served"] == 0)
        end = scrape(srv.maddr)
        assert moved(q, end) == {
            "burrow_sessions_total": 3,
            "burrow_logins_total": 1,
            "burrow_login_failures_total{reason=\"password\"}": 1,
            "burrow_bans_active": 1,
            "burrow_bans_total": 1,
            "burrow_data_bytes_total{direction=\"out\"}": len(small),
            "burrow_transfers_total{result=\"ok\"}": 1,
            "burrow_tls_handshakes_total{channel=\"control\","
            "result=\"ok\"}": 1,
            "burrow_tls_handshakes_total{channel=\"control\","
            "result=\"failed\"}": 1,
            "burrow_tls_handshakes_total{channel=\"data\",result=\"ok\"}": 1,
        }, moved(q, end)
        # Neither the user nor a path nor an address is ever a label.
        _, _, body = http("http://%s/metrics" % srv.maddr)
        for secret in ("harry", "big.bin", "small.bin", HOST):
            assert secret not in body, secret


@test
def login_failure_reasons():
    """An unknown user and a user over max_sessions_per_user each have
    their own reason."""
    srv = metrics_server(users={"harry": "pw"}, max_sessions_per_user=1)
    with srv:
        before = baseline(srv)
        try:
            srv.ftp("nobody", "pw")
            raise AssertionError("an unknown user logged in")
        except ftplib.error_perm:
            pass
        first = srv.ftp("harry", "pw")
        try:
            srv.ftp("harry", "pw")
            raise AssertionError("a second session was let in")
        except (ftplib.error_temp, EOFError, OSError):
            pass
        first.quit()
        assert wait_until(lambda: scrape(srv.maddr)[
            "burrow_sessions_served"] == 0)
        d = moved(before, scrape(srv.maddr))
        assert d == {
            "burrow_sessions_total": 3,
            "burrow_logins_total": 1,
            "burrow_login_failures_total{reason=\"unknown_user\"}": 1,
            "burrow_login_failures_total{reason=\"session_limit\"}": 1,
        }, d


@test
def gauges_served_and_queued():
    """With max_clients = 1, a second connection waits in the queue."""
    srv = metrics_server(users={"harry": "pw"}, max_clients=1)
    with srv:
        first = srv.ftp("harry", "pw")
        with RawClient(srv.port) as c:
            assert c.reply().startswith("120"), "not queued"
            m = scrape(srv.maddr)
            assert (m["burrow_sessions_served"],
                    m["burrow_sessions_queued"]) == (1, 1), m
            first.quit()
            assert c.reply().startswith("220")
            m = scrape(srv.maddr)
            assert m["burrow_sessions_queued"] == 0, m
        assert wait_until(lambda: scrape(srv.maddr)[
            "burrow_sessions_served"] == 0)


@test
def http_answers():
    """200 for GET and HEAD /metrics, 404 elsewhere, 405 for the rest."""
    srv = metrics_server()
    with srv:
        base = "http://%s" % srv.maddr
        status, headers, body = http(base + "/metrics")
        assert status == 200 and headers["content-type"].startswith(
            CONTENT_TYPE), headers
        assert "# TYPE burrow_sessions_total counter\n" in body
        status, headers, body = http(base + "/metrics", "-I")
        assert status == 200 and body == "", (status, body)
        for path in ("/", "/metrics/", "/metricsx", "/Metrics", "/x/metrics",
                     "/favicon.ico"):
            status, _, _ = http(base + path)
            assert status == 404, (path, status)
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            status, headers, _ = http(base + "/metrics", "-X", method,
                                      "--data", "x=1")
            assert status == 405, (method, status)
            assert headers.get("allow") == "GET, HEAD", headers
        # A query string does not change the answer.
        status, _, _ = http(base + "/metrics?name[]=burrow_logins_total")
        assert status == 200
        # Too many headers for the memory limit: refused, and still up.
        p = curl("-o", "/dev/null", "-w", "%{http_code}", "-H",
                 "X-Big: " + "a" * 40000, base + "/metrics")
        assert p.out == "431", p.out
        assert http(base + "/metrics")[0] == 200


@test
def off_by_default():
    """Without metrics_listen, burrowd listens on its FTP port only."""
    with Server() as srv:
        assert listening(srv.proc.pid) == {(HOST, srv.port)}, \
            listening(srv.proc.pid)
        assert "metrics" not in srv.log()


@test
def only_on_the_address_given():
    """127.0.0.1 is not 127.0.0.2 (also loopback), nor [::1]; [::1] is not
    127.0.0.1."""
    srv = metrics_server()
    with srv:
        mport = int(srv.maddr.rsplit(":", 1)[1])
        assert listening(srv.proc.pid) == {(HOST, srv.port), (HOST, mport)}
        assert refused("127.0.0.2", mport)
        assert refused("::1", mport)
        assert "burrow_logins_total 0" in http(
            "http://%s/metrics" % srv.maddr)[2]
    mport = free_port()
    with Server(metrics_listen="[::1]:%d" % mport) as srv:
        assert listening(srv.proc.pid) == {(HOST, srv.port), ("::1", mport)}
        status, _, body = http("http://[::1]:%d/metrics" % mport, "-g")
        assert status == 200 and "burrow_logins_total 0" in body
        assert refused(HOST, mport)


def write_conf(d, value):
    """A config whose metrics_listen is on line 4; returns its path."""
    path = os.path.join(d, "burrowd.conf")
    with open(path, "w") as f:
        f.write('listen = "127.0.0.1";\nport = %d;\nhome_root = ".";\n'
                'metrics_listen = %s;\nusers_file = "users.conf";\n'
                % (free_port(), value))
    with open(os.path.join(d, "users.conf"), "w") as f:
        f.write("users = ();\n")
    return path


@test
def bad_value_reported_with_file_and_line():
    d = tempfile.mkdtemp(prefix="burrow-metrics-")
    for value in ('"127.0.0.1"', '"localhost:9121"', '"127.0.0.1:0"',
                  '"127.0.0.1:70000"', '"::1:9121"', '"[::1]"',
                  '"0.0.0.0:port"', "9121", "true"):
        conf = write_conf(d, value)
        for args in (["-t"], ["-f"]):
            p = subprocess.run([BURROWD] + args + ["-c", conf],
                               capture_output=True, timeout=15)
            err = p.stderr.decode(errors="replace")
            assert p.returncode == 1, (value, args, err)
            assert "%s:4: metrics_listen" % conf in err, (value, err)
    # "" is off, and a good one is accepted.
    for value in ('""', '"127.0.0.1:9121"', '"[::1]:9121"'):
        p = subprocess.run([BURROWD, "-t", "-c", write_conf(d, value)],
                           capture_output=True, timeout=15)
        assert p.returncode == 0, (value, p.stderr)


@test
def address_in_use_at_startup():
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        d = tempfile.mkdtemp(prefix="burrow-metrics-")
        conf = write_conf(d, '"%s:%d"' % (HOST, port))
        p = subprocess.run([BURROWD, "-f", "-c", conf], capture_output=True,
                           timeout=15)
        err = p.stderr.decode(errors="replace")
        assert p.returncode == 1, err
        assert "metrics_listen %s:%d: Address already in use" % (HOST, port) \
            in err, err


def built_with_metrics():
    with open(os.path.join(BUILDDIR, "config.h")) as f:
        return "#define HAVE_METRICS 1" in f.read()


if not built_with_metrics():
    print("1..0 # SKIP built without metrics (configure --without-metrics)")
    sys.exit(0)
run()
