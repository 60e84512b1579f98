#!/usr/bin/env python3
"""
e2e_rate: bandwidth limits (rate_down, rate_up) against a real burrowd.

A limit is shared by all of a user's sessions: at 2 MiB/s, 10 MiB take
about 5 s (between 4.5 and 6) whether they go in one RETR or in two RETRs
of 5 MiB on two sessions at once, and the two sessions finish together
(the bucket serves them in turn). Likewise for STOR, and over TLS
(PROT P, where sendfile is not used). A user's own rate_down/rate_up in
the users file overrides the global one, 0 there means unlimited even
under a global limit, and a reload changes the limit of a running
session. Listings are not limited. STAT during a limited transfer shows
its current rate and the limit, STAT outside one the user's limits, and
ABOR is answered at once while a session pauses for its limit.
burrow-passwd rate writes the users file. Bad values are refused with the
file and line, in burrowd.conf and in the users file.
"""
import ftplib
import io
import os
import re
import signal
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BURROWD, HOST, PASSWD, Server, pbkdf2_hash,  # noqa: E402
                     run, test, wait_until)

MiB = 1024 * 1024
USERS = {"harry": "pw", "beal": "secret"}


def write_users(srv, extra):
    """Rewrites srv's users file with extra settings per user."""
    lines = []
    for name, pw in srv.users.items():
        more = "".join(' %s = "%s";' % kv for kv in extra.get(name, {}).items())
        lines.append('  { name = "%s"; password = "%s";%s }'
                     % (name, pbkdf2_hash(pw), more))
    with open(os.path.join(srv.dir, "users.conf"), "w") as f:
        f.write("users = (\n" + ",\n".join(lines) + "\n);\n")


def put_file(srv, user, name, size):
    with open(os.path.join(srv.home(user), name), "wb") as f:
        f.write(os.urandom(size))


class ReuseFTPS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control's TLS session."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            try:
                conn = self.context.wrap_socket(
                    conn, server_hostname=self.host, session=self.sock.session)
            except BaseException:
                conn.close()
                raise
        return conn, size


def login(srv, user="harry", tls=False):
    if not tls:
        return srv.ftp(user)
    f = ReuseFTPS(context=ssl.create_default_context(cafile=srv.cert),
                  timeout=15)
    f.connect(HOST, srv.port)
    f.auth()
    f.login(user, srv.users[user])
    f.prot_p()
    return f


def download(ftp, name):
    n = [0]
    ftp.retrbinary("RETR " + name, lambda b: n.__setitem__(0, n[0] + len(b)),
                   blocksize=65536)
    return n[0]


def upload(ftp, name, size):
    ftp.storbinary("STOR " + name, io.BytesIO(os.urandom(size)),
                   blocksize=65536)
    return size


def at_once(jobs):
    """Runs each job (a callable) on its own thread, all started together.
    Returns (seconds until the last ended, each one's end in seconds)."""
    ends, errors = [None] * len(jobs), []
    go = threading.Barrier(len(jobs) + 1)

    def one(i, job):
        go.wait(10)
        try:
            job()
        except Exception as e:   # reported by the main thread
            errors.append(e)
        ends[i] = time.monotonic()

    threads = [threading.Thread(target=one, args=(i, j), daemon=True)
               for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    go.wait(10)
    t0 = time.monotonic()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a transfer hung"
    assert not errors, errors
    return max(ends) - t0, [e - t0 for e in ends]


def timed(fn):
    t0 = time.monotonic()
    fn()
    return time.monotonic() - t0


def split_download(tls):
    with Server(users=USERS, tls={} if tls else None, rate_down="2M") as srv:
        put_file(srv, "harry", "a.bin", 5 * MiB)
        put_file(srv, "harry", "b.bin", 5 * MiB)
        one, two = login(srv, tls=tls), login(srv, tls=tls)
        took, ends = at_once([lambda: download(one, "a.bin"),
                              lambda: download(two, "b.bin")])
        print("# %s: 2 x 5 MiB RETR at 2 MiB/s: %.2fs (ends %.2f, %.2f)"
              % ("TLS" if tls else "plain", took, ends[0], ends[1]))
        assert 4.5 <= took <= 6.0, took
        # Fair: neither finishes long before the other.
        assert abs(ends[0] - ends[1]) < 1.0, ends
        one.quit()
        two.quit()


@test
def download_split_over_two_sessions():
    split_download(tls=False)


@test
def download_one_session():
    with Server(users=USERS, rate_down="2M") as srv:
        put_file(srv, "harry", "big.bin", 10 * MiB)
        f = srv.ftp("harry")
        took = timed(lambda: download(f, "big.bin"))
        print("# plain: 10 MiB RETR at 2 MiB/s: %.2fs" % took)
        assert 4.5 <= took <= 6.0, took
        # Another user has a bucket of its own: not slowed by harry.
        put_file(srv, "beal", "s.bin", 2 * MiB)
        g = srv.ftp("beal")
        took = timed(lambda: download(g, "s.bin"))
        assert 0.7 <= took <= 1.5, took
        f.quit()
        g.quit()


@test
def upload_split_over_two_sessions():
    with Server(users=USERS, rate_up="2M") as srv:
        one, two = srv.ftp("harry"), srv.ftp("harry")
        took, ends = at_once([lambda: upload(one, "a.bin", 5 * MiB),
                              lambda: upload(two, "b.bin", 5 * MiB)])
        print("# plain: 2 x 5 MiB STOR at 2 MiB/s: %.2fs (ends %.2f, %.2f)"
              % (took, ends[0], ends[1]))
        assert 4.5 <= took <= 6.0, took
        assert abs(ends[0] - ends[1]) < 1.0, ends
        for n in ("a.bin", "b.bin"):
            assert os.path.getsize(os.path.join(srv.home("harry"), n)) == \
                5 * MiB
        one.quit()
        two.quit()


@test
def tls_download_split():
    split_download(tls=True)


@test
def tls_upload():
    with Server(users=USERS, tls={}, rate_up="2M") as srv:
        f = login(srv, tls=True)
        took = timed(lambda: upload(f, "up.bin", 4 * MiB))
        print("# TLS: 4 MiB STOR at 2 MiB/s: %.2fs" % took)
        assert 1.6 <= took <= 2.6, took
        f.quit()


@test
def per_user_overrides_global():
    srv = Server(users=USERS, rate_down="1M", rate_up="1M")
    # harry: no limit at all (0); beal: 4 MiB/s down, the global 1 MiB/s up.
    write_users(srv, {"harry": {"rate_down": "0", "rate_up": 0},
                      "beal": {"rate_down": "4M"}})
    with srv:
        put_file(srv, "harry", "big.bin", 20 * MiB)
        put_file(srv, "beal", "b.bin", 8 * MiB)
        f, g = srv.ftp("harry"), srv.ftp("beal")
        took = timed(lambda: download(f, "big.bin"))
        assert took < 2.0, took
        took = timed(lambda: upload(f, "u.bin", 8 * MiB))
        assert took < 2.0, took
        took = timed(lambda: download(g, "b.bin"))
        print("# beal: 8 MiB RETR at its own 4 MiB/s: %.2fs" % took)
        assert 1.6 <= took <= 2.6, took
        took = timed(lambda: upload(g, "u.bin", 1 * MiB))
        assert 0.7 <= took <= 1.5, took
        # A reload changes the limit of a running session of beal's.
        before = srv.log().count("reloaded")
        write_users(srv, {"beal": {"rate_down": "8M"}})
        srv.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: srv.log().count("reloaded") > before, 5)
        took = timed(lambda: download(g, "b.bin"))
        assert 0.7 <= took <= 1.5, took
        f.quit()
        g.quit()


@test
def zero_is_unlimited():
    with Server(users=USERS, rate_down="0", rate_up=0) as srv:
        put_file(srv, "harry", "big.bin", 32 * MiB)
        f = srv.ftp("harry")
        assert timed(lambda: download(f, "big.bin")) < 2.0
        assert timed(lambda: upload(f, "u.bin", 32 * MiB)) < 3.0
        f.quit()


@test
def stat_shows_rate_and_listings_go_free():
    with Server(users=USERS, rate_down="1M") as srv:
        put_file(srv, "harry", "big.bin", 4 * MiB)
        for i in range(300):
            put_file(srv, "harry", "f%03d-%s" % (i, "x" * 60), 0)
        f = srv.ftp("harry")
        # A listing of 300 long names is not held to the rate's pace.
        t0 = time.monotonic()
        assert len(f.nlst()) == 301
        assert time.monotonic() - t0 < 1.0
        conn = f.transfercmd("RETR big.bin")
        got = 0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 2.5:
            got += len(conn.recv(65536))
        f.sock.sendall(b"STAT\r\n")
        r = f.getmultiline()
        print("# " + r.replace("\n", " | "))
        assert r.startswith("211"), r
        m = re.search(r"bytes so far, ([\d.]+) (KiB|MiB)/s now", r)
        assert m, r
        now = float(m.group(1)) * (1024 if m.group(2) == "KiB" else MiB)
        assert 0.6 * MiB <= now <= 1.4 * MiB, r
        assert "Limit: 1.0 MiB/s shared by all of this user's sessions" in r, r
        conn.settimeout(10)
        while conn.recv(65536):
            pass
        conn.close()
        assert f.voidresp().startswith("226")
        f.quit()


@test
def burrow_passwd_sets_rates():
    srv = Server(users=USERS, rate_down="1M")

    def bp(*args):
        return subprocess.run([PASSWD, "-c", srv.conf_path] + list(args),
                              capture_output=True, text=True, timeout=20)
    p = bp("rate", "beal", "4M", "default")
    assert p.returncode == 0, p
    assert "rates of beal set to 4.0 MiB/s down, default (unlimited) up" \
        in p.stdout, p.stdout
    users = open(os.path.join(srv.dir, "users.conf")).read()
    assert 'rate_down = "4M";' in users and "rate_up" not in users, users
    p = bp("rate", "beal", "fast", "0")
    assert p.returncode == 2 and 'invalid size "fast"' in p.stderr, p
    p = bp("rate", "nobody", "1M", "1M")
    assert p.returncode == 1 and "no user named" in p.stderr, p
    with srv:
        put_file(srv, "beal", "b.bin", 8 * MiB)
        g = srv.ftp("beal")
        took = timed(lambda: download(g, "b.bin"))
        assert 1.6 <= took <= 2.6, took
        g.quit()
        p = bp("rate", "beal", "default", "default")
        assert p.returncode == 0, p
        assert "rate_" not in open(os.path.join(srv.dir, "users.conf")).read()


@test
def abor_and_stat_while_held_back():
    with Server(users=USERS, rate_down="256K", rate_up="1M") as srv:
        put_file(srv, "harry", "big.bin", 8 * MiB)
        f = srv.ftp("harry")
        r = f.sendcmd("STAT")
        assert " Bandwidth: down 256.0 KiB/s, up 1.0 MiB/s" in r, r
        conn = f.transfercmd("RETR big.bin")
        conn.recv(65536)
        time.sleep(0.5)
        # The session is pausing for the limit: ABOR is answered at once.
        t0 = time.monotonic()
        f.sock.sendall(b"ABOR\r\n")
        r = f.getmultiline()
        assert r.startswith("426"), r
        assert f.getmultiline().startswith("226")
        assert time.monotonic() - t0 < 1.0
        conn.close()
        f.quit()


def check_refused(conf_lines, users_extra, want):
    srv = Server(users=USERS)
    with open(srv.conf_path, "a") as f:
        f.write(conf_lines)
    write_users(srv, users_extra)
    p = subprocess.run([BURROWD, "-t", "-c", srv.conf_path],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode != 0, p
    assert re.search(want, p.stderr), p.stderr


@test
def bad_values_are_refused_with_file_and_line():
    check_refused('rate_down = "2X";\n', {},
                  r"burrowd\.conf:\d+: rate_down: \"2X\" is not a size")
    check_refused('rate_up = -1;\n', {},
                  r"burrowd\.conf:\d+: rate_up must not be negative")
    check_refused('rate_up = true;\n', {},
                  r"burrowd\.conf:\d+: rate_up must be a size")
    check_refused("", {"beal": {"rate_up": "fast"}},
                  r"users\.conf:3: rate_up must be bytes per second")
    check_refused("", {"harry": {"rate_down": "-5"}},
                  r"users\.conf:2: rate_down must be bytes per second")


if __name__ == "__main__":
    run()
