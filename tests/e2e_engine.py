"""
e2e_engine: the client's FTP engine (tui/ftp.c) against a real burrowd,
driven through tests/ftp_probe over plain FTP and FTPS (AUTH TLS, PROT P,
data connections resuming the control connection's TLS session).

Covered: login with the password from BURROW_PASSWORD and from the URL; a
wrong password and an unknown user failing cleanly; FEAT as seen by the
engine; MLSD listings (files, folders, sizes, names with spaces, the
hidden cdir/pdir); the URL's path as the starting folder; get, reget
(REST + RETR) and put byte for byte, empty and 3 MiB files; commands
(MKD, an existing folder's 550, RMD, DELE); FTPS with the harness
certificate as CA (BURROW_CAFILE) and with BURROW_INSECURE=1; an
untrusted certificate refused with its SHA-256 fingerprint; ftps:// to a
server without TLS refused.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILDDIR, HOST, Server, run, test  # noqa: E402

PROBE = os.path.join(BUILDDIR, "tests", "ftp_probe")
USERS = {"harry": "pw", "beal": "s3cret"}


def probe(srv, *ops, user="harry", password=None, scheme="ftp", path="/",
          env=None, ok=True):
    """Runs ftp_probe; returns (exit status, stdout, stderr)."""
    url = "%s://%s@%s:%d%s" % (scheme, user, HOST, srv.port, path)
    e = dict(os.environ)
    for k in ("BURROW_INSECURE", "BURROW_CAFILE"):
        e.pop(k, None)
    e["BURROW_PASSWORD"] = (password if password is not None
                            else srv.users.get(user, "x"))
    e.update(env or {})
    p = subprocess.run([PROBE, url] + list(ops), env=e, capture_output=True,
                       timeout=60)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(
        errors="replace")
    if ok is not None:
        assert (p.returncode == 0) == ok, "ftp_probe %s -> %d\n%s%s" % (
            " ".join(ops), p.returncode, out, err)
    return p.returncode, out, err


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def listing(out):
    """{name: (type, size)} from list output."""
    d = {}
    for line in out.splitlines():
        t, size, name = line.split(" ", 2)
        d[name] = (t, int(size))
    return d


def populate(srv, user="harry"):
    h = srv.home(user)
    write(os.path.join(h, "a.txt"), b"hello\n")
    write(os.path.join(h, "with space.bin"), os.urandom(1000))
    write(os.path.join(h, "docs", "inner.txt"), b"inner")
    write(os.path.join(h, "empty"), b"")


def engine_suite(srv, scheme, env):
    """Listing, get, reget, put and commands, over scheme."""
    populate(srv)
    h = srv.home("harry")
    _, out, _ = probe(srv, "list", "/", scheme=scheme, env=env)
    d = listing(out)
    assert d == {"a.txt": ("f", 6), "with space.bin": ("f", 1000),
                 "docs": ("d", d["docs"][1]), "empty": ("f", 0)}, d
    _, out, _ = probe(srv, "list", "docs", scheme=scheme, env=env)
    assert listing(out) == {"inner.txt": ("f", 5)}, out
    # The URL's path is the starting folder.
    _, out, _ = probe(srv, "list", "", scheme=scheme, env=env,
                      path="/docs")
    assert listing(out) == {"inner.txt": ("f", 5)}, out

    big = os.urandom(3 * 1024 * 1024 + 17)
    write(os.path.join(h, "big.bin"), big)
    with tempfile.TemporaryDirectory() as tmp:
        got, got2, empty = (os.path.join(tmp, n) for n in
                            ("big", "space", "empty"))
        probe(srv, "get", "big.bin", got, "get", "with space.bin", got2,
              "get", "empty", empty, scheme=scheme, env=env)
        assert read(got) == big
        assert read(got2) == read(os.path.join(h, "with space.bin"))
        assert read(empty) == b""
        # reget: the rest of a partial download.
        part = os.path.join(tmp, "part")
        write(part, big[:1234567])
        probe(srv, "reget", "big.bin", part, scheme=scheme, env=env)
        assert read(part) == big
        # put, then a second put over it, and into a new folder.
        up = os.urandom(2 * 1024 * 1024 + 3)
        src = os.path.join(tmp, "up")
        write(src, up)
        write(empty, b"")
        _, out, _ = probe(srv, "put", src, "up.bin", "put", src, "up.bin",
                          "cmd", "MKD new", "put", src, "new/x y",
                          "put", empty, "new/zero", "list", "new",
                          scheme=scheme, env=env)
        assert read(os.path.join(h, "up.bin")) == up
        assert read(os.path.join(h, "new", "x y")) == up
        assert read(os.path.join(h, "new", "zero")) == b""
        assert "257 " in out, out
        assert ("f %d x y" % len(up)) in out and "f 0 zero" in out, out
    # Commands: MKD of an existing folder fails, RMD and DELE work.
    rc, out, _ = probe(srv, "cmd", "MKD docs", scheme=scheme, env=env,
                       ok=False)
    assert out.startswith("550"), out
    probe(srv, "cmd", "DELE new/zero", "cmd", "DELE new/x y",
          "cmd", "RMD new", scheme=scheme, env=env)
    assert not os.path.exists(os.path.join(h, "new"))
    # A missing file: the engine reports the 550 and goes on.
    rc, _, err = probe(srv, "get", "nope", os.devnull, "list", "/",
                       scheme=scheme, env=env, ok=False)
    assert "550" in err, err


@test
def plain_ftp():
    with Server(users=USERS) as srv:
        _, out, _ = probe(srv, "feat")
        assert "tls" not in out, out
        feat = int(out.split()[1], 16)
        assert feat & 0x001 and feat & 0x002, out   # MLST, EPSV
        engine_suite(srv, "ftp", {})


@test
def password_in_url_and_other_user():
    with Server(users=USERS) as srv:
        write(os.path.join(srv.home("beal"), "b"), b"bb")
        url = "ftp://beal:s3cret@%s:%d/" % (HOST, srv.port)
        e = dict(os.environ)
        e.pop("BURROW_PASSWORD", None)
        p = subprocess.run([PROBE, url, "list", "/"], env=e,
                           capture_output=True, timeout=60)
        assert p.returncode == 0, p
        assert p.stdout == b"f 2 b\n", p.stdout


@test
def wrong_password_fails_cleanly():
    with Server(users=USERS) as srv:
        rc, out, err = probe(srv, "list", "/", password="bad", ok=False)
        assert rc == 1 and out == "", (rc, out)
        assert "login as harry failed: 530" in err, err
        rc, out, err = probe(srv, "list", "/", user="nobody",
                             password="pw", ok=False)
        assert rc == 1 and "530" in err, err
        # The server is still fine afterwards.
        probe(srv, "list", "/")


@test
def connection_refused_fails_cleanly():
    with Server(users=USERS) as srv:
        port = srv.port
    url = "ftp://harry@%s:%d/" % (HOST, port)
    p = subprocess.run([PROBE, url, "list", "/"], capture_output=True,
                       env=dict(os.environ, BURROW_PASSWORD="pw"),
                       timeout=60)
    assert p.returncode == 1, p
    assert b"refused" in p.stderr, p.stderr


@test
def ftps_with_ca():
    with Server(users=USERS, tls={"require": True}) as srv:
        env = {"BURROW_CAFILE": srv.cert}
        _, out, _ = probe(srv, "feat", scheme="ftps", env=env)
        assert out.rstrip().endswith(" tls"), out
        engine_suite(srv, "ftps", env)


@test
def ftps_insecure():
    with Server(users=USERS, tls={}) as srv:
        populate(srv)
        with tempfile.TemporaryDirectory() as tmp:
            dst = os.path.join(tmp, "x")
            _, out, _ = probe(srv, "list", "/", "get", "with space.bin",
                              dst, scheme="ftps",
                              env={"BURROW_INSECURE": "1"})
            assert "f 1000 with space.bin" in out, out
            assert read(dst) == read(os.path.join(srv.home("harry"),
                                                  "with space.bin"))


@test
def ftps_untrusted_certificate_refused():
    with Server(users=USERS, tls={}) as srv:
        rc, out, err = probe(srv, "list", "/", scheme="ftps", ok=False)
        assert rc == 1 and out == "", out
        fp = subprocess.run(["openssl", "x509", "-in", srv.cert, "-noout",
                             "-fingerprint", "-sha256"],
                            capture_output=True, check=True, timeout=30)
        want = fp.stdout.decode().strip().split("=", 1)[1]
        assert "certificate not trusted" in err and want in err, (err, want)
        # The password was never sent: no login in the log.
        assert "login harry" not in srv.log(), srv.log()


@test
def ftps_to_server_without_tls():
    with Server(users=USERS) as srv:
        rc, _, err = probe(srv, "list", "/", scheme="ftps",
                           env={"BURROW_INSECURE": "1"}, ok=False)
        assert rc == 1 and "does not offer TLS" in err, err


run()
