"""
e2e_pool: burrowd's worker pool seen from clients.

max_clients workers serve sessions; up to queue_length more connections wait
and are told "120 ... number N in the queue", then "220" when a worker takes
them; past that a connection gets 421. queue_timeout drops a waiting client
with 421, max_per_ip refuses an address's extra connections, many concurrent
clients all get served, and SIGTERM ends idle and queued sessions with 421
while a transfer in progress may finish within shutdown_grace.
"""
import ftplib
import hashlib
import io
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HOST, Server, run, test, wait_until  # noqa: E402

USERS = {"harry": "pw", "beal": "secret"}


def queued(c, place):
    """Reads a client's first reply and checks it names its place."""
    r = c.reply()
    assert r.startswith("120 "), r
    m = re.search(r"number (\d+) in the queue", r)
    assert m and int(m.group(1)) == place, (place, r)
    return r


def wait_exit(srv, timeout=15):
    """Waits for burrowd to exit by itself; returns its status."""
    try:
        return srv.proc.wait(timeout)
    except Exception:
        raise AssertionError("burrowd did not exit:\n" + srv.log())


def login_retrying(srv, user, timeout=5):
    """srv.ftp(user), retried while the server answers 421."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return srv.ftp(user)
        except ftplib.error_temp:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@test
def queue_places_refusal_and_handoff():
    with Server(users=USERS, max_clients=2, queue_length=2) as srv:
        a = srv.ftp("harry")
        b = srv.ftp("beal")
        a.voidcmd("NOOP")
        b.voidcmd("NOOP")
        c = srv.raw()
        queued(c, 1)
        d = srv.raw()
        queued(d, 2)
        # The queue is full: 421 and closed.
        e = srv.raw()
        r = e.reply()
        assert r.startswith("421 "), r
        assert e.at_eof(), "refused connection left open"
        e.close()
        # ftplib sees the same refusal as an error.
        try:
            srv.ftp()
            raise AssertionError("a sixth connection was accepted")
        except ftplib.error_temp as ex:
            assert str(ex).startswith("421"), ex
        # Queued clients hear nothing more while the workers are busy.
        assert c.quiet(0.5) and d.quiet(0.1)
        # The served sessions are unaffected.
        assert a.pwd() == "/" and b.pwd() == "/"
        # One leaves: the first in line is greeted and can work.
        a.quit()
        c.sock.settimeout(10)
        r = c.reply()
        assert r.startswith("220 "), r
        c.login("harry", "pw")
        data, r = c.transfer("STOR from-c.txt", upload=b"queued then served")
        assert r.startswith("226"), r
        with open(os.path.join(srv.home("harry"), "from-c.txt"), "rb") as f:
            assert f.read() == b"queued then served"
        data, r = c.transfer("RETR from-c.txt")
        assert data == b"queued then served" and r.startswith("226"), r
        # The second in line still waits; a newcomer is now number 2.
        assert d.quiet(0.5)
        f = srv.raw()
        queued(f, 2)
        c.expect("QUIT", 221)
        assert c.at_eof()
        r = d.reply()
        assert r.startswith("220 "), r
        d.login("beal", "secret")
        d.expect("PWD", 257)
        b.quit()
        assert f.reply().startswith("220 ")
        f.login("harry", "pw")
        d.expect("QUIT", 221)
        f.expect("QUIT", 221)
        for x in (c, d, f):
            x.close()


@test
def queued_client_may_send_before_greeting():
    """A client that sends commands while queued is answered in order once
    a worker takes it."""
    with Server(users=USERS, max_clients=1, queue_length=4) as srv:
        a = srv.ftp("harry")
        c = srv.raw()
        queued(c, 1)
        c.send("USER beal")
        c.send("PASS secret")
        c.send("PWD")
        assert c.quiet(0.3)
        a.quit()
        c.sock.settimeout(10)
        assert c.reply().startswith("220 ")
        assert c.reply().startswith("331")
        assert c.reply().startswith("230")
        assert c.reply().startswith('257 "/"')
        c.expect("QUIT", 221)
        c.close()


@test
def queue_timeout_421():
    with Server(users=USERS, max_clients=1, queue_length=3,
                queue_timeout=2) as srv:
        a = srv.ftp("harry")
        c = srv.raw(timeout=10)
        t0 = time.monotonic()
        queued(c, 1)
        d = srv.raw(timeout=10)
        queued(d, 2)
        r = c.reply()
        took = time.monotonic() - t0
        assert r.startswith("421 "), r
        assert 1.5 <= took <= 5, took
        assert c.at_eof()
        assert d.reply().startswith("421 ")
        assert d.at_eof()
        # The served session is not subject to queue_timeout.
        time.sleep(0.5)
        a.voidcmd("NOOP")
        assert a.pwd() == "/"
        # The places freed: a new client queues as number 1 again.
        e = srv.raw(timeout=10)
        queued(e, 1)
        a.quit()
        assert e.reply().startswith("220 ")
        e.login("beal", "secret")
        e.expect("QUIT", 221)
        for x in (c, d, e):
            x.close()


@test
def max_per_ip_1():
    with Server(users=USERS, max_per_ip=1) as srv:
        # The harness's start-up probe holds the address's one place until
        # its session notices the close: retry briefly.
        a = login_retrying(srv, "harry")
        c = srv.raw()
        r = c.reply()
        assert r.startswith("421 "), r
        assert c.at_eof()
        c.close()
        # The first session is still usable, transfers included.
        assert a.pwd() == "/"
        a.storbinary("STOR x", io.BytesIO(b"still here"))
        out = io.BytesIO()
        a.retrbinary("RETR x", out.write)
        assert out.getvalue() == b"still here"
        # Refused again while it lasts.
        with srv.raw() as c2:
            assert c2.reply().startswith("421 ")
        a.quit()

        # Once it has gone, the address may connect again.
        def greeted():
            with srv.raw() as c3:
                r = c3.reply()
                if r.startswith("220"):
                    c3.login("harry", "pw")
                    c3.expect("QUIT", 221)
                    return True
                return False
        assert wait_until(greeted, 5, 0.1), "address still counted"
        # A session that ends by a dropped connection is released too.
        b = login_retrying(srv, "beal")
        b.sock.close()
        b.file.close()
        assert wait_until(greeted, 5, 0.1), "dropped session still counted"


@test
def max_per_ip_counts_queued_clients():
    with Server(users=USERS, max_clients=1, queue_length=4,
                max_per_ip=2) as srv:
        a = login_retrying(srv, "harry")
        c = srv.raw()
        queued(c, 1)
        d = srv.raw()
        r = d.reply()
        assert r.startswith("421 ") and "address" in r, r
        assert d.at_eof()
        d.close()
        a.quit()
        assert c.reply().startswith("220")
        c.login("beal", "secret")
        c.expect("QUIT", 221)
        c.close()


@test
def twenty_concurrent_clients():
    n_clients = 20
    with Server(users=USERS, max_clients=4, queue_length=32,
                queue_timeout=30, idle_timeout=30) as srv:
        barrier = threading.Barrier(n_clients, timeout=20)
        results = [None] * n_clients
        was_queued = [False] * n_clients

        def client(i):
            try:
                barrier.wait()
                f = ftplib.FTP()
                f.connect(HOST, srv.port, timeout=30)
                if f.welcome.startswith("120"):
                    was_queued[i] = True
                    while f.welcome.startswith("120"):
                        f.welcome = f.getresp()
                assert f.welcome.startswith("220"), f.welcome
                user = "harry" if i % 2 == 0 else "beal"
                f.login(user, USERS[user])
                data = os.urandom(200000 + i * 1000)
                name = "c%02d.bin" % i
                f.storbinary("STOR " + name, io.BytesIO(data))
                out = io.BytesIO()
                f.retrbinary("RETR " + name, out.write)
                assert hashlib.sha256(out.getvalue()).digest() == \
                    hashlib.sha256(data).digest(), "download differs"
                assert f.size(name) == len(data)
                with open(os.path.join(srv.home(user), name), "rb") as fh:
                    assert fh.read() == data, "stored file differs"
                f.mkd("d%02d" % i)
                assert name in f.nlst()
                f.quit()
                results[i] = "ok"
            except Exception as e:  # reported below
                results[i] = "%s: %r" % (type(e).__name__, e)

        threads = [threading.Thread(target=client, args=(i,), daemon=True)
                   for i in range(n_clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(1, 45 - (time.monotonic() - t0)))
        alive = [i for i, t in enumerate(threads) if t.is_alive()]
        assert not alive, "clients still running: %s" % alive
        bad = {i: r for i, r in enumerate(results) if r != "ok"}
        assert not bad, "%r\nserver warnings:\n%s" % (bad, "\n".join(
            l for l in srv.log().splitlines()
            if "PASV" in l or "pasv" in l or "refused" in l))
        # Never more than max_clients logged-in sessions at once.
        active = peak = 0
        for line in srv.log().splitlines():
            if re.search(r": login \w+( \(password remembered\))?$", line):
                active += 1
                peak = max(peak, active)
            elif line.endswith(": disconnected"):
                active -= 1
        assert 1 <= peak <= 4, peak
        print("# %d of %d clients were queued, peak %d sessions, %.1fs"
              % (sum(was_queued), n_clients, peak, time.monotonic() - t0))


@test
def sigterm_idle_and_queued_sessions_421_exit_0():
    with Server(users=USERS, max_clients=2, queue_length=2) as srv:
        a = srv.raw()
        assert a.reply().startswith("220")
        a.login("harry", "pw")
        p = srv.raw()
        assert p.reply().startswith("220")          # not logged in
        b = srv.raw()
        assert b.reply().startswith("220")
        b.login("beal", "secret")
        c = srv.raw()
        queued(c, 1)                                # both places taken
        srv.proc.terminate()
        for x in (a, p, b, c):
            r = x.reply()
            assert r.startswith("421 "), r
            assert x.at_eof()
            x.close()
        assert wait_exit(srv) == 0, srv.log()
        # Nobody listens any more.
        try:
            socket.create_connection((HOST, srv.port), 2).close()
            raise AssertionError("still accepting after SIGTERM")
        except OSError:
            pass


def stalled_retr(srv, name, size):
    """A logged-in RawClient with a RETR of a sparse file that it does not
    read: the server is stuck waiting to send. Returns (client, data
    socket, bytes read so far)."""
    with open(os.path.join(srv.home("harry"), name), "wb") as f:
        f.truncate(size)
    c = srv.raw(timeout=20)
    assert c.reply().startswith("220")
    c.login("harry", "pw")
    data = c.pasv_data()
    data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.expect("RETR " + name, 150)
    first = data.recv(1000)
    assert first
    return c, data, len(first)


@test
def sigterm_stalled_transfer_cut_after_grace():
    with Server(users=USERS, shutdown_grace=1) as srv:
        c, data, _ = stalled_retr(srv, "big", 256 * 1024 * 1024)
        idle = srv.ftp("beal")
        t0 = time.monotonic()
        srv.proc.terminate()
        r = idle.getmultiline()
        assert r.startswith("421"), r
        r = c.reply()
        took = time.monotonic() - t0
        assert r.startswith("421"), r
        assert 0.5 <= took <= 6, took
        assert c.at_eof()
        c.close()
        data.close()
        idle.close()
        assert wait_exit(srv) == 0, srv.log()


@test
def sigterm_transfer_finishes_within_grace():
    with Server(users=USERS, shutdown_grace=10) as srv:
        size = 32 * 1024 * 1024
        c, data, got = stalled_retr(srv, "big", size)
        srv.proc.terminate()
        time.sleep(0.5)
        assert srv.proc.poll() is None, "exited with a transfer running"
        # The client drains the data: the transfer completes normally.
        data.settimeout(20)
        while True:
            b = data.recv(1 << 20)
            if not b:
                break
            got += len(b)
        data.close()
        assert got == size, got
        r = c.reply()
        assert r.startswith("226"), r
        # Then the session is closed for the shutdown.
        r = c.reply()
        assert r.startswith("421"), r
        assert c.at_eof()
        c.close()
        assert wait_exit(srv) == 0, srv.log()


# ------------------------------------------------- before login, no worker

def source(i):
    """The i-th of many loopback source addresses (127.0.1.1 onwards)."""
    return "127.0.%d.%d" % (1 + i // 200, 1 + i % 200)


@test
def silent_connections_keep_nobody_out():
    """200 connections that never log in (silent, stuck after USER, stuck
    in a TLS handshake) hold no worker and no place: a real user still
    logs in and transfers at once."""
    with Server(users=USERS, max_clients=16, queue_length=16, tls={}) as srv:
        silent = []
        try:
            for i in range(200):
                c = srv.raw(timeout=10, source=source(i))
                silent.append(c)
                r = c.reply()
                assert r.startswith("220 "), (i, r)
                if i % 4 == 1:
                    c.expect("USER harry", 331)
                elif i % 4 == 2:
                    c.expect("AUTH TLS", 234)   # then no ClientHello
            t0 = time.monotonic()
            f = srv.ftp("harry")
            payload = os.urandom(1 << 20)
            f.storbinary("STOR big.bin", io.BytesIO(payload))
            out = io.BytesIO()
            f.retrbinary("RETR big.bin", out.write)
            took = time.monotonic() - t0
            assert out.getvalue() == payload
            f.quit()
            assert took < 2, "login and transfer took %.2fs" % took
            print("# login + 1 MiB up and down beside 200 silent "
                  "connections: %.2fs" % took)
            # The silent ones are all still there, waiting for their
            # login timeout, and sixteen more users can still log in.
            users = [srv.ftp("beal") for _ in range(16)]
            for u in users:
                assert u.pwd() == "/"
            # Every place taken: the next one waits in the queue.
            with srv.raw(source="127.0.3.1") as q:
                queued(q, 1)
            for u in users:
                u.quit()
        finally:
            for c in silent:
                c.close()
        assert "refused" not in srv.log(), srv.log()


@test
def login_timeout_still_ends_silent_connections():
    with Server(users=USERS, login_timeout=1) as srv:
        cs = [srv.raw(timeout=10, source=source(i)) for i in range(20)]
        for c in cs:
            assert c.reply().startswith("220 ")
        for c in cs:
            r = c.reply()
            assert r.startswith("421 ") and "Login timeout" in r, r
            assert c.at_eof()
            c.close()


@test
def pass_waits_silently_for_a_free_place():
    """Greeted while a place was free, a client whose PASS comes once all
    places are taken gets its 230 when one frees, not a refusal."""
    with Server(users=USERS, max_clients=1, queue_length=2,
                queue_timeout=10) as srv:
        c = srv.raw()
        assert c.reply().startswith("220 ")
        a = srv.ftp("harry")
        c.expect("USER beal", 331)
        c.send("PASS secret")
        c.send("PWD")
        assert c.quiet(0.5)
        a.quit()
        c.sock.settimeout(10)
        assert c.reply().startswith("230"), "no 230 once a place freed"
        assert c.reply().startswith('257 "/"')
        # Now c holds the place: a newcomer is queued behind it.
        d = srv.raw()
        queued(d, 1)
        c.expect("QUIT", 221)
        assert d.reply().startswith("220 ")
        d.login("harry", "pw")
        d.expect("QUIT", 221)
        c.close()
        d.close()


@test
def failed_logins_wait_without_a_worker():
    """The growing delay after a failed login is spent in the lobby: ten
    clients waiting for their 530 do not slow a good login."""
    with Server(users=USERS, max_clients=1) as srv:
        bad = []
        for i in range(10):
            c = srv.raw(timeout=10, source=source(i))
            assert c.reply().startswith("220 ")
            c.send("USER harry")
            c.send("PASS wrong")
            bad.append(c)
        for c in bad:
            assert c.reply().startswith("331")
        f = srv.ftp("beal")
        assert f.pwd() == "/"
        # All ten are still waiting for their 530 (500 ms): the good login
        # did not queue behind them.
        for c in bad:
            assert c.quiet(0)
        for c in bad:
            assert c.reply().startswith("530 ")
            c.close()
        f.quit()


@test
def a_client_that_reads_no_replies_is_closed():
    with Server(users=USERS) as srv:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(10)
        s.connect((HOST, srv.port))
        closed = False
        line = b"NOOP\r\n" * 1000
        for _ in range(400):        # at most 2.4 MB of commands
            try:
                s.sendall(line)
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            except socket.timeout:
                break
        # Still connected, still not reading: the server gives up on it.
        assert wait_until(lambda: "not reading its replies" in srv.log(),
                          10), srv.log()
        s.close()
        # The server is fine for others.
        f = srv.ftp("harry")
        assert f.pwd() == "/"
        f.quit()
        print("# closed while sending: %s" % closed)


run()
