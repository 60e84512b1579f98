"""
e2e_curl: the curl binary against a real burrowd.

Listings (LIST and NLST), downloads and uploads compared byte for byte,
resumed downloads and uploads (-C -), MKD and DELE through -Q,
--ftp-create-dirs, and every data connection mode curl has: EPSV (its
default), PASV (--disable-epsv), and active mode with EPRT and with PORT.
"""
import os
import random
import shutil
import subprocess
import tempfile

from harness import Server, run, test

CURL = shutil.which("curl") or "curl"


def payload(n, seed=1):
    """n pseudo-random bytes (every byte value, CR and LF among them)."""
    return random.Random(seed).randbytes(n)


def curl(*args, check=True, timeout=30):
    """Runs curl with a time limit; returns the CompletedProcess."""
    cmd = [CURL, "-sS", "--max-time", "20", "--connect-timeout", "5"]
    cmd += list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if check:
        assert p.returncode == 0, "%s exited %d:\n%s" % (
            " ".join(cmd), p.returncode, p.stderr.decode(errors="replace"))
    return p


def sent(p):
    """The commands curl sent, from its -v output ("> VERB ...")."""
    return [l[2:] for l in p.stderr.decode(errors="replace").splitlines()
            if l.startswith("> ")]


def replies(p):
    return [l[2:] for l in p.stderr.decode(errors="replace").splitlines()
            if l.startswith("< ")]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Local:
    """A temporary local folder for curl's side of the transfers."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="burrow-curl-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)


@test
def list_root():
    with Server() as srv:
        h = srv.home("harry")
        write(os.path.join(h, "alpha.txt"), b"a" * 123)
        os.mkdir(os.path.join(h, "subdir"))
        p = curl(srv.url("harry", "/"))
        out = p.stdout.decode()
        lines = [l for l in out.splitlines() if l.strip()]
        assert len(lines) == 2, out
        alpha = [l for l in lines if l.endswith(" alpha.txt")]
        sub = [l for l in lines if l.endswith(" subdir")]
        assert alpha and alpha[0].startswith("-") and " 123 " in alpha[0], out
        assert sub and sub[0].startswith("d"), out


@test
def list_subdir():
    with Server() as srv:
        d = os.path.join(srv.home("harry"), "docs", "deep")
        os.makedirs(d)
        write(os.path.join(d, "x.bin"), b"xyz")
        out = curl(srv.url("harry", "/docs/deep/")).stdout.decode()
        assert out.rstrip().endswith(" x.bin"), out
        assert len(out.strip().splitlines()) == 1, out


@test
def list_only():
    with Server() as srv:
        h = srv.home("harry")
        names = ["b.txt", "a.txt", "with space.txt", "dir1"]
        for n in names[:3]:
            write(os.path.join(h, n), n.encode())
        os.mkdir(os.path.join(h, "dir1"))
        p = curl("-v", "--list-only", srv.url("harry", "/"))
        assert "NLST" in sent(p), sent(p)
        got = p.stdout.decode().splitlines()
        assert sorted(got) == sorted(names), got


@test
def list_empty_dir():
    with Server() as srv:
        os.mkdir(os.path.join(srv.home("harry"), "empty"))
        p = curl(srv.url("harry", "/empty/"))
        assert p.stdout == b"", p.stdout
        p = curl("--list-only", srv.url("harry", "/empty/"))
        assert p.stdout == b"", p.stdout


@test
def download_bytes():
    with Server() as srv, Local() as loc:
        for name, size in (("empty.bin", 0), ("one.bin", 1),
                           ("mid.bin", 70001), ("big.bin", 3 * 1024 * 1024 + 7)):
            data = payload(size, seed=size % 251 + 1)
            write(os.path.join(srv.home("harry"), name), data)
            out = loc.path(name)
            curl("-o", out, srv.url("harry", "/" + name))
            assert read(out) == data, name


@test
def download_missing_fails():
    with Server() as srv, Local() as loc:
        p = curl("-o", loc.path("x"), srv.url("harry", "/nope.bin"),
                 check=False)
        # 78: CURLE_REMOTE_FILE_NOT_FOUND (550 to RETR or SIZE)
        assert p.returncode == 78, (p.returncode, p.stderr)


@test
def upload_bytes():
    with Server() as srv, Local() as loc:
        data = payload(1024 * 1024 + 333, seed=7)
        src = loc.path("up.bin")
        write(src, data)
        curl("-T", src, srv.url("harry", "/"))
        assert read(os.path.join(srv.home("harry"), "up.bin")) == data
        # to another name, then overwrite with other content
        curl("-T", src, srv.url("harry", "/renamed.bin"))
        assert read(os.path.join(srv.home("harry"), "renamed.bin")) == data
        write(src, b"short now")
        curl("-T", src, srv.url("harry", "/renamed.bin"))
        assert read(os.path.join(srv.home("harry"), "renamed.bin")) == \
            b"short now"


@test
def upload_empty_file():
    with Server() as srv, Local() as loc:
        src = loc.path("zero")
        write(src, b"")
        curl("-T", src, srv.url("harry", "/zero"))
        p = os.path.join(srv.home("harry"), "zero")
        assert os.path.isfile(p) and os.path.getsize(p) == 0


@test
def upload_then_download_roundtrip():
    with Server() as srv, Local() as loc:
        data = payload(200000, seed=3)
        write(loc.path("rt"), data)
        curl("-T", loc.path("rt"), srv.url("harry", "/rt"))
        curl("-o", loc.path("back"), srv.url("harry", "/rt"))
        assert read(loc.path("back")) == data


@test
def resume_download():
    with Server() as srv, Local() as loc:
        data = payload(2 * 1024 * 1024 + 11, seed=5)
        write(os.path.join(srv.home("harry"), "r.bin"), data)
        out = loc.path("r.bin")
        for cut in (1, 777777, len(data) - 1):
            write(out, data[:cut])
            p = curl("-v", "-C", "-", "-o", out, srv.url("harry", "/r.bin"))
            assert "REST %d" % cut in sent(p), sent(p)
            assert read(out) == data, "cut at %d" % cut


@test
def resume_download_already_complete():
    with Server() as srv, Local() as loc:
        data = payload(5000, seed=9)
        write(os.path.join(srv.home("harry"), "c.bin"), data)
        out = loc.path("c.bin")
        write(out, data)
        curl("-C", "-", "-o", out, srv.url("harry", "/c.bin"))
        assert read(out) == data


@test
def resume_upload():
    with Server() as srv, Local() as loc:
        data = payload(1500000, seed=11)
        full = loc.path("full.bin")
        write(full, data)
        part = loc.path("part.bin")
        write(part, data[:600000])
        remote = os.path.join(srv.home("harry"), "u.bin")
        # a partial upload, made through the server itself
        curl("-T", part, srv.url("harry", "/u.bin"))
        assert read(remote) == data[:600000]
        p = curl("-v", "-T", full, "-C", "-", srv.url("harry", "/u.bin"))
        cmds = sent(p)
        assert any(c.startswith("APPE ") or c.startswith("REST ")
                   for c in cmds), cmds
        assert read(remote) == data


@test
def resume_upload_partial_on_disk():
    with Server() as srv, Local() as loc:
        data = payload(300001, seed=13)
        full = loc.path("f")
        write(full, data)
        remote = os.path.join(srv.home("harry"), "f")
        write(remote, data[:1])
        curl("-T", full, "-C", "-", srv.url("harry", "/f"))
        assert read(remote) == data
        # resuming a complete file changes nothing
        curl("-T", full, "-C", "-", srv.url("harry", "/f"))
        assert read(remote) == data


@test
def mkdir_quote():
    with Server() as srv:
        h = srv.home("harry")
        p = curl("-v", "-Q", "MKD newdir", srv.url("harry", "/"))
        assert os.path.isdir(os.path.join(h, "newdir"))
        assert any(r.startswith("257 ") for r in replies(p)), replies(p)
        # MKD of an existing directory is an error (550), so curl fails
        p = curl("-Q", "MKD newdir", srv.url("harry", "/"), check=False)
        assert p.returncode != 0, p
        assert os.path.isdir(os.path.join(h, "newdir"))


@test
def mkdir_nested_quote():
    with Server() as srv:
        h = srv.home("harry")
        curl("-Q", "MKD a", "-Q", "MKD a/b", srv.url("harry", "/"))
        assert os.path.isdir(os.path.join(h, "a", "b"))
        # RMD through -Q too
        curl("-Q", "RMD a/b", srv.url("harry", "/"))
        assert not os.path.exists(os.path.join(h, "a", "b"))
        assert os.path.isdir(os.path.join(h, "a"))


@test
def create_dirs_on_upload():
    with Server() as srv, Local() as loc:
        data = payload(4321, seed=17)
        write(loc.path("n.bin"), data)
        curl("--ftp-create-dirs", "-T", loc.path("n.bin"),
             srv.url("harry", "/new1/new2/n.bin"))
        assert read(os.path.join(srv.home("harry"), "new1", "new2",
                                 "n.bin")) == data
        # without --ftp-create-dirs a missing directory is an error
        p = curl("-T", loc.path("n.bin"), srv.url("harry", "/nodir/n.bin"),
                 check=False)
        assert p.returncode != 0
        assert not os.path.exists(os.path.join(srv.home("harry"), "nodir"))


@test
def delete_quote():
    with Server() as srv:
        h = srv.home("harry")
        write(os.path.join(h, "gone.txt"), b"bye")
        write(os.path.join(h, "kept.txt"), b"stay")
        p = curl("-Q", "DELE gone.txt", srv.url("harry", "/"))
        assert not os.path.exists(os.path.join(h, "gone.txt"))
        assert read(os.path.join(h, "kept.txt")) == b"stay"
        # the listing that followed no longer shows it
        assert b"gone.txt" not in p.stdout and b"kept.txt" in p.stdout
        # deleting what is not there fails
        p = curl("-Q", "DELE gone.txt", srv.url("harry", "/"), check=False)
        assert p.returncode != 0


@test
def delete_after_transfer():
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        write(os.path.join(h, "once.txt"), b"read me once")
        # "-Q -CMD" runs after the transfer
        curl("-o", loc.path("once"), "-Q", "-DELE once.txt",
             srv.url("harry", "/once.txt"))
        assert read(loc.path("once")) == b"read me once"
        assert not os.path.exists(os.path.join(h, "once.txt"))


@test
def rename_quote():
    with Server() as srv:
        h = srv.home("harry")
        write(os.path.join(h, "old"), b"content")
        curl("-Q", "RNFR old", "-Q", "RNTO new", srv.url("harry", "/"))
        assert not os.path.exists(os.path.join(h, "old"))
        assert read(os.path.join(h, "new")) == b"content"


def modes_roundtrip(srv, loc, extra, expect_cmd):
    """Lists, downloads and uploads with the data mode that extra selects."""
    data = payload(400000, seed=len(expect_cmd))
    write(os.path.join(srv.home("harry"), "m.bin"), data)
    p = curl("-v", *extra, srv.url("harry", "/"))
    assert expect_cmd in [c.split(" ")[0] for c in sent(p)], sent(p)
    assert b"m.bin" in p.stdout
    p = curl("-v", *extra, "--list-only", srv.url("harry", "/"))
    assert p.stdout.decode().splitlines() == ["m.bin"], p.stdout
    p = curl("-v", *extra, "-o", loc.path("down"), srv.url("harry", "/m.bin"))
    assert expect_cmd in [c.split(" ")[0] for c in sent(p)], sent(p)
    assert read(loc.path("down")) == data
    write(loc.path("up"), data[::-1])
    curl(*extra, "-T", loc.path("up"), srv.url("harry", "/up.bin"))
    assert read(os.path.join(srv.home("harry"), "up.bin")) == data[::-1]
    # resume in this mode too
    write(loc.path("down"), data[:12345])
    curl(*extra, "-C", "-", "-o", loc.path("down"), srv.url("harry", "/m.bin"))
    assert read(loc.path("down")) == data
    return p


@test
def mode_epsv():
    with Server() as srv, Local() as loc:
        modes_roundtrip(srv, loc, [], "EPSV")


@test
def mode_pasv():
    with Server() as srv, Local() as loc:
        p = modes_roundtrip(srv, loc, ["--disable-epsv"], "PASV")
        assert "EPSV" not in [c.split(" ")[0] for c in sent(p)]


@test
def mode_active_port():
    with Server() as srv, Local() as loc:
        modes_roundtrip(srv, loc, ["-P", "127.0.0.1", "--disable-eprt"],
                        "PORT")


@test
def mode_active_eprt():
    """curl -P sends EPRT first; RFC 2428 "EPRT |1|127.0.0.1|port|" must be
    accepted, not answered 501 and left to the PORT fallback."""
    with Server() as srv, Local() as loc:
        data = b"active " * 1000
        write(os.path.join(srv.home("harry"), "a.bin"), data)
        p = curl("-v", "-P", "127.0.0.1", "-o", loc.path("a"),
                 srv.url("harry", "/a.bin"))
        assert read(loc.path("a")) == data
        cmds = sent(p)
        assert any(c.startswith("EPRT |1|127.0.0.1|") for c in cmds), cmds
        assert "PORT" not in [c.split(" ")[0] for c in cmds], (
            "EPRT was refused, curl fell back to PORT: %s" % replies(p))
        os.remove(os.path.join(srv.home("harry"), "a.bin"))
        modes_roundtrip(srv, loc, ["-P", "127.0.0.1"], "EPRT")


@test
def bad_password_refused():
    with Server() as srv:
        p = curl("ftp://harry:wrong@127.0.0.1:%d/" % srv.port, check=False)
        assert p.returncode == 67, (p.returncode, p.stderr)  # LOGIN_DENIED
        p = curl("ftp://nobody:pw@127.0.0.1:%d/" % srv.port, check=False)
        assert p.returncode == 67, (p.returncode, p.stderr)


@test
def several_urls_one_connection():
    with Server() as srv, Local() as loc:
        h = srv.home("harry")
        files = {"f%d" % i: payload(1000 * i + 1, seed=i + 1) for i in range(5)}
        for n, d in files.items():
            write(os.path.join(h, n), d)
        args = []
        for n in files:
            args += ["-o", loc.path(n), srv.url("harry", "/" + n)]
        p = curl("-v", *args)
        err = p.stderr.decode(errors="replace")
        assert err.count("Re-using existing connection") >= 1 or \
            err.count("Reusing existing connection") >= 1, err[-2000:]
        for n, d in files.items():
            assert read(loc.path(n)) == d, n


if __name__ == "__main__":
    run()
