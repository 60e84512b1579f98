"""
e2e_notify: burrowd and systemd's protocols, without systemd.

A fake service manager: an AF_UNIX datagram socket in a temporary folder,
named to burrowd by NOTIFY_SOCKET. READY=1 must come only once the control
port answers 220, with a STATUS= line; SIGHUP brings RELOADING=1 with a
MONOTONIC_USEC= of now, then READY=1; SIGTERM brings STOPPING=1. A
NOTIFY_SOCKET nobody listens on changes nothing. Socket activation: a
listening socket passed as fd 3 with LISTEN_FDS=1 and LISTEN_PID set to
burrowd's pid (through a small exec shim, and through systemd's own
systemd-socket-activate where installed) is served without burrowd binding
the port; one on a port burrowd.conf does not name is refused. The
service and socket units pass systemd-analyze verify together.

Skipped where burrowd was built --without-systemd.
"""
import os
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
from harness import BUILDDIR, BURROWD, HOST, Server, free_port  # noqa: E402

SRCDIR = os.environ.get("BURROW_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
CONFIG = os.path.join(SRCDIR, "config")

# Execs argv[2:] with fd argv[1] as fd 3 and LISTEN_FDS/LISTEN_PID set for
# its own pid, which exec keeps: what systemd does for a socket unit.
SHIM = ("import os, sys\n"
        "fd = int(sys.argv[1])\n"
        "if fd != 3:\n"
        "    os.dup2(fd, 3)\n"
        "    os.close(fd)\n"
        "os.environ['LISTEN_FDS'] = '1'\n"
        "os.environ['LISTEN_PID'] = str(os.getpid())\n"
        "os.execv(sys.argv[2], sys.argv[2:])\n")


class Skip(Exception):
    """Raised by a test that cannot run here; the reason is its text."""


def built_with_systemd():
    try:
        with open(os.path.join(BUILDDIR, "config.h")) as f:
            return "#define HAVE_LIBSYSTEMD 1" in f.read()
    except OSError:
        return True


class Manager:
    """The fake service manager's end of NOTIFY_SOCKET."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="burrow-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)

    def next(self, timeout=10):
        """The next message as a dict of its KEY=VALUE lines."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            raise AssertionError("no sd_notify message in %ss" % timeout)
        return dict(line.split("=", 1) for line in data.splitlines() if line)

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def launch(srv, argv=None, pass_fds=()):
    """Starts burrowd for srv (as Server.start, without waiting for it)."""
    srv.logf = open(srv.log_path, "ab")
    srv.proc = subprocess.Popen(
        (argv or []) + [BURROWD, "-f", "-c", srv.conf_path],
        stdout=srv.logf, stderr=srv.logf, env=srv.env, pass_fds=pass_fds)


def greets(port):
    with socket.create_connection((HOST, port), 5) as c:
        c.settimeout(5)
        return c.recv(256).startswith(b"220")


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(16)
    return s


@harness.test
def ready_after_the_port_answers():
    with Manager() as m:
        srv = Server(env={"NOTIFY_SOCKET": m.path})
        try:
            launch(srv)
            msg = m.next()
            # The port must answer at once: nothing is retried here.
            assert greets(srv.port), srv.log()
            assert msg.get("READY") == "1", msg
            assert "port %d" % srv.port in msg.get("STATUS", ""), msg
            ftp = srv.ftp("harry")
            ftp.quit()
        finally:
            srv.stop()
            shutil.rmtree(srv.dir, ignore_errors=True)


@harness.test
def reloading_and_stopping():
    with Manager() as m:
        srv = Server(env={"NOTIFY_SOCKET": m.path})
        try:
            launch(srv)
            assert m.next().get("READY") == "1"
            before = time.monotonic()
            srv.proc.send_signal(signal.SIGHUP)
            msg = m.next()
            after = time.monotonic()
            assert msg.get("RELOADING") == "1", msg
            # CLOCK_MONOTONIC, as Python's monotonic clock on Linux.
            usec = int(msg["MONOTONIC_USEC"])
            assert before - 1 <= usec / 1e6 <= after + 1, (before, usec)
            msg = m.next()
            assert msg.get("READY") == "1" and "STATUS" in msg, msg
            assert greets(srv.port)
            srv.proc.send_signal(signal.SIGTERM)
            msg = m.next()
            assert msg.get("STOPPING") == "1" and "STATUS" in msg, msg
        finally:
            srv.stop()
            shutil.rmtree(srv.dir, ignore_errors=True)


@harness.test
def nobody_listening_changes_nothing():
    d = tempfile.mkdtemp(prefix="burrow-notify-")
    try:
        with Server(env={"NOTIFY_SOCKET": os.path.join(d, "none")}) as srv:
            srv.proc.send_signal(signal.SIGHUP)
            assert greets(srv.port)
            srv.ftp("harry").quit()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def activated(argv_for, on_demand=False):
    """burrowd given its control port by argv_for(listening socket, port);
    on_demand: the wrapper starts burrowd on the first connection."""
    port = free_port()
    lsock = listener(port)
    srv = Server(port=port)
    srv.port = port
    try:
        argv, fds = argv_for(lsock, port)
        launch(srv, argv, fds)
        lsock.close()	# burrowd's copy alone remains
        if on_demand:
            assert harness.wait_until(lambda: "Listening on" in srv.log(),
                                      10), srv.log()
            # This connection waits in the backlog while burrowd starts.
            assert greets(port), srv.log()
        assert harness.wait_until(
            lambda: "socket passed by the service manager" in srv.log(), 10), \
            srv.log()
        assert greets(port), srv.log()
        ftp = srv.ftp("harry")
        assert ftp.pwd() == "/"
        ftp.quit()
        # burrowd did not bind the port a second time.
        assert "cannot listen" not in srv.log(), srv.log()
    finally:
        lsock.close()
        srv.stop()
        shutil.rmtree(srv.dir, ignore_errors=True)


@harness.test
def socket_activation_through_a_shim():
    activated(lambda s, port: ([sys.executable, "-c", SHIM,
                                str(s.fileno())], (s.fileno(),)))


@harness.test
def socket_activation_through_systemd_socket_activate():
    ssa = shutil.which("systemd-socket-activate")
    if ssa is None:
        raise Skip("systemd-socket-activate is not installed")
    # It binds the address itself and, on the first connection, execs
    # burrowd with it as fd 3: the socket made here only picked the port.

    def argv(s, port):
        s.close()
        return [ssa, "-l", "%s:%d" % (HOST, port)], ()
    activated(argv, on_demand=True)


@harness.test
def socket_on_another_port_refused():
    lsock = listener(free_port())
    srv = Server()
    try:
        launch(srv, [sys.executable, "-c", SHIM, str(lsock.fileno())],
               (lsock.fileno(),))
        rc = srv.proc.wait(10)
        assert rc == 1, rc
        log = srv.log()
        assert "ListenStream" in log and "port = %d" % srv.port in log, log
    finally:
        srv.logf.close()
        srv.proc = None
        lsock.close()
        shutil.rmtree(srv.dir, ignore_errors=True)


@harness.test
def units_verify():
    sa = shutil.which("systemd-analyze")
    if sa is None:
        raise Skip("systemd-analyze is not installed")
    with open(os.path.join(CONFIG, "burrowd.service")) as f:
        service = f.read()
    assert "\nType=notify\n" in service and "\nNotifyAccess=main\n" in service
    d = tempfile.mkdtemp(prefix="burrow-unit-")
    try:
        service = service.replace("@sbindir@", os.path.abspath(BUILDDIR))
        service = service.replace("@sysconfdir@", d)
        # verify runs man for each Documentation= page: none here.
        lines = [x for x in service.splitlines()
                 if not x.startswith("Documentation=")]
        with open(os.path.join(d, "burrowd.service"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(CONFIG, "burrowd.socket")) as f:
            sock = [x for x in f.read().splitlines()
                    if not x.startswith("Documentation=")]
        with open(os.path.join(d, "burrowd.socket"), "w") as f:
            f.write("\n".join(sock) + "\n")
        p = subprocess.run([sa, "verify", os.path.join(d, "burrowd.socket"),
                            os.path.join(d, "burrowd.service")],
                           capture_output=True, timeout=60)
        out = (p.stdout + p.stderr).decode(errors="replace")
        assert p.returncode == 0 and out.strip() == "", out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run():
    """harness.run, with "ok N # SKIP reason" for a test raising Skip."""
    only = os.environ.get("BURROW_ONLY")
    tests = [t for t in harness._tests if not only or only in t.__name__]
    print("1..%d" % len(tests), flush=True)
    if not built_with_systemd():
        for i, fn in enumerate(tests, 1):
            print("ok %d - %s # SKIP built --without-systemd"
                  % (i, fn.__name__), flush=True)
        sys.exit(0)
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
