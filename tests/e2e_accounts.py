"""
e2e_accounts: logins and the users file seen from clients of a real burrowd.

An unknown user and a wrong password get the same 530 after the same delay;
the delay grows with each failure on a connection and max_login_attempts
failures close it (530, 421, end of file); max_sessions_per_user refuses a
user's extra session with 421; SIGHUP reloads users.conf (new users, new
passwords at the next login, new quotas at once in running sessions, which
stay connected), and a users file with an error is reported with its file
and line while the previous users stay in force; failed logins are logged
with the client's address.
"""
import os
import re
import signal
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import raw_upload, raw_avbl  # noqa: E402
from harness import HOST, Server, pbkdf2_hash, run, test, wait_until  # noqa

K = 1024
FIRST_DELAY = 0.5           # LOGIN_DELAY_MS in srv/cmd_login.c
DEFAULT_ITERATIONS = 200000  # AUTH_DEFAULT_ITERATIONS, as burrow-passwd


def users_file(srv, iterations=DEFAULT_ITERATIONS):
    """Writes srv.users/srv.quotas like srv.write_users(), with hashes of
    the strength burrow-passwd gives by default: an unknown user is checked
    against a dummy hash of that strength, so a timing comparison is only
    fair against such hashes."""
    lines = []
    for name, pw in srv.users.items():
        q = srv.quotas.get(name)
        extra = ' quota = "%s";' % q if q is not None else ""
        lines.append('  { name = "%s"; password = "%s";%s }'
                     % (name, pbkdf2_hash(pw, iterations), extra))
    with open(os.path.join(srv.dir, "users.conf"), "w") as f:
        f.write("users = (\n" + ",\n".join(lines) + "\n);\n")


def connect(srv):
    c = srv.raw()
    c.expect(None, 220)
    return c


def timed_pass(c, user, password):
    """USER, then PASS timed: (reply, seconds)."""
    c.expect("USER " + user, 331)
    t0 = time.monotonic()
    r = c.cmd("PASS " + password)
    return r, time.monotonic() - t0


def first_failure(srv, user, password):
    with connect(srv) as c:
        return timed_pass(c, user, password)


avbl = raw_avbl


def upload(c, path, data, chunk=None, pause=0.0):
    return raw_upload(c, "STOR", path, data, chunk=chunk, pause=pause)


def can_login(srv, user, password):
    """True on 230, False on 530 (after its delay)."""
    with connect(srv) as c:
        c.expect("USER " + user, 331)
        r = c.cmd("PASS " + password)
        assert r.startswith(("230", "530")), r
        return r.startswith("230")


def reload(srv):
    """SIGHUP, and waits for the log to tell the outcome: True if the
    users were reloaded, False if the reload failed."""
    log = srv.log()
    ok, bad = log.count("reloaded "), log.count("reload failed")
    srv.proc.send_signal(signal.SIGHUP)

    def done():
        log = srv.log()
        if log.count("reloaded ") > ok:
            return "ok"
        if log.count("reload failed") > bad:
            return "failed"
        return None
    outcome = wait_until(done, 10)
    assert outcome, "no reload outcome in the log:\n" + srv.log()
    assert srv.proc.poll() is None, "burrowd exited on SIGHUP"
    return outcome == "ok"


@test
def unknown_user_and_wrong_password_look_alike():
    """Same 530 text, same delay. Each kind is timed on fresh connections,
    interleaved; the least time of each kind (its cost without the noise
    of a busy machine) must agree within 150 ms. On a machine so busy that
    five rounds show no quiet moment, more are taken (at most 20)."""
    srv = Server(users={"harry": "pw"})
    users_file(srv)
    with srv:
        cases = {"unknown": ("nobody", "pw"),
                 "wrong": ("harry", "nope"),
                 "invalid": ("../harry", "pw")}
        times = {k: [] for k in cases}
        replies = set()
        for rnd in range(20):
            for kind, (user, pw) in cases.items():
                r, dt = first_failure(srv, user, pw)
                replies.add(r)
                times[kind].append(dt)
            best = [min(v) for v in times.values()]
            if rnd >= 4 and max(best) - min(best) < 0.15:
                break
        # A name too long to be one: the same reply too.
        r, dt = first_failure(srv, "h" * 200, "pw")
        replies.add(r)
        assert dt >= FIRST_DELAY - 0.005, dt
        assert len(replies) == 1, replies
        r = replies.pop()
        assert r.startswith("530 "), r
        for kind, v in times.items():
            assert min(v) >= FIRST_DELAY - 0.005, (kind, v)
        best = {k: min(v) for k, v in times.items()}
        print("# least times %s" % {k: round(v, 3) for k, v in best.items()},
              flush=True)
        spread = max(best.values()) - min(best.values())
        assert spread < 0.15, "login failure times differ: %r" % times


@test
def delay_grows_then_connection_closes():
    with Server(users={"harry": "pw"}) as srv:
        with connect(srv) as c:
            delays = []
            for i in range(3):
                r, dt = timed_pass(c, "harry", "wrong%d" % i)
                assert r.startswith("530 "), (i, r)
                delays.append(dt)
            r = c.reply()
            assert r.startswith("421 "), r
            assert c.at_eof(5), "connection still open after 421"
        for i, dt in enumerate(delays, 1):
            assert dt >= FIRST_DELAY * i - 0.005, delays
        assert delays[1] - delays[0] >= 0.4, delays
        assert delays[2] - delays[1] >= 0.4, delays
        # The count is per connection: a new one starts over.
        r, dt = first_failure(srv, "harry", "wrong")
        assert r.startswith("530 ") and dt < delays[1] - 0.2, (r, dt, delays)
        # Two failures, then the right password, on one connection.
        with connect(srv) as c:
            for i in range(2):
                assert timed_pass(c, "harry", "x")[0].startswith("530")
            c.login("harry", "pw")
            c.expect("NOOP", 200)
        # Unknown users count the same.
        with connect(srv) as c:
            for i in range(3):
                assert timed_pass(c, "nobody%d" % i, "x")[0].startswith("530")
            assert c.reply().startswith("421 ")
            assert c.at_eof(5)


@test
def max_login_attempts_two():
    with Server(users={"harry": "pw"}, max_login_attempts=2) as srv:
        with connect(srv) as c:
            assert timed_pass(c, "harry", "a")[0].startswith("530")
            r, dt = timed_pass(c, "harry", "b")
            assert r.startswith("530 "), r
            assert dt >= 2 * FIRST_DELAY - 0.005, dt
            r = c.reply()
            assert r.startswith("421 "), r
            assert c.at_eof(5)
        # A login before the limit still works.
        with connect(srv) as c:
            assert timed_pass(c, "harry", "a")[0].startswith("530")
            c.login("harry", "pw")
            c.expect("NOOP", 200)
        assert "too many failed logins" in srv.log()


@test
def max_sessions_per_user_one():
    users = {"harry": "pw", "ron": "rpw"}
    with Server(users=users, max_sessions_per_user=1) as srv:
        first = srv.ftp("harry")
        with connect(srv) as c:
            c.expect("USER harry", 331)
            r = c.cmd("PASS pw")
            assert r.startswith("421 "), r
            assert c.at_eof(5), "connection open after 421"
        # Another user is not affected, nor is the first session.
        other = srv.ftp("ron")
        other.voidcmd("NOOP")
        first.voidcmd("NOOP")
        # A wrong password is still a 530, not a 421.
        with connect(srv) as c:
            c.expect("USER harry", 331)
            assert c.cmd("PASS bad").startswith("530")
        # Once the first session is gone, harry may log in again.
        first.quit()

        def again():
            with connect(srv) as c:
                c.expect("USER harry", 331)
                r = c.cmd("PASS pw")
                assert r.startswith(("230", "421")), r
                return r.startswith("230")
        assert wait_until(again, 5, 0.1), "harry cannot log in again"
        other.quit()


@test
def max_sessions_per_user_concurrent_logins():
    """Six simultaneous logins of one user with max_sessions_per_user = 2:
    exactly two get in, the others get 421."""
    with Server(users={"harry": "pw"}, max_sessions_per_user=2) as srv:
        clients = [connect(srv) for _ in range(6)]
        for c in clients:
            c.expect("USER harry", 331)
        barrier = threading.Barrier(len(clients), timeout=10)
        replies = [None] * len(clients)

        def go(i):
            barrier.wait()
            replies[i] = clients[i].cmd("PASS pw")
        ts = [threading.Thread(target=go, args=(i,))
              for i in range(len(clients))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(20)
        codes = sorted((r or "")[:3] for r in replies)
        assert codes == ["230"] * 2 + ["421"] * 4, replies
        for c, r in zip(clients, replies):
            if r.startswith("230"):
                c.expect("NOOP", 200)
            c.close()


@test
def max_sessions_refusal_logged_with_user():
    with Server(users={"harry": "pw"}, max_sessions_per_user=1) as srv:
        first = srv.ftp("harry")
        with connect(srv) as c:
            c.expect("USER harry", 331)
            assert c.cmd("PASS pw").startswith("421")
        first.quit()
        assert wait_until(lambda: "already 1 sessions" in srv.log(), 5)
        line = [ln for ln in srv.log().splitlines()
                if "already 1 sessions" in ln][0]
        assert "refused harry" in line, \
            "the refusal does not name the user: %r" % line


@test
def sighup_adds_users_and_changes_passwords_and_quotas():
    users = {"harry": "pw", "ron": "rpw", "percy": "ppw"}
    with Server(users=users, quotas={"harry": "100K"},
                default_quota="1M") as srv:
        c = connect(srv)
        c.login("harry", "pw")
        assert avbl(c) == 100 * K
        assert upload(c, "f", b"f" * 10 * K).startswith("226")
        percy = connect(srv)
        percy.login("percy", "ppw")
        assert not can_login(srv, "hermione", "hpw")

        srv.users["hermione"] = "hpw"
        srv.quotas["hermione"] = "30K"
        srv.users["ron"] = "newpw"
        srv.quotas["harry"] = "50K"
        del srv.users["percy"]
        srv.write_users()
        assert reload(srv)
        # The running session stays, and sees its new limit at once.
        c.expect("NOOP", 200)
        assert avbl(c) == 40 * K
        r = c.expect("SITE QUOTA", 200)
        assert "(%d of %d bytes)" % (10 * K, 50 * K) in r, r
        # A new user, with its own quota.
        with connect(srv) as h:
            h.login("hermione", "hpw")
            assert avbl(h) == 30 * K
        # A new password works at the next login, the old one no more.
        assert can_login(srv, "ron", "newpw")
        assert not can_login(srv, "ron", "rpw")
        # A removed user's session ended at the reload, and it cannot log
        # in again.
        r = percy.reply()
        assert r.startswith("421") and "removed" in r, r
        assert percy.at_eof()
        assert not can_login(srv, "percy", "ppw")
        percy.close()

        # A limit below the usage: nothing more fits, the session goes on.
        srv.quotas["harry"] = "5K"
        srv.write_users()
        assert reload(srv)
        assert avbl(c) == 0
        assert upload(c, "g", b"g" * 100).startswith("552")
        c.expect("DELE g", 250)
        # No quota of its own: back to default_quota.
        del srv.quotas["harry"]
        srv.write_users()
        assert reload(srv)
        assert avbl(c) == 1024 * K - 10 * K
        c.expect("NOOP", 200)
        c.close()


@test
def sighup_during_upload():
    with Server(users={"harry": "pw"}) as srv:
        c = connect(srv)
        c.login("harry", "pw")
        data = os.urandom(256 * K)
        out = []
        t = threading.Thread(target=lambda: out.append(
            upload(c, "big", data, chunk=16 * K, pause=0.03)))
        t.start()
        time.sleep(0.1)
        srv.users["ron"] = "rpw"
        srv.write_users()
        assert reload(srv)
        t.join(20)
        assert not t.is_alive()
        assert out and out[0].startswith("226"), out
        with open(os.path.join(srv.home("harry"), "big"), "rb") as f:
            assert f.read() == data
        c.expect("NOOP", 200)
        c.close()
        assert can_login(srv, "ron", "rpw")


@test
def bad_users_file_on_reload_keeps_users():
    with Server(users={"harry": "pw"}, quotas={"harry": "100K"}) as srv:
        c = connect(srv)
        c.login("harry", "pw")
        path = os.path.join(srv.dir, "users.conf")
        good = pbkdf2_hash("changed")
        broken = {
            # Line 3: a setting with no value.
            "syntax": 'users = (\n'
                      '  { name = "harry"; password = "%s"; },\n'
                      '  { name = "newbie"; password = ; quota = "1M"; }\n'
                      ');\n' % good,
            # Line 4: a quota that is not a size.
            "quota": 'users = (\n'
                     '  { name = "harry"; password = "%s"; },\n'
                     '  { name = "newbie"; password = "%s";\n'
                     '    quota = "lots"; }\n'
                     ');\n' % (good, good),
            # Line 2: a password that is not a hash.
            "hash": 'users = (\n'
                    '  { name = "harry"; password = "changed"; }\n'
                    ');\n',
        }
        lines = {"syntax": 3, "quota": 4, "hash": 2}
        for kind, text in broken.items():
            with open(path, "w") as f:
                f.write(text)
            assert not reload(srv), kind
            failed = [ln for ln in srv.log().splitlines()
                      if "reload failed" in ln][-1]
            assert "users.conf:%d" % lines[kind] in failed, (kind, failed)
            # The previous users stay: the old password, not the new one.
            c.expect("NOOP", 200)
            assert avbl(c) == 100 * K
            assert can_login(srv, "harry", "pw"), kind
            assert not can_login(srv, "newbie", "changed"), kind
        assert not can_login(srv, "harry", "changed")
        # No users file at all: the same.
        os.unlink(path)
        assert not reload(srv)
        failed = [ln for ln in srv.log().splitlines()
                  if "reload failed" in ln][-1]
        assert "users.conf" in failed, failed
        assert can_login(srv, "harry", "pw")
        # A good file again is taken.
        srv.users["newbie"] = "nb"
        srv.write_users()
        assert reload(srv)
        assert can_login(srv, "newbie", "nb")
        c.expect("NOOP", 200)
        c.close()


@test
def failed_logins_logged_with_address():
    with Server(users={"harry": "pw"}) as srv:
        secret = "s3cr3t-Wr0ng"
        with connect(srv) as c:
            assert timed_pass(c, "nobody", "pw")[0].startswith("530")
            assert timed_pass(c, "harry", secret)[0].startswith("530")
        with connect(srv) as c:
            c.login("harry", "pw")
        log = srv.log()
        for user in ("nobody", "harry"):
            lines = [ln for ln in log.splitlines()
                     if "failed login" in ln and '"%s"' % user in ln]
            assert lines, "no failed login of %s logged:\n%s" % (user, log)
            assert all(HOST in ln for ln in lines), lines
        assert re.search(re.escape(HOST) + r".*login harry", log), log
        assert secret not in log, "a password was logged"


@test
def failed_login_log_has_no_raw_control_characters():
    """A user name is the client's: logged as is, a CR or an escape
    sequence in it could forge or hide log lines on a terminal."""
    with Server(users={"harry": "pw"}) as srv:
        with connect(srv) as c:
            # Within the 32 bytes of a name (a longer one is not logged).
            c.send(b"USER e\r10.0.0.1: login root\x1b[K")
            assert c.reply().startswith("331")
            assert c.cmd("PASS x").startswith("530")
        assert wait_until(lambda: "failed login" in srv.log(), 5)
        raw = [ln for ln in srv.log().split("\n") if "failed login" in ln]
        bad = [ln for ln in raw
               if any(ord(ch) < 0x20 and ch != "\t" or ord(ch) == 0x7f
                      for ch in ln)]
        assert not bad, "control characters logged raw: %r" % bad



@test
def login_timeout_closes_unauthenticated_connections():
    """NOOP keeps no one from the login deadline; logged-in users are not
    bound by it."""
    with Server(users={"harry": "pw"}, login_timeout=2) as srv:
        idle = srv.ftp()
        t0 = time.monotonic()
        idle.sendcmd("NOOP")
        time.sleep(1.0)
        idle.sendcmd("NOOP")
        line = idle.sock.makefile("rb").readline()
        took = time.monotonic() - t0
        assert line.startswith(b"421"), line
        assert 1.5 < took < 4.0, took
        user = srv.ftp("harry")
        time.sleep(2.5)
        assert user.sendcmd("NOOP").startswith("200")
        user.quit()

@test
def removed_user_sessions_end_at_the_reload():
    """Deleting a user and SIGHUP ends that user's sessions at once: idle
    ones with 421, one in a download with 426 then 421; other users'
    sessions go on."""
    with Server(users={"harry": "pw", "percy": "ppw"}) as srv:
        with open(os.path.join(srv.home("percy"), "big"), "wb") as f:
            f.write(os.urandom(8 << 20))
        idle = [connect(srv) for _ in range(2)]
        for c in idle:
            c.login("percy", "ppw")
        busy = connect(srv)
        busy.login("percy", "ppw")
        data = busy.pasv_data()
        data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        busy.expect("RETR big", 150)
        data.recv(1024)          # the transfer runs; then the client stalls
        harry = connect(srv)
        harry.login("harry", "pw")

        del srv.users["percy"]
        srv.write_users()
        t0 = time.monotonic()
        assert reload(srv)
        for c in idle:
            r = c.reply()
            assert r.startswith("421 ") and "removed" in r, r
            assert c.at_eof()
            c.close()
        r = busy.reply()
        assert r.startswith("426 "), r
        r = busy.reply()
        assert r.startswith("421 ") and "removed" in r, r
        assert busy.at_eof()
        took = time.monotonic() - t0
        busy.close()
        data.close()
        print("# three sessions of a removed user ended %.2fs after the "
              "SIGHUP" % took)
        assert "ending the session of percy: account removed" in srv.log()
        # Nothing of theirs goes on; harry is untouched.
        assert not can_login(srv, "percy", "ppw")
        harry.expect("NOOP", 200)
        harry.expect("PWD", 257)
        harry.close()


def fixed_users(srv, users):
    """Writes users.conf with the given encoded hashes (a reload that must
    see a password unchanged needs the same salt)."""
    with open(os.path.join(srv.dir, "users.conf"), "w") as f:
        f.write("users = (\n" + ",\n".join(
            '  { name = "%s"; password = "%s"; }' % (n, h)
            for n, h in users.items()) + "\n);\n")


@test
def changed_password_ends_sessions_only_when_asked():
    hashes = {"harry": pbkdf2_hash("pw"), "ron": pbkdf2_hash("rpw")}
    for ask in (False, True):
        conf = {"end_sessions_on_password_change": ask}
        with Server(users={"harry": "pw", "ron": "rpw"}, **conf) as srv:
            fixed_users(srv, hashes)
            assert reload(srv)
            h = connect(srv)
            h.login("harry", "pw")
            r = connect(srv)
            r.login("ron", "rpw")
            fixed_users(srv, dict(hashes, harry=pbkdf2_hash("new")))
            assert reload(srv)
            if ask:
                got = h.reply()
                assert got.startswith("421 ") and "password" in got, got
                assert h.at_eof()
            else:
                h.expect("NOOP", 200)   # the default: sessions go on
            # ron's hash is the same string: his session is untouched.
            r.expect("NOOP", 200)
            assert can_login(srv, "harry", "new")
            assert not can_login(srv, "harry", "pw")
            h.close()
            r.close()


@test
def verified_passwords_are_remembered_until_a_reload():
    with Server(users={"harry": "pw", "ron": "rpw"}) as srv:
        def logins(tag):
            return srv.log().count("login harry" + tag)
        assert not can_login(srv, "harry", "bad")
        assert can_login(srv, "harry", "pw")
        assert logins(" (password remembered)") == 0
        assert can_login(srv, "harry", "pw")
        assert logins(" (password remembered)") == 1
        # A wrong password is still refused, with its delay.
        c = connect(srv)
        r, took = timed_pass(c, "harry", "pw2")
        assert r.startswith("530") and took >= 0.4, (r, took)
        c.close()
        # A reload forgets: the next login computes again, then remembers.
        assert reload(srv)
        n = logins(" (password remembered)")
        assert can_login(srv, "harry", "pw")
        assert logins(" (password remembered)") == n
        assert can_login(srv, "harry", "pw")
        assert logins(" (password remembered)") == n + 1
    with Server(users={"harry": "pw"}, password_cache=False) as srv:
        for _ in range(3):
            assert can_login(srv, "harry", "pw")
        assert "remembered" not in srv.log()


def from_addr(srv, addr):
    """A control connection from a given loopback address; its first
    reply."""
    c = srv.raw(source=addr)
    return c, c.reply()


@test
def failed_logins_ban_their_address():
    with Server(users={"harry": "pw"}, ban_after=3, ban_window=60,
                ban_time=2) as srv:
        bad = "127.0.5.1"
        for _ in range(3):
            c, r = from_addr(srv, bad)
            assert r.startswith("220"), r
            c.expect("USER harry", 331)
            c.expect("PASS wrong", 530)
            c.close()
        assert wait_until(lambda: "banned for 2 s" in srv.log(), 5)
        c, r = from_addr(srv, bad)
        assert r.startswith("421 ") and "failed logins" in r, r
        assert c.at_eof()
        c.close()
        # Another address is not concerned, and its success changes
        # nothing for the banned one.
        c, r = from_addr(srv, "127.0.5.2")
        assert r.startswith("220"), r
        c.login("harry", "pw")
        c.expect("QUIT", 221)
        c.close()
        c, r = from_addr(srv, bad)
        assert r.startswith("421 "), r
        c.close()
        # The ban ends.
        time.sleep(2.2)
        c, r = from_addr(srv, bad)
        assert r.startswith("220"), r
        c.login("harry", "pw")
        c.close()
    # ban_after = 0: never.
    with Server(users={"harry": "pw"}, ban_after=0) as srv:
        for _ in range(4):
            c, r = from_addr(srv, "127.0.5.3")
            assert r.startswith("220"), r
            c.expect("USER harry", 331)
            c.expect("PASS wrong", 530)
            c.close()
        assert "banned" not in srv.log()


run()
