"""
e2e_config: burrowd's command line, configuration checking and startup,
and burrow-passwd end to end.

`burrowd -t -c FILE` accepts a valid configuration and rejects a bad one
(unknown key, wrong type, out-of-range value, syntax error, bad users file)
with exit status 1 and "FILE:LINE:" naming the right line; -V, usage errors,
and a port already in use. burrow-passwd add/passwd/del/list against a real
server, when it has been built.
"""
import contextlib
import ftplib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile

import harness  # noqa: E402
from harness import (BUILDDIR, BURROWD, HOST, PASSWD, Server, free_port,
                     pbkdf2_hash, run, test, wait_until)

SRCDIR = os.environ.get("BURROW_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
FAST = {"BURROW_PBKDF2_ITERATIONS": "1000"}


def burrowd(*args, cwd=None, timeout=15):
    p = subprocess.run([BURROWD] + list(args), capture_output=True,
                       timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    return p


def passwd(conf, *args, stdin=None, env=None, timeout=30):
    e = dict(os.environ)
    e.update(FAST)
    e.update(env or {})
    p = subprocess.run([PASSWD, "-c", conf] + list(args), capture_output=True,
                       timeout=timeout, env=e,
                       input=stdin.encode() if stdin is not None else b"")
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    return p


class Setup:
    """A folder with burrowd.conf, users.conf and home/, written as text so
    that line numbers are known."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="burrow-conf-")
        self.conf = os.path.join(self.dir, "burrowd.conf")
        self.users = os.path.join(self.dir, "users.conf")
        os.mkdir(os.path.join(self.dir, "home"))
        self.port = free_port()
        self.write_users([("harry", pbkdf2_hash("pw"), None)])
        self.write_conf()

    def base_conf(self):
        return [
            "# burrowd.conf for a test",
            'listen = "127.0.0.1";',
            "port = %d;" % self.port,
            "max_clients = 4;",
            "queue_length = 8;",
            "queue_timeout = 10;",
            "idle_timeout = 30;",
            "data_timeout = 10;",
            "pasv_ports = [40000, 40099];",
            'users_file = "users.conf";',
            'home_root = "home";',
            'default_quota = "10M";',
        ]

    def write_conf(self, lines=None, extra=()):
        """Writes the conf; returns the 1-based line number of each line of
        extra, which is appended at the end."""
        lines = list(lines if lines is not None else self.base_conf())
        # a key set in extra is not also set earlier (libconfig refuses a
        # duplicate setting name)
        keys = {m.group(1) for m in (re.match(r"\s*(\w+)\s*=", l)
                                     for l in extra) if m}
        lines = [l for l in lines
                 if not (re.match(r"(\w+)\s*=", l) and
                         re.match(r"(\w+)", l).group(1) in keys)]
        first = len(lines) + 1
        lines += list(extra)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        return list(range(first, first + len(extra)))

    def write_users(self, users, text=None):
        if text is None:
            text = "users = (\n" + ",\n".join(
                '  { name = "%s"; password = "%s";%s }'
                % (n, h, ' quota = "%s";' % q if q else "")
                for n, h, q in users) + "\n);\n"
        with open(self.users, "w") as f:
            f.write(text)

    def check(self, *extra, cwd=None):
        return burrowd("-t", "-c", self.conf, *extra, cwd=cwd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


def assert_ok(p):
    assert p.returncode == 0, (p.returncode, p.out, p.err)
    assert "configuration OK" in p.out, (p.out, p.err)


def assert_error_at(p, path, line, *words):
    """Exit 1 and an error naming path:line: with the given words."""
    assert p.returncode == 1, (p.returncode, p.out, p.err)
    want = "%s:%d:" % (path, line)
    assert want in p.err, "wanted %r in %r" % (want, p.err)
    for w in words:
        assert w in p.err, "wanted %r in %r" % (w, p.err)
    assert "configuration OK" not in p.out
    # one clear message, no trace of a crash
    assert "Sanitizer" not in p.err and "runtime error" not in p.err, p.err


# --- -t: a valid configuration ------------------------------------------------


@test
def check_valid():
    with Setup() as s:
        p = s.check()
        assert_ok(p)
        assert "1 users" in p.out or "1 user" in p.out, p.out
        assert s.conf in p.out, p.out


@test
def check_valid_all_settings():
    with Setup() as s:
        s.write_conf(extra=[
            "max_per_ip = 3;",
            "max_login_attempts = 5;",
            "max_sessions_per_user = 2;",
            "shutdown_grace = 0;",
            'pasv_address = "127.0.0.1";',
            'log_file = "burrowd.log";',
            'xfer_log = "xfer.log";',
            'pid_file = "burrowd.pid";',
            'user = "";',
            "tls = { require = false; };",
        ])
        assert_ok(s.check())
        # sizes as numbers and with suffixes
        base = [l for l in s.base_conf() if not l.startswith("default_")]
        for q in ("0", "1024", '"512K"', '"2G"', '"1T"'):
            s.write_conf(lines=base, extra=["default_quota = %s;" % q])
            assert_ok(s.check())


@test
def check_relative_path_and_defaults():
    """-c with a relative name; a config holding only what has no usable
    default."""
    with Setup() as s:
        s.write_conf(lines=['users_file = "users.conf";',
                            'home_root = "home";'])
        assert_ok(burrowd("-t", "-c", "burrowd.conf", cwd=s.dir))
        # an empty users file is valid too
        s.write_users([], text="")
        p = burrowd("-t", "-c", "burrowd.conf", cwd=s.dir)
        assert_ok(p)
        assert "0 users" in p.out, p.out


@test
def check_sample_config():
    """The sample config/burrowd.conf shipped with the sources is valid."""
    sample = os.path.join(SRCDIR, "config", "burrowd.conf")
    if not os.path.exists(sample):
        return
    with Setup() as s:
        os.makedirs(os.path.join(s.dir, "etc"))
        conf = os.path.join(s.dir, "etc", "burrowd.conf")
        shutil.copy(sample, conf)
        shutil.copy(s.users, os.path.join(s.dir, "etc", "users.conf"))
        # The sample enables TLS with a certificate demo.sh creates.
        crt, key = harness.test_cert()
        shutil.copy(crt, os.path.join(s.dir, "etc", "burrowd.crt"))
        shutil.copy(key, os.path.join(s.dir, "etc", "burrowd.key"))
        # home_root = "../home" relative to etc/
        assert_ok(burrowd("-t", "-c", conf))


# --- -t: errors with FILE:LINE ----------------------------------------------------


@test
def error_unknown_key():
    with Setup() as s:
        ln = s.write_conf(extra=["idle_timeout = 60;", "max_clientz = 5;",
                                 "port = 2121;"])
        assert_error_at(s.check(), s.conf, ln[1], "max_clientz")
        ln = s.write_conf(extra=["tls = {", "  cert = \"\";",
                                 "  colour = \"blue\";", "};"])
        assert_error_at(s.check(), s.conf, ln[2], "colour")


@test
def error_wrong_type():
    cases = [
        ('port = "2121";', "port"),
        ("max_clients = 4.5;", "max_clients"),
        ('listen = 127;', "listen"),
        ("idle_timeout = true;", "idle_timeout"),
        ('pasv_ports = "50000-50999";', "pasv_ports"),
        ("pasv_ports = [50000];", "pasv_ports"),
        ('default_quota = "lots";', "default_quota"),
        ("default_quota = 1.5;", "default_quota"),
        ('users_file = ["a"];', "users_file"),
        ("tls = 1;", "tls"),
    ]
    with Setup() as s:
        for text, key in cases:
            ln = s.write_conf(extra=["# before", text, "# after"])
            assert_error_at(s.check(), s.conf, ln[1], key)
        ln = s.write_conf(extra=["tls = {", '  require = "yes";', "};"])
        assert_error_at(s.check(), s.conf, ln[1], "require")


@test
def error_out_of_range():
    cases = [
        ("port = 0;", "port"),
        ("port = 70000;", "port"),
        ("max_clients = 0;", "max_clients"),
        ("max_clients = 100000;", "max_clients"),
        ("queue_length = -1;", "queue_length"),
        ("idle_timeout = 0;", "idle_timeout"),
        ("data_timeout = -5;", "data_timeout"),
        ("pasv_ports = [50999, 50000];", "pasv_ports"),
        ("pasv_ports = [80, 90];", "pasv_ports"),
        ("pasv_ports = [50000, 70000];", "pasv_ports"),
        ("max_login_attempts = 0;", "max_login_attempts"),
        ("default_quota = -1;", "default_quota"),
        ("port = 9999999999;", "port"),
    ]
    with Setup() as s:
        for text, key in cases:
            ln = s.write_conf(extra=["", text])
            assert_error_at(s.check(), s.conf, ln[1], key)


@test
def error_syntax():
    cases = [
        ["port = ;"],
        ['listen = "127.0.0.1;', "port = 1;"],
        ["port 2121;"],
        ["tls = { require = false;", "port = 1;", "x = ;"],
        ["= 5;"],
        ["port = 21 21;"],
    ]
    with Setup() as s:
        for extra in cases:
            ln = s.write_conf(extra=extra)
            p = s.check()
            assert p.returncode == 1, (extra, p.returncode, p.err)
            m = re.search(re.escape(s.conf) + r":(\d+):", p.err)
            assert m, (extra, p.err)
            # the error is on one of the lines written, not elsewhere
            assert ln[0] <= int(m.group(1)) <= ln[-1] + 1, (extra, p.err)
        ln = s.write_conf(extra=["max_clients = 4;", "port = ;",
                                 "queue_length = 8;"])
        assert_error_at(s.check(), s.conf, ln[1])


@test
def error_missing_files():
    with Setup() as s:
        p = burrowd("-t", "-c", os.path.join(s.dir, "nope.conf"))
        assert p.returncode == 1, p
        assert "nope.conf" in p.err, p.err
        os.remove(s.users)
        p = s.check()
        assert p.returncode == 1 and "users.conf" in p.err, (p.returncode,
                                                             p.err)
    with Setup() as s:
        shutil.rmtree(os.path.join(s.dir, "home"))
        p = s.check()
        assert p.returncode == 1 and "home" in p.err, (p.returncode, p.err)


def user_line(name, pw="pw", extra=""):
    return '  { name = "%s"; password = "%s";%s },' % (
        name, pbkdf2_hash(pw), extra)


def users_text(lines):
    text = "users = (\n" + "\n".join(lines).rstrip(",") + "\n);\n"
    return text


@test
def error_users_bad_hash():
    with Setup() as s:
        for bad in ("plaintext", "$pbkdf2-sha256$1000$c2FsdA$",
                    "$pbkdf2-sha256$abc$c2FsdHNhbHRzYWx0$" + "A" * 43,
                    "$md5$xyz", ""):
            lines = [user_line("harry"),
                     '  { name = "beal";',
                     '    password = "%s"; },' % bad,
                     user_line("third")]
            s.write_users(None, text=users_text(lines))
            assert_error_at(s.check(), s.users, 4, "password")


@test
def error_users_unknown_key():
    with Setup() as s:
        lines = [user_line("harry"), user_line("beal"),
                 '  { name = "x";',
                 '    password = "%s";' % pbkdf2_hash("pw"),
                 '    shell = "/bin/sh"; },']
        s.write_users(None, text=users_text(lines))
        assert_error_at(s.check(), s.users, 6, "shell")
        # and a top-level key other than users
        s.write_users(None, text=users_text([user_line("harry")]) +
                      "admins = [\"harry\"];\n")
        assert_error_at(s.check(), s.users, 4, "admins")


@test
def error_users_duplicate():
    with Setup() as s:
        lines = [user_line("harry"), user_line("beal"), user_line("zed"),
                 user_line("beal", "other")]
        s.write_users(None, text=users_text(lines))
        assert_error_at(s.check(), s.users, 5, "beal")


@test
def error_users_other():
    with Setup() as s:
        cases = [
            ('  { name = "../evil"; password = "%s"; },' % pbkdf2_hash("p"),
             "name"),
            ('  { name = ""; password = "%s"; },' % pbkdf2_hash("p"), "name"),
            ('  { name = "x"; },', "password"),
            ('  { name = "x"; password = "%s"; quota = "big"; },'
             % pbkdf2_hash("p"), "quota"),
            ('  { name = 5; password = "%s"; },' % pbkdf2_hash("p"), "name"),
        ]
        for line, word in cases:
            s.write_users(None, text=users_text([user_line("harry"), line]))
            assert_error_at(s.check(), s.users, 3, word)
        # a syntax error in the users file
        s.write_users(None, text="users = (\n" + user_line("harry") +
                      "\n  { name = \"b\" password = }\n);\n")
        p = s.check()
        assert p.returncode == 1 and (s.users + ":3:") in p.err, p.err


# --- command line ------------------------------------------------------------------


@test
def version():
    p = burrowd("-V")
    assert p.returncode == 0, p
    assert re.fullmatch(r"burrowd \d+\.\d+\.\d+\S*\n", p.out), p.out
    cfg = os.path.join(BUILDDIR, "config.h")
    if os.path.exists(cfg):
        with open(cfg) as f:
            m = re.search(r'#define PACKAGE_VERSION "([^"]*)"', f.read())
        assert m and p.out == "burrowd %s\n" % m.group(1), p.out


@test
def bad_option_usage():
    for args in (["-x"], ["--nope"], ["-c"], ["-t", "extra-argument"],
                 ["-Z", "-t"]):
        p = burrowd(*args)
        assert p.returncode == 2, (args, p.returncode, p.err)
        assert "usage:" in p.err, (args, p.err)
        assert p.out == "", (args, p.out)


@test
def port_in_use():
    with Setup() as s, socket.socket() as taken:
        taken.bind((HOST, s.port))
        taken.listen(1)
        # -t does not bind: the configuration itself is fine
        assert_ok(s.check())
        p = burrowd("-f", "-c", s.conf, timeout=15)
        assert p.returncode == 1, (p.returncode, p.err)
        assert "port %d" % s.port in p.err, p.err
        assert "Address already in use" in p.err or "in use" in p.err, p.err


@test
def foreground_start_and_stop():
    """-f serves, and SIGTERM ends it with status 0."""
    with Setup() as s:
        proc = subprocess.Popen([BURROWD, "-f", "-c", s.conf],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        try:
            def up():
                with contextlib.suppress(OSError):
                    socket.create_connection((HOST, s.port), 0.2).close()
                    return True
                return proc.poll() is not None
            assert wait_until(up, 10) and proc.poll() is None
            f = ftplib.FTP()
            f.connect(HOST, s.port, timeout=10)
            f.login("harry", "pw")
            f.quit()
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
            assert proc.returncode == 0, out
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


# --- burrow-passwd ------------------------------------------------------------------

def have_passwd():
    return os.access(PASSWD, os.X_OK)


def login_ok(srv, user, password):
    try:
        f = srv.ftp(user, password)
    except ftplib.error_perm:
        return False
    f.quit()
    return True


def users_names(path):
    with open(path) as f:
        return re.findall(r'name\s*=\s*"([^"]*)"', f.read())


@test
def passwd_add_and_login():
    if not have_passwd():
        return
    srv = Server(users={})
    try:
        p = passwd(srv.conf_path, "add", "alice", "--stdin", stdin="s3cret\n")
        assert p.returncode == 0, (p.returncode, p.out, p.err)
        assert "alice" in p.out, p.out
        assert os.path.isdir(srv.home("alice"))
        users = os.path.join(srv.dir, "users.conf")
        assert users_names(users) == ["alice"]
        with open(users) as f:
            text = f.read()
        assert "s3cret" not in text
        assert "$pbkdf2-sha256$1000$" in text, text
        # the result is a valid users file for burrowd
        p = burrowd("-t", "-c", srv.conf_path)
        assert p.returncode == 0 and "1 users" in p.out, (p.out, p.err)
        # a second user, with a quota
        p = passwd(srv.conf_path, "add", "bob", "--quota", "20M", "--stdin",
                   stdin="bobpw\n")
        assert p.returncode == 0, (p.out, p.err)
        assert users_names(users) == ["alice", "bob"]
        with srv:
            assert login_ok(srv, "alice", "s3cret")
            assert login_ok(srv, "bob", "bobpw")
            assert not login_ok(srv, "alice", "wrong")
            f = srv.ftp("alice", "s3cret")
            f.mkd("made-by-alice")
            f.quit()
            assert os.path.isdir(os.path.join(srv.home("alice"),
                                              "made-by-alice"))
    finally:
        if srv.proc is not None:
            srv.stop()
        shutil.rmtree(srv.dir, ignore_errors=True)


@test
def passwd_add_refusals():
    if not have_passwd():
        return
    with Setup() as s:
        users = s.users
        before = open(users).read()
        # an existing user
        p = passwd(s.conf, "add", "harry", "--stdin", stdin="x\n")
        assert p.returncode == 1, (p.returncode, p.err)
        # an empty password
        p = passwd(s.conf, "add", "empty", "--stdin", stdin="\n")
        assert p.returncode == 1, (p.returncode, p.err)
        # names that are not names, and must not create anything outside
        for bad in ("../evil", "a/b", ".hidden", "-dash", "", "x" * 300):
            p = passwd(s.conf, "add", bad, "--stdin", stdin="pw\n")
            assert p.returncode != 0, (bad, p.out, p.err)
        assert not os.path.exists(os.path.join(s.dir, "evil"))
        assert sorted(os.listdir(os.path.join(s.dir, "home"))) == [], \
            os.listdir(os.path.join(s.dir, "home"))
        assert open(users).read() == before
        # usage errors
        for args in ([], ["frobnicate"], ["add"], ["del"],
                     ["add", "a", "b"], ["add", "a", "--bogus"],
                     ["quota", "harry"]):
            p = passwd(s.conf, *args, stdin="pw\n")
            assert p.returncode == 2, (args, p.returncode, p.err)
            assert "usage" in p.err, (args, p.err)
        # a bad config file is reported, exit 1
        p = passwd(os.path.join(s.dir, "nope.conf"), "list")
        assert p.returncode == 1 and "nope.conf" in p.err, p.err


@test
def passwd_change_password():
    if not have_passwd():
        return
    srv = Server(users={})
    try:
        assert passwd(srv.conf_path, "add", "carol", "--stdin",
                      stdin="old-pw\n").returncode == 0
        srv.start()
        assert login_ok(srv, "carol", "old-pw")
        p = passwd(srv.conf_path, "passwd", "carol", "--stdin",
                   stdin="new-pw\n")
        assert p.returncode == 0, (p.out, p.err)
        assert "carol" in p.out
        # a running server takes the change on SIGHUP
        srv.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: login_ok(srv, "carol", "new-pw"), 10,
                          0.2), srv.log()
        assert not login_ok(srv, "carol", "old-pw")
        srv.stop()
        # and after a restart
        srv.start()
        assert login_ok(srv, "carol", "new-pw")
        srv.stop()
        p = passwd(srv.conf_path, "passwd", "nobody", "--stdin",
                   stdin="x\n")
        assert p.returncode == 1, (p.returncode, p.err)
    finally:
        if srv.proc is not None:
            srv.stop()
        shutil.rmtree(srv.dir, ignore_errors=True)


@test
def passwd_delete():
    if not have_passwd():
        return
    srv = Server(users={})
    try:
        for n in ("dave", "erin"):
            assert passwd(srv.conf_path, "add", n, "--stdin",
                          stdin=n + "-pw\n").returncode == 0
        with open(os.path.join(srv.home("dave"), "keep.txt"), "w") as f:
            f.write("kept")
        srv.start()
        assert login_ok(srv, "dave", "dave-pw")
        p = passwd(srv.conf_path, "del", "dave")
        assert p.returncode == 0, (p.out, p.err)
        assert users_names(os.path.join(srv.dir, "users.conf")) == ["erin"]
        srv.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: not login_ok(srv, "dave", "dave-pw"),
                          10, 0.2), srv.log()
        assert login_ok(srv, "erin", "erin-pw")
        srv.stop()
        # the home is kept
        with open(os.path.join(srv.home("dave"), "keep.txt")) as f:
            assert f.read() == "kept"
        p = passwd(srv.conf_path, "del", "dave")
        assert p.returncode == 1, (p.returncode, p.err)
    finally:
        if srv.proc is not None:
            srv.stop()
        shutil.rmtree(srv.dir, ignore_errors=True)


@test
def passwd_list():
    if not have_passwd():
        return
    srv = Server(users={})
    try:
        p = passwd(srv.conf_path, "list")
        assert p.returncode == 0, (p.out, p.err)
        for n in ("frank", "grace"):
            assert passwd(srv.conf_path, "add", n, "--stdin",
                          stdin="pw\n").returncode == 0
        assert passwd(srv.conf_path, "quota", "grace", "5M").returncode == 0
        with open(os.path.join(srv.home("frank"), "data"), "wb") as f:
            f.write(b"x" * 2048)
        p = passwd(srv.conf_path, "list")
        assert p.returncode == 0, (p.out, p.err)
        rows = [l.split() for l in p.out.splitlines()]
        assert rows[0][0] == "NAME", p.out
        names = [r[0] for r in rows[1:]]
        assert names == ["frank", "grace"], p.out
        grace = [l for l in p.out.splitlines() if l.startswith("grace")][0]
        assert "5M" in grace or "5.0 MiB" in grace, p.out
        frank = [l for l in p.out.splitlines() if l.startswith("frank")][0]
        assert frank.split()[-2:] == ["2.0", "KiB"] or "2K" in frank, p.out
        # list does not need the users file to be writable, and leaves it
        before = open(os.path.join(srv.dir, "users.conf")).read()
        passwd(srv.conf_path, "list")
        assert open(os.path.join(srv.dir, "users.conf")).read() == before
    finally:
        shutil.rmtree(srv.dir, ignore_errors=True)


if __name__ == "__main__":
    run()
