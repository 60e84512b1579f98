"""e2e_pg: the PostgreSQL backend (users_backend = "postgresql") against a
real PostgreSQL started by the test (tests/pg.py): burrow-passwd init-db
(idempotent, upgrading an older schema, refusing a newer one); add, del,
passwd, quota and list on the database; a user added through burrow-passwd
logs in on a running burrowd at once, without a signal; a password change
applies at once on two nodes; a removed account's session ends through
LISTEN/NOTIFY; logins get 421 while the database is down and work again
once it is back. Quotas across nodes: two sessions of one user on two
nodes racing uploads past the quota (total on disk within it, recorded
usage equal to the disk, 552 with the partial kept); overwrites, appends,
renames and deletes through either node; a node killed mid-upload, whose
reservation comes back when its lease expires; burrow-passwd rescan.
Sessions across nodes: max_sessions_per_user counts both nodes' sessions,
and a dead node's sessions stop counting when their lease expires.
Skips if PostgreSQL is not installed."""
import ftplib
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Server, test, run, wait_until, raw_upload,  # noqa: E402
                     raw_avbl, BURROWD, PASSWD)
from pg import Postgres, skip_without_postgres  # noqa: E402

ENV = dict(os.environ, BURROW_PBKDF2_ITERATIONS="1000")
VERSION = 4     # srv/schema.h SCHEMA_VERSION

_pg = None


def pg():
    """The PostgreSQL server of this run, started once."""
    global _pg
    if _pg is None:
        _pg = Postgres().start()
    return _pg


def node(db, home=None, lease=None, **conf):
    """A burrowd on database db (not started); home: share another's."""
    c = {"users_backend": "postgresql",
         "postgresql": {"conninfo": pg().conninfo(db)}}
    if lease is not None:
        c["postgresql"]["lease"] = lease
    if home is not None:
        c["home_root"] = home
    c.update(conf)
    return Server(users={}, **c)


def passwd(srv, *args, password=None, check=True):
    """burrow-passwd -c srv's config ARGS; returns the CompletedProcess."""
    argv = [PASSWD, "-c", srv.conf_path] + list(args)
    if password is not None:
        argv.append("--stdin")
    out = subprocess.run(argv, input=(password + "\n").encode()
                         if password is not None else None,
                         capture_output=True, timeout=30, env=ENV)
    if check:
        assert out.returncode == 0, (args, out)
    return out


def fresh(**conf):
    """A new database with the tables, and a node on it (not started)."""
    db = pg().new_database()
    srv = node(db, **conf)
    passwd(srv, "init-db")
    return db, srv


def login_reply(srv, user, password):
    """The reply to PASS: '230 ...', '530 ...' or '421 ...'."""
    c = srv.raw()
    try:
        c.expect(None, 220)
        c.expect("USER " + user, 331)
        return c.cmd("PASS " + password)
    finally:
        c.close()


@test
def init_db_is_idempotent_and_refuses_a_newer_schema():
    db = pg().new_database()
    srv = node(db)
    out = passwd(srv, "init-db")
    assert b"created" in out.stdout, out
    out = passwd(srv, "init-db")
    assert b"already at version %d" % VERSION in out.stdout, out
    assert pg().sql(db, "SELECT version FROM burrow_schema") == str(VERSION)
    pg().sql(db, "UPDATE burrow_schema SET version = 99")
    out = passwd(srv, "init-db", check=False)
    assert out.returncode == 1 and b"newer" in out.stderr, out
    assert pg().sql(db, "SELECT version FROM burrow_schema") == "99"
    out = passwd(srv, "list", check=False)
    assert out.returncode == 1 and b"upgrade Burrow" in out.stderr, out
    # burrowd refuses it too, with the reason.
    out = subprocess.run([BURROWD, "-t", "-c", srv.conf_path],
                         capture_output=True, timeout=30)
    assert out.returncode != 0 and b"newer" in out.stderr, out


@test
def commands_need_the_tables():
    db = pg().new_database()
    srv = node(db)
    out = passwd(srv, "add", "harry", password="pw", check=False)
    assert out.returncode == 1 and b"init-db" in out.stderr, out
    assert pg().sql(db, "SELECT to_regclass('burrow_users') IS NULL") == "t"


@test
def init_db_needs_the_postgresql_backend():
    with Server() as srv:
        out = passwd(srv, "init-db", check=False)
        assert out.returncode == 1 and b"users_backend" in out.stderr, out


@test
def add_del_passwd_quota_list_on_the_database():
    db, srv = fresh()
    out = passwd(srv, "add", "harry", "--quota", "20M", password="pw1")
    assert b"added user harry, quota 20.0 MiB" in out.stdout, out
    assert os.path.isdir(srv.home("harry"))
    passwd(srv, "add", "beal", password="pw2")
    out = passwd(srv, "add", "harry", password="x", check=False)
    assert out.returncode == 1 and b"already exists" in out.stderr, out
    rows = pg().sql(db, "SELECT name, quota, password LIKE "
                    "'$pbkdf2-sha256$1000$%' FROM burrow_users ORDER BY 1")
    assert rows.splitlines() == ["beal|-1|t", "harry|20971520|t"], rows
    old = pg().sql(db, "SELECT password FROM burrow_users "
                   "WHERE name = 'harry'")
    passwd(srv, "passwd", "harry", password="pw3")
    assert pg().sql(db, "SELECT password FROM burrow_users "
                    "WHERE name = 'harry'") != old
    assert pg().sql(db, "SELECT quota FROM burrow_users "
                    "WHERE name = 'harry'") == "20971520"
    passwd(srv, "quota", "beal", "1G")
    assert pg().sql(db, "SELECT quota FROM burrow_users "
                    "WHERE name = 'beal'") == str(1 << 30)
    out = passwd(srv, "list")
    lines = out.stdout.decode().splitlines()
    assert lines[0].split() == ["NAME", "QUOTA", "USED", "RECORDED"], lines
    assert lines[1].split()[:3] == ["beal", "1.0", "GiB"], lines
    assert lines[2].split()[:3] == ["harry", "20.0", "MiB"], lines
    out = passwd(srv, "del", "beal")
    assert b"deleted user beal" in out.stdout, out
    out = passwd(srv, "del", "beal", check=False)
    assert out.returncode == 1 and b"no user named" in out.stderr, out
    out = passwd(srv, "passwd", "nobody", password="x", check=False)
    assert out.returncode == 1 and b"no user named" in out.stderr, out
    assert pg().sql(db, "SELECT string_agg(name, ',') FROM burrow_users") \
        == "harry"
    # Every change raised the generation the nodes compare.
    assert int(pg().sql(db, "SELECT users_generation FROM burrow_schema")) \
        == 5


@test
def names_reach_the_database_only_as_parameters():
    db, srv = fresh()
    out = passwd(srv, "add", "x'; DROP TABLE burrow_users; --",
                 password="pw", check=False)
    assert out.returncode == 2, out     # refused as a name before SQL
    passwd(srv, "add", "a.b_c-d", password="pw")
    assert pg().sql(db, "SELECT count(*) FROM burrow_users") == "1"


@test
def user_added_logs_in_at_once_without_a_signal():
    db, srv = fresh()
    with srv:
        assert login_reply(srv, "harry", "pw").startswith("530")
        passwd(srv, "add", "harry", password="pw")
        # No SIGHUP, no sleep: the login itself sees the new row.
        assert login_reply(srv, "harry", "pw").startswith("230")
        f = srv.ftp("harry", "pw")
        f.mkd("d")
        f.quit()
        assert os.path.isdir(os.path.join(srv.home("harry"), "d"))


@test
def rates_on_the_database_apply_without_a_signal():
    db, srv = fresh(rate_down="1M")
    passwd(srv, "add", "harry", password="pw")
    out = passwd(srv, "rate", "harry", "4M", "default")
    assert b"rates of harry set to 4.0 MiB/s down, default (unlimited) up" \
        in out.stdout, out
    assert pg().sql(db, "SELECT rate_down, rate_up FROM burrow_users "
                    "WHERE name = 'harry'") == "4194304|-1"
    out = passwd(srv, "rate", "harry", "fast", "0", check=False)
    assert out.returncode == 2, out
    with srv:
        with open(os.path.join(srv.home("harry"), "b.bin"), "wb") as f:
            f.write(os.urandom(8 << 20))

        def took(f):
            t0 = time.monotonic()
            f.retrbinary("RETR b.bin", lambda b: None)
            return time.monotonic() - t0
        f = srv.ftp("harry", "pw")
        t = took(f)
        assert 1.6 <= t <= 2.6, t
        # 0 on the row: unlimited, for the running session too.
        passwd(srv, "rate", "harry", "0", "default")
        assert wait_until(lambda: took(f) < 1.0, 10)
        f.quit()


@test
def password_change_applies_at_once_on_two_nodes():
    db, a = fresh()
    b = node(db, home=a.home_root)
    passwd(a, "add", "harry", password="old")
    with a, b:
        for srv in (a, b):
            assert login_reply(srv, "harry", "old").startswith("230")
        passwd(b, "passwd", "harry", password="new")
        for srv in (a, b):
            # The remembered old password is forgotten too.
            assert login_reply(srv, "harry", "old").startswith("530")
            assert login_reply(srv, "harry", "new").startswith("230")


@test
def notify_reaches_logged_in_sessions():
    db, a = fresh(end_sessions_on_password_change=True)
    b = node(db, home=a.home_root, end_sessions_on_password_change=True)
    passwd(a, "add", "harry", password="pw")
    passwd(a, "add", "beal", password="pw")
    with a, b:
        fa, fb = a.ftp("harry", "pw"), b.ftp("beal", "pw")
        passwd(a, "del", "harry")
        passwd(a, "passwd", "beal", password="pw2")
        # No login on either node: only the notifications tell them.
        for srv, who in ((a, "harry"), (b, "beal")):
            assert wait_until(lambda: "ending the session of %s" % who
                              in srv.log(), 10), srv.log()
        for f in (fa, fb):
            try:
                r = f.sendcmd("NOOP")
            except (ftplib.error_temp, EOFError, OSError) as e:
                r = str(e)
            assert "421" in r or r == "", r
            f.close()
        assert "reloaded the database" in b.log(), b.log()


@test
def logins_get_421_while_the_database_is_down():
    db, srv = fresh()
    passwd(srv, "add", "harry", password="pw")
    with srv:
        assert login_reply(srv, "harry", "pw").startswith("230")
        pg().stop()
        try:
            for _ in range(3):
                r = login_reply(srv, "harry", "pw")
                assert r.startswith("421"), r
                r = login_reply(srv, "harry", "wrong")
                assert r.startswith("421"), r
            assert "accounts database cannot be reached" in r, r
        finally:
            pg().start()
        assert wait_until(lambda: login_reply(srv, "harry", "pw")
                          .startswith("230"), 20, 0.2), srv.log()
        assert wait_until(lambda: "the database is back" in srv.log(), 20)


@test
def node_starts_before_its_database():
    db, srv = fresh()
    passwd(srv, "add", "harry", password="pw")
    pg().stop()
    try:
        srv.start()
        r = login_reply(srv, "harry", "pw")
        assert r.startswith("421"), r
    finally:
        pg().start()
    try:
        assert wait_until(lambda: login_reply(srv, "harry", "pw")
                          .startswith("230"), 20, 0.2), srv.log()
    finally:
        srv.__exit__(None, None, None)


@test
def bad_backend_values_are_reported_with_their_line():
    srv = node("x", users_backend="ldap")
    out = subprocess.run([BURROWD, "-t", "-c", srv.conf_path],
                         capture_output=True, timeout=30)
    assert out.returncode != 0, out
    assert b"burrowd.conf:" in out.stderr and b"ldap" in out.stderr and \
        b"file|postgresql" in out.stderr, out


def usage(db, user="harry"):
    """(recorded usage, bytes reserved by live leases) of user."""
    used = pg().sql(db, "SELECT used FROM burrow_usage WHERE name = '%s'"
                    % user)
    held = pg().sql(db, "SELECT COALESCE(sum(reserved), 0) FROM "
                    "burrow_leases WHERE name = '%s'" % user)
    return int(used), int(held)


def disk(home):
    """Bytes of the regular files below home."""
    total = 0
    for d, _, files in os.walk(home):
        for f in files:
            total += os.lstat(os.path.join(d, f)).st_size
    return total


def logged_in(srv, user="harry", password="pw"):
    c = srv.raw()
    c.expect(None, 220)
    c.login(user, password)
    c.expect("TYPE I", 200)
    return c


def kill9(srv):
    """SIGKILL srv's burrowd: a node that dies, not one that stops."""
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(10)
    srv.proc = None
    srv.logf.close()


@test
def init_db_upgrades_an_older_schema():
    db, srv = fresh()
    # What version 1 was: the accounts alone.
    pg().sql(db, "DROP TABLE burrow_sessions; DROP TABLE burrow_leases; "
             "DROP TABLE burrow_usage; ALTER TABLE burrow_users "
             "DROP COLUMN rate_down, DROP COLUMN rate_up; "
             "UPDATE burrow_schema SET version = 1")
    out = passwd(srv, "list", check=False)
    assert out.returncode == 1 and b"version 1" in out.stderr and \
        b"init-db" in out.stderr, out
    out = passwd(srv, "init-db")
    assert b"upgraded the database schema from version 1 to %d" % VERSION \
        in out.stdout, out
    assert pg().sql(db, "SELECT count(*) FROM burrow_usage") == "0"
    assert pg().sql(db, "SELECT count(*) FROM burrow_sessions") == "0"


@test
def two_nodes_racing_past_the_quota_stay_within_it():
    quota = 2 << 20
    db, a = fresh()
    b = node(db, home=a.home_root)
    passwd(a, "add", "harry", "--quota", str(quota), password="pw")
    data = os.urandom(1536 * 1024)
    with a, b:
        ca, cb = logged_in(a), logged_in(b)
        replies = {}

        def up(c, name):
            replies[name] = raw_upload(c, "STOR", name, data, chunk=16384,
                                       pause=0.001)
        ts = [threading.Thread(target=up, args=(c, n))
              for c, n in ((ca, "f1"), (cb, "f2"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        assert not any(t.is_alive() for t in ts)
        # As on one node: whichever uploads are running when the quota
        # fills stop there (here both, most often).
        codes = sorted(r[:3] for r in replies.values())
        assert "552" in codes and set(codes) <= {"226", "552"}, replies
        home = a.home("harry")
        sizes = [os.path.getsize(os.path.join(home, f)) for f in
                 ("f1", "f2")]
        total = sum(sizes)
        assert total <= quota, sizes
        # What did not fit is what the other node held: at most a chunk.
        assert total > quota - 512 * 1024, sizes
        assert min(sizes) > 0, sizes     # the partial is kept
        assert wait_until(lambda: usage(db) == (total, 0), 5), \
            (usage(db), total)
        # Both nodes see the same room.
        assert raw_avbl(ca) == raw_avbl(cb) == quota - total
        ca.close()
        cb.close()


@test
def overwrites_appends_renames_deletes_through_either_node():
    db, a = fresh()
    b = node(db, home=a.home_root)
    passwd(a, "add", "harry", "--quota", "1M", password="pw")
    home = a.home("harry")
    with a, b:
        ca, cb = logged_in(a), logged_in(b)
        assert raw_upload(ca, "STOR", "x", b"a" * 300000).startswith("226")
        assert usage(db) == (disk(home), 0) == (300000, 0)
        assert raw_avbl(cb) == (1 << 20) - 300000
        # An overwrite through the other node credits the old size.
        assert raw_upload(cb, "STOR", "x", b"b" * 100000).startswith("226")
        assert usage(db) == (disk(home), 0) == (100000, 0)
        assert raw_upload(ca, "APPE", "x", b"c" * 50000).startswith("226")
        assert usage(db) == (disk(home), 0) == (150000, 0)
        # REST+STOR cuts the file where the upload starts.
        assert raw_upload(cb, "STOR", "x", b"d" * 10, rest=1000) \
            .startswith("226")
        assert usage(db) == (disk(home), 0) == (1010, 0)
        assert raw_upload(ca, "STOR", "y", b"e" * 5000).startswith("226")
        cb.expect("RNFR y", 350)
        cb.expect("RNTO x", 250)        # replaces x: its 1010 bytes go
        assert usage(db) == (disk(home), 0) == (5000, 0)
        ca.expect("DELE x", 250)
        assert usage(db) == (disk(home), 0) == (0, 0)
        # An upload past the quota stops with 552 and keeps what fitted.
        r = raw_upload(cb, "STOR", "big", b"f" * (1200 * 1024), chunk=65536)
        assert r.startswith("552"), r
        assert os.path.getsize(os.path.join(home, "big")) == 1 << 20
        assert usage(db) == (1 << 20, 0)
        r = raw_upload(ca, "APPE", "big", b"g")
        assert r.startswith("552"), r
        ca.close()
        cb.close()


@test
def killed_node_reservation_comes_back_after_its_lease():
    db, a = fresh(lease=3)
    b = node(db, home=a.home_root, lease=3)
    passwd(a, "add", "harry", "--quota", "10M", password="pw")
    home = a.home("harry")
    with b:
        a.start()
        c = logged_in(a)
        d = c.pasv_data()
        assert c.cmd("STOR part").startswith(("125", "150"))
        d.sendall(b"p" * 600000)
        # Written and renewed by a heartbeat: the lease says what it holds.
        assert wait_until(lambda: os.path.exists(os.path.join(home, "part"))
                          and os.path.getsize(os.path.join(home, "part"))
                          == 600000, 10)
        time.sleep(1.5)
        used, held = usage(db)
        assert held > 0 and used == 600000 + held, (used, held)
        kill9(a)
        d.close()
        c.close()
        # The other node's heartbeat takes the dead node's lease back.
        assert wait_until(lambda: usage(db) == (600000, 0), 15, 0.2), \
            usage(db)
        assert "expired leases" in b.log(), b.log()
        assert disk(home) == 600000
        cb = logged_in(b)
        assert raw_avbl(cb) == (10 << 20) - 600000
        cb.close()


@test
def node_stopped_past_its_lease_counts_its_writes_again():
    db, a = fresh(lease=2)
    b = node(db, home=a.home_root, lease=2)
    passwd(a, "add", "harry", "--quota", "10M", password="pw")
    part = os.path.join(a.home("harry"), "part")
    with a, b:
        c = logged_in(a)
        d = c.pasv_data()
        assert c.cmd("STOR part").startswith(("125", "150"))
        d.sendall(b"p" * 300000)
        assert wait_until(lambda: os.path.exists(part) and
                          os.path.getsize(part) == 300000, 10)
        time.sleep(1.2)     # renewed: the lease says what it holds
        assert usage(db)[1] > 0
        a.proc.send_signal(signal.SIGSTOP)
        try:
            # The other node takes the silent node's reservation back.
            assert wait_until(lambda: usage(db) == (300000, 0), 10, 0.2), \
                usage(db)
        finally:
            a.proc.send_signal(signal.SIGCONT)
        # Awake, the node finds its lease gone and reserves again before
        # it writes: nothing is written uncounted.
        d.sendall(b"q" * 300000)
        d.close()
        assert c.reply().startswith("226")
        assert wait_until(lambda: usage(db) == (600000, 0), 5), usage(db)
        assert "the lease expired" in a.log(), a.log()
        c.close()


@test
def rescan_recomputes_usage_from_the_disk():
    db, srv = fresh()
    passwd(srv, "add", "harry", "--quota", "10M", password="pw")
    with srv:
        c = logged_in(srv)
        assert raw_upload(c, "STOR", "a", b"a" * 1000).startswith("226")
        # Changed behind the server's back.
        with open(os.path.join(srv.home("harry"), "b"), "wb") as f:
            f.write(b"b" * 4096)
        assert usage(db) == (1000, 0)
        assert raw_avbl(c) == (10 << 20) - 1000
        out = passwd(srv, "rescan", "harry")
        assert b"5096 bytes on disk" in out.stdout, out
        assert usage(db) == (5096, 0)
        line = passwd(srv, "list").stdout.decode().splitlines()[1]
        assert line.split()[-2:] == ["5.0", "KiB"], line
        assert raw_avbl(c) == (10 << 20) - 5096
        c.close()
        out = passwd(srv, "rescan", "nobody", check=False)
        assert out.returncode == 1 and b"no user named" in out.stderr, out


@test
def uploads_fail_while_the_database_is_down():
    db, srv = fresh()
    passwd(srv, "add", "harry", password="pw")
    with srv:
        c = logged_in(srv)
        pg().stop()
        try:
            r = raw_upload(c, "STOR", "a", b"a" * 1000)
        finally:
            pg().start()
        assert r[:1] in ("4", "5") and not r.startswith("226"), r
        # Once the node has seen the database back, the first upload works
        # (no stale pooled connection, no backoff left).
        assert wait_until(lambda: "the database is back" in srv.log(), 20)
        r = raw_upload(c, "STOR", "a", b"a" * 10)
        assert r.startswith("226"), r
        c.close()
        assert wait_until(lambda: usage(db) == (disk(srv.home("harry")), 0),
                          5), usage(db)


def sessions(db, user="harry"):
    return int(pg().sql(db, "SELECT count(*) FROM burrow_sessions WHERE "
                        "name = '%s' AND expires >= now()" % user))


@test
def max_sessions_per_user_counts_every_node():
    db, a = fresh(max_sessions_per_user=2)
    b = node(db, home=a.home_root, max_sessions_per_user=2)
    passwd(a, "add", "harry", password="pw")
    with a, b:
        ca, cb = logged_in(a), logged_in(b)
        assert sessions(db) == 2
        for srv in (a, b):
            r = login_reply(srv, "harry", "pw")
            assert r.startswith("421") and "Too many sessions" in r, r
        assert "already 2 sessions on all nodes" in a.log(), a.log()
        # Another user is not counted with harry.
        passwd(a, "add", "beal", password="pw")
        assert login_reply(a, "beal", "pw").startswith("230")
        ca.expect("QUIT", 221)
        ca.close()
        assert wait_until(lambda: sessions(db) == 1, 5)
        cb2 = logged_in(b)
        assert sessions(db) == 2
        assert login_reply(a, "harry", "pw").startswith("421")
        cb.close()
        cb2.close()
        assert wait_until(lambda: sessions(db) == 0, 5)


@test
def dead_node_sessions_expire():
    db, a = fresh(max_sessions_per_user=1, lease=3)
    b = node(db, home=a.home_root, max_sessions_per_user=1, lease=3)
    passwd(a, "add", "harry", password="pw")
    with b:
        a.start()
        c = logged_in(a)
        time.sleep(1.2)         # a heartbeat has renewed the row
        assert login_reply(b, "harry", "pw").startswith("421")
        kill9(a)
        c.close()
        # Still counted until the lease runs out, then no more.
        t0 = time.monotonic()
        assert wait_until(lambda: login_reply(b, "harry", "pw")
                          .startswith("230"), 15, 0.3), b.log()
        assert time.monotonic() - t0 < 10
        # The next heartbeat of the live node removes the dead one's row.
        assert wait_until(lambda: pg().sql(
            db, "SELECT count(*) FROM burrow_sessions") == "0", 5), \
            "the dead node's row was not removed"


skip_without_postgres()
try:
    run()
finally:
    if _pg is not None:
        _pg.__exit__(None, None, None)
