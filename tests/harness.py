"""
harness: starts a real burrowd on a free loopback port with a temporary
config, users file and home root, and runs test functions as TAP.

    from harness import Server, test, run

    @test
    def listing():
        with Server(users={"harry": "pw"}) as srv:
            ftp = srv.ftp("harry", "pw")
            ...

    run()

Every wait is bounded. A server's log is checked for sanitizer reports when
it stops, and its exit status must be 0.
"""
import base64
import contextlib
import ftplib
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

BUILDDIR = os.environ.get("BURROW_BUILDDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "build", "normal")
BURROWD = os.path.join(BUILDDIR, "burrowd")
PASSWD = os.path.join(BUILDDIR, "burrow-passwd")
HOST = "127.0.0.1"


def pbkdf2_hash(password, iterations=1000):
    """The users-file form of a password, as burrow-passwd writes it."""
    salt = os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    b64 = lambda b: base64.b64encode(b).decode().rstrip("=")
    return "$pbkdf2-sha256$%d$%s$%s" % (iterations, b64(salt), b64(dk))


_cert = None


def test_cert():
    """A self-signed certificate and key for 127.0.0.1, made once per run."""
    global _cert
    if _cert is None:
        d = tempfile.mkdtemp(prefix="burrow-cert-")
        crt, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", crt],
                       check=True, capture_output=True, timeout=30)
        _cert = (crt, key)
    return _cert


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(pred, timeout=5.0, step=0.02):
    """Polls pred until it is true or timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def conf_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(conf_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + " ".join("%s = %s;" % (k, conf_value(x))
                               for k, x in v.items()) + " }"
    return '"%s"' % v


class Server:
    """A burrowd process with its own folder: conf, users, home root, log."""

    def __init__(self, users=None, quotas=None, env=None, tls=None,
                 wrap=(), **conf):
        """wrap: a command burrowd is started under (its argv follows),
        which must exec it so that signals reach it."""
        self.dir = tempfile.mkdtemp(prefix="burrow-test-")
        self.wrap = list(wrap)
        self.home_root = os.path.join(self.dir, "home")
        os.mkdir(self.home_root)
        self.users = users if users is not None else {"harry": "pw"}
        self.quotas = quotas or {}
        self.port = free_port()
        low = random.randrange(20000, 60000, 100)
        self.conf = {"listen": HOST, "port": self.port,
                     "pasv_ports": [low, low + 99],
                     "users_file": "users.conf", "home_root": "home",
                     "idle_timeout": 30, "data_timeout": 10,
                     "queue_timeout": 10, "default_quota": "0"}
        if tls is not None:
            # tls: a dict of extra tls settings, e.g. {"require": True}.
            crt, key = test_cert()
            self.cert = crt
            self.conf["tls"] = dict({"cert": crt, "key": key}, **tls)
        self.conf.update(conf)
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc = None
        # Run in the child before burrowd (e.g. resource.setrlimit).
        self.preexec_fn = None
        self.log_path = os.path.join(self.dir, "burrowd.log")
        self.conf_path = os.path.join(self.dir, "burrowd.conf")
        self.write_users()
        self.write_conf()
        for name in self.users:
            os.makedirs(self.home(name), exist_ok=True)

    def home(self, user):
        return os.path.join(self.home_root, user)

    def write_users(self):
        lines = []
        for name, pw in self.users.items():
            q = self.quotas.get(name)
            extra = ' quota = "%s";' % q if q is not None else ""
            lines.append('  { name = "%s"; password = "%s";%s }'
                         % (name, pbkdf2_hash(pw), extra))
        with open(os.path.join(self.dir, "users.conf"), "w") as f:
            f.write("users = (\n" + ",\n".join(lines) + "\n);\n")

    def write_conf(self):
        with open(self.conf_path, "w") as f:
            for k, v in self.conf.items():
                f.write("%s = %s;\n" % (k, conf_value(v)))

    def start(self):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.wrap + [BURROWD, "-f", "-c",
                                                  self.conf_path],
                                     stdout=self.logf, stderr=self.logf,
                                     env=self.env,
                                     preexec_fn=self.preexec_fn)

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError("burrowd exited with %d:\n%s"
                                   % (self.proc.returncode, self.log()))
            with contextlib.suppress(OSError):
                socket.create_connection((self.conf["listen"], self.port),
                                         0.2).close()
                return True
            return False
        if not wait_until(up, 10):
            raise RuntimeError("burrowd did not start:\n" + self.log())
        return self

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        """SIGTERM, and checks a clean exit with no sanitizer report."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError("burrowd did not stop on SIGTERM:\n"
                                 + self.log())
        finally:
            self.logf.close()
            self.proc = None
        log = self.log()
        assert "Sanitizer" not in log and "runtime error" not in log, log
        assert rc == 0, "burrowd exited with %d:\n%s" % (rc, log)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            if exc[0] is None or not os.environ.get("BURROW_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)

    def ftp(self, user=None, password=None, timeout=10):
        """An ftplib client, logged in when user is given."""
        f = ftplib.FTP()
        f.connect(HOST, self.port, timeout=timeout)
        # A queued client hears "120 ... number N in the queue" first and
        # "220" once a worker takes it (a 421 raises error_temp).
        while f.welcome.startswith("120"):
            f.welcome = f.getresp()
        if user is not None:
            f.login(user, password if password is not None
                    else self.users[user])
        return f

    def raw(self, timeout=10, source=None):
        """A RawClient on the control port (greeting not read yet)."""
        return RawClient(self.port, timeout=timeout, source=source)

    def url(self, user, path="/"):
        return "ftp://%s:%s@%s:%d%s" % (user, self.users[user], HOST,
                                         self.port, path)


# --- helpers the end-to-end suites share ---------------------------------------

def ftp_resp(ftp, line):
    """Sends line; returns the whole reply text, never raising on a code."""
    ftp.putcmd(line)
    return ftp.getmultiline()


def ftp_expect(ftp, line, code):
    """Sends line; asserts the reply's code; returns the reply."""
    r = ftp_resp(ftp, line)
    assert r[:3] == str(code), "%r -> %r, wanted %s" % (line, r, code)
    return r


def raw_avbl(c, path=None):
    r = c.cmd("AVBL" + (" " + path if path else ""))
    m = re.fullmatch(r"213 (\d+)\r\n", r)
    assert m, "AVBL %s -> %r" % (path, r)
    return int(m.group(1))


def raw_upload(c, verb, path, data, rest=None, chunk=None, pause=0.0):
    """STOR/APPE path over PASV sending data; returns the final reply.
    The server may stop reading and close the data connection (552):
    sending errors are ignored and the control reply tells the result."""
    if rest is not None:
        c.expect("REST %d" % rest, 350)
    d = c.pasv_data()
    with d:
        r = c.cmd("%s %s" % (verb, path))
        if not r.startswith(("125", "150")):
            return r
        try:
            step = chunk or len(data) or 1
            for i in range(0, len(data), step):
                d.sendall(data[i:i + step])
                if pause:
                    time.sleep(pause)
            d.shutdown(socket.SHUT_WR)
            while d.recv(65536):
                pass
        except OSError:
            pass
    return c.reply()


_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def run():
    """Runs every @test function, printing TAP; exits 1 if any failed."""
    only = os.environ.get("BURROW_ONLY")
    tests = [t for t in _tests if not only or only in t.__name__]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for i, fn in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            fn()
            print("ok %d - %s (%.2fs)" % (i, fn.__name__,
                                          time.monotonic() - t0), flush=True)
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
    sys.exit(1 if failed else 0)


def read_reply(sock_file):
    """Reads one whole (possibly multi-line) reply from a raw socket file."""
    line = sock_file.readline().decode(errors="replace")
    if len(line) >= 4 and line[3] == "-":
        code = line[:3]
        while True:
            nxt = sock_file.readline().decode(errors="replace")
            line += nxt
            if not nxt or (nxt[:3] == code and nxt[3:4] == " "):
                break
    return line


class RawClient:
    """A control connection spoken by hand, for lines ftplib will not send
    and replies it will not wait for (120, 421 at any time)."""

    def __init__(self, port, timeout=10, source=None, host=HOST):
        self.sock = socket.create_connection(
            (host, port), timeout,
            source_address=(source, 0) if source else None)
        self.file = self.sock.makefile("rb")

    def send(self, line):
        """Sends line (str or bytes) followed by CRLF."""
        if isinstance(line, str):
            line = line.encode()
        self.sock.sendall(line + b"\r\n")

    def reply(self):
        """The next whole reply, "" at end of file."""
        return read_reply(self.file)

    def cmd(self, line):
        self.send(line)
        return self.reply()

    def expect(self, line, code):
        """Sends line; asserts the reply starts with code; returns it."""
        r = self.cmd(line) if line is not None else self.reply()
        assert r.startswith(str(code)), "%r -> %r, wanted %s" % (
            line, r, code)
        return r

    def login(self, user, password):
        self.expect("USER " + user, 331)
        return self.expect("PASS " + password, 230)

    def pasv_data(self, timeout=10):
        """PASV, then a data socket connected to the port it gave."""
        r = self.expect("PASV", 227)
        nums = r[r.index("(") + 1:r.index(")")].split(",")
        port = int(nums[4]) * 256 + int(nums[5])
        return socket.create_connection((".".join(nums[:4]), port), timeout)

    def transfer(self, line, upload=None):
        """A whole transfer over PASV: returns (bytes read, final reply)."""
        data = self.pasv_data()
        with data:
            r = self.cmd(line)
            if not r.startswith(("125", "150")):
                return b"", r
            chunks = []
            if upload is not None:
                data.sendall(upload)
                data.shutdown(socket.SHUT_WR)
            while True:
                b = data.recv(65536)
                if not b:
                    break
                chunks.append(b)
        return b"".join(chunks), self.reply()

    def at_eof(self, timeout=5.0):
        """True if the server closes the connection within timeout; what
        it sends before closing is discarded."""
        self.sock.settimeout(timeout)
        try:
            self.file.read()
            return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def quiet(self, timeout=0.5):
        """True if the server sends nothing within timeout. Only right
        while no reply is left half-read in the buffer."""
        import select
        r, _, _ = select.select([self.sock], [], [], timeout)
        return not r

    def close(self):
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
