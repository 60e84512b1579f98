"""e2e_pg: the PostgreSQL backend (users_backend = "postgresql") against a
real PostgreSQL started by the test (tests/pg.py): burrow-passwd init-db
(idempotent, refusing a newer schema); add, del, passwd, quota and list on
the database; a user added through burrow-passwd logs in on a running
burrowd at once, without a signal; a password change applies at once on
two nodes; a removed account's session ends through LISTEN/NOTIFY; logins
get 421 while the database is down and work again once it is back.
Skips if PostgreSQL is not installed."""
import ftplib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, test, run, wait_until, BURROWD, PASSWD  # noqa: E402,E501
from pg import Postgres, skip_without_postgres  # noqa: E402

ENV = dict(os.environ, BURROW_PBKDF2_ITERATIONS="1000")

_pg = None


def pg():
    """The PostgreSQL server of this run, started once."""
    global _pg
    if _pg is None:
        _pg = Postgres().start()
    return _pg


def node(db, home=None, **conf):
    """A burrowd on database db (not started); home: share another's."""
    c = {"users_backend": "postgresql",
         "postgresql": {"conninfo": pg().conninfo(db)}}
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
    assert b"already at version 1" in out.stdout, out
    assert pg().sql(db, "SELECT version FROM burrow_schema") == "1"
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
    assert lines[0].split() == ["NAME", "QUOTA", "USED"], lines
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


skip_without_postgres()
try:
    run()
finally:
    if _pg is not None:
        _pg.__exit__(None, None, None)
