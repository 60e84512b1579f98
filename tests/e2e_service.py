"""
e2e_service: the service files, without installing anything.

The LSB init script config/burrowd.init is copied to a temporary folder
with @sbindir@ pointing at the build folder and @sysconfdir@ at a temporary
etc/ holding burrow/burrowd.conf, and its /etc/default/burrowd replaced by a
temporary file (BURROWD_DEFAULTS). It is then driven through start, a
second start, status, reload (a user added to users.conf can log in), stop
and status again, once with start-stop-daemon and once with the portable
fallback; a bad configuration makes start fail with burrowd's FILE:LINE
message, and restart refuses to stop a running server for it. burrowd
started directly twice with one pid_file: the second says "already
running". config/burrowd.logrotate rotates the log and burrowd writes to
the new file after its SIGHUP. The systemd unit passes systemd-analyze
verify and the man pages render without groff warnings, where those tools
are installed.

As root the daemon is told to switch to "nobody", as it would be in
service: its home, users file and log belong to that account.
"""
import contextlib
import ftplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (BUILDDIR, BURROWD, HOST,  # noqa: E402
                     free_port, pbkdf2_hash, wait_until)

SRCDIR = os.environ.get("BURROW_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
CONFIG = os.path.join(SRCDIR, "config")
SHELL = "/bin/sh"
GRACE = 2


class Skip(Exception):
    """Raised by a test that cannot run here; the reason is its text."""


def service_user():
    """The account burrowd switches to: nobody as root, none otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        raise Skip("running as root and there is no user nobody")


def give(path, pw):
    if pw is not None:
        os.chown(path, pw.pw_uid, pw.pw_gid)


def alive(pid):
    """True if pid exists and is no zombie (a slow init may leave one)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def burrowds_of(conf):
    """The pids of the burrowd processes started with config file conf."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if (args and os.path.basename(args[0]) == b"burrowd"
                and conf.encode() in args):
            found.append(int(d))
    return found


class Site:
    """A temporary installation: etc/burrow/{burrowd.conf,users.conf},
    home/, log/, run/, default/burrowd and the substituted init script."""

    def __init__(self, ssd=True, conf_extra=(), pid_in_conf=True,
                 defaults=()):
        self.pw = service_user()
        self.dir = tempfile.mkdtemp(prefix="burrow-svc-")
        os.chmod(self.dir, 0o755)
        self.etc = os.path.join(self.dir, "etc")
        self.confdir = os.path.join(self.etc, "burrow")
        self.conf = os.path.join(self.confdir, "burrowd.conf")
        self.users_file = os.path.join(self.confdir, "users.conf")
        self.home_root = os.path.join(self.dir, "home")
        self.log_dir = os.path.join(self.dir, "log")
        self.log_file = os.path.join(self.log_dir, "burrowd.log")
        self.pidfile = os.path.join(self.dir, "run", "burrowd.pid")
        for d in (self.confdir, self.home_root, self.log_dir,
                  os.path.dirname(self.pidfile),
                  os.path.join(self.dir, "default")):
            os.makedirs(d, mode=0o755, exist_ok=True)
        give(self.log_dir, self.pw)
        # As documented: the log belongs to the account burrowd runs as,
        # or it could not reopen it after rotation.
        with open(self.log_file, "a"):
            pass
        give(self.log_file, self.pw)
        self.port = free_port()
        self.users = {}
        self.add_user("harry", "pw")
        self.lines = self.conf_lines(pid_in_conf) + list(conf_extra)
        self.write_conf()
        self.defaults = os.path.join(self.dir, "default", "burrowd")
        with open(self.defaults, "w") as f:
            f.write("# test defaults\n")
            if not ssd:
                f.write("START_STOP_DAEMON=no\n")
            for line in defaults:
                f.write(line + "\n")
        self.script = os.path.join(self.dir, "burrowd.init")
        with open(os.path.join(CONFIG, "burrowd.init")) as f:
            text = f.read()
        assert "@sbindir@/burrowd" in text and \
            "@sysconfdir@/burrow/burrowd.conf" in text
        text = text.replace("@sbindir@", os.path.abspath(BUILDDIR))
        text = text.replace("@sysconfdir@", self.etc)
        with open(self.script, "w") as f:
            f.write(text)
        os.chmod(self.script, 0o755)

    def conf_lines(self, pid_in_conf):
        low = 20000 + (self.port % 400) * 100
        lines = [
            "# burrowd.conf for e2e_service",
            'listen = "%s";' % HOST,
            "port = %d;" % self.port,
            "pasv_ports = [%d, %d];" % (low, low + 99),
            'users_file = "users.conf";',
            'home_root = "%s";' % self.home_root,
            'default_quota = "0";',
            'log_file = "%s";' % self.log_file,
            "shutdown_grace = %d;" % GRACE,
            "idle_timeout = 30;",
            "data_timeout = 10;",
        ]
        if pid_in_conf:
            # Relative, as burrowd allows: the script must resolve it too.
            lines.append('pid_file = "../../run/burrowd.pid";')
        if self.pw is not None:
            lines.append('user = "%s";' % self.pw.pw_name)
        return lines

    def write_conf(self):
        with open(self.conf, "w") as f:
            f.write("\n".join(self.lines) + "\n")

    def add_user(self, name, password):
        self.users[name] = password
        home = os.path.join(self.home_root, name)
        os.makedirs(home, exist_ok=True)
        give(home, self.pw)
        text = "users = (\n" + ",\n".join(
            '  { name = "%s"; password = "%s"; }' % (n, pbkdf2_hash(p))
            for n, p in self.users.items()) + "\n);\n"
        # Rewritten in place, so that its owner stays the service account.
        with open(self.users_file, "w") as f:
            f.write(text)
        os.chmod(self.users_file, 0o600)
        give(self.users_file, self.pw)

    def run(self, action, timeout=60):
        env = dict(os.environ)
        env["BURROWD_DEFAULTS"] = self.defaults
        env["SYSTEMCTL_SKIP_REDIRECT"] = "1"
        p = subprocess.run([SHELL, self.script, action], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
        p.out = p.stdout.decode(errors="replace")
        p.err = p.stderr.decode(errors="replace")
        return p

    def pid(self):
        """The pid in the pid file, or None."""
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def login(self, user, timeout=10):
        f = ftplib.FTP()
        f.connect(HOST, self.port, timeout=timeout)
        while f.welcome.startswith("120"):
            f.welcome = f.getresp()
        f.login(user, self.users[user])
        return f

    def can_login(self, user):
        try:
            with contextlib.closing(self.login(user)) as f:
                f.pwd()
                f.quit()
            return True
        except (OSError, EOFError, ftplib.Error):
            return False

    def log(self):
        with open(self.log_file, "rb") as f:
            return f.read().decode(errors="replace")

    def cleanup(self):
        """Stops whatever burrowd this site started, then removes it."""
        pids = set(burrowds_of(self.conf))
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        for pid in pids:
            if not wait_until(lambda: not alive(pid), GRACE + 5):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                wait_until(lambda: not alive(pid), 5)
        if not os.environ.get("BURROW_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def expect(p, rc, what):
    assert p.returncode == rc, \
        "%s: exit %d, wanted %d\nstdout: %s\nstderr: %s" \
        % (what, p.returncode, rc, p.out, p.err)


def lifecycle(ssd):
    if ssd and shutil.which("start-stop-daemon") is None:
        raise Skip("start-stop-daemon is not installed")
    with Site(ssd=ssd) as site:
        expect(site.run("status"), 3, "status before start")

        p = site.run("start")
        expect(p, 0, "start")
        pid = site.pid()
        assert pid is not None, "no pid file after start: " + p.out + p.err
        assert alive(pid) and comm(pid) == "burrowd", (pid, comm(pid))
        assert burrowds_of(site.conf) == [pid], burrowds_of(site.conf)
        assert wait_until(lambda: site.can_login("harry"), 10), site.log()

        p = site.run("start")
        expect(p, 0, "second start")
        assert "already running" in p.out, p.out
        assert site.pid() == pid and alive(pid)
        assert burrowds_of(site.conf) == [pid], burrowds_of(site.conf)

        p = site.run("status")
        expect(p, 0, "status")
        assert str(pid) in p.out, p.out

        site.add_user("beal", "secret")
        assert not site.can_login("beal"), "beal logged in before reload"
        p = site.run("reload")
        expect(p, 0, "reload")
        assert wait_until(lambda: site.can_login("beal"), 10), site.log()
        assert site.can_login("harry")
        assert site.pid() == pid and alive(pid)
        assert "SIGHUP" in site.log(), site.log()

        p = site.run("stop")
        expect(p, 0, "stop")
        assert not alive(pid), "burrowd %d still there after stop" % pid
        assert not os.path.exists(site.pidfile), "pid file left behind"
        assert burrowds_of(site.conf) == []

        expect(site.run("status"), 3, "status after stop")
        expect(site.run("stop"), 0, "stop when stopped")
        expect(site.run("reload"), 7, "reload when stopped")
        log = site.log()
        assert "Sanitizer" not in log and "runtime error" not in log, log


@harness.test
def init_script_with_start_stop_daemon():
    lifecycle(ssd=True)


@harness.test
def init_script_portable_fallback():
    lifecycle(ssd=False)


@harness.test
def init_script_restart():
    with Site(ssd=False) as site:
        expect(site.run("start"), 0, "start")
        pid = site.pid()
        p = site.run("restart")
        expect(p, 0, "restart")
        new = site.pid()
        assert new is not None and new != pid and not alive(pid), (pid, new)
        assert burrowds_of(site.conf) == [new]
        assert wait_until(lambda: site.can_login("harry"), 10), site.log()
        expect(site.run("force-reload"), 0, "force-reload")
        assert site.pid() not in (None, new)
        expect(site.run("stop"), 0, "stop")
        assert burrowds_of(site.conf) == []
        expect(site.run("try-restart"), 0, "try-restart when stopped")
        assert burrowds_of(site.conf) == []
        p = site.run("bogus")
        expect(p, 2, "unknown action")
        assert "usage:" in p.err, p.err


@harness.test
def init_script_bad_config():
    with Site() as site:
        good = list(site.lines)
        site.lines.append("max_clients = 0;")
        bad_line = len(site.lines)
        site.write_conf()
        p = site.run("start")
        assert p.returncode != 0, "start with a bad config succeeded"
        want = "%s:%d:" % (site.conf, bad_line)
        assert want in p.err and "max_clients" in p.err, p.err
        assert burrowds_of(site.conf) == []
        expect(site.run("status"), 3, "status after a failed start")

        # A running server is not stopped for a configuration that cannot
        # start: restart and reload report the error and leave it be.
        site.lines = good
        site.write_conf()
        expect(site.run("start"), 0, "start")
        pid = site.pid()
        site.lines = [x.replace('"users.conf"', '"missing.conf"')
                      for x in good]
        site.write_conf()
        p = site.run("restart")
        assert p.returncode != 0 and "missing.conf" in p.err, (p.out, p.err)
        p = site.run("reload")
        assert p.returncode != 0 and "missing.conf" in p.err, (p.out, p.err)
        assert site.pid() == pid and alive(pid)
        assert site.can_login("harry")
        expect(site.run("stop"), 0, "stop")
        assert not alive(pid)


@harness.test
def init_script_reports_start_failure():
    # The port is taken: burrowd says so before detaching, and start fails.
    with Site() as site, socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind((HOST, site.port))
        busy.listen(1)
        p = site.run("start")
        assert p.returncode == 1, (p.returncode, p.out, p.err)
        assert "cannot listen" in p.err and "failed" in p.err, p.err
        assert burrowds_of(site.conf) == []
        expect(site.run("status"), 3, "status after a failed start")


@harness.test
def init_script_pid_file_must_match():
    # The config names no pid_file: the script would lose track of the
    # daemon, so it refuses and says what to set.
    with Site(pid_in_conf=False,
              defaults=['PIDFILE="%s"' % "/nonexistent/burrowd.pid"]) as site:
        p = site.run("start")
        expect(p, 6, "start without pid_file")
        assert "pid_file" in p.err and "/nonexistent/burrowd.pid" in p.err, \
            p.err
        assert burrowds_of(site.conf) == []


@harness.test
def init_script_stale_pid_file():
    with Site(ssd=False) as site:
        with open(site.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())     # alive, but not burrowd
        expect(site.run("status"), 1, "status with a stale pid file")
        expect(site.run("start"), 0, "start over a stale pid file")
        pid = site.pid()
        assert pid != os.getpid() and comm(pid) == "burrowd"
        expect(site.run("stop"), 0, "stop")
        assert not alive(pid)


@harness.test
def init_script_creates_pid_folder():
    # As /run/burrow/ after a reboot: the folder of pid_file is made.
    with Site(ssd=False) as site:
        site.pidfile = os.path.join(site.dir, "run", "burrow", "burrowd.pid")
        site.lines = [x for x in site.lines if not x.startswith("pid_file")]
        site.lines.append('pid_file = "%s";' % site.pidfile)
        site.write_conf()
        expect(site.run("start"), 0, "start")
        pid = site.pid()
        assert pid is not None and alive(pid)
        expect(site.run("status"), 0, "status")
        expect(site.run("stop"), 0, "stop")
        assert not alive(pid) and not os.path.exists(site.pidfile)


@harness.test
def direct_second_instance_refused():
    with Site() as site:
        run = lambda: subprocess.run([BURROWD, "-c", site.conf],
                                     stdin=subprocess.DEVNULL,
                                     capture_output=True, timeout=30)
        first = run()
        assert first.returncode == 0, first.stderr
        assert wait_until(lambda: site.pid() is not None
                          and alive(site.pid()), 10), "no pid file"
        pid = site.pid()
        second = run()
        err = second.stderr.decode(errors="replace")
        assert second.returncode == 1, (second.returncode, err)
        assert "already running" in err and str(pid) in err, err
        assert burrowds_of(site.conf) == [pid]
        assert site.can_login("harry")
        os.kill(pid, signal.SIGTERM)
        assert wait_until(lambda: not alive(pid), GRACE + 5), \
            "burrowd did not stop on SIGTERM"


@harness.test
def logrotate_reopens_log():
    lr = shutil.which("logrotate")
    if lr is None:
        raise Skip("logrotate is not installed")
    with Site() as site:
        with open(os.path.join(CONFIG, "burrowd.logrotate")) as f:
            text = f.read()
        assert "/var/log/burrow/*.log" in text and "/run/burrowd.pid" in text
        text = text.replace("/var/log/burrow", site.log_dir)
        text = text.replace("/run/burrowd.pid", site.pidfile)
        lrconf = os.path.join(site.dir, "logrotate.conf")
        with open(lrconf, "w") as f:
            f.write(text)
        expect(site.run("start"), 0, "start")
        pid = site.pid()
        assert wait_until(lambda: site.can_login("harry"), 10), site.log()
        p = subprocess.run([lr, "-s", os.path.join(site.dir, "lr.state"),
                            "-f", lrconf], capture_output=True, timeout=30)
        assert p.returncode == 0, p.stderr.decode(errors="replace")
        old = site.log_file + ".1"
        assert os.path.exists(old), os.listdir(site.log_dir)
        assert "connected" in open(old, errors="replace").read()
        if site.pw is not None:
            assert os.stat(site.log_file).st_uid == site.pw.pw_uid
        # The SIGHUP line is the last one of the old file; the new file
        # gets what comes after it.
        assert wait_until(lambda: "SIGHUP" in open(old).read(), 10), \
            open(old).read()
        assert site.can_login("harry")
        assert wait_until(lambda: "login harry" in site.log(), 10), \
            (site.log(), open(old).read())
        assert site.pid() == pid and alive(pid)
        expect(site.run("stop"), 0, "stop")


@harness.test
def systemd_unit_verifies():
    sa = shutil.which("systemd-analyze")
    if sa is None:
        raise Skip("systemd-analyze is not installed")
    d = tempfile.mkdtemp(prefix="burrow-unit-")
    try:
        with open(os.path.join(CONFIG, "burrowd.service")) as f:
            text = f.read()
        for want in ("@sbindir@/burrowd -f -c "
                     "@sysconfdir@/burrow/burrowd.conf",
                     "@sbindir@/burrowd -t -c",
                     "ExecReload=/bin/kill -HUP $MAINPID"):
            assert want in text, want
        text = text.replace("@sbindir@", os.path.abspath(BUILDDIR))
        text = text.replace("@sysconfdir@", d)
        if shutil.which("man") is None:
            # verify runs man for each Documentation= page.
            text = "\n".join(x for x in text.splitlines()
                             if not x.startswith("Documentation="))
        unit = os.path.join(d, "burrowd.service")
        with open(unit, "w") as f:
            f.write(text)
        # The man pages it names, where man can find them.
        for page, sect in (("srv/burrowd.8", 8), ("srv/burrowd.conf.5", 5),
                           ("srv/burrow-passwd.8", 8)):
            mandir = os.path.join(d, "man", "man%d" % sect)
            os.makedirs(mandir, exist_ok=True)
            shutil.copy(os.path.join(SRCDIR, page), mandir)
        env = dict(os.environ, MANPATH=os.path.join(d, "man"))
        p = subprocess.run([sa, "verify", unit], capture_output=True,
                           timeout=60, env=env)
        out = (p.stdout + p.stderr).decode(errors="replace")
        assert p.returncode == 0 and out.strip() == "", out
    finally:
        shutil.rmtree(d, ignore_errors=True)


@harness.test
def man_pages_render():
    groff = shutil.which("groff")
    if groff is None:
        raise Skip("groff is not installed")
    for page in ("srv/burrowd.8", "srv/burrowd.conf.5", "srv/burrow-passwd.8",
                 "tui/burrow.1"):
        path = os.path.join(SRCDIR, page)
        p = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", path],
                           capture_output=True, timeout=60)
        err = p.stderr.decode(errors="replace")
        assert p.returncode == 0 and err == "", "%s: %s" % (page, err)


def run():
    """harness.run, with "ok N # SKIP reason" for a test raising Skip."""
    only = os.environ.get("BURROW_ONLY")
    tests = [t for t in harness._tests if not only or only in t.__name__]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for i, fn in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            fn()
            print("ok %d - %s (%.2fs)" % (i, fn.__name__,
                                          time.monotonic() - t0), flush=True)
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (i, fn.__name__, e), flush=True)
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    run()
