"""
e2e_tls: FTP over TLS (RFC 4217) against a real burrowd, with real clients:
curl, lftp, Python's ftplib (FTP_TLS) and hand-driven TLS sockets.

Covered: AUTH TLS/SSL/TLS-C/foo, PBSZ, PROT P/C/S/E, FEAT with and without
a certificate, command order (PBSZ/PROT before AUTH, PROT before PBSZ,
AUTH after login, AUTH twice, USER before AUTH forgotten); protected
listings, downloads, uploads and resumes with curl and lftp (ls, get,
put, put -c, mirror both ways) under tls.require; ftplib with a client
that resumes the control connection's TLS session on every data
connection (LIST NLST MLSD RETR STOR REST, TYPE A, empty files, ABOR in
RETR and STOR, STAT and QUIT during a transfer, HASH over TLS); active
mode (PORT, EPRT) protected; a data handshake started before the 150; a
client that does not resume (522, or accepted with
tls.require_session_reuse = false) and one that offers another control
connection's session, TLS 1.3 ticket or TLS 1.2 ticket/session id (522);
tls.require refusing USER/PASS in clear (530, the password never
reaching authentication), PROT C (534) and unprotected data (521); clear
login and PROT C without tls.require; the TLS 1.2 floor; implicit FTPS
(tls.implicit_port); bad handshakes on the control connection (plain text
after 234, plaintext pipelined behind AUTH TLS, silence, a cut
ClientHello) and on data connections, which end only their own session
or transfer; concurrent protected sessions; SIGHUP and SIGTERM with TLS
sessions open.

Python's FTP_TLS never resumes the TLS session on a data connection;
ReuseFTPS below does (session=self.sock.session). With TLS 1.3 the
server's ticket arrives after the handshake, so the control connection
must have read a reply since AUTH TLS (login does) before it is offered.
curl 7.88 is not used for active mode: it never starts TLS on an active
data connection (curl/curl#10666, fixed in curl 8.0); lftp is.
"""
import contextlib
import ftplib
import hashlib
import io
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ftp_resp, ftp_expect  # noqa: E402
from harness import (HOST, RawClient, Server, free_port, run,  # noqa: E402
                     test, wait_until)

CURL = shutil.which("curl") or "curl"
LFTP = shutil.which("lftp") or "lftp"
MiB = 1024 * 1024
USERS = {"harry": "pw", "beal": "secret"}


# ---------------------------------------------------------------- helpers

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def client_ctx(srv):
    """A client context that verifies the server's certificate (its
    subjectAltName is IP:127.0.0.1)."""
    return ssl.create_default_context(cafile=srv.cert)


def no_resume_warning(srv):
    assert "did not resume" not in srv.log(), srv.log()
    assert "handshake failed" not in srv.log(), srv.log()


class ReuseFTPS(ftplib.FTP_TLS):
    """FTP_TLS whose protected data connections resume the control
    connection's TLS session (or offer the session in .offer if set).
    .reused records, per data connection, whether the server resumed."""

    offer = None

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.reused = []

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            session = self.offer if self.offer is not None \
                else self.sock.session
            try:
                conn = self.context.wrap_socket(
                    conn, server_hostname=self.host, session=session)
            except BaseException:
                conn.close()
                raise
            self.reused.append(conn.session_reused)
        return conn, size


class PlainFTPS(ftplib.FTP_TLS):
    """Python's own FTP_TLS (no resumption), recording .reused as well."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.reused = []

    def ntransfercmd(self, cmd, rest=None):
        conn, size = super().ntransfercmd(cmd, rest)
        if isinstance(conn, ssl.SSLSocket):
            self.reused.append(conn.session_reused)
        return conn, size


def ftps(srv, user="harry", cls=ReuseFTPS, prot_p=True, ctx=None):
    """A logged-in FTP_TLS client (AUTH TLS, USER, PASS, PBSZ, PROT P)."""
    f = cls(context=ctx or client_ctx(srv), timeout=10)
    f.connect(HOST, srv.port)
    f.auth()
    f.login(user, srv.users[user])
    if prot_p:
        f.prot_p()
    return f


resp = ftp_resp


expect = ftp_expect


def retr(ftp, name, rest=None):
    out = io.BytesIO()
    ftp.retrbinary("RETR " + name, out.write, rest=rest)
    return out.getvalue()


def raises(code, fn, *args, **kw):
    """Asserts fn raises an ftplib error with reply code; returns its text."""
    try:
        r = fn(*args, **kw)
    except ftplib.all_errors as e:
        assert str(e)[:3] == str(code), "wanted %s, got %r" % (code, str(e))
        return str(e)
    raise AssertionError("wanted %s, got success %r" % (code, r))


def drain(sock, timeout=10):
    """Reads sock to its end; returns the bytes (errors end it too)."""
    sock.settimeout(timeout)
    chunks = []
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                break
            chunks.append(b)
    except (OSError, ssl.SSLError):
        pass
    return b"".join(chunks)


class TLSRaw(RawClient):
    """A control connection spoken by hand that can switch to TLS."""

    @classmethod
    def implicit(cls, port, ctx, timeout=10):
        c = cls.__new__(cls)
        s = socket.create_connection((HOST, port), timeout)
        try:
            c.sock = ctx.wrap_socket(s, server_hostname=HOST)
        except BaseException:
            s.close()
            raise
        c.file = c.sock.makefile("rb")
        return c

    def starttls(self, ctx, verb="AUTH TLS"):
        self.expect(verb, 234)
        self.file.close()
        self.sock = ctx.wrap_socket(self.sock, server_hostname=HOST)
        self.file = self.sock.makefile("rb")

    def transfer(self, line, ctx=None, upload=None, session="own"):
        """A PASV transfer; with ctx the data connection is TLS, offering
        this connection's session ("own"), another one, or None.
        Returns (bytes read, final reply, session_reused or None)."""
        data = self.pasv_data()
        with data:
            r = self.cmd(line)
            if not r.startswith(("125", "150")):
                return b"", r, None
            reused = None
            if ctx is not None:
                offer = self.sock.session if session == "own" else session
                data = ctx.wrap_socket(data, server_hostname=HOST,
                                       session=offer)
                reused = data.session_reused
            with data:
                if upload is not None:
                    data.sendall(upload)
                    if ctx is not None:
                        data = data.unwrap()
                    data.shutdown(socket.SHUT_WR)
                got = drain(data)
        return got, self.reply(), reused


def curl(*args, check=True, timeout=40):
    cmd = [CURL, "-sS", "-v", "--max-time", "30", "--connect-timeout", "5"]
    cmd += list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    p.err = p.stderr.decode(errors="replace")
    if check:
        assert p.returncode == 0, "%s exited %d:\n%s" % (
            " ".join(cmd), p.returncode, p.err[-4000:])
    return p


def curl_sent(p):
    return [l[2:] for l in p.err.splitlines() if l.startswith("> ")]


def lftp(srv, commands, user="harry", cwd=None, check=True, timeout=45):
    """One lftp -c script over FTPS (control and data protected, the
    certificate checked against srv.cert); stderr holds its trace."""
    script = ("set net:max-retries 1; set net:timeout 5; "
              "set net:reconnect-interval-base 1; "
              "set ftp:ssl-force true; set ftp:ssl-protect-data true; "
              "set ftp:ssl-protect-list true; set ssl:ca-file %s; "
              "set cmd:fail-exit yes; set xfer:clobber yes; "
              "set cmd:interactive no; debug 5; "
              "open -u %s,%s ftp://127.0.0.1:%d; %s"
              % (srv.cert, user, srv.users[user], srv.port, commands))
    p = subprocess.run([LFTP, "-c", script], capture_output=True,
                       timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)
    p.out = p.stdout.decode(errors="replace")
    p.err = p.stderr.decode(errors="replace")
    if check:
        assert p.returncode == 0, "lftp exited %d for %r:\n%s\n%s" % (
            p.returncode, commands, p.out, p.err[-4000:])
    return p


def lftp_sent(p):
    return [l.split("---> ", 1)[1] for l in p.err.splitlines()
            if "---> " in l]


class Local:
    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="burrow-tls-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *names):
        return os.path.join(self.dir, *names)


# ------------------------------------------------- FEAT, AUTH, PBSZ, PROT

@test
def feat_lists_tls_only_with_a_certificate():
    with Server(tls={}) as srv:
        f = srv.ftp()
        feat = [l.strip() for l in expect(f, "FEAT", 211).splitlines()]
        for want in ("AUTH TLS", "PBSZ", "PROT"):
            assert want in feat, feat
        f.close()
    with Server() as srv:
        f = srv.ftp()
        feat = expect(f, "FEAT", 211)
        for verb in ("AUTH", "PBSZ", "PROT"):
            assert not re.search(r"^ %s\b" % verb, feat, re.M), feat
        # Without a certificate AUTH, PBSZ and PROT are not implemented.
        expect(f, "AUTH TLS", 502)
        expect(f, "PBSZ 0", 502)
        expect(f, "PROT P", 502)
        # And nothing else changed: the session goes on in clear.
        f.login("harry", "pw")
        f.retrlines("LIST", lambda l: None)
        f.quit()


@test
def auth_variants_and_order():
    with Server(tls={}, users=USERS) as srv:
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.expect("PBSZ 0", 503)            # PBSZ before AUTH
            c.expect("PROT P", 503)            # PROT before AUTH
            c.expect("AUTH foo", 504)
            c.starttls(ctx, "AUTH SSL")        # SSL is taken as TLS
            assert c.sock.version() in ("TLSv1.2", "TLSv1.3"), \
                c.sock.version()
            c.expect("AUTH TLS", 503)          # TLS is already on
            c.expect("PROT P", 503)            # PROT before PBSZ
            c.expect("PBSZ 0", 200)
            c.expect("PROT S", 536)
            c.expect("PROT E", 536)
            c.expect("PROT X", 504)
            c.expect("PROT P", 200)
            c.login("beal", "secret")
            got, r, reused = c.transfer("NLST", ctx)
            assert r.startswith("226"), r
            assert reused, "data connection did not resume"
        # Other spellings RFC 4217 allows.
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.starttls(ctx, "auth tls-c")
            c.login("harry", "pw")
        # AUTH TLS forgets a USER sent in clear (RFC 4217 section 4).
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.expect("USER harry", 331)
            c.starttls(ctx)
            c.expect("PASS pw", 503)
            c.login("harry", "pw")
        # AUTH after a login in clear.
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.login("harry", "pw")
            r = c.expect("AUTH TLS", 503)
            assert "login" in r.lower(), r
            c.expect("NOOP", 200)              # still in clear, still fine
        no_resume_warning(srv)


# --------------------------------------------------------------- curl

@test
def curl_list_download_upload_required():
    with Server(tls={"require": True}) as srv, Local() as loc:
        h = srv.home("harry")
        data = os.urandom(MiB + 123)
        write(os.path.join(h, "down.bin"), data)
        os.mkdir(os.path.join(h, "sub"))
        base = "ftp://%s:%d/" % (HOST, srv.port)
        tls = ["--ssl-reqd", "--cacert", srv.cert, "-u", "harry:pw"]
        p = curl(*tls, base)
        out = p.stdout.decode()
        assert re.search(r"^-.* %d .* down\.bin$" % len(data), out, re.M), out
        assert re.search(r"^d.* sub$", out, re.M), out
        cmds = curl_sent(p)
        assert any(c.startswith("AUTH ") for c in cmds), cmds
        assert "PBSZ 0" in cmds and "PROT P" in cmds, cmds
        assert cmds.index("PROT P") < cmds.index("LIST"), cmds
        p = curl(*tls, "--list-only", base)
        assert sorted(p.stdout.decode().split()) == ["down.bin", "sub"], \
            p.stdout
        curl(*tls, "-o", loc.path("down.bin"), base + "down.bin")
        assert read(loc.path("down.bin")) == data
        up = os.urandom(2 * MiB + 7)
        write(loc.path("up.bin"), up)
        curl(*tls, "-T", loc.path("up.bin"), base + "sub/up.bin")
        assert read(os.path.join(h, "sub", "up.bin")) == up
        # -k (no verification) works the same.
        p = curl("--ssl-reqd", "-k", "-u", "harry:pw", base + "sub/")
        assert p.stdout.decode().rstrip().endswith(" up.bin"), p.stdout
        no_resume_warning(srv)
        # Without --cacert, the self-signed certificate is refused.
        p = curl("--ssl-reqd", "-u", "harry:pw", base, check=False)
        assert p.returncode == 60, (p.returncode, p.err[-2000:])


@test
def curl_resume_download_and_upload_required():
    with Server(tls={"require": True}) as srv, Local() as loc:
        h = srv.home("harry")
        base = "ftp://%s:%d/" % (HOST, srv.port)
        tls = ["--ssl-reqd", "--cacert", srv.cert, "-u", "harry:pw"]
        data = os.urandom(3 * MiB + 11)
        write(os.path.join(h, "r.bin"), data)
        cut = 1234567
        write(loc.path("r.bin"), data[:cut])
        p = curl(*tls, "-C", "-", "-o", loc.path("r.bin"), base + "r.bin")
        assert "REST %d" % cut in curl_sent(p), curl_sent(p)
        assert read(loc.path("r.bin")) == data
        # An upload resumed after the server kept part of it.
        up = os.urandom(3 * MiB + 5)
        write(loc.path("u.bin"), up)
        write(os.path.join(h, "u.bin"), up[:777777])
        p = curl(*tls, "-T", loc.path("u.bin"), "-C", "-", base + "u.bin")
        assert any(c.startswith("APPE ") for c in curl_sent(p)), curl_sent(p)
        assert sha(read(os.path.join(h, "u.bin"))) == sha(up)
        no_resume_warning(srv)


# --------------------------------------------------------------- lftp

@test
def lftp_ls_get_put_resume_mirror():
    with Server(tls={"require": True}) as srv, Local() as loc:
        h = srv.home("harry")
        data = os.urandom(MiB + 99)
        write(os.path.join(h, "file one.bin"), data)
        write(os.path.join(h, "tree", "a.txt"), b"alpha\n")
        write(os.path.join(h, "tree", "deep", "b.bin"), os.urandom(70001))
        p = lftp(srv, "ls")
        assert re.search(r"^-.* %d .* file one\.bin$" % len(data), p.out,
                         re.M), p.out
        assert re.search(r"^d.* tree$", p.out, re.M), p.out
        cmds = lftp_sent(p)
        assert "AUTH TLS" in cmds and "PROT P" in cmds, cmds
        lftp(srv, 'get "file one.bin" -o %s' % loc.path("got.bin"))
        assert read(loc.path("got.bin")) == data
        up = os.urandom(2 * MiB + 3)
        write(loc.path("up.bin"), up)
        lftp(srv, "put %s -o up.bin" % loc.path("up.bin"))
        assert read(os.path.join(h, "up.bin")) == up
        # put -c continues a partial upload.
        write(os.path.join(h, "up.bin"), up[:500000])
        p = lftp(srv, "put -c %s -o up.bin" % loc.path("up.bin"))
        cmds = lftp_sent(p)
        assert any(c in ("REST 500000",) or c.startswith("APPE")
                   for c in cmds), cmds
        assert read(os.path.join(h, "up.bin")) == up
        # mirror both ways.
        lftp(srv, "mirror tree %s" % loc.path("mirrored"))
        assert read(loc.path("mirrored", "a.txt")) == b"alpha\n"
        assert read(loc.path("mirrored", "deep", "b.bin")) == \
            read(os.path.join(h, "tree", "deep", "b.bin"))
        write(loc.path("mirrored", "deep", "new.bin"), b"n" * 4097)
        lftp(srv, "mirror -R %s tree2" % loc.path("mirrored"))
        for rel in ("a.txt", "deep/b.bin", "deep/new.bin"):
            assert read(os.path.join(h, "tree2", rel)) == \
                read(loc.path("mirrored", rel)), rel
        no_resume_warning(srv)


# ------------------------------------------------------------- ftplib

@test
def ftplib_protected_listing_and_transfers():
    with Server(tls={"require": True}, users=USERS) as srv:
        h = srv.home("harry")
        big = os.urandom(3 * MiB)
        write(os.path.join(h, "big.bin"), big)
        write(os.path.join(h, "d", "x.txt"), b"x")
        f = ftps(srv)
        assert f.sock.version() in ("TLSv1.2", "TLSv1.3"), f.sock.version()
        lines = []
        f.retrlines("LIST", lines.append)
        assert any(l.endswith(" big.bin") and " %d " % len(big) in l
                   for l in lines), lines
        assert sorted(f.nlst()) == ["big.bin", "d"], f.nlst()
        facts = dict(f.mlsd())
        assert facts["big.bin"]["size"] == str(len(big)), facts
        assert facts["d"]["type"] == "dir", facts
        assert sha(retr(f, "big.bin")) == sha(big)
        up = os.urandom(3 * MiB)
        f.storbinary("STOR d/up.bin", io.BytesIO(up))
        assert sha(read(os.path.join(h, "d", "up.bin"))) == sha(up)
        assert sha(retr(f, "d/up.bin")) == sha(up)
        # REST + RETR resumes a download.
        assert retr(f, "big.bin", rest=2000001) == big[2000001:]
        # Every data connection resumed the control connection's session.
        assert f.reused and all(f.reused), f.reused
        f.quit()
        no_resume_warning(srv)


@test
def ftplib_abor_during_protected_retr():
    with Server(tls={"require": True}) as srv:
        h = srv.home("harry")
        with open(os.path.join(h, "huge.bin"), "wb") as fh:
            fh.truncate(200 * MiB)           # sparse
        write(os.path.join(h, "small.bin"), b"after the abort\n")
        f = ftps(srv)
        conn, _ = f.ntransfercmd("RETR huge.bin")
        try:
            first = conn.recv(65536)
            assert first, "no data before ABOR"
            f.sock.sendall(b"ABOR\r\n")
            r1 = f.getmultiline()
            r2 = f.getmultiline()
        finally:
            conn.close()
        assert r1.startswith("426"), (r1, r2)
        assert r2.startswith("226"), (r1, r2)
        # The session goes on: control and protected data still work.
        expect(f, "NOOP", 200)
        assert retr(f, "small.bin") == b"after the abort\n"
        # ABOR behind Telnet IP and Synch (IAC IP IAC DM), which a client
        # can only send inline once the control connection is TLS.
        conn, _ = f.ntransfercmd("RETR huge.bin")
        try:
            assert conn.recv(65536)
            f.sock.sendall(b"\xff\xf4\xff\xf2ABOR\r\n")
            r1 = f.getmultiline()
            r2 = f.getmultiline()
        finally:
            conn.close()
        assert r1.startswith("426") and r2.startswith("226"), (r1, r2)
        expect(f, "NOOP", 200)
        assert all(f.reused) and len(f.reused) == 3, f.reused
        f.quit()


@test
def data_handshake_before_the_150():
    """A client that starts TLS on the data connection as soon as it is
    connected, before it even sends RETR/STOR (curl >= 7.87 does): the
    ClientHello waits in the socket until the server gets there."""
    import threading
    with Server(tls={"require": True}) as srv:
        data = os.urandom(MiB)
        write(os.path.join(srv.home("harry"), "e.bin"), data)
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.starttls(ctx)
            c.login("harry", "pw")
            c.expect("PBSZ 0", 200)
            c.expect("PROT P", 200)
            for line, up in (("RETR e.bin", None), ("STOR f.bin", data)):
                plain = c.pasv_data()
                box = {}

                def handshake():
                    try:
                        box["d"] = ctx.wrap_socket(
                            plain, server_hostname=HOST,
                            session=c.sock.session)
                    except Exception as e:  # noqa: BLE001
                        box["e"] = e
                th = threading.Thread(target=handshake)
                th.start()
                time.sleep(0.2)            # the ClientHello is out first
                c.expect(line, 150)
                th.join(10)
                assert not th.is_alive() and "e" not in box, box
                d = box["d"]
                with d:
                    assert d.session_reused
                    if up is not None:
                        d.sendall(up)
                        d.unwrap().close()
                    else:
                        assert drain(d) == data
                c.expect(None, 226)
        assert read(os.path.join(srv.home("harry"), "f.bin")) == data


@test
def quit_during_protected_transfer():
    """QUIT during a protected download: the transfer completes, then
    226, 221, and the control connection closes."""
    with Server(tls={"require": True}) as srv:
        with open(os.path.join(srv.home("harry"), "big.bin"), "wb") as fh:
            fh.truncate(16 * MiB)
        f = ftps(srv)
        conn, _ = f.ntransfercmd("RETR big.bin")
        with conn:
            n = len(conn.recv(65536))
            f.sock.sendall(b"QUIT\r\n")
            n += len(drain(conn, 20))
        assert n == 16 * MiB, n
        assert f.getmultiline().startswith("226")
        assert f.getmultiline().startswith("221")
        f.sock.settimeout(5)
        try:
            assert f.sock.recv(100) == b""
        except (ssl.SSLError, OSError):
            pass
        f.close()
        assert wait_until(lambda: "disconnected" in srv.log(), 5), srv.log()


@test
def shutdown_during_protected_transfer():
    """SIGTERM while a protected download is stalled: after shutdown_grace
    the client hears 421 over TLS and burrowd exits cleanly (no sanitizer
    report, status 0, checked by Server.stop)."""
    with Server(tls={"require": True}, shutdown_grace=1) as srv:
        with open(os.path.join(srv.home("harry"), "big.bin"), "wb") as fh:
            fh.truncate(200 * MiB)
        f = ftps(srv)
        idle = ftps(srv)
        conn, _ = f.ntransfercmd("RETR big.bin")
        with conn:
            assert conn.recv(65536)
            t0 = time.monotonic()
            srv.proc.send_signal(signal.SIGTERM)
            r = f.getmultiline()
            assert r.startswith("421"), r
            assert time.monotonic() - t0 < 8, time.monotonic() - t0
        r = idle.getmultiline()
        assert r.startswith("421"), r
        assert srv.proc.wait(10) == 0
        f.close()
        idle.close()


@test
def resumed_upload_connection_gets_no_ticket():
    """tls.h: a resumed (TLS 1.3) data connection is sent no session
    ticket, so an upload's client has nothing unread when it closes."""
    with Server(tls={"require": True}) as srv:
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.starttls(ctx)
            c.login("harry", "pw")
            c.expect("PBSZ 0", 200)
            c.expect("PROT P", 200)
            assert c.sock.version() == "TLSv1.3", c.sock.version()
            d = c.pasv_data()
            c.expect("STOR t.bin", 150)
            d = ctx.wrap_socket(d, server_hostname=HOST,
                                session=c.sock.session)
            with d:
                assert d.session_reused
                time.sleep(0.3)
                with socket.socket(fileno=os.dup(d.fileno())) as peek:
                    try:
                        unread = peek.recv(4096, socket.MSG_PEEK |
                                           socket.MSG_DONTWAIT)
                    except BlockingIOError:
                        unread = b""
                assert unread == b"", "server sent %d bytes" % len(unread)
                d.sendall(b"t" * 1000)
                d.unwrap().close()
            c.expect(None, 226)
        assert read(os.path.join(srv.home("harry"), "t.bin")) == b"t" * 1000


@test
def ftplib_hash_over_tls():
    with Server(tls={"require": True}) as srv:
        data = os.urandom(3 * MiB + 17)
        write(os.path.join(srv.home("harry"), "h.bin"), data)
        f = ftps(srv)
        r = expect(f, "HASH h.bin", 213)
        m = re.match(r"213 SHA-256 0-(\d+) ([0-9a-f]+) h\.bin$", r)
        assert m, r
        assert int(m.group(1)) == len(data) - 1, r
        assert m.group(2) == sha(data), (r, sha(data))
        expect(f, "OPTS HASH SHA-512", 200)
        r = expect(f, "HASH h.bin", 213)
        assert r.split()[3] == hashlib.sha512(data).hexdigest(), r
        f.quit()


@test
def no_session_reuse_gets_522():
    with Server(tls={}) as srv:
        write(os.path.join(srv.home("harry"), "a.bin"), b"a" * 1000)
        f = ftps(srv, cls=PlainFTPS)
        for line in ("LIST", "RETR a.bin", "STOR b.bin", "STOR a.bin"):
            conn, _ = f.ntransfercmd(line)
            with conn:
                drain(conn, 5)
            try:
                r = f.getresp()
                raise AssertionError("%s: wanted 522, got %r" % (line, r))
            except ftplib.error_perm as e:
                msg = str(e)
            assert msg.startswith("522"), msg
            assert "session" in msg and ("reuse" in msg or "resume" in msg), \
                msg
        assert f.reused == [False] * 4, f.reused
        # No byte of a refused upload is stored: an existing file is kept;
        # a new name is at most created empty (as burrowd does for every
        # STOR whose data connection fails, 425 included).
        assert read(os.path.join(srv.home("harry"), "a.bin")) == b"a" * 1000
        b = os.path.join(srv.home("harry"), "b.bin")
        assert not os.path.exists(b) or read(b) == b""
        # The session is intact; resuming clients still get their data.
        expect(f, "NOOP", 200)
        f.quit()
        assert "did not resume" in srv.log(), srv.log()


@test
def other_sessions_ticket_gets_522():
    """A data connection offering another control connection's session
    (even of the same user, same client context) is not resumed."""
    with Server(tls={}) as srv:
        write(os.path.join(srv.home("harry"), "a.bin"), b"secret data")
        ctx = client_ctx(srv)
        a = ftps(srv, ctx=ctx)
        b = ftps(srv, ctx=ctx)
        b.offer = a.sock.session
        conn, _ = b.ntransfercmd("RETR a.bin")
        with conn:
            got = drain(conn, 5)
        assert got == b"", got
        raises(522, b.getresp)
        assert b.reused == [False], b.reused
        b.offer = None
        assert retr(b, "a.bin") == b"secret data"
        assert retr(a, "a.bin") == b"secret data"
        assert a.reused == [True] and b.reused == [False, True], \
            (a.reused, b.reused)
        a.quit()
        b.quit()


@test
def tls12_sessions_bound_to_their_control_connection():
    """TLS 1.2: data connections resume by ticket and by session id (the
    server's cache), and another control connection's session resumes
    neither way."""
    with Server(tls={}) as srv:
        write(os.path.join(srv.home("harry"), "a.bin"), b"twelve" * 999)
        for no_ticket in (False, True):
            ctx = client_ctx(srv)
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            if no_ticket:
                ctx.options |= ssl.OP_NO_TICKET
            a = ftps(srv, ctx=ctx)
            b = ftps(srv, ctx=ctx)
            assert a.sock.version() == "TLSv1.2", a.sock.version()
            for _ in range(3):
                assert retr(a, "a.bin") == b"twelve" * 999
            assert a.reused == [True] * 3, (no_ticket, a.reused)
            b.offer = a.sock.session
            conn, _ = b.ntransfercmd("RETR a.bin")
            with conn:
                got = drain(conn, 5)
            assert got == b"", got
            raises(522, b.getresp)
            assert b.reused == [False], (no_ticket, b.reused)
            b.offer = None
            assert retr(b, "a.bin") == b"twelve" * 999
            assert b.reused == [False, True], (no_ticket, b.reused)
            a.quit()
            b.quit()


@test
def protected_active_mode():
    """PORT/EPRT with PROT P: the server connects out, and is still the
    TLS server of the data connection, which must resume."""
    with Server(tls={"require": True}) as srv, Local() as loc:
        h = srv.home("harry")
        data = os.urandom(MiB + 3)
        write(os.path.join(h, "act.bin"), data)
        f = ftps(srv)
        f.set_pasv(False)
        assert sha(retr(f, "act.bin")) == sha(data)
        f.storbinary("STOR act2.bin", io.BytesIO(data[:777]))
        assert read(os.path.join(h, "act2.bin")) == data[:777]
        names = f.nlst()
        assert sorted(names) == ["act.bin", "act2.bin"], names
        assert f.reused == [True] * 3, f.reused
        f.quit()
        # EPRT by hand: accept the server's connection, then be its TLS
        # client, resuming the control connection's session.
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c, socket.socket() as ls:
            c.expect(None, 220)
            c.starttls(ctx)
            c.login("harry", "pw")
            c.expect("PBSZ 0", 200)
            c.expect("PROT P", 200)
            ls.bind((HOST, 0))
            ls.listen(1)
            ls.settimeout(10)
            c.expect("EPRT |1|%s|%d|" % (HOST, ls.getsockname()[1]), 200)
            c.expect("RETR act.bin", 150)
            d, _ = ls.accept()
            d = ctx.wrap_socket(d, server_hostname=HOST,
                                session=c.sock.session)
            with d:
                assert d.session_reused
                got = drain(d)
            c.expect(None, 226)
            assert got == data
        # lftp in active mode (PORT). curl 7.88 cannot be used here: it
        # never starts TLS on an active data connection (curl/curl#10666,
        # fixed in curl 8.0).
        p = lftp(srv, "set ftp:passive-mode off; set ftp:prefer-epsv no; "
                 "get act.bin -o %s; put %s -o act3.bin"
                 % (loc.path("act.bin"), loc.path("act.bin")))
        assert any(c.startswith("PORT ") for c in lftp_sent(p)), lftp_sent(p)
        assert read(loc.path("act.bin")) == data
        assert read(os.path.join(h, "act3.bin")) == data
        no_resume_warning(srv)


@test
def protected_ascii_empty_and_stat():
    with Server(tls={"require": True}) as srv:
        h = srv.home("harry")
        write(os.path.join(h, "text.txt"), b"one\ntwo\n\nthree\n")
        write(os.path.join(h, "empty.bin"), b"")
        with open(os.path.join(h, "big.bin"), "wb") as fh:
            fh.truncate(32 * MiB)
        f = ftps(srv)
        # TYPE A: LF goes out as CRLF, CRLF comes in as LF.
        f.voidcmd("TYPE A")
        conn, _ = f.ntransfercmd("RETR text.txt")
        with conn:
            raw = drain(conn)
        f.voidresp()
        assert raw == b"one\r\ntwo\r\n\r\nthree\r\n", raw
        f.storlines("STOR up.txt", io.BytesIO(b"a\nb\r\nc\n"))
        assert read(os.path.join(h, "up.txt")) == b"a\nb\nc\n"
        # Empty files both ways.
        assert retr(f, "empty.bin") == b""
        f.storbinary("STOR empty2.bin", io.BytesIO(b""))
        assert read(os.path.join(h, "empty2.bin")) == b""
        # STAT during a protected download tells the progress; the
        # transfer then completes.
        conn, _ = f.ntransfercmd("RETR big.bin")
        with conn:
            first = conn.recv(65536)
            r = resp(f, "STAT")
            assert r.startswith("211") and "bytes so far" in r, r
            rest = drain(conn, 20)
        assert len(first) + len(rest) == 32 * MiB, len(first) + len(rest)
        f.voidresp()
        assert all(f.reused) and len(f.reused) == 5, f.reused
        f.quit()


@test
def abor_during_protected_stor():
    with Server(tls={"require": True}) as srv:
        h = srv.home("harry")
        f = ftps(srv)
        sent = os.urandom(2 * MiB)
        conn, _ = f.ntransfercmd("STOR part.bin")
        try:
            conn.sendall(sent)
            f.sock.sendall(b"ABOR\r\n")
            r1 = f.getmultiline()
            r2 = f.getmultiline()
        finally:
            conn.close()
        assert r1.startswith("426") and r2.startswith("226"), (r1, r2)
        part = read(os.path.join(h, "part.bin"))
        assert sent.startswith(part), len(part)
        # The session goes on.
        f.storbinary("STOR whole.bin", io.BytesIO(sent))
        assert read(os.path.join(h, "whole.bin")) == sent
        assert all(f.reused), f.reused
        f.quit()


@test
def bad_data_handshakes_get_522():
    """A data connection that is not TLS, or stays silent, fails with 522
    (after data_timeout for silence); the control session goes on."""
    with Server(tls={"require": True}, data_timeout=2) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"data\n")
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.starttls(ctx)
            c.login("harry", "pw")
            c.expect("PBSZ 0", 200)
            c.expect("PROT P", 200)
            # Plain text instead of a ClientHello.
            d = c.pasv_data()
            with d:
                c.expect("RETR a.txt", 150)
                d.sendall(b"GET / HTTP/1.0\r\n\r\n")
                got = drain(d, 5)
            assert b"data" not in got, got
            c.expect(None, 522)
            # Silence: 522 after data_timeout.
            d = c.pasv_data()
            with d:
                c.expect("RETR a.txt", 150)
                t0 = time.monotonic()
                r = c.reply()
                assert r.startswith("522"), r
                assert 1.5 <= time.monotonic() - t0 < 6, \
                    time.monotonic() - t0
            got, r, reused = c.transfer("RETR a.txt", ctx)
            assert r.startswith("226") and got == b"data\n" and reused, r
        assert srv.log().count("data connection TLS handshake failed") == 2, \
            srv.log()


@test
def concurrent_protected_sessions():
    import threading
    users = {"u%d" % i: "pw%d" % i for i in range(6)}
    with Server(tls={"require": True}, users=users) as srv:
        errors = []

        def worker(user):
            try:
                f = ftps(srv, user=user)
                for i in range(4):
                    data = os.urandom(256 * 1024 + i)
                    f.storbinary("STOR f%d.bin" % i, io.BytesIO(data))
                    assert retr(f, "f%d.bin" % i) == data
                names = f.nlst()
                assert sorted(names) == ["f%d.bin" % i for i in range(4)], \
                    names
                assert f.reused == [True] * 9, f.reused
                f.quit()
            except Exception as e:  # noqa: BLE001
                errors.append("%s: %r" % (user, e))
        threads = [threading.Thread(target=worker, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "a worker hung"
        assert not errors, errors
        # SIGHUP (users reload) does not disturb TLS sessions.
        f = ftps(srv, user="u0")
        srv.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: "SIGHUP" in srv.log(), 5), srv.log()
        assert len(retr(f, "f0.bin")) == 256 * 1024
        assert f.reused == [True], f.reused
        f.quit()
        no_resume_warning(srv)


@test
def session_reuse_not_required():
    with Server(tls={"require": True, "require_session_reuse": False}) as srv:
        h = srv.home("harry")
        data = os.urandom(3 * MiB)
        write(os.path.join(h, "a.bin"), data)
        f = ftps(srv, cls=PlainFTPS)
        assert f.nlst() == ["a.bin"], f.nlst()
        assert sha(retr(f, "a.bin")) == sha(data)
        up = os.urandom(MiB + 1)
        f.storbinary("STOR b.bin", io.BytesIO(up))
        assert read(os.path.join(h, "b.bin")) == up
        assert f.reused == [False, False, False], f.reused
        # Resuming clients are just as welcome.
        g = ftps(srv)
        assert sha(retr(g, "a.bin")) == sha(data)
        assert g.reused == [True], g.reused
        f.quit()
        g.quit()
        assert "did not resume" not in srv.log(), srv.log()


# ------------------------------------------------------------ tls.require

@test
def require_refuses_clear_login():
    with Server(tls={"require": True}) as srv:
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            r = c.expect("USER harry", 530)
            assert "AUTH TLS" in r, r
            r = c.expect("PASS pw", 530)
            assert "AUTH TLS" in r, r
            t0 = time.monotonic()
            c.expect("PASS hunter2-cleartext", 530)
            # Refused at once: no failed-login delay (500 ms) was applied.
            assert time.monotonic() - t0 < 0.45, time.monotonic() - t0
            c.starttls(client_ctx(srv))
            c.login("harry", "pw")
        log = srv.log()
        assert "failed login" not in log, log
        assert "hunter2" not in log, log
        assert "login harry" in log, log
        # ftplib's FTP (clear) cannot log in either.
        f = srv.ftp()
        raises(530, f.login, "harry", "pw")
        f.close()


@test
def require_refuses_clear_data():
    with Server(tls={"require": True}) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"secret\n")
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.starttls(ctx)
            c.login("harry", "pw")
            c.expect("PBSZ 0", 200)
            r = c.expect("PROT C", 534)
            # Without PROT P no data connection is opened at all.
            r = c.expect("EPSV", 229)
            port = int(re.search(r"\|\|\|(\d+)\|", r).group(1))
            r = c.cmd("LIST")
            assert r.startswith("521"), r
            r = c.cmd("RETR a.txt")
            assert r.startswith("425") or r.startswith("521"), r
            with socket.socket() as s:
                s.settimeout(5)
                try:
                    s.connect((HOST, port))
                    assert drain(s, 2) == b""
                except OSError:
                    pass                      # the port is closed: fine
            # PASV then RETR is refused the same way.
            c.expect("PASV", 227)
            c.expect("RETR a.txt", 521)
            c.expect("PROT P", 200)
            got, r, reused = c.transfer("RETR a.txt", ctx)
            assert r.startswith("226") and got == b"secret\n", (r, got)
            assert reused
            # PROT C after PROT P is still refused, and P stays on.
            c.expect("PROT C", 534)
            got, r, reused = c.transfer("RETR a.txt", ctx)
            assert r.startswith("226") and got == b"secret\n", (r, got)


@test
def clear_allowed_without_require():
    with Server(tls={}) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"plain\n")
        # Plain login, plain data.
        f = srv.ftp("harry")
        assert retr(f, "a.txt") == b"plain\n"
        f.storbinary("STOR b.txt", io.BytesIO(b"up\n"))
        assert read(os.path.join(srv.home("harry"), "b.txt")) == b"up\n"
        f.quit()
        # TLS control with PROT C: data in clear.
        ctx = client_ctx(srv)
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.starttls(ctx)
            c.login("harry", "pw")
            # Before PBSZ/PROT data is clear (RFC 4217 section 9).
            got, r, _ = c.transfer("RETR a.txt")
            assert r.startswith("226") and got == b"plain\n", (r, got)
            c.expect("PBSZ 0", 200)
            c.expect("PROT P", 200)
            got, r, reused = c.transfer("RETR a.txt", ctx)
            assert r.startswith("226") and got == b"plain\n" and reused
            c.expect("PROT C", 200)
            got, r, _ = c.transfer("RETR a.txt")
            assert r.startswith("226") and got == b"plain\n", (r, got)
            got, r, _ = c.transfer("STOR c.txt", upload=b"clear\n")
            assert r.startswith("226"), r
        assert read(os.path.join(srv.home("harry"), "c.txt")) == b"clear\n"


# -------------------------------------------------------------- versions

@test
def tls_version_floor():
    with Server(tls={}) as srv:
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = ssl.TLSVersion.TLSv1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
        with contextlib.suppress(ssl.SSLError):
            old.set_ciphers("DEFAULT:@SECLEVEL=0")
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            try:
                c.starttls(old)
                raise AssertionError("a TLS 1.1 handshake succeeded: %s"
                                     % c.sock.version())
            except ssl.SSLError as e:
                err = e
        if "NO_PROTOCOLS_AVAILABLE" in str(err).upper() or \
                "no protocols available" in str(err):
            # This client cannot offer TLS 1.1 at all: nothing proven
            # about the server beyond the TLS 1.2 check below.
            print("# TLS 1.1 client unavailable here: %s" % err, flush=True)
        else:
            # The server refused the version (a protocol_version alert).
            assert "PROTOCOL_VERSION" in str(err).upper(), err
            assert wait_until(lambda: "TLS handshake failed" in srv.log()), \
                (err, srv.log())
            assert "unsupported protocol" in srv.log(), srv.log()
            print("# TLS 1.1 refused: %s" % err, flush=True)
        # TLS 1.2 at most: accepted, and data connections resume with it.
        write(os.path.join(srv.home("harry"), "a.bin"), b"12" * 5000)
        ctx = client_ctx(srv)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        f = ftps(srv, ctx=ctx)
        assert f.sock.version() == "TLSv1.2", f.sock.version()
        assert retr(f, "a.bin") == b"12" * 5000
        f.storbinary("STOR b.bin", io.BytesIO(b"x" * 100000))
        assert retr(f, "b.bin") == b"x" * 100000
        assert f.reused == [True, True, True], f.reused
        f.quit()
        # The default client gets TLS 1.3.
        f = ftps(srv)
        assert f.sock.version() == "TLSv1.3", f.sock.version()
        assert retr(f, "a.bin") == b"12" * 5000
        f.quit()


# -------------------------------------------------------------- implicit

@test
def implicit_ftps():
    iport = free_port()
    with Server(tls={"implicit_port": iport}) as srv, Local() as loc:
        h = srv.home("harry")
        data = os.urandom(MiB + 5)
        write(os.path.join(h, "imp.bin"), data)
        base = "ftps://%s:%d/" % (HOST, iport)
        p = curl("--cacert", srv.cert, "-u", "harry:pw", base)
        assert re.search(r"^-.* %d .* imp\.bin$" % len(data),
                         p.stdout.decode(), re.M), p.stdout
        curl("--cacert", srv.cert, "-u", "harry:pw", "-o",
             loc.path("imp.bin"), base + "imp.bin")
        assert read(loc.path("imp.bin")) == data
        up = os.urandom(300000)
        write(loc.path("up.bin"), up)
        curl("--cacert", srv.cert, "-u", "harry:pw", "-T", loc.path("up.bin"),
             base + "up.bin")
        assert read(os.path.join(h, "up.bin")) == up
        # By hand: the 220 comes over TLS, data is protected by default.
        ctx = client_ctx(srv)
        with TLSRaw.implicit(iport, ctx) as c:
            assert isinstance(c.sock, ssl.SSLSocket)
            c.expect(None, 220)
            c.expect("AUTH TLS", 503)
            c.login("harry", "pw")
            got, r, reused = c.transfer("RETR imp.bin", ctx)
            assert r.startswith("226") and got == data and reused, r
        # A clear client on the implicit port gets no 220.
        with socket.create_connection((HOST, iport), 5) as s:
            s.settimeout(5)
            s.sendall(b"USER harry\r\n")
            got = drain(s, 5)
            assert not got.startswith(b"220"), got
        # The explicit port still works in parallel.
        f = ftps(srv)
        assert retr(f, "imp.bin") == data
        f.quit()


# ------------------------------------------------------------ bad peers

@test
def bad_handshakes_end_only_their_session():
    with Server(tls={}, data_timeout=2) as srv:
        write(os.path.join(srv.home("harry"), "a.txt"), b"still here\n")
        keeper = ftps(srv)
        # Plain text where the ClientHello should be.
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            try:
                c.send("USER harry")
                c.send("PASS pw")
            except (ConnectionResetError, BrokenPipeError):
                pass    # the server already hung up: what we want
            assert c.at_eof(5), "server kept a session after a bad handshake"
        # Plaintext pipelined behind AUTH TLS (command injection): dropped.
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.sock.sendall(b"AUTH TLS\r\nUSER harry\r\n")
            r = c.reply()
            assert r.startswith("234"), r
            assert c.at_eof(5), "pipelined plaintext was not dropped"
        # Silence after 234: the handshake times out (data_timeout).
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            assert c.at_eof(6), "handshake did not time out"
        # Gone mid-handshake.
        with TLSRaw(srv.port) as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            c.sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        assert wait_until(lambda: srv.log().count("TLS handshake failed")
                          >= 4, 5), srv.log()
        # The established session and new ones are unaffected.
        expect(keeper, "NOOP", 200)
        assert retr(keeper, "a.txt") == b"still here\n"
        f = ftps(srv)
        assert f.nlst() == ["a.txt"], f.nlst()
        f.quit()
        keeper.quit()


if __name__ == "__main__":
    run()
