"""
e2e_peers: `burrow --batch` against real peer servers, vsftpd 3.0.3 and
Pure-FTPd 1.0.50 from Debian's packages (tests/peers.py starts them on
loopback), over plain FTP and over FTPS with TLS required.

Each runs the same transfer script as burrowd does in e2e_batch.py: fresh
download, resumed download after truncating the local copy, skipped
identical download, resumed upload, recursive get and put. Neither peer
has HASH, so verification is by size; vsftpd has no MLSD, so listings are
read from `ls -l` lines. Also: every batch command against each peer, and
a name with spaces and UTF-8; modification times kept both ways (Pure-FTPd:
MLSD's times, MFMT; vsftpd: MDTM to read a time, and MDTM with a time
before the path, its mdtm_write, to set one); chmod by SITE CHMOD on both,
and vsftpd with chmod_enable=NO reported as not offering it. mirror both
ways against each (vsftpd's LIST tells minutes only: the second run finds
nothing to do all the same).

A peer that cannot be had here (not root, no package) is a TAP skip.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import test  # noqa: E402
from peers import PureFtpd, Vsftpd, run  # noqa: E402
from batchlib import (burrow, mirror_script, ok, plant,  # noqa: E402
                      read, same_times, transfer_script, utc)


def url(peer, scheme="ftp"):
    return "%s://%s:%s@%s:%d/" % (scheme, peer.user, peer.password,
                                  peer.host, peer.port)


def script(cls, tls):
    with cls(tls=tls) as peer:
        try:
            args = ("--cafile", peer.cert) if tls else ()
            local = transfer_script(url(peer, "ftps" if tls else "ftp"),
                                    peer.home, args=args, put=peer.put)
            # The resumed upload was written by the server as its
            # account, not by this script.
            st = os.stat(os.path.join(peer.home, "up.bin"))
            assert st.st_size == 2 * 1024 * 1024 + 5
            assert st.st_uid == peer.uid, st
            assert os.path.exists(os.path.join(local, "tree", "sub",
                                               "empty"))
        except Exception:
            print("# log of %s:\n# %s" % (peer.name,
                                          peer.log().replace("\n", "\n# ")))
            raise


@test
def vsftpd_plain():
    script(Vsftpd, False)


@test
def vsftpd_tls():
    script(Vsftpd, True)


@test
def pureftpd_plain():
    script(PureFtpd, False)


@test
def pureftpd_tls():
    script(PureFtpd, True)


def mirror(cls):
    """mirror both ways; vsftpd lists by LIST alone, to the minute, so
    the second run finding nothing to do shows the time rule (MDTM
    asked for the files that could be the same)."""
    with cls() as peer:
        try:
            mirror_script(url(peer), peer.home, put=peer.put,
                          mkdir=peer.mkdir)
        except Exception:
            print("# log of %s:\n# %s" % (peer.name,
                                          peer.log().replace("\n", "\n# ")))
            raise


@test
def vsftpd_mirror():
    mirror(Vsftpd)


@test
def pureftpd_mirror():
    mirror(PureFtpd)


def every_command(cls):
    with cls() as peer:
        peer.put("a.txt", b"hello\n")
        peer.put("docs/in.txt", b"inside")
        local = tempfile.mkdtemp(prefix="burrow-peer-")
        with open(os.path.join(local, "l.txt"), "wb") as f:
            f.write(b"local file")
        name = "spaced \u00e9t\u00e9.txt"
        with open(os.path.join(local, name), "wb") as f:
            f.write(b"utf-8 name")
        s = ("pwd\nls\nmkdir nd\ncd nd\npwd\ncd ..\nput l.txt\n"
             "rename l.txt renamed.txt\nget a.txt got.txt\n"
             "put \"%s\"\nls\nrm renamed.txt\nrmdir nd\nls docs\n"
             "cd docs\nget in.txt\nexit\n" % name)
        try:
            r = ok(burrow(url(peer), s, local))
        except Exception:
            print("# log of %s:\n# %s" % (peer.name,
                                          peer.log().replace("\n", "\n# ")))
            raise
        lines = r.out.splitlines()
        assert lines[0] == "/", r
        assert "/nd" in lines, r
        assert any(l.startswith("f ") and l.endswith(" a.txt")
                   for l in lines), r
        assert any(l.startswith("d ") and l.endswith(" docs")
                   for l in lines), r
        assert any(l.endswith(" " + name) for l in lines), r
        assert any(l.endswith(" in.txt") for l in lines), r
        assert read(os.path.join(local, "got.txt")) == b"hello\n", r
        assert read(os.path.join(local, "in.txt")) == b"inside", r
        assert read(peer.path(name)) == b"utf-8 name", r
        assert not os.path.exists(peer.path("nd")), r
        assert not os.path.exists(peer.path("renamed.txt")), r
        assert not os.path.exists(peer.path("l.txt")), r
        # Neither peer has HASH or AVBL: a clear failure, status 1.
        r = burrow(url(peer), "hash a.txt\nquota\n", local)
        assert r.rc == 1, r
        assert "does not offer HASH" in r.err, r
        assert "does not offer AVBL" in r.err, r


@test
def vsftpd_every_command():
    every_command(Vsftpd)


@test
def pureftpd_every_command():
    every_command(PureFtpd)


def chmod(peer):
    """chmod sets modes with SITE CHMOD: a file, a folder, a pattern's
    matches; a missing file fails with the server's reply."""
    peer.put("a.txt", b"a")
    peer.put("b.log", b"b")
    peer.put("c.log", b"c")
    peer.mkdir("docs")
    for name in ("a.txt", "b.log", "c.log", "docs"):
        os.chmod(peer.path(name), 0o755 if name == "docs" else 0o644)
    local = tempfile.mkdtemp(prefix="burrow-peer-")
    try:
        r = ok(burrow(url(peer), "chmod 600 a.txt\nchmod 750 docs\n"
                      "chmod 640 *.log\n", local))
        assert r.out == "b.log: mode 0640\nc.log: mode 0640\n", r
        r = burrow(url(peer), "chmod 600 missing.txt\n", local)
    except Exception:
        print("# log of %s:\n# %s" % (peer.name,
                                      peer.log().replace("\n", "\n# ")))
        raise
    assert r.rc == 1 and r.err.startswith(
        "burrow: chmod 600 missing.txt: 550 "), r
    modes = {n: os.stat(peer.path(n)).st_mode & 0o7777
             for n in ("a.txt", "b.log", "c.log", "docs")}
    assert modes == {"a.txt": 0o600, "b.log": 0o640, "c.log": 0o640,
                     "docs": 0o750}, modes


@test
def vsftpd_chmod():
    with Vsftpd() as peer:
        chmod(peer)


@test
def vsftpd_chmod_disabled():
    """chmod_enable=NO: vsftpd says 500, which burrow reports as the
    server not offering chmod."""
    with Vsftpd(chmod=False) as peer:
        peer.put("a.txt", b"a")
        os.chmod(peer.path("a.txt"), 0o644)
        r = burrow(url(peer), "chmod 600 a.txt\n",
                   tempfile.mkdtemp(prefix="burrow-peer-"))
        assert r.rc == 1, r
        assert r.err.startswith("burrow: chmod 600 a.txt: the server does "
                                "not offer SITE CHMOD (500 "), r
        assert os.stat(peer.path("a.txt")).st_mode & 0o7777 == 0o644


@test
def pureftpd_chmod():
    with PureFtpd() as peer:
        chmod(peer)


def times(cls, how):
    """get and put of a file and a tree keep every file's modification
    time; a second run skips them all and leaves the times alone."""
    with cls() as peer:
        remote = {"one.txt": 1500000001, "t/a.txt": 1400000002,
                  "t/sub/b.bin": 1300000003}
        plant(peer.home, remote, put=peer.put)
        local = tempfile.mkdtemp(prefix="burrow-peer-")
        mine = {"up.txt": 1234567891.5, "lt/x.txt": 1111111112,
                "lt/d/y.bin": 1222222223}
        plant(local, mine)
        try:
            r = ok(burrow(url(peer), "get one.txt\nget t\nput up.txt\n"
                          "put lt\n", local))
            assert r.out.count("verified by size") == 6, r
            assert "time not kept" not in r.out + r.err, r
            same_times(remote, local)
            same_times(mine, peer.home)
            r = ok(burrow(url(peer), "get t\nput lt\n", local))
            assert r.out.count("skipped, identical (same size)") == 4, r
            same_times(remote, local)
            same_times(mine, peer.home)
        except Exception:
            print("# log of %s:\n# %s" % (peer.name,
                                          peer.log().replace("\n", "\n# ")))
            raise
        # How the server was told, from its own log of the session.
        told = how % utc(mine["lt/x.txt"])
        assert told in peer.log().lower(), (told, peer.log()[-3000:])


@test
def vsftpd_times():
    times(Vsftpd, "mdtm %s /lt/x.txt")


@test
def pureftpd_times():
    times(PureFtpd, "[mfmt] [%s /lt/x.txt]")


def parallel(cls):
    """A folder of 40 files each way over four logins at once, and a
    40 MiB file in four ranges (REST + RETR stopped with ABOR), against
    a server that has no PIPELINING: everything arrives, checked by size,
    with nothing said about refused logins."""
    with cls() as peer:
        files = {"t/d%d/f%02d" % (i % 3, i): os.urandom(500 + 4099 * i)
                 for i in range(40)}
        for rel, data in files.items():
            peer.put(rel, data)
        big = os.urandom(40 << 20)
        peer.put("big.bin", big)
        local = tempfile.mkdtemp(prefix="burrow-peer-")
        try:
            r = ok(burrow(url(peer), "get t\nput t up\nget big.bin\n",
                          local, args=("--parallel", "4"), timeout=300))
        except Exception:
            print("# log of %s:\n# %s" % (peer.name,
                                          peer.log().replace("\n", "\n# ")))
            raise
        for rel, data in files.items():
            assert read(os.path.join(local, rel)) == data, rel
            assert read(peer.path("up" + rel[1:])) == data, rel
        assert read(os.path.join(local, "big.bin")) == big, r
        assert "in ranges over 4 connections" in r.out, r
        assert r.out.count("verified by size") == 81, r
        assert "took" not in r.err, r
        assert not os.path.exists(os.path.join(local,
                                               ".big.bin.burrow-parts"))


@test
def vsftpd_parallel():
    parallel(Vsftpd)


@test
def pureftpd_parallel():
    parallel(PureFtpd)


if __name__ == "__main__":
    run()
