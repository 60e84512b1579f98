"""
e2e_quota: per-user quotas seen from clients of a real burrowd.

default_quota applies to users without their own quota, a user's quota
("20K", "1M", "0" for unlimited) overrides it. An upload that crosses the
limit stops with 552 and keeps the bytes that fitted, ready for REST+STOR or
APPE; sessions of one user share one record, so concurrent uploads cannot
together pass the limit; replacing a file counts only its growth, and a
failed replacement leaves the old file as it was; ALLO, AVBL and SITE QUOTA
tell what fits; DELE, RMD and RNTO keep the record equal to a fresh walk of
the home, also under a long random mix from several sessions (seeded:
BURROW_SEED); usage is measured from disk at the first login, however deep
the tree (5,000 levels built on disk), while MKD and RNTO refuse to make
folders deeper than max_depth with 550. Without O_TMPFILE (an LD_PRELOAD
shim built with cc) replacements go through a hidden temporary name, which
must not be left behind.
"""
import io
import os
import random
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import raw_upload, raw_avbl  # noqa: E402
from harness import Server, run, test, wait_until  # noqa: E402

K = 1024


def disk_usage(path):
    """Total size of the regular files below path, symlinks not followed
    (what the server's own walk counts; a hard link counts per name)."""
    total = 0
    for top, dirs, files in os.walk(path, followlinks=False):
        for name in files + dirs:
            st = os.lstat(os.path.join(top, name))
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
    return total


def all_entries(path):
    """Every name below path, dot files included, relative to path."""
    out = []
    for top, dirs, files in os.walk(path, followlinks=False):
        for name in dirs + files:
            out.append(os.path.relpath(os.path.join(top, name), path))
    return sorted(out)


def blob(n, seed):
    return random.Random(seed).randbytes(n)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


avbl = raw_avbl


def login(srv, user):
    c = srv.raw()
    c.expect(None, 220)
    c.login(user, srv.users[user])
    return c


upload = raw_upload


def drop_mid_upload(c, path, data):
    """Starts STOR path, sends data, then resets the data connection
    (RST, not FIN: an orderly close would be a complete upload)."""
    d = c.pasv_data()
    r = c.cmd("STOR " + path)
    assert r.startswith(("125", "150")), r
    d.sendall(data)
    time.sleep(0.2)
    d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    d.close()
    return c.reply()


def check_books(c, srv, user, limit, what=""):
    """AVBL equals limit minus a fresh walk of the home, within the limit."""
    on_disk = disk_usage(srv.home(user))
    got = avbl(c)
    assert got == limit - on_disk, "%s: AVBL %d, limit %d - disk %d = %d" % (
        what, got, limit, on_disk, limit - on_disk)
    assert on_disk <= limit, "%s: %d on disk over limit %d" % (
        what, on_disk, limit)
    return on_disk


@test
def default_and_per_user_limits():
    users = {"harry": "pw", "sally": "s1", "tiny": "t1", "big": "b1",
             "unl": "u1"}
    quotas = {"harry": "100K", "tiny": "20K", "big": "1M", "unl": "0"}
    with Server(users=users, quotas=quotas, default_quota="50K") as srv:
        expect = {"harry": 100 * K, "sally": 50 * K, "tiny": 20 * K,
                  "big": 1024 * K}
        for user, limit in expect.items():
            c = login(srv, user)
            assert avbl(c) == limit, (user, limit)
            r = c.expect("SITE QUOTA", 200)
            assert "(0 of %d bytes)" % limit in r, (user, r)
            c.close()
        # "0": no limit for unl although default_quota is 50K.
        c = login(srv, "unl")
        r = c.expect("SITE QUOTA", 200)
        assert "no limit" in r, r
        assert avbl(c) > 1024 * K
        data = blob(120 * K, 1)
        assert upload(c, "STOR", "f", data).startswith("226")
        assert read(os.path.join(srv.home("unl"), "f")) == data
        c.close()
        # sally has the default 50K: a 60K upload stops at 50K.
        c = login(srv, "sally")
        r = upload(c, "STOR", "f", blob(60 * K, 2))
        assert r.startswith("552"), r
        assert os.path.getsize(os.path.join(srv.home("sally"), "f")) == 50 * K
        assert avbl(c) == 0
        c.close()
        # harry's own 100K lets the same 60K through.
        c = login(srv, "harry")
        assert upload(c, "STOR", "f", blob(60 * K, 2)).startswith("226")
        assert avbl(c) == 40 * K
        c.close()


@test
def over_limit_keeps_what_fitted_then_resumes():
    limit = 20 * K
    with Server(users={"harry": "pw"}, quotas={"harry": "20K"}) as srv:
        home = srv.home("harry")
        c = login(srv, "harry")
        other = blob(8000, 3)
        assert upload(c, "STOR", "other", other).startswith("226")
        src = blob(16000, 4)
        r = upload(c, "STOR", "big", src, chunk=4096)
        assert r.startswith("552"), r
        fitted = limit - 8000
        on_disk = read(os.path.join(home, "big"))
        assert len(on_disk) == fitted, (len(on_disk), fitted)
        assert on_disk == src[:fitted]
        assert avbl(c) == 0
        # ALLO of even one byte cannot fit now; a new upload gets nothing.
        c.expect("ALLO 1", 552)
        r = upload(c, "STOR", "none", b"x" * 100)
        assert r.startswith("552"), r
        assert os.path.getsize(os.path.join(home, "none")) == 0
        c.expect("DELE none", 250)
        # Room again: REST+STOR with the rest completes the file.
        c.expect("DELE other", 250)
        assert avbl(c) == limit - fitted
        r = upload(c, "STOR", "big", src[fitted:], rest=fitted)
        assert r.startswith("226"), r
        assert read(os.path.join(home, "big")) == src
        check_books(c, srv, "harry", limit, "after REST+STOR")

        # The same with APPE.
        other2 = blob(3000, 5)
        assert upload(c, "STOR", "other2", other2).startswith("226")
        src2 = blob(4000, 6)
        r = upload(c, "STOR", "big2", src2)
        assert r.startswith("552"), r
        fitted2 = limit - len(src) - len(other2)
        assert read(os.path.join(home, "big2")) == src2[:fitted2]
        c.expect("DELE other2", 250)
        r = upload(c, "APPE", "big2", src2[fitted2:])
        assert r.startswith("226"), r
        assert read(os.path.join(home, "big2")) == src2
        check_books(c, srv, "harry", limit, "after APPE")
        c.close()


@test
def ascii_upload_and_refused_data_connection():
    limit = 20 * K
    with Server(users={"harry": "pw"}, quotas={"harry": "20K"}) as srv:
        home = srv.home("harry")
        c = login(srv, "harry")
        # ASCII: CRLF arrives, LF is stored, and the limit is on what is
        # stored: exactly the limit fits.
        c.expect("TYPE A", 200)
        text = b"".join(b"line %05d\r\n" % i for i in range(3000))
        stored = text.replace(b"\r\n", b"\n")
        assert len(stored) > limit
        r = upload(c, "STOR", "t.txt", text, chunk=1000)
        assert r.startswith("552"), r
        assert read(os.path.join(home, "t.txt")) == stored[:limit]
        assert avbl(c) == 0
        c.expect("DELE t.txt", 250)
        small = text[:11000]
        assert upload(c, "STOR", "t.txt", small).startswith("226")
        assert read(os.path.join(home, "t.txt")) == \
            small.replace(b"\r\n", b"\n")
        check_books(c, srv, "harry", limit, "ascii")
        c.expect("TYPE I", 200)
        # REST+STOR with no data connection: 425, and nothing after the
        # offset is given up (the file is untouched).
        before = read(os.path.join(home, "t.txt"))
        c.expect("REST 10", 350)
        r = c.cmd("STOR t.txt")
        assert r.startswith("425"), r
        assert read(os.path.join(home, "t.txt")) == before
        # A replacement with no data connection leaves no temporary file.
        r = c.cmd("STOR t.txt")
        assert r.startswith("425"), r
        assert read(os.path.join(home, "t.txt")) == before
        assert all_entries(home) == ["t.txt"]
        check_books(c, srv, "harry", limit, "after 425")
        c.expect("NOOP", 200)
        c.close()


def symlink_server():
    """harry (100K) with full (1000 bytes), empty (0 bytes), and lfull,
    lempty: symlinks to them."""
    srv = Server(users={"harry": "pw"}, quotas={"harry": "100K"})
    home = srv.home("harry")
    write(os.path.join(home, "full"), b"F" * 1000)
    write(os.path.join(home, "empty"), b"")
    os.symlink("full", os.path.join(home, "lfull"))
    os.symlink("empty", os.path.join(home, "lempty"))
    return srv, home


@test
def stor_through_symlink_writes_target():
    """STOR onto a symlink to an empty file writes the target and keeps the
    link; onto a symlink to a non-empty file it must do the same, not
    replace the link by a regular file and leave the target as it was."""
    srv, home = symlink_server()
    with srv:
        c = login(srv, "harry")
        assert upload(c, "STOR", "lempty", b"new-empty").startswith("226")
        assert os.path.islink(os.path.join(home, "lempty"))
        assert read(os.path.join(home, "empty")) == b"new-empty"
        r = upload(c, "STOR", "lfull", b"new-full")
        assert r.startswith("226"), r
        check_books(c, srv, "harry", 100 * K, "after STOR through link")
        assert os.path.islink(os.path.join(home, "lfull")), \
            "STOR replaced the symlink lfull by a regular file"
        assert read(os.path.join(home, "full")) == b"new-full", \
            "STOR via symlink left the target as it was"
        c.close()


@test
def stor_through_symlink_shrinking_fits_full_quota():
    """With the quota full, replacing the 1000 bytes of full by 500 through
    its link frees room, as it does when STOR names full itself."""
    limit = 100 * K
    srv, home = symlink_server()
    with srv:
        c = login(srv, "harry")
        filler = limit - disk_usage(home)
        assert upload(c, "STOR", "filler", b"x" * filler).startswith("226")
        assert avbl(c) == 0
        r = upload(c, "STOR", "lfull", b"N" * 500)
        check_books(c, srv, "harry", limit, "after STOR through link")
        assert r.startswith("226"), "shrinking STOR via symlink: %r" % r
        c.close()


@test
def concurrent_sessions_share_the_limit():
    limit = 100 * K
    with Server(users={"harry": "pw"}, quotas={"harry": "100K"}) as srv:
        home = srv.home("harry")
        a, b, checker = (login(srv, "harry") for _ in range(3))
        for rnd, (verb, names) in enumerate([("STOR", ("x", "y")),
                                             ("APPE", ("z", "z")),
                                             ("STOR", ("x", "y"))]):
            barrier = threading.Barrier(2, timeout=10)
            replies = [None, None]

            def go(i, c):
                data = blob(70 * K, 100 * rnd + i)
                barrier.wait()
                replies[i] = upload(c, verb, names[i], data, chunk=8 * K,
                                    pause=0.005)
            ts = [threading.Thread(target=go, args=(i, c))
                  for i, c in enumerate((a, b))]
            for t in ts:
                t.start()
            for t in ts:
                t.join(30)
            assert not any(t.is_alive() for t in ts), "uploads hang"
            assert all(r is not None for r in replies), replies
            for r in replies:
                assert r.startswith(("226", "552")), replies
            assert any(r.startswith("552") for r in replies), replies
            on_disk = check_books(checker, srv, "harry", limit,
                                  "round %d" % rnd)
            # Together they asked for 140K: exactly the limit was stored.
            assert on_disk == limit, (rnd, on_disk, replies)
            for name in set(names):
                checker.expect("DELE " + name, 250)
            assert avbl(checker) == limit
            assert all_entries(home) == []
        for c in (a, b, checker):
            c.close()


@test
def overwrite_counts_only_growth():
    limit = 100 * K
    size = int(limit * 0.7)
    with Server(users={"harry": "pw"}, quotas={"harry": "100K"}) as srv:
        home = srv.home("harry")
        c = login(srv, "harry")
        first = blob(size, 7)
        assert upload(c, "STOR", "a", first).startswith("226")
        second = blob(size, 8)
        r = upload(c, "STOR", "a", second)
        assert r.startswith("226"), r
        assert read(os.path.join(home, "a")) == second
        assert avbl(c) == limit - size
        # Growing it to the whole limit is fine too; one byte more is not.
        whole = blob(limit, 9)
        assert upload(c, "STOR", "a", whole).startswith("226")
        assert read(os.path.join(home, "a")) == whole
        assert avbl(c) == 0
        r = upload(c, "STOR", "a", blob(limit + 1, 10))
        assert r.startswith("552"), r
        assert read(os.path.join(home, "a")) == whole
        # Shrinking gives the room back.
        assert upload(c, "STOR", "a", b"small").startswith("226")
        assert avbl(c) == limit - 5
        assert upload(c, "STOR", "a", b"").startswith("226")
        assert read(os.path.join(home, "a")) == b""
        assert avbl(c) == limit
        assert all_entries(home) == ["a"]
        c.close()


NO_TMPFILE_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/types.h>

/* openat without O_TMPFILE, as on file systems that lack it. */
static int
shim(const char *sym, int dfd, const char *path, int flags, mode_t mode)
{
	int (*real)(int, const char *, int, ...);

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, sym);
	return real(dfd, path, flags, mode);
}

#define MODE(flags, mode) do { va_list ap; \
	if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) { \
		va_start(ap, flags); mode = va_arg(ap, int); va_end(ap); } \
	} while (0)

int
openat(int dfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE(flags, mode);
	return shim("openat", dfd, path, flags, mode);
}

int
openat64(int dfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	MODE(flags, mode);
	return shim("openat64", dfd, path, flags, mode);
}
"""


def no_tmpfile_env():
    """env for a burrowd whose openat refuses O_TMPFILE (an LD_PRELOAD
    shim, built here), or None when no C compiler is at hand."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    d = tempfile.mkdtemp(prefix="burrow-shim-")
    src, lib = os.path.join(d, "shim.c"), os.path.join(d, "shim.so")
    with open(src, "w") as f:
        f.write(NO_TMPFILE_SHIM)
    try:
        subprocess.run([cc.split()[0], "-shared", "-fPIC", "-o", lib, src,
                        "-ldl"], check=True, timeout=60,
                       capture_output=True)
    except (OSError, subprocess.SubprocessError):
        return None
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {"LD_PRELOAD": lib,
            "ASAN_OPTIONS": (asan + ":" if asan else "")
            + "verify_asan_link_order=0"}


def stray(home):
    return [e for e in all_entries(home)
            if os.path.basename(e).startswith(".burrow")]


def replacement_failures(env=None, named=False):
    """A refused, a reset and an aborted replacement upload all leave the
    old file byte for byte, and no temporary file. named: the server
    writes to a hidden temporary name (no O_TMPFILE), which must show
    while an upload is running."""
    limit = 100 * K
    users = {"harry": "pw", "ron": "pw2"}
    with Server(users=users, quotas={"harry": "100K"}, env=env) as srv:
        home = srv.home("harry")
        c = login(srv, "harry")
        old = blob(70 * K, 11)
        assert upload(c, "STOR", "a", old).startswith("226")
        b = blob(10 * K, 12)
        assert upload(c, "STOR", "b", b).startswith("226")
        path = os.path.join(home, "a")

        # Too big for the quota: 552, old a untouched, no temporary file.
        r = upload(c, "STOR", "a", blob(95 * K, 13))
        assert r.startswith("552"), r
        assert read(path) == old
        assert all_entries(home) == ["a", "b"], all_entries(home)
        check_books(c, srv, "harry", limit, "after refused replacement")

        # Data connection reset mid-upload: 426, old a untouched.
        d = c.pasv_data()
        r = c.cmd("STOR a")
        assert r.startswith(("125", "150")), r
        d.sendall(blob(30 * K, 14))
        if named:
            # The upload goes to a hidden name beside a, counted as used.
            assert wait_until(lambda: stray(home), 5), all_entries(home)
            assert wait_until(lambda: disk_usage(home) == 110 * K, 5), \
                disk_usage(home)
        else:
            time.sleep(0.2)
        d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        d.close()
        r = c.reply()
        assert r.startswith("426"), r
        assert read(path) == old
        assert all_entries(home) == ["a", "b"], all_entries(home)
        check_books(c, srv, "harry", limit, "after dropped replacement")

        # In a subfolder too.
        c.expect("MKD sub", 257)
        assert upload(c, "STOR", "sub/c", b"c" * 1000).startswith("226")
        r = drop_mid_upload(c, "sub/c", blob(5 * K, 15))
        assert r.startswith("426"), r
        assert read(os.path.join(home, "sub", "c")) == b"c" * 1000
        assert all_entries(home) == ["a", "b", "sub", "sub/c"]
        check_books(c, srv, "harry", limit, "after dropped in sub")

        # ABOR in the middle of a replacement.
        d = c.pasv_data()
        with d:
            assert c.cmd("STOR a").startswith(("125", "150"))
            d.sendall(blob(20 * K, 16))
            time.sleep(0.2)
            c.send("ABOR")
            r = c.reply()
            assert r.startswith("426"), r
            r = c.reply()
            assert r.startswith("226"), r
        assert read(path) == old
        assert all_entries(home) == ["a", "b", "sub", "sub/c"]
        check_books(c, srv, "harry", limit, "after ABOR")
        # The client dies mid-upload: control and data connections reset.
        c2 = login(srv, "harry")
        d = c2.pasv_data()
        assert c2.cmd("STOR a").startswith(("125", "150"))
        d.sendall(blob(20 * K, 20))
        time.sleep(0.2)
        gone = srv.log().count("disconnected")
        for sock in (c2.sock, d):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        c2.close()
        d.close()
        assert wait_until(lambda: srv.log().count("disconnected") > gone, 10)
        assert read(path) == old
        assert all_entries(home) == ["a", "b", "sub", "sub/c"]
        check_books(c, srv, "harry", limit, "after the client died")
        # The session is still fine and a whole replacement works.
        new = blob(80 * K, 17)
        assert upload(c, "STOR", "a", new).startswith("226")
        assert read(path) == new
        assert all_entries(home) == ["a", "b", "sub", "sub/c"]
        check_books(c, srv, "harry", limit, "after replacement")
        c.close()

        # Without a quota the same holds for a dropped connection.
        c = login(srv, "ron")
        old = blob(50 * K, 18)
        assert upload(c, "STOR", "r", old).startswith("226")
        r = drop_mid_upload(c, "r", blob(20 * K, 19))
        assert r.startswith("426"), r
        assert read(os.path.join(srv.home("ron"), "r")) == old
        assert all_entries(srv.home("ron")) == ["r"]
        c.close()


@test
def failed_replacement_leaves_old_file():
    replacement_failures()


@test
def failed_replacement_without_o_tmpfile():
    env = no_tmpfile_env()
    if env is None:
        print("# skipped: no C compiler for the O_TMPFILE shim", flush=True)
        return
    try:
        replacement_failures(env, named=True)
    finally:
        shutil.rmtree(os.path.dirname(env["LD_PRELOAD"]), ignore_errors=True)


@test
def allo_refuses_what_cannot_fit():
    limit = 100 * K
    with Server(users={"harry": "pw"}, quotas={"harry": "100K"}) as srv:
        c = login(srv, "harry")
        assert upload(c, "STOR", "a", blob(30 * K, 20)).startswith("226")
        room = limit - 30 * K
        r = c.expect("ALLO %d" % (room + 1), 552)
        assert "available" in r, r
        c.expect("ALLO %d" % (10 ** 15), 552)
        c.expect("ALLO %d" % room, 200)
        c.expect("ALLO 1", 200)
        c.expect("ALLO 0", 200)
        c.expect("ALLO 5000 R 100", 200)
        c.expect("ALLO abc", 501)
        c.expect("ALLO -5", 501)
        # Nothing moved: the books are as they were.
        assert avbl(c) == room
        assert all_entries(srv.home("harry")) == ["a"]
        c.close()
        # ALLO needs a login.
        with srv.raw() as r0:
            r0.expect(None, 220)
            r0.expect("ALLO 1", 530)


@test
def avbl_feat_and_site():
    limit = 100 * K
    with Server(users={"harry": "pw"}, quotas={"harry": "100K"}) as srv:
        c = login(srv, "harry")
        r = c.expect("FEAT", 211)
        assert re.search(r"^ AVBL\r$", r, re.M), r
        assert upload(c, "STOR", "a", blob(12345, 21)).startswith("226")
        c.expect("MKD d", 257)
        assert avbl(c) == limit - 12345
        assert avbl(c, "/") == limit - 12345
        assert avbl(c, "d") == limit - 12345
        c.expect("CWD d", 250)
        assert avbl(c, "..") == limit - 12345
        assert avbl(c) == limit - 12345
        c.expect("AVBL /a", 550)
        c.expect("AVBL /nope", 550)
        r = c.expect("SITE QUOTA", 200)
        assert "(12345 of %d bytes)" % limit in r, r
        assert "harry" in r, r
        r = c.expect("SITE quota", 200)
        r = c.expect("SITE HELP", 214)
        assert "QUOTA" in r, r
        c.expect("SITE FOO", 501)
        c.expect("SITE", 501)
        c.close()
        with srv.raw() as r0:
            r0.expect(None, 220)
            r0.expect("AVBL", 530)
            r0.expect("SITE QUOTA", 530)


@test
def dele_rmd_rnto_keep_books():
    limit = 200 * K
    srv = Server(users={"harry": "pw"}, quotas={"harry": "200K"})
    home = srv.home("harry")
    outside = os.path.join(srv.dir, "outside")
    write(outside, b"o" * 50000)
    write(os.path.join(home, "h1"), b"h" * 5000)
    os.link(os.path.join(home, "h1"), os.path.join(home, "h2"))
    os.symlink(outside, os.path.join(home, "link"))
    with srv:
        c = login(srv, "harry")
        step = lambda what: check_books(c, srv, "harry", limit, what)
        step("first login")
        for name, size, seed in (("a", 30000, 30), ("b", 20000, 31)):
            assert upload(c, "STOR", name, blob(size, seed)).startswith("226")
        step("uploads")
        c.expect("MKD d", 257)
        assert upload(c, "STOR", "d/c", blob(10000, 32)).startswith("226")
        step("upload in d")
        # Rename onto an existing file frees the file it replaces.
        c.expect("RNFR a", 350)
        c.expect("RNTO b", 250)
        step("RNTO onto b")
        c.expect("DELE b", 250)
        step("DELE b")
        c.expect("RNFR d/c", 350)
        c.expect("RNTO c", 250)
        step("move d/c up")
        c.expect("RMD d", 250)
        step("RMD d")
        c.expect("RMD d", 550)
        c.expect("DELE missing", 550)
        c.expect("RNFR c", 350)
        c.expect("RNTO c", 250)
        step("RNTO onto itself")
        c.expect("MKD e", 257)
        assert upload(c, "STOR", "e/x", blob(7000, 33)).startswith("226")
        c.expect("RMD e", 550)
        step("RMD of a full folder")
        c.expect("RNFR e", 350)
        c.expect("RNTO f", 250)
        step("rename a folder")
        c.expect("RNFR c", 350)
        c.expect("RNTO f", 550)
        step("RNTO onto a folder")
        # Two names of one file: renaming one onto the other changes
        # nothing (rename(2) of hard links to the same file is a no-op).
        c.expect("RNFR h1", 350)
        c.expect("RNTO h2", 250)
        step("RNTO hard link onto its twin")
        c.expect("DELE h1", 250)
        step("DELE one hard link")
        # A symlink is not counted, nor is deleting it credited.
        r = c.cmd("DELE link")
        assert r.startswith(("250", "550")), r
        step("DELE symlink")
        c.expect("RNFR f/x", 350)
        c.expect("RNTO h2", 250)
        step("RNTO onto a hard link")
        c.expect("DELE h2", 250)
        c.expect("DELE c", 250)
        c.expect("RMD f", 250)
        step("emptied")
        assert avbl(c) == limit
        c.close()
        assert read(outside) == b"o" * 50000


def random_mix(env=None):
    """300 random operations from 3 sessions of one user; at checkpoints
    (all sessions idle) and at the end, AVBL = limit - a walk of the home."""
    limit = 96 * K
    seed = int(os.environ.get("BURROW_SEED") or 20240611)
    files = ["f0", "f1", "f2", "f3", "d0/g0", "d0/g1", "d1/g0", "d0/e/h"]
    dirs = ["d0", "d1", "d0/e"]
    per_thread = 100
    ok_codes = ("2", "350", "450", "550", "552", "553", "554")
    with Server(users={"harry": "pw"}, quotas={"harry": "96K"},
                env=env) as srv:
        home = srv.home("harry")
        checker = login(srv, "harry")
        clients = [login(srv, "harry") for _ in range(3)]
        errors = []
        stats = {"552": 0, "226": 0, "checks": 0}
        lock = threading.Lock()

        def check():
            with lock:
                stats["checks"] += 1
            check_books(checker, srv, "harry", limit,
                        "checkpoint (seed %d)" % seed)
        barrier = threading.Barrier(3, action=check, timeout=60)

        def one(c, rnd, i):
            op = rnd.choices(["STOR", "APPE", "REST", "DELE", "RNTO", "MKD",
                              "RMD"], [25, 15, 10, 15, 15, 10, 10])[0]
            path = rnd.choice(files)
            size = rnd.choice([0, rnd.randrange(1, 2000),
                               rnd.randrange(1, 80 * K)])
            data = rnd.randbytes(size)
            if op in ("STOR", "APPE"):
                rs = [upload(c, op, path, data, chunk=16 * K)]
            elif op == "REST":
                r = c.cmd("SIZE " + path)
                cur = int(r.split()[1]) if r.startswith("213") else 0
                rs = [upload(c, "STOR", path, data,
                             rest=rnd.randrange(cur + 1), chunk=16 * K)]
            elif op == "DELE":
                rs = [c.cmd("DELE " + path)]
            elif op == "RNTO":
                src = rnd.choice(files + dirs)
                rs = [c.cmd("RNFR " + src)]
                if rs[0].startswith("350"):
                    rs.append(c.cmd("RNTO " + rnd.choice(files + dirs)))
            elif op == "MKD":
                rs = [c.cmd("MKD " + rnd.choice(dirs))]
            else:
                rs = [c.cmd("RMD " + rnd.choice(dirs))]
            for r in rs:
                assert r.startswith(ok_codes), "%s %s -> %r (seed %d)" % (
                    op, path, r, seed)
                with lock:
                    for code in ("552", "226"):
                        if r.startswith(code):
                            stats[code] += 1

        def worker(n, c):
            rnd = random.Random(seed * 10 + n)
            try:
                for i in range(per_thread):
                    one(c, rnd, i)
                    if i % 25 == 24:
                        barrier.wait()
            except Exception as e:  # noqa: BLE001
                errors.append("session %d: %r" % (n, e))
                barrier.abort()

        ts = [threading.Thread(target=worker, args=(n, c))
              for n, c in enumerate(clients)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join(max(1, 60 - (time.monotonic() - t0)))
        assert not any(t.is_alive() for t in ts), "mix hangs (seed %d)" % seed
        assert not errors, errors
        on_disk = check_books(checker, srv, "harry", limit,
                              "end (seed %d)" % seed)
        assert on_disk <= limit
        print("# mix seed %d: %s" % (seed, stats), flush=True)
        assert stats["checks"] == per_thread // 25, stats
        assert stats["226"] >= 10 and stats["552"] > 0, (stats, seed)
        # No temporary file left over anywhere.
        stray = [e for e in all_entries(home) if ".burrow" in e]
        assert not stray, stray
        for c in clients + [checker]:
            c.expect("NOOP", 200)
            c.close()


@test
def random_mix_from_three_sessions():
    random_mix()


@test
def random_mix_without_o_tmpfile():
    env = no_tmpfile_env()
    if env is None:
        print("# skipped: no C compiler for the O_TMPFILE shim", flush=True)
        return
    try:
        random_mix(env)
    finally:
        shutil.rmtree(os.path.dirname(env["LD_PRELOAD"]), ignore_errors=True)


@test
def usage_measured_at_first_login():
    users = {"harry": "pw", "full": "pw2"}
    quotas = {"harry": "100K", "full": "10K"}
    srv = Server(users=users, quotas=quotas)
    home = srv.home("harry")
    outside = os.path.join(srv.dir, "outside")
    write(os.path.join(outside, "big"), b"B" * 60000)
    write(os.path.join(home, "top"), b"t" * 10000)
    write(os.path.join(home, "sub", "dir", "deep"), b"d" * 20000)
    write(os.path.join(home, ".hidden"), b"h" * 3000)
    write(os.path.join(home, "empty"), b"")
    os.symlink(os.path.join(outside, "big"), os.path.join(home, "link"))
    os.symlink(outside, os.path.join(home, "ldir"))
    write(os.path.join(srv.home("full"), "fat"), b"f" * 15000)
    with srv:
        # Placed after start but before the first login: counted too.
        write(os.path.join(home, "late"), b"l" * 7000)
        c = login(srv, "harry")
        used = 10000 + 20000 + 3000 + 7000
        assert disk_usage(home) == used
        assert avbl(c) == 100 * K - used
        r = c.expect("SITE QUOTA", 200)
        assert "(%d of %d bytes)" % (used, 100 * K) in r, r
        # A second session shares the record.
        c2 = login(srv, "harry")
        assert avbl(c2) == 100 * K - used
        assert upload(c2, "STOR", "new", b"n" * 1000).startswith("226")
        assert avbl(c) == 100 * K - used - 1000
        c.close()
        c2.close()

        # Over the limit from the start: nothing fits until room is made.
        c = login(srv, "full")
        assert avbl(c) == 0
        r = c.expect("SITE QUOTA", 200)
        assert "(15000 of 10240 bytes)" in r, r
        c.expect("ALLO 1", 552)
        r = upload(c, "STOR", "x", b"x" * 10)
        assert r.startswith("552"), r
        assert os.path.getsize(os.path.join(srv.home("full"), "x")) == 0
        c.expect("DELE fat", 250)
        assert avbl(c) == 10 * K
        c.close()


@test
def deep_tree_counted_at_next_login():
    """Bytes stored deep in folders a client made are still counted when
    the usage is measured again at a later first login: a depth that the
    server can create it must also measure, or the quota can be evaded."""
    limit = 20 * K
    depth = 300
    # Deeper than the default max_depth: the walk must not rely on it.
    with Server(users={"harry": "pw"}, quotas={"harry": "20K"},
                max_depth=0) as srv:
        home = srv.home("harry")
        c = login(srv, "harry")
        for _ in range(depth):
            c.expect("MKD a", 257)
            c.expect("CWD a", 250)
        assert upload(c, "STOR", "deep", blob(15 * K, 40)).startswith("226")
        assert avbl(c) == limit - 15 * K
        gone = srv.log().count("disconnected")
        c.expect("QUIT", 221)
        c.close()
        # The user's last session is over: its record goes, and the next
        # login measures the home again.
        assert wait_until(lambda: srv.log().count("disconnected") > gone, 5)
        c = login(srv, "harry")
        assert disk_usage(home) == 15 * K
        r = upload(c, "STOR", "more", blob(15 * K, 41))
        on_disk = disk_usage(home)
        assert on_disk <= limit, \
            "quota evaded: %d bytes on disk, limit %d (AVBL now %d; %r)" % (
                on_disk, limit, avbl(c), r)
        check_books(c, srv, "harry", limit, "after re-login")
        c.close()


@test
def max_depth_refuses_deeper_folders():
    """MKD, and RNTO of a folder, may not put a folder more than max_depth
    levels below the home (counted on the normalised virtual path); files
    may sit at any depth a folder may."""
    with Server(users={"harry": "pw"}, max_depth=3) as srv:
        home = srv.home("harry")
        c = login(srv, "harry")
        c.expect("MKD a", 257)
        c.expect("MKD a/b", 257)
        c.expect("MKD /a/b/c", 257)
        r = c.expect("MKD a/b/c/d", 550)
        assert "too deep (max_depth 3)" in r, r
        assert not os.path.exists(os.path.join(home, "a/b/c/d"))
        # Counted on the normalised path, from wherever the client is.
        r = c.expect("MKD a/b/c/../../../a/b/c/d", 550)
        assert "too deep (max_depth 3)" in r, r
        c.expect("MKD a/b/c/../x", 257)
        c.expect("CWD a/b/c", 250)
        c.expect("MKD d", 550)
        c.expect("MKD ../y", 257)
        assert upload(c, "STOR", "file", b"f" * 10).startswith("226")
        c.expect("CWD /", 250)
        # A folder moved below: its own subfolders count.
        c.expect("MKD t", 257)
        c.expect("MKD t/u", 257)
        c.expect("RNFR t", 350)
        r = c.expect("RNTO a/b/t", 550)
        assert "too deep (max_depth 3)" in r, r
        assert os.path.isdir(os.path.join(home, "t", "u"))
        c.expect("RNFR t", 350)
        c.expect("RNTO a/t", 250)
        assert os.path.isdir(os.path.join(home, "a", "t", "u"))
        # An empty folder moved to the last level is fine, one below not.
        c.expect("RNFR a/t/u", 350)
        c.expect("RNTO a/b/u", 250)
        c.expect("RNFR a/b/u", 350)
        c.expect("RNTO a/b/c/u", 550)
        # A file is no folder: it may go to the deepest folder.
        c.expect("RNFR a/b/c/file", 350)
        c.expect("RNTO a/b/c/renamed", 250)
        assert os.path.isfile(os.path.join(home, "a/b/c/renamed"))
        c.close()
    with Server(users={"harry": "pw"}, max_depth=0) as srv:
        c = login(srv, "harry")
        c.expect("MKD a", 257)
        c.expect("MKD a/b/c/../../b", 257)
        c.close()


@test
def max_depth_default():
    """256 levels by default: the 257th MKD is refused."""
    with Server(users={"harry": "pw"}) as srv:
        c = login(srv, "harry")
        for level in range(1, 257):
            c.expect("MKD a", 257)
            c.expect("CWD a", 250)
        r = c.expect("MKD a", 550)
        assert "too deep (max_depth 256)" in r, r
        c.close()
        assert wait_until(lambda: "deeper than max_depth 256" in srv.log())


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def build_chain(top, levels, files):
    """Makes top/d/d/.../d, levels folders deep, one level at a time
    through a folder fd (the whole path would pass PATH_MAX), holding one
    fd at a time. files maps a level to the (name, bytes) of a file put in
    the folder at that level."""
    fd = os.open(top, DIR_FLAGS)
    try:
        for level in range(1, levels + 1):
            os.mkdir("d", dir_fd=fd)
            sub = os.open("d", DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = sub
            if level in files:
                name, data = files[level]
                f = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                            0o644, dir_fd=fd)
                try:
                    os.write(f, data)
                finally:
                    os.close(f)
    finally:
        os.close(fd)


def remove_chain(top, levels):
    """Removes what build_chain made (all of it that is there), bottom up:
    down the chain of "d" folders, then back up through "..", unlinking
    each level's files and removing the folder left below. Bounded by
    levels, one fd at a time (shutil.rmtree recurses, and a chain this deep
    outruns Python's recursion limit)."""
    fd = os.open(top, DIR_FLAGS)
    depth = 0
    try:
        while depth < levels:
            try:
                sub = os.open("d", DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                break
            os.close(fd)
            fd = sub
            depth += 1
        for _ in range(depth + 1):
            for name in os.listdir(fd):
                if name == "d":
                    os.rmdir(name, dir_fd=fd)
                else:
                    os.unlink(name, dir_fd=fd)
            if depth == 0:
                break
            up = os.open("..", DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = up
            depth -= 1
    finally:
        os.close(fd)


@test
def login_with_5000_levels():
    """A home holding a folder tree 5,000 levels deep (made on disk, past
    what MKD may make: the user may have built it before max_depth, or
    through other means) is measured at login, deep files included; it
    used to fail every login with "530 Home directory unavailable" past
    1,024 levels. The tree is removed by the test, bottom up."""
    levels = 5000
    files = {1: ("top", b"t" * 100), 2500: ("mid", b"m" * 2000),
             levels: ("bottom", b"b" * 30000)}
    used = sum(len(data) for _, data in files.values())
    limit = 100 * K
    srv = Server(users={"harry": "pw"}, quotas={"harry": "100K"})
    home = srv.home("harry")
    # Not "with srv": its shutil.rmtree cannot remove the chain.
    try:
        build_chain(home, levels, files)
        srv.start()
        f = srv.ftp("harry")
        r = f.sendcmd("SITE QUOTA")
        assert "(%d of %d bytes)" % (used, limit) in r, r
        r = f.sendcmd("AVBL")
        assert r.startswith("213") and int(r.split()[1]) == limit - used, r
        # The session works, and the next first login measures again.
        f.storbinary("STOR more", io.BytesIO(b"x" * 1000))
        r = f.sendcmd("SITE QUOTA")
        assert "(%d of %d bytes)" % (used + 1000, limit) in r, r
        gone = srv.log().count("disconnected")
        f.quit()
        assert wait_until(lambda: srv.log().count("disconnected") > gone, 5)
        f = srv.ftp("harry")
        r = f.sendcmd("SITE QUOTA")
        assert "(%d of %d bytes)" % (used + 1000, limit) in r, r
        f.quit()
        assert "measuring the home" not in srv.log(), srv.log()
    finally:
        try:
            srv.stop()
        finally:
            remove_chain(home, levels + 1)
            shutil.rmtree(srv.dir)

run()
