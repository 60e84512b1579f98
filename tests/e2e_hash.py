"""
e2e_hash: the HASH extension (draft-bryan-ftpext-hash-02) against a real
burrowd: HASH, RANG (for HASH) and OPTS HASH.

Every digest is checked against coreutils (sha256sum, sha512sum, sha1sum,
md5sum run on the same file) and hashlib; ranges also against
`tail -c +N | head -c M | sha256sum`. The drafts count a range's end
inclusively: "RANG 0 49" is 50 bytes and "213 SHA-256 0-49 ...". Paths
outside the home (.., absolute, symlinks, another user's home) must fail
with 550 and no reply may carry an outside file's digest, with the default
path resolution and with BURROW_JAIL=walk. A long hash must leave other
sessions answering, and the server's shutdown must cut it short.
"""
import hashlib
import os
import re
import select
import subprocess
import time

from harness import Server, run, test

ALGS = {"SHA-256": ("sha256", "sha256sum"), "SHA-512": ("sha512", "sha512sum"),
        "SHA-1": ("sha1", "sha1sum"), "MD5": ("md5", "md5sum")}
REPLY = re.compile(r"^213 (\S+) (\d+)-(\d+) ([0-9a-f]+) (.*)\r\n$")
MiB = 1024 * 1024


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def pattern(n, seed=0):
    """n bytes that differ from one position to the next."""
    block = bytes((i * 131 + seed) & 0xff for i in range(251))
    return (block * (n // 251 + 1))[:n]


def coreutils(alg, path):
    out = subprocess.run([ALGS[alg][1], "-b", path], check=True,
                         capture_output=True, timeout=60).stdout.decode()
    return out.split()[0]


def coreutils_range(alg, path, first, last):
    """tail -c +N | head -c M | <alg>sum of bytes first..last inclusive."""
    cmd = "tail -c +%d '%s' | head -c %d | %s" % (
        first + 1, path, last - first + 1, ALGS[alg][1])
    out = subprocess.run(["sh", "-c", cmd], check=True, capture_output=True,
                         timeout=60).stdout.decode()
    return out.split()[0]


def hashlib_of(alg, data):
    return hashlib.new(ALGS[alg][0], data).hexdigest()


def session(srv, user="harry"):
    c = srv.raw()
    c.expect(None, 220)
    c.login(user, srv.users[user])
    return c


def hash_ok(c, path):
    """HASH path; asserts a well-formed 213; returns (alg, first, last, hex)."""
    r = c.cmd("HASH " + path)
    m = REPLY.match(r)
    assert m, "HASH %s -> %r" % (path, r)
    alg, first, last, hexd, name = m.groups()
    assert name == path, (path, r)
    assert alg in ALGS, r
    assert len(hexd) == len(hashlib_of(alg, b"")), r
    assert int(last) >= int(first), r
    return alg, int(first), int(last), hexd


@test
def feat_lists_algorithms_and_marks_the_selected_one():
    with Server() as srv:
        c = session(srv)
        r = c.cmd("FEAT")
        assert "\r\n HASH SHA-256*;SHA-512;SHA-1;MD5\r\n" in r, r
        # RANG is for HASH only: RETR and STOR ignore it, so the server
        # must not claim "RANG STREAM".
        assert "RANG" not in r, r
        c.expect("OPTS HASH md5", 200)
        r = c.cmd("FEAT")
        assert "\r\n HASH SHA-256;SHA-512;SHA-1;MD5*\r\n" in r, r
        c.close()


@test
def whole_files_match_coreutils():
    with Server() as srv:
        home = srv.home("harry")
        os.makedirs(os.path.join(home, "sub", "dir"))
        files = {"abc": b"abc",
                 "one": b"x",
                 "text.txt": b"line one\nline two\r\nthree\n",
                 "big.bin": pattern(MiB + 7),
                 "name with  spaces.bin": pattern(70001, 5),
                 "sub/dir/deep.bin": pattern(300000, 9)}
        for name, data in files.items():
            write(os.path.join(home, name), data)
        c = session(srv)
        for alg in ALGS:
            assert c.cmd("OPTS HASH " + alg) == "200 %s\r\n" % alg
            for name, data in files.items():
                got = hash_ok(c, name)
                path = os.path.join(home, name)
                assert got == (alg, 0, len(data) - 1, coreutils(alg, path)), \
                    (name, got)
                assert got[3] == hashlib_of(alg, data)
        # The same file by absolute, relative and dotted paths.
        c.expect("OPTS HASH SHA-256", 200)
        want = coreutils("SHA-256", os.path.join(home, "sub/dir/deep.bin"))
        assert hash_ok(c, "/sub/dir/deep.bin")[3] == want
        assert hash_ok(c, "sub/./dir/../dir/deep.bin")[3] == want
        c.expect("CWD /sub", 250)
        assert hash_ok(c, "dir/deep.bin")[3] == want
        assert hash_ok(c, "../sub/dir/deep.bin")[3] == want
        c.close()


@test
def empty_file_is_0_0():
    with Server() as srv:
        write(os.path.join(srv.home("harry"), "empty"), b"")
        c = session(srv)
        for alg in ALGS:
            c.expect("OPTS HASH " + alg, 200)
            r = c.cmd("HASH empty")
            assert r == "213 %s 0-0 %s empty\r\n" % (
                alg, coreutils(alg, os.path.join(srv.home("harry"),
                                                 "empty"))), r
        # A range cannot start inside an empty file.
        c.expect("RANG 0 0", 350)
        c.expect("HASH empty", 554)
        c.close()


@test
def ranges_match_tail_head_and_hashlib():
    size = 700001
    data = pattern(size, 3)
    with Server() as srv:
        path = os.path.join(srv.home("harry"), "r.bin")
        write(path, data)
        c = session(srv)
        cases = [(0, 0), (0, 49), (10, 99), (262143, 262144), (262144, 524288),
                 (1000, 600000), (size - 1, size - 1), (0, size - 1),
                 (5, size + 1000), (0, 10 ** 15), (size - 2, 2 ** 62)]
        for alg in ALGS:
            c.expect("OPTS HASH " + alg, 200)
            for first, last in cases:
                r = c.cmd("RANG %d %d" % (first, last))
                assert r.startswith("350 "), r
                got = hash_ok(c, "r.bin")
                end = min(last, size - 1)     # cut to the file's last byte
                assert got[:3] == (alg, first, end), (first, last, got)
                assert got[3] == hashlib_of(alg, data[first:end + 1]), \
                    (alg, first, last)
                if alg in ("SHA-256", "MD5"):
                    assert got[3] == coreutils_range(alg, path, first, end)
        c.close()


@test
def rang_applies_to_the_next_hash_only():
    data = pattern(5000)
    with Server() as srv:
        write(os.path.join(srv.home("harry"), "f"), data)
        c = session(srv)
        whole = hashlib_of("SHA-256", data)
        r = c.cmd("RANG 0 99")
        assert r == "350 Restarting at 0. Ending byte at 99.\r\n", r
        assert hash_ok(c, "f") == ("SHA-256", 0, 99,
                                   hashlib_of("SHA-256", data[:100]))
        assert hash_ok(c, "f") == ("SHA-256", 0, 4999, whole)
        # Other commands in between leave it waiting for HASH.
        c.expect("RANG 10 19", 350)
        c.expect("NOOP", 200)
        c.expect("PWD", 257)
        c.expect("OPTS HASH SHA-256", 200)
        assert hash_ok(c, "f")[1:] == (10, 19,
                                       hashlib_of("SHA-256", data[10:20]))
        # A HASH that fails uses it up too.
        c.expect("RANG 10 19", 350)
        c.expect("HASH missing", 550)
        assert hash_ok(c, "f")[1:] == (0, 4999, whole)
        # The last RANG wins.
        c.expect("RANG 10 19", 350)
        c.expect("RANG 20 29", 350)
        assert hash_ok(c, "f")[1:3] == (20, 29)
        # Another session has no range of its own.
        c.expect("RANG 10 19", 350)
        c2 = session(srv)
        assert hash_ok(c2, "f")[1:] == (0, 4999, whole)
        c2.close()
        assert hash_ok(c, "f")[1:3] == (10, 19)
        c.close()


@test
def rang_reset_and_errors():
    data = pattern(50)
    with Server() as srv:
        write(os.path.join(srv.home("harry"), "f"), data)
        c = session(srv)
        whole = ("SHA-256", 0, 49, hashlib_of("SHA-256", data))
        # "RANG 1 0" resets, with 350.
        c.expect("RANG 0 9", 350)
        c.expect("RANG 1 0", 350)
        assert hash_ok(c, "f") == whole
        # start > end: 501, and the range is reset.
        c.expect("RANG 0 9", 350)
        c.expect("RANG 5 2", 501)
        assert hash_ok(c, "f") == whole
        # Syntax errors: 501 and reset.
        for bad in ["RANG 5", "RANG x y", "RANG -1 5", "RANG 1 -5",
                    "RANG 1 2 3", "RANG 1  2", "RANG  1 2", "RANG 1 2 ",
                    "RANG 0x1 5", "RANG +1 5",
                    "RANG 99999999999999999999 1",
                    "RANG 1 99999999999999999999"]:
            c.expect("RANG 0 9", 350)
            r = c.cmd(bad)
            assert r.startswith("501 "), (bad, r)
            assert hash_ok(c, "f") == whole, bad
        # Without an argument: 501 (from the command table).
        c.expect("RANG", 501)
        c.expect("RANG 1 0", 350)
        # A start at or past the end of the file: 554 at HASH, then reset.
        for first in (50, 51, 10 ** 12):
            c.expect("RANG %d %d" % (first, first + 10), 350)
            r = c.cmd("HASH f")
            assert r.startswith("554 "), r
            assert hash_ok(c, "f") == whole
        # The largest offsets parse.
        c.expect("RANG 0 9223372036854775807", 350)
        assert hash_ok(c, "f") == whole
        c.close()


@test
def opts_hash_selection_persists():
    data = pattern(123457)
    with Server() as srv:
        path = os.path.join(srv.home("harry"), "f")
        write(path, data)
        c = session(srv)
        assert c.cmd("OPTS HASH") == "200 SHA-256\r\n"
        assert hash_ok(c, "f")[0] == "SHA-256"
        assert c.cmd("OPTS HASH sha-512") == "200 SHA-512\r\n"
        for _ in range(3):
            assert hash_ok(c, "f") == ("SHA-512", 0, len(data) - 1,
                                       coreutils("SHA-512", path))
            c.expect("NOOP", 200)
        assert c.cmd("OPTS HASH") == "200 SHA-512\r\n"
        assert c.cmd("opts hash") == "200 SHA-512\r\n"
        # Unknown: 501, selection kept.
        for bad in ["CRC-37", "SHA256", "SHA-384", "sha-512x", "MD5 MD5"]:
            r = c.cmd("OPTS HASH " + bad)
            assert r == "501 Unknown algorithm, current selection not " \
                "changed\r\n", (bad, r)
            assert c.cmd("OPTS HASH") == "200 SHA-512\r\n"
        assert hash_ok(c, "f")[0] == "SHA-512"
        # Every name in any case.
        for name in ALGS:
            for spelled in (name, name.lower(), name.title()):
                assert c.cmd("OPTS HASH " + spelled) == "200 %s\r\n" % name
                assert hash_ok(c, "f")[::3] == (name,
                                                coreutils(name, path))
        # A new session starts with the default.
        c2 = session(srv)
        assert c2.cmd("OPTS HASH") == "200 SHA-256\r\n"
        assert hash_ok(c2, "f")[0] == "SHA-256"
        c2.close()
        c.close()


@test
def type_a_does_not_change_the_digest():
    data = b"one\ntwo\nthree\r\nfour\n" * 100
    with Server() as srv:
        write(os.path.join(srv.home("harry"), "t.txt"), data)
        c = session(srv)
        c.expect("TYPE A", 200)
        assert hash_ok(c, "t.txt")[3] == hashlib_of("SHA-256", data)
        c.close()


@test
def errors_not_found_directory_special_files():
    with Server() as srv:
        home = srv.home("harry")
        os.mkdir(os.path.join(home, "dir"))
        os.mkfifo(os.path.join(home, "fifo"))
        os.symlink("nowhere", os.path.join(home, "dangling"))
        os.symlink("dir", os.path.join(home, "dirlink"))
        write(os.path.join(home, "f"), b"abc")
        c = session(srv)
        for name in ("missing", "dir/missing", "f/x", "dangling"):
            r = c.cmd("HASH " + name)
            assert r.startswith("550 "), (name, r)
        # The draft: 553 for a directory.
        for name in ("dir", "/", ".", "dir/", "dirlink", "..", "../.."):
            r = c.cmd("HASH " + name)
            assert r.startswith("553 "), (name, r)
        # A FIFO is not a plain file, and must not block the session.
        t0 = time.monotonic()
        r = c.cmd("HASH fifo")
        assert r.startswith("550 ") and "plain file" in r, r
        assert time.monotonic() - t0 < 2
        r = c.cmd("HASH")
        assert r.startswith("501 "), r
        c.expect("NOOP", 200)
        # Before login.
        c2 = srv.raw()
        c2.expect(None, 220)
        c2.expect("HASH f", 530)
        c2.expect("RANG 0 1", 530)
        c2.close()
        c.close()


def jail_case(env):
    users = {"harry": "pw", "beal": "pw2"}
    with Server(users=users, env=env) as srv:
        harry = srv.home("harry")
        out_secret = os.path.join(srv.dir, "outside-secret.txt")
        root_secret = os.path.join(srv.home_root, "root-secret.txt")
        beal_secret = os.path.join(srv.home("beal"), "beal-secret.txt")
        secrets = {out_secret: pattern(4242, 1), root_secret: pattern(777, 2),
                   beal_secret: pattern(1337, 3)}
        for p, d in secrets.items():
            write(p, d)
        mine = b"harry's own\n"
        write(os.path.join(harry, "mine.txt"), mine)
        # Digests that must never appear, whole and of any small prefix.
        forbidden = set()
        for d in secrets.values():
            for alg in ALGS:
                forbidden.add(hashlib_of(alg, d))
                for n in (1, 10, 100):
                    forbidden.add(hashlib_of(alg, d[:n]))
        links = {"L_abs": out_secret, "L_root": root_secret,
                 "L_beal": beal_secret, "L_rel": "../../outside-secret.txt",
                 "L_relroot": "../root-secret.txt",
                 "L_relbeal": "../beal/beal-secret.txt",
                 "L_dir": srv.dir, "L_up": "../..",
                 "L_chain": "L_up/outside-secret.txt"}
        for name, target in links.items():
            os.symlink(target, os.path.join(harry, name))
        # A link inside the home works.
        os.symlink("mine.txt", os.path.join(harry, "L_mine"))
        os.symlink("/mine.txt", os.path.join(harry, "L_mine_abs"))
        paths = ["../outside-secret.txt", "../../outside-secret.txt",
                 "../../../outside-secret.txt", "/../outside-secret.txt",
                 "../root-secret.txt", "/../root-secret.txt",
                 "../beal/beal-secret.txt", "/../beal/beal-secret.txt",
                 out_secret, root_secret, beal_secret,
                 "..\\outside-secret.txt", "L_abs", "L_root", "L_beal",
                 "L_rel", "L_relroot", "L_relbeal",
                 "L_dir/outside-secret.txt", "L_up/outside-secret.txt",
                 "L_up/root-secret.txt", "L_up/beal/beal-secret.txt",
                 "L_chain", "/etc/passwd", "../../../../etc/passwd"]
        c = session(srv)
        for alg in ALGS:
            c.expect("OPTS HASH " + alg, 200)
            for p in paths:
                for ranged in (False, True):
                    if ranged:
                        c.expect("RANG 0 9", 350)
                    r = c.cmd("HASH " + p)
                    assert r.startswith("550 "), (env, alg, p, r)
                    for f in forbidden:
                        assert f not in r, (env, alg, p, r)
            for p in ("L_mine", "L_mine_abs", "mine.txt", "/mine.txt"):
                assert hash_ok(c, p)[3] == hashlib_of(alg, mine), p
        # The log does not leak them either.
        c.close()
        log = srv.log()
        for f in forbidden:
            assert f not in log


@test
def jail_default_resolution():
    jail_case({})


@test
def jail_walk_resolution():
    jail_case({"BURROW_JAIL": "walk"})


@test
def big_sparse_file_does_not_stall_other_sessions():
    size = 100 * MiB
    with Server() as srv:
        path = os.path.join(srv.home("harry"), "sparse.bin")
        with open(path, "wb") as f:
            f.truncate(size)
        h = hashlib.sha256()
        zeros = bytes(MiB)
        for _ in range(size // MiB):
            h.update(zeros)
        want = h.hexdigest()
        a = session(srv)
        b = session(srv)
        a.expect("OPTS HASH SHA-256", 200)
        a.send("HASH sparse.bin")
        t_start = time.monotonic()
        answered_during = 0
        worst = 0.0
        while True:
            busy = not select.select([a.sock], [], [], 0)[0]
            t0 = time.monotonic()
            b.expect("NOOP", 200)
            took = time.monotonic() - t0
            worst = max(worst, took)
            assert took < 1.0, "NOOP took %.3fs while another session " \
                "hashed" % took
            if busy and not select.select([a.sock], [], [], 0)[0]:
                answered_during += 1
            if not busy:
                break
            assert time.monotonic() - t_start < 60, "HASH never answered"
        r = a.reply()
        elapsed = time.monotonic() - t_start
        assert r == "213 SHA-256 0-%d %s sparse.bin\r\n" % (size - 1, want), r
        assert answered_during >= 1, \
            "no NOOP fell inside the hash (%.3fs)" % elapsed
        print("# hash of 100 MiB: %.3fs, %d NOOPs answered meanwhile, "
              "slowest %.1f ms" % (elapsed, answered_during, worst * 1000))
        assert coreutils("SHA-256", path) == want
        a.close()
        b.close()


@test
def shutdown_cuts_a_long_hash_short():
    srv = Server(shutdown_grace=1)
    with srv:
        path = os.path.join(srv.home("harry"), "huge.bin")
        with open(path, "wb") as f:
            f.truncate(1 << 40)          # 1 TiB of hole: minutes of work
        a = session(srv)
        a.send("HASH huge.bin")
        time.sleep(0.5)
        assert not select.select([a.sock], [], [], 0)[0], "answered early"
        t0 = time.monotonic()
        srv.stop()                       # SIGTERM; asserts exit status 0
        took = time.monotonic() - t0
        assert took < 10, "shutdown took %.1fs" % took
        r = a.reply()
        assert r.startswith("421 "), r
        a.close()


# --- the digest kept with the file (hash_cache) -----------------------------

XATTR = "user.burrow.hash.sha256"


def kept(path):
    """The digest burrowd keeps in path's attribute, or None."""
    try:
        v = os.getxattr(path, XATTR).decode()
    except OSError:
        return None
    return v.split()[-1]


def kept_answers(srv):
    """How many HASH replies came from a kept digest, by the log."""
    return srv.log().count("(kept with the file)")


def past_window():
    """A change must land after the attribute's 20 ms window to show."""
    time.sleep(0.05)


@test
def hash_after_stor_is_kept_and_answers_at_once():
    from harness import raw_upload
    with Server() as srv:
        home = srv.home("harry")
        data = pattern(3 * MiB + 11, 3)
        c = session(srv)
        assert raw_upload(c, "STOR", "up.bin", data).startswith("226")
        path = os.path.join(home, "up.bin")
        # The upload's digest is there before any HASH, computed as the
        # bytes arrived.
        assert kept(path) == hashlib_of("SHA-256", data), kept(path)
        before = kept_answers(srv)
        t0 = time.monotonic()
        got = hash_ok(c, "up.bin")
        took = time.monotonic() - t0
        assert got == ("SHA-256", 0, len(data) - 1,
                       coreutils("SHA-256", path)), got
        assert kept_answers(srv) == before + 1, srv.log()[-500:]
        print("# HASH of a fresh 3 MiB upload: %.4f s" % took)
        # A replacement upload (a new inode renamed over the old) keeps
        # the new digest; the old one is gone with its inode.
        data2 = pattern(MiB, 8)
        assert raw_upload(c, "STOR", "up.bin", data2).startswith("226")
        assert kept(path) == hashlib_of("SHA-256", data2)
        assert hash_ok(c, "up.bin")[3] == hashlib_of("SHA-256", data2)
        # Another algorithm selected: the upload is hashed with it.
        c.expect("OPTS HASH SHA-512", 200)
        assert raw_upload(c, "STOR", "five.bin", data2).startswith("226")
        v = os.getxattr(os.path.join(home, "five.bin"),
                        "user.burrow.hash.sha512").decode().split()[-1]
        assert v == hashlib_of("SHA-512", data2)
        assert hash_ok(c, "five.bin")[3] == v
        c.close()


@test
def hash_after_appe_and_rest_stor_is_right():
    from harness import raw_upload
    with Server() as srv:
        home = srv.home("harry")
        path = os.path.join(home, "grow.bin")
        a, b = pattern(500000, 1), pattern(300000, 2)
        c = session(srv)
        assert raw_upload(c, "STOR", "grow.bin", a).startswith("226")
        assert hash_ok(c, "grow.bin")[3] == hashlib_of("SHA-256", a)
        past_window()
        assert raw_upload(c, "APPE", "grow.bin", b).startswith("226")
        # The kept digest (of a alone) is stale: the answer is computed.
        assert hash_ok(c, "grow.bin")[3] == hashlib_of("SHA-256", a + b)
        # ... and kept from then on.
        assert kept(path) == hashlib_of("SHA-256", a + b)
        past_window()
        # REST + STOR over the middle.
        assert raw_upload(c, "STOR", "grow.bin", b, rest=100000) \
            .startswith("226")
        want = a[:100000] + b
        assert hash_ok(c, "grow.bin")[3] == hashlib_of("SHA-256", want)
        assert hash_ok(c, "grow.bin")[3] == coreutils("SHA-256", path)
        # RANG is computed, never taken from the whole file's digest.
        c.expect("RANG 0 9", 350)
        assert hash_ok(c, "grow.bin")[3] == hashlib_of("SHA-256", want[:10])
        c.close()


@test
def hash_after_an_out_of_band_change_is_recomputed():
    with Server() as srv:
        home = srv.home("harry")
        path = os.path.join(home, "f.bin")
        data = pattern(200000, 4)
        write(path, data)
        c = session(srv)
        assert hash_ok(c, "f.bin")[3] == hashlib_of("SHA-256", data)
        assert kept(path) == hashlib_of("SHA-256", data)
        n = kept_answers(srv)
        assert hash_ok(c, "f.bin")[3] == hashlib_of("SHA-256", data)
        assert kept_answers(srv) == n + 1
        # Rewritten in place, same size, the old mtime put back.
        st = os.stat(path)
        past_window()
        changed = b"Z" + data[1:]
        with open(path, "r+b") as f:
            f.write(b"Z")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert os.stat(path).st_mtime_ns == st.st_mtime_ns
        assert os.stat(path).st_size == st.st_size
        assert hash_ok(c, "f.bin")[3] == hashlib_of("SHA-256", changed)
        assert kept_answers(srv) == n + 1, "a stale digest was answered"
        # A forged attribute for another inode (a copy) is not believed.
        past_window()
        other = os.path.join(home, "copy.bin")
        write(other, changed)
        os.setxattr(other, XATTR, os.getxattr(path, XATTR))
        os.utime(other, ns=(st.st_atime_ns, os.stat(path).st_mtime_ns))
        assert hash_ok(c, "copy.bin")[3] == hashlib_of("SHA-256", changed)
        # Garbage in the attribute is ignored and replaced.
        os.setxattr(path, XATTR, b"burrow1 not a value")
        assert hash_ok(c, "f.bin")[3] == hashlib_of("SHA-256", changed)
        assert kept(path) == hashlib_of("SHA-256", changed)
        c.close()


@test
def hash_after_mfmt_is_right():
    """MFMT changes the times a kept digest names: the digest is computed
    again (the same bytes, the same answer), kept anew, and an MFMT that
    puts a rewritten file's old mtime back does not bring the old digest
    back to life."""
    from harness import raw_upload
    with Server() as srv:
        home = srv.home("harry")
        path = os.path.join(home, "up.bin")
        data = pattern(300000, 6)
        c = session(srv)
        assert raw_upload(c, "STOR", "up.bin", data).startswith("226")
        assert kept(path) == hashlib_of("SHA-256", data)
        past_window()
        r = c.cmd("MFMT 20200102030405 up.bin").rstrip("\r\n")
        assert r == "213 Modify=20200102030405; up.bin", r
        assert os.stat(path).st_mtime == 1577934245
        n = kept_answers(srv)
        assert hash_ok(c, "up.bin")[3] == hashlib_of("SHA-256", data)
        assert kept_answers(srv) == n, "a digest of other times answered"
        assert kept(path) == hashlib_of("SHA-256", data)
        assert hash_ok(c, "up.bin")[3] == hashlib_of("SHA-256", data)
        assert kept_answers(srv) == n + 1, srv.log()[-500:]
        # Rewritten in place, same size; MFMT puts the exact old mtime
        # back (nanoseconds and all).
        st = os.stat(path)
        past_window()
        changed = b"Q" + data[1:]
        with open(path, "r+b") as f:
            f.write(b"Q")
        when = time.strftime("%Y%m%d%H%M%S", time.gmtime(st.st_mtime_ns //
                                                        10**9))
        r = c.cmd("MFMT %s.%09d up.bin" % (when, st.st_mtime_ns % 10**9))
        assert r.startswith("213 "), r
        assert os.stat(path).st_mtime_ns == st.st_mtime_ns
        assert os.stat(path).st_size == st.st_size
        assert hash_ok(c, "up.bin")[3] == hashlib_of("SHA-256", changed)
        assert kept_answers(srv) == n + 1, "a stale digest was answered"
        c.close()


@test
def hash_cache_off_keeps_nothing():
    from harness import raw_upload
    with Server(hash_cache=False) as srv:
        home = srv.home("harry")
        data = pattern(400000, 6)
        c = session(srv)
        assert raw_upload(c, "STOR", "up.bin", data).startswith("226")
        assert hash_ok(c, "up.bin")[3] == hashlib_of("SHA-256", data)
        assert kept(os.path.join(home, "up.bin")) is None
        assert kept_answers(srv) == 0
        c.close()


@test
def a_file_system_without_user_attributes_still_answers():
    """ramfs takes no user.* attributes: HASH computes as without them."""
    if os.geteuid() != 0:
        print("# SKIP: mounting ramfs needs root")
        return
    from harness import raw_upload
    with Server() as srv:
        home = srv.home("harry")
        r = subprocess.run(["mount", "-t", "ramfs", "ramfs", home],
                           capture_output=True, timeout=10)
        if r.returncode != 0:
            print("# SKIP: cannot mount ramfs: %s" % r.stderr.decode().strip())
            return
        try:
            data = pattern(700000, 7)
            c = session(srv)
            assert raw_upload(c, "STOR", "up.bin", data).startswith("226")
            path = os.path.join(home, "up.bin")
            assert kept(path) is None
            for _ in range(2):
                assert hash_ok(c, "up.bin")[3] == hashlib_of("SHA-256", data)
            assert kept_answers(srv) == 0
            assert "not kept" not in srv.log(), srv.log()[-500:]
            c.close()
        finally:
            subprocess.run(["umount", "-l", home], timeout=10)


def hash_lines(srv):
    return [l for l in srv.log().splitlines() if " HASH " in l]


@test
def hash_after_a_download_is_computed_beside_it():
    """A whole-file RETR hashes the file on a thread while it is sent:
    the HASH after the 226 finds the digest ready, kept with the file
    (hash_cache) or, without it, held for that HASH only."""
    for cache in (True, False):
        with Server(hash_cache=cache) as srv:
            home = srv.home("harry")
            path = os.path.join(home, "big.bin")
            data = pattern(4 * MiB + 3, 11)
            write(path, data)
            c = session(srv)
            want = "(kept with the file)" if cache else \
                "(computed beside the download)"
            # Keeping refuses a digest whose attribute took longer than
            # its 20 ms window to write (a thread descheduled on a busy
            # machine): then it is computed beside, and the next try keeps.
            for tries in range(5):
                got, r = c.transfer("RETR big.bin")
                assert got == data and r.startswith("226"), r
                assert hash_ok(c, "big.bin")[3] == \
                    hashlib_of("SHA-256", data)
                lines = hash_lines(srv)
                assert len(lines) == tries + 1, lines
                if lines[-1].endswith(want):
                    break
                assert cache and lines[-1].endswith(
                    "(computed beside the download)"), lines
                past_window()
            assert lines[-1].endswith(want), lines
            assert (kept(path) is not None) == cache
            # Changed after the download: the answer is of the new bytes.
            past_window()
            got, r = c.transfer("RETR big.bin")
            assert r.startswith("226"), r
            with open(path, "r+b") as f:
                f.write(b"Q")
            assert hash_ok(c, "big.bin")[3] == \
                hashlib_of("SHA-256", b"Q" + data[1:])
            # A resumed RETR starts none: the HASH computes.
            past_window()
            with open(path, "r+b") as f:
                f.write(b"R")
            c.expect("REST 1000", 350)
            got, r = c.transfer("RETR big.bin")
            assert got == (b"R" + data[1:])[1000:], len(got)
            n = len(hash_lines(srv))
            assert hash_ok(c, "big.bin")[3] == \
                hashlib_of("SHA-256", b"R" + data[1:])
            last = hash_lines(srv)[n]
            assert not last.endswith(")"), last     # computed, not kept
            c.close()


run()
