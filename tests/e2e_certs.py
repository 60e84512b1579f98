#!/usr/bin/env python3
"""
e2e_certs: live certificate reload. burrowd starts with certificate A; an
FTPS session opens; the files are replaced with certificate B and SIGHUP
sent: new sessions (AUTH TLS and the implicit FTPS port) see B's SHA-256
fingerprint, while the open session carries on with A, its protected data
connections still resuming its own TLS session (RETR and STOR work). Then
broken pairs (a key that is not the certificate's, a missing file, a file
that is not PEM) and SIGHUP: each is logged with the file's name, and new
sessions still get B. burrowd -t on a mismatched pair is refused at start.
"""
import ftplib
import hashlib
import io
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BURROWD, HOST, Server, free_port, run,  # noqa: E402
                     test, wait_until)


def make_pair(d, name):
    crt, key = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=burrow-" + name,
                    "-keyout", key, "-out", crt],
                   check=True, capture_output=True, timeout=30)
    return crt, key


def der_sha256(der):
    return hashlib.sha256(der).hexdigest()


def file_fp(crt):
    return der_sha256(ssl.PEM_cert_to_DER_cert(open(crt).read()))


def install(src, dst):
    """Replaces dst with a copy of src, atomically (as certbot links do)."""
    tmp = dst + ".new"
    with open(src, "rb") as f, open(tmp, "wb") as g:
        g.write(f.read())
    os.rename(tmp, dst)


def ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE   # the fingerprint is what is checked
    return c


class ReuseFTPS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control's TLS session."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            try:
                conn = self.context.wrap_socket(
                    conn, server_hostname=self.host, session=self.sock.session)
            except BaseException:
                conn.close()
                raise
        return conn, size


def ftps(srv):
    f = ReuseFTPS(context=ctx(), timeout=10)
    f.connect(HOST, srv.port)
    f.auth()
    f.login("harry", "pw")
    f.prot_p()
    return f


def fp_of(f):
    return der_sha256(f.sock.getpeercert(binary_form=True))


def implicit_fp(port):
    with socket.create_connection((HOST, port), 10) as s:
        with ctx().wrap_socket(s, server_hostname=HOST) as t:
            t.settimeout(10)
            assert t.recv(4096).startswith(b"220")
            return der_sha256(t.getpeercert(binary_form=True))


def retr(f, name):
    out = io.BytesIO()
    f.retrbinary("RETR " + name, out.write)
    return out.getvalue()


def hup_and_wait(srv, text):
    n = srv.log().count(text)
    srv.proc.send_signal(signal.SIGHUP)
    assert wait_until(lambda: srv.log().count(text) > n, 5), srv.log()


@test
def reload_new_sessions_get_new_certificate():
    d = tempfile.mkdtemp(prefix="burrow-certs-")
    a_crt, a_key = make_pair(d, "a")
    b_crt, b_key = make_pair(d, "b")
    crt, key = os.path.join(d, "live.crt"), os.path.join(d, "live.key")
    install(a_crt, crt)
    install(a_key, key)
    iport = free_port()
    with Server(tls={"cert": crt, "key": key, "implicit_port": iport}) as srv:
        with open(os.path.join(srv.home("harry"), "f.bin"), "wb") as g:
            g.write(os.urandom(300000))
        data = open(os.path.join(srv.home("harry"), "f.bin"), "rb").read()
        old = ftps(srv)
        assert fp_of(old) == file_fp(a_crt)
        assert retr(old, "f.bin") == data
        assert implicit_fp(iport) == file_fp(a_crt)

        install(b_crt, crt)
        install(b_key, key)
        hup_and_wait(srv, "reloaded TLS certificate")
        fp_b = file_fp(b_crt)
        want = ":".join(fp_b[i:i + 2] for i in range(0, 64, 2)).upper()
        assert "reloaded TLS certificate %s (SHA-256 %s)" % (crt, want) \
            in srv.log(), srv.log()
        new = ftps(srv)
        assert fp_of(new) == fp_b
        assert retr(new, "f.bin") == data
        assert implicit_fp(iport) == fp_b
        # The open session keeps A, and its data connections still resume.
        assert fp_of(old) == file_fp(a_crt)
        assert retr(old, "f.bin") == data
        old.storbinary("STOR up.bin", io.BytesIO(data))
        assert retr(old, "up.bin") == data

        # Broken pairs: logged with the file, B stays for new sessions.
        install(a_crt, crt)             # cert A, key B: they do not match
        hup_and_wait(srv, "TLS reload failed")
        assert "key %s (for cert %s): " % (key, crt) in srv.log(), srv.log()
        assert "mismatch" in srv.log(), srv.log()
        assert fp_of(ftps(srv)) == fp_b
        os.unlink(crt)                  # missing
        hup_and_wait(srv, "TLS reload failed")
        assert "cert %s" % crt in srv.log().rsplit("TLS reload failed", 1)[1]
        assert implicit_fp(iport) == fp_b
        with open(crt, "w") as g:       # not PEM
            g.write("not a certificate\n")
        hup_and_wait(srv, "TLS reload failed")
        assert fp_of(ftps(srv)) == fp_b
        # And through all of it the first session goes on.
        assert retr(old, "f.bin") == data
        old.quit()
        new.quit()
        assert "handshake failed" not in srv.log(), srv.log()

        # A good pair again: taken.
        install(a_crt, crt)
        install(a_key, key)
        hup_and_wait(srv, "reloaded TLS certificate")
        assert implicit_fp(iport) == file_fp(a_crt)


@test
def mismatched_pair_refused_at_start():
    d = tempfile.mkdtemp(prefix="burrow-certs-")
    a_crt, _ = make_pair(d, "a")
    _, b_key = make_pair(d, "b")
    srv = Server(tls={"cert": a_crt, "key": b_key})
    p = subprocess.run([BURROWD, "-t", "-c", srv.conf_path],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode != 0, p
    assert "key %s (for cert %s): " % (b_key, a_crt) in p.stderr, p.stderr
    assert "mismatch" in p.stderr, p.stderr


if __name__ == "__main__":
    run()
