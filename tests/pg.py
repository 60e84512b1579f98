"""
pg: a real PostgreSQL server for the end-to-end tests, from Debian's
packages: initdb in a temporary folder, run as an unprivileged account
(nobody when the tests run as root, since postgres refuses root), listening
on a free loopback port with its socket in that folder, stopped by its PID.

    from pg import Postgres, skip_without_postgres

    skip_without_postgres()
    with Postgres() as pg:
        db = pg.new_database()          # a fresh, empty database
        conninfo = pg.conninfo(db)
        pg.sql(db, "SELECT 1")
        pg.stop(); pg.start()           # same data, same port

Every wait is bounded.
"""
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import free_port, wait_until  # noqa: E402

HOST = "127.0.0.1"


def bindir():
    """The newest /usr/lib/postgresql/N/bin holding initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if
                   p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def psql_path():
    return shutil.which("psql") or (
        os.path.join(bindir(), "psql") if bindir() else None)


def skip_without_postgres():
    if bindir() is None or psql_path() is None:
        print("1..0 # SKIP PostgreSQL is not installed "
              "(apt-get install postgresql)")
        sys.exit(0)


class Postgres:
    """One PostgreSQL server in its own folder, owned by an unprivileged
    account."""

    def __init__(self):
        self.bin = bindir()
        self.dir = tempfile.mkdtemp(prefix="burrow-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.proc = None
        self.count = 0
        if os.geteuid() == 0:
            pw = pwd.getpwnam("nobody")
            self.user, self.uid, self.gid = "nobody", pw.pw_uid, pw.pw_gid
            os.chown(self.dir, self.uid, self.gid)
        else:
            self.user, self.uid, self.gid = None, None, None
        self.log_path = os.path.join(self.dir, "postgres.log")
        self._run([os.path.join(self.bin, "initdb"), "-D", self.data,
                   "-U", "burrow", "--auth=trust", "-E", "UTF8",
                   "--no-sync", "--no-instructions"], timeout=120)

    def _as_owner(self):
        kw = {}
        if self.uid is not None:
            kw = {"user": self.uid, "group": self.gid, "extra_groups": []}
        return kw

    def _run(self, argv, timeout=60):
        out = subprocess.run(argv, capture_output=True, timeout=timeout,
                             cwd=self.dir, **self._as_owner())
        if out.returncode != 0:
            raise RuntimeError("%s failed: %s%s" % (
                argv[0], out.stdout.decode(errors="replace"),
                out.stderr.decode(errors="replace")))
        return out

    def start(self):
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [os.path.join(self.bin, "postgres"), "-D", self.data,
             "-p", str(self.port), "-c", "listen_addresses=" + HOST,
             "-c", "unix_socket_directories=" + self.dir,
             "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=100",
             "-c", "shared_buffers=16MB"],
            stdout=logf, stderr=logf, cwd=self.dir, **self._as_owner())
        logf.close()

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited:\n" + self.log())
            try:
                socket.create_connection((HOST, self.port), 0.2).close()
            except OSError:
                return False
            return subprocess.run(
                [psql_path(), "-h", HOST, "-p", str(self.port), "-U",
                 "burrow", "-d", "postgres", "-Atqc", "SELECT 1"],
                capture_output=True, timeout=10).returncode == 0
        if not wait_until(up, 30, 0.1):
            raise RuntimeError("postgres did not start:\n" + self.log())
        return self

    def stop(self):
        """Fast shutdown (SIGINT to the postmaster), bounded."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def conninfo(self, db):
        return "host=%s port=%d user=burrow dbname=%s" % (HOST, self.port,
                                                          db)

    def sql(self, db, statement):
        """Runs statement with psql; returns its unaligned output."""
        out = subprocess.run(
            [psql_path(), "-h", HOST, "-p", str(self.port), "-U", "burrow",
             "-d", db, "-v", "ON_ERROR_STOP=1", "-Atqc", statement],
            capture_output=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError("psql %r: %s" % (statement,
                                                out.stderr.decode()))
        return out.stdout.decode().strip()

    def new_database(self):
        self.count += 1
        name = "t%d" % self.count
        self.sql("postgres", "CREATE DATABASE %s" % name)
        return name

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if exc[0] is None or not os.environ.get("BURROW_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)
