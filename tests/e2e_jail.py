"""
e2e_jail: no user can reach anything outside their home.

Two users, harry and beal, each with a home; a secret in beal's home and
one outside the home root. harry tries ".." in every form, absolute paths,
backslashes, NUL bytes, over-long paths, and symlinks that the test plants
in his home pointing at beal's home, at the outside secret, at "../../" and
at "../beal/...", with every command that takes a path (SITE CHMOD too). Whatever is outside
his home must never be read, listed, sized, dated, written, renamed or
deleted: every reply and every byte of data is searched for the secrets,
and the whole tree outside harry's home is compared before and after.

The suite runs twice: with the default resolution (openat2) and with
BURROW_JAIL=walk, the user-space walk that stands in for it.
"""
import contextlib
import ftplib
import hashlib
import io
import os
import stat

from harness import Server, run, test

BEAL_SECRET = b"BEAL-SECRET-b7e1" + b"b" * (1337 - 16)
OUT_SECRET = b"OUTSIDE-SECRET-91c2" + b"o" * (4242 - 19)
OUT_DIR_SECRET = b"OUTDIR-SECRET-5d0e" + b"d" * (2323 - 18)
# Distinctive sizes and dates: none of them may ever appear in a reply.
BEAL_MTIME = 1000000001          # 2001-09-09 01:46:41 UTC
OUT_MTIME = 981173106            # 2001-02-03 04:05:06 UTC
MARKERS = [b"BEAL-SECRET", b"OUTSIDE-SECRET", b"OUTDIR-SECRET",
           b"1337", b"4242", b"2323", b"20010909014641", b"20010203040506",
           b"root:x:0:0"]
# Names that only exist outside harry's home.
FOREIGN_NAMES = {"beal-secret.txt", "outside-secret.txt", "od-secret.txt",
                 "bealdir", "inner.txt", "outside-dir", "burrowd.conf",
                 "users.conf", "burrowd.log", "home", "passwd"}
MINE = b"harry's own file\n"

MODES = [("default", {}), ("walk", {"BURROW_JAIL": "walk"})]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def snapshot(top, skip):
    """Everything under top except the paths in skip: type, mode, size,
    mtime, content digest or link target, inode."""
    out = {}
    for d, dirs, files in os.walk(top):
        dirs[:] = [n for n in dirs if os.path.join(d, n) not in skip]
        for n in dirs + files:
            p = os.path.join(d, n)
            if p in skip:
                continue
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                what = "link:" + os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                what = hashlib.sha256(read(p)).hexdigest()
            else:
                what = "dir"
            out[os.path.relpath(p, top)] = (
                stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
                st.st_size if not stat.S_ISDIR(st.st_mode) else 0,
                st.st_mtime_ns, st.st_ino, what)
    return out


def assert_clean(what, data):
    """No secret, no foreign size or date in data (str or bytes)."""
    if isinstance(data, str):
        data = data.encode(errors="replace")
    for m in MARKERS:
        assert m not in data, "%s leaked %r: %r" % (what, m, data[:400])


def names_of(lines):
    """The names in LIST/NLST/MLSD output lines."""
    out = set()
    for l in lines:
        l = l.rstrip("\r\n")
        if not l:
            continue
        if "; " in l and "=" in l.split("; ")[0]:
            out.add(l.split("; ", 1)[1])
        else:
            out.add(l.split(" ")[-1].split("/")[-1])
    return out


class Jail:
    """A burrowd with harry and beal, the secrets, and harry's links."""

    def __init__(self, env):
        self.srv = Server(users={"harry": "pw", "beal": "pw2"}, env=env)
        self.env = env
        s = self.srv
        self.harry = s.home("harry")
        self.beal = s.home("beal")
        self.beal_secret = os.path.join(self.beal, "beal-secret.txt")
        self.out_secret = os.path.join(s.dir, "outside-secret.txt")
        self.out_dir = os.path.join(s.dir, "outside-dir")
        write(self.beal_secret, BEAL_SECRET)
        os.utime(self.beal_secret, (BEAL_MTIME, BEAL_MTIME))
        os.mkdir(os.path.join(self.beal, "bealdir"))
        write(os.path.join(self.beal, "bealdir", "inner.txt"), BEAL_SECRET)
        write(self.out_secret, OUT_SECRET)
        os.utime(self.out_secret, (OUT_MTIME, OUT_MTIME))
        os.mkdir(self.out_dir)
        write(os.path.join(self.out_dir, "od-secret.txt"), OUT_DIR_SECRET)
        write(os.path.join(self.harry, "mine.txt"), MINE)
        os.mkdir(os.path.join(self.harry, "sub"))
        write(os.path.join(self.harry, "sub", "deep.txt"), b"deep\n")
        # name -> what the link resolves to inside harry's home (None:
        # nothing there, so every use must fail)
        self.links = {
            "L_beal": (self.beal, None),
            "L_beal_secret": (self.beal_secret, None),
            "L_beal_dir": (os.path.join(self.beal, "bealdir"), None),
            "L_out": (self.out_secret, None),
            "L_outdir": (self.out_dir, None),
            "L_homeroot": (s.home_root, None),
            "L_up1": ("..", "/"),
            "L_up2": ("../../", "/"),
            "L_up9": ("../" * 9, "/"),
            "L_rel": ("../beal/beal-secret.txt", None),
            "L_relbeal": ("../beal", None),
            "L_relout": ("../../outside-secret.txt", None),
            "L_reloutdir": ("../../outside-dir", None),
            "L_chain": ("L_up2/beal/beal-secret.txt", None),
            "L_chain2": ("L_up9/../beal", None),
            "L_root": ("/", "/"),
            "L_proc": ("/proc/self/root" + self.out_secret, None),
            "L_proc_cwd": ("/proc/self/cwd", None),
            "L_etc": ("/etc/passwd", None),
            "L_dangle_out": (os.path.join(s.dir, "planted-outside.txt"),
                             None),
            "L_dangle_beal": (os.path.join(self.beal, "planted.txt"), None),
            "L_dangle_rel": ("../../planted-rel.txt", "/planted-rel.txt"),
            "sub/L_deep": ("../../../outside-secret.txt", None),
            "sub/L_deepdir": ("../../../beal", None),
        }
        for name, (target, _) in self.links.items():
            os.symlink(target, os.path.join(self.harry, name))
        self.skip = {self.harry, s.log_path}

    def check_env(self):
        """The server really runs with the environment asked for."""
        with open("/proc/%d/environ" % self.srv.proc.pid, "rb") as f:
            environ = f.read().split(b"\0")
        for k, v in self.env.items():
            assert ("%s=%s" % (k, v)).encode() in environ, environ

    def check_outside(self):
        after = snapshot(self.srv.dir, self.skip)
        changed = {k for k in set(self.before) | set(after)
                   if self.before.get(k) != after.get(k)}
        assert not changed, "changed outside harry's home: %s" % sorted(
            changed)
        assert read(self.beal_secret) == BEAL_SECRET
        assert read(self.out_secret) == OUT_SECRET

    def ftp(self):
        return self.srv.ftp("harry")


@contextlib.contextmanager
def jail(env):
    """A started Jail; on a clean exit, checks nothing outside harry's
    home changed."""
    j = Jail(env)
    with j.srv:
        j.check_env()
        # after the start, which created the log: only the clients count
        j.before = snapshot(j.srv.dir, j.skip)
        yield j
        j.check_outside()


def attempt(fn, *args):
    """("ok", value) or ("err", reply text) for a command that may fail."""
    try:
        return "ok", fn(*args)
    except (ftplib.error_perm, ftplib.error_temp, ftplib.error_reply) as e:
        return "err", str(e)


def retr(ftp, path):
    buf = io.BytesIO()
    st, v = attempt(ftp.retrbinary, "RETR " + path, buf.write)
    data = buf.getvalue()
    assert_clean("RETR %s" % path, data)
    assert_clean("RETR %s reply" % path, v)
    return (st, data) if st == "ok" else (st, v)


def listing(ftp, verb, path):
    lines = []
    st, v = attempt(ftp.retrlines, (verb + " " + path).rstrip(),
                    lines.append)
    assert_clean("%s %s" % (verb, path), "\n".join(lines))
    assert_clean("%s %s reply" % (verb, path), v)
    if st != "ok":
        return st, v
    bad = names_of(lines) & FOREIGN_NAMES
    assert not bad, "%s %s listed %s: %s" % (verb, path, bad, lines)
    return st, lines


def cmd(ftp, line):
    st, v = attempt(ftp.sendcmd, line)
    assert_clean(line, v)
    return st, v


def pwd(ftp):
    p = ftp.pwd()
    assert p.startswith("/"), p
    return p


def must_fail(what, result):
    assert result[0] == "err", "%s succeeded: %r" % (what, result[1])
    assert result[1][:1] == "5", "%s: %r" % (what, result[1])


def stor(ftp, path, data=b"written by harry\n", verb="STOR"):
    st, v = attempt(ftp.storbinary, "%s %s" % (verb, path),
                    io.BytesIO(data))
    assert_clean("%s %s" % (verb, path), v)
    return st, v


def inside_files(j):
    """Every regular file in harry's home, by real path."""
    out = set()
    for d, dirs, files in os.walk(j.harry):
        for n in files:
            p = os.path.join(d, n)
            if not os.path.islink(p):
                out.add(p)
    return out


_jail_tests = []


def jail_test(fn):
    _jail_tests.append(fn)
    return fn


# --- ".." and absolute paths -----------------------------------------------


@jail_test
def cwd_dotdot(env):
    with jail(env) as j:
        ftp = j.ftp()
        for arg in ("..", "../..", "/..", "/../..", "../../..", "./../.",
                    "sub/../..", "sub/../../..", "//..//..", "/./../"):
            st, v = cmd(ftp, "CWD " + arg)
            assert pwd(ftp) == "/", (arg, v, ftp.pwd())
            st, lines = listing(ftp, "NLST", "")
            assert "mine.txt" in lines, (arg, lines)
        cmd(ftp, "CWD sub")
        for _ in range(5):
            cmd(ftp, "CDUP")
        assert pwd(ftp) == "/"
        for arg in ("../beal", "/../beal", "../../home/beal", "sub/../../beal",
                    "../../outside-dir", "/../../outside-dir"):
            must_fail("CWD " + arg, cmd(ftp, "CWD " + arg))
            assert pwd(ftp) == "/"
        ftp.quit()


@jail_test
def retr_dotdot(env):
    with jail(env) as j:
        ftp = j.ftp()
        for path in ("../beal/beal-secret.txt", "/../beal/beal-secret.txt",
                     "../../home/beal/beal-secret.txt",
                     "sub/../../beal/beal-secret.txt",
                     "/../../outside-secret.txt", "../../outside-secret.txt",
                     "../../../outside-secret.txt",
                     "../../outside-dir/od-secret.txt",
                     "../" * 40 + "etc/passwd"):
            must_fail("RETR " + path, retr(ftp, path))
            must_fail("SIZE " + path, cmd(ftp, "SIZE " + path))
            must_fail("MDTM " + path, cmd(ftp, "MDTM " + path))
            must_fail("MLST " + path, cmd(ftp, "MLST " + path))
        # ".." that stays inside still works
        st, data = retr(ftp, "sub/../mine.txt")
        assert (st, data) == ("ok", MINE)
        st, data = retr(ftp, "/../../mine.txt")
        assert (st, data) == ("ok", MINE)
        ftp.cwd("sub")
        st, data = retr(ftp, "../../../mine.txt")
        assert (st, data) == ("ok", MINE)
        ftp.quit()


@jail_test
def absolute_host_paths(env):
    with jail(env) as j:
        ftp = j.ftp()
        for path in (j.beal_secret, j.out_secret,
                     os.path.join(j.out_dir, "od-secret.txt"),
                     os.path.join(j.beal, "bealdir", "inner.txt"),
                     "/etc/passwd", "/proc/self/environ",
                     "/proc/self/root" + j.out_secret):
            must_fail("RETR " + path, retr(ftp, path))
            must_fail("SIZE " + path, cmd(ftp, "SIZE " + path))
            must_fail("MDTM " + path, cmd(ftp, "MDTM " + path))
        for path in (j.beal, j.out_dir, j.srv.home_root, j.srv.dir, "/tmp",
                     "/etc", "/proc/self/cwd", "/proc/self/root"):
            must_fail("CWD " + path, cmd(ftp, "CWD " + path))
            assert pwd(ftp) == "/"
            for verb in ("LIST", "NLST", "MLSD"):
                must_fail("%s %s" % (verb, path), listing(ftp, verb, path))
            must_fail("STAT " + path, cmd(ftp, "STAT " + path))
        # "/" is harry's home
        ftp.cwd("/")
        assert "mine.txt" in ftp.nlst("/")
        ftp.quit()


@jail_test
def listings_dotdot(env):
    with jail(env) as j:
        ftp = j.ftp()
        for path in ("..", "../..", "/..", "/../..", "-la ..", "-la ../..",
                     "-a /../../..", "sub/../.."):
            for verb in ("LIST", "NLST"):
                st, lines = listing(ftp, verb, path)
                if st == "ok":
                    assert "mine.txt" in names_of(lines), (verb, path, lines)
        for path in ("..", "/../..", "sub/../../.."):
            st, lines = listing(ftp, "MLSD", path)
            assert st == "ok" and "mine.txt" in names_of(lines), lines
            st, v = cmd(ftp, "STAT " + path)
            assert "mine.txt" in v, v
        for path in ("../beal", "../../outside-dir", "/../../home"):
            for verb in ("LIST", "NLST", "MLSD"):
                must_fail("%s %s" % (verb, path), listing(ftp, verb, path))
            must_fail("STAT " + path, cmd(ftp, "STAT " + path))
        ftp.quit()


@jail_test
def writes_dotdot(env):
    with jail(env) as j:
        ftp = j.ftp()
        before = inside_files(j)
        # STOR/APPE/MKD with ".." land at harry's root or fail
        for path in ("../stor1.txt", "../../stor2.txt", "/../../stor3.txt"):
            st, v = stor(ftp, path)
            assert st == "ok", (path, v)
        st, v = stor(ftp, "../../appe1.txt", verb="APPE")
        assert st == "ok", v
        for name in ("stor1.txt", "stor2.txt", "stor3.txt", "appe1.txt"):
            assert read(os.path.join(j.harry, name)) == b"written by harry\n"
        for path in ("../beal/planted.txt", "../../outside-dir/planted.txt",
                     "/../beal/planted.txt", "../../home/beal/planted.txt"):
            must_fail("STOR " + path, stor(ftp, path))
            must_fail("APPE " + path, stor(ftp, path, verb="APPE"))
            must_fail("MKD " + path, cmd(ftp, "MKD " + path))
        st, v = cmd(ftp, "MKD ../../made")
        assert st == "ok" and os.path.isdir(os.path.join(j.harry, "made")), v
        # deleting outside: nothing there to delete from harry's view
        for path in ("../beal/beal-secret.txt", "/../../outside-secret.txt",
                     "../../outside-dir/od-secret.txt"):
            must_fail("DELE " + path, cmd(ftp, "DELE " + path))
        for path in ("../beal/bealdir", "../../outside-dir", "../beal",
                     "../../home"):
            must_fail("RMD " + path, cmd(ftp, "RMD " + path))
        # the home itself cannot be removed or renamed
        for path in ("/", "..", "/.."):
            must_fail("RMD " + path, cmd(ftp, "RMD " + path))
            must_fail("DELE " + path, cmd(ftp, "DELE " + path))
        new = inside_files(j) - before
        assert {os.path.basename(p) for p in new} == {
            "stor1.txt", "stor2.txt", "stor3.txt", "appe1.txt"}, new
        ftp.quit()


@jail_test
def rename_dotdot(env):
    with jail(env) as j:
        ftp = j.ftp()
        # RNFR of something outside
        for path in ("../beal/beal-secret.txt", "/../../outside-secret.txt",
                     "../../outside-dir", "../beal"):
            must_fail("RNFR " + path, cmd(ftp, "RNFR " + path))
            must_fail("RNTO after a failed RNFR", cmd(ftp, "RNTO stolen"))
        assert not os.path.exists(os.path.join(j.harry, "stolen"))
        # RNTO to outside fails or lands inside
        write(os.path.join(j.harry, "r1.txt"), b"r1")
        for i, to in enumerate(("../../r-escaped.txt", "/../r-escaped2.txt",
                                "../beal/r-planted.txt",
                                "../../outside-dir/r-planted.txt",
                                "../../outside-secret.txt",
                                "/../../home/beal/beal-secret.txt",
                                "/..", "..", "/")):
            src = "r1.txt"
            assert os.path.exists(os.path.join(j.harry, src)), to
            st, v = cmd(ftp, "RNFR " + src)
            assert st == "ok", v
            st, v = cmd(ftp, "RNTO " + to)
            if st == "ok":
                name = os.path.normpath("/" + to).lstrip("/")
                landed = os.path.join(j.harry, name)
                assert read(landed) == b"r1", (to, landed)
                os.rename(landed, os.path.join(j.harry, src))
            else:
                assert v[:1] == "5", (to, v)
                assert read(os.path.join(j.harry, src)) == b"r1"
        ftp.quit()


# --- backslashes, NUL bytes, long paths ------------------------------------


@jail_test
def backslashes(env):
    with jail(env) as j:
        ftp = j.ftp()
        name = "..\\..\\x"
        st, v = stor(ftp, name, b"backslashed")
        assert st == "ok", v
        # one file, literally named with backslashes, inside the home
        assert read(os.path.join(j.harry, name)) == b"backslashed"
        assert name in ftp.nlst()
        assert retr(ftp, name) == ("ok", b"backslashed")
        st, v = cmd(ftp, "SIZE " + name)
        assert v.split()[-1] == "11", v
        for path in ("..\\beal\\beal-secret.txt",
                     "..\\..\\outside-secret.txt", "\\..\\..\\beal",
                     "sub\\..\\..\\beal\\beal-secret.txt"):
            must_fail("RETR " + path, retr(ftp, path))
            must_fail("CWD " + path, cmd(ftp, "CWD " + path))
            assert pwd(ftp) == "/"
        st, v = cmd(ftp, "MKD ..\\..\\dir")
        assert st == "ok", v
        assert os.path.isdir(os.path.join(j.harry, "..\\..\\dir"))
        st, v = cmd(ftp, "CWD ..\\..\\dir")
        assert st == "ok" and pwd(ftp) == "/..\\..\\dir", (v, ftp.pwd())
        ftp.cwd("/")
        cmd(ftp, "RNFR " + name)
        st, v = cmd(ftp, "RNTO ..\\..\\..\\moved")
        assert st == "ok", v
        assert read(os.path.join(j.harry, "..\\..\\..\\moved")) == \
            b"backslashed"
        cmd(ftp, "DELE ..\\..\\..\\moved")
        assert not os.path.exists(os.path.join(j.harry, "..\\..\\..\\moved"))
        ftp.quit()


@jail_test
def nul_bytes(env):
    with jail(env) as j:
        with j.srv.raw() as c:
            c.expect(None, 220)
            c.login("harry", "pw")
            c.expect("TYPE I", 200)
            for line in (b"RETR mine.txt\0../../outside-secret.txt",
                         b"RETR ../../outside-secret.txt\0",
                         b"RETR \0/../beal/beal-secret.txt",
                         b"RETR L_out\0mine.txt",
                         b"STOR planted\0../../../outside-dir/x",
                         b"APPE ../../outside-secret.txt\0"):
                data, r = c.transfer(line, upload=b"evil" if line.startswith(
                    (b"STOR", b"APPE")) else None)
                assert_clean(repr(line), data)
                assert_clean(repr(line), r)
                assert r[:1] == "5" and data == b"", (line, r, data)
            for line in (b"CWD ..\0", b"CWD \0..", b"CWD L_beal\0",
                         b"SIZE ../../outside-secret.txt\0",
                         b"MDTM ../../outside-secret.txt\0x",
                         b"MLST L_out\0", b"DELE mine.txt\0",
                         b"DELE \0mine.txt", b"MKD x\0y", b"RMD sub\0",
                         b"RNFR mine.txt\0", b"RNTO ../../out\0",
                         b"STAT ..\0/beal", b"USER beal\0", b"\0", b"\0\0\0",
                         b"NOOP\0", b"RETR\0"):
                r = c.cmd(line)
                assert_clean(repr(line), r)
                assert r[:1] == "5", (line, r)
            # the session is still sound and still harry's, at "/"
            c.expect("NOOP", 200)
            r = c.expect("PWD", 257)
            assert '"/"' in r, r
            data, r = c.transfer("RETR mine.txt")
            assert data == MINE and r.startswith("226"), r
        assert read(os.path.join(j.harry, "mine.txt")) == MINE
        assert os.path.isdir(os.path.join(j.harry, "sub"))
        assert not os.path.exists(os.path.join(j.harry, "x"))
        assert not os.path.exists(os.path.join(j.harry, "planted"))


@jail_test
def long_paths(env):
    with jail(env) as j:
        ftp = j.ftp()
        # many ".." in one line that still fits
        for path in ("../" * 1300 + "outside-secret.txt",
                     "/" + "../" * 1300 + "beal/beal-secret.txt",
                     "./" * 1900 + "../../outside-secret.txt",
                     "sub/" + "../" * 1300 + "outside-dir/od-secret.txt"):
            assert len(path) < 4000
            must_fail("RETR (%d bytes)" % len(path), retr(ftp, path))
            must_fail("SIZE (%d bytes)" % len(path), cmd(ftp, "SIZE " + path))
            must_fail("CWD (%d bytes)" % len(path), cmd(ftp, "CWD " + path))
            assert pwd(ftp) == "/"
        # down and back up, more ".." than components
        path = "x/" * 600 + "../" * 700 + "mine.txt"
        assert retr(ftp, path) == ("ok", MINE), "%d bytes" % len(path)
        path = "x/" * 600 + "../" * 601 + "../beal/beal-secret.txt"
        must_fail("RETR up and down", retr(ftp, path))
        # one component longer than NAME_MAX
        for path in ("a" * 300, "../" + "b" * 1000, "sub/" + "c" * 3000):
            must_fail("RETR %d-byte name" % len(path), retr(ftp, path))
            must_fail("STOR %d-byte name" % len(path), stor(ftp, path))
            must_fail("MKD %d-byte name" % len(path), cmd(ftp, "MKD " + path))
        # lines past the server's limit are refused and the session goes on
        for path in ("../" * 3000 + "outside-secret.txt", "a/" * 5000,
                     "x" * 20000):
            for verb in ("CWD", "SIZE", "MKD", "DELE"):
                st, v = cmd(ftp, "%s %s" % (verb, path))
                assert st == "err" and v[:1] == "5", (verb, len(path), v)
            assert pwd(ftp) == "/"
        # a deep tree near the path limit stays usable and inside
        deep = "/".join(["d" * 200] * 18)
        st, v = cmd(ftp, "MKD " + "d" * 200)
        for i in range(2, 19):
            st, v = cmd(ftp, "MKD " + "/".join(["d" * 200] * i))
            assert st == "ok", (i, v)
        st, v = cmd(ftp, "CWD " + deep)
        assert st == "ok", v
        assert pwd(ftp) == "/" + deep
        # from deep down, ".." to the top and beyond
        ups = "/".join([".."] * 25)
        must_fail("RETR from deep", retr(ftp, ups + "/../beal/beal-secret.txt"))
        assert retr(ftp, ups + "/mine.txt") == ("ok", MINE)
        for _ in range(30):
            ftp.sendcmd("CDUP")
        assert pwd(ftp) == "/"
        assert os.path.isdir(os.path.join(j.harry, *(["d" * 200] * 18)))
        ftp.quit()


# --- symlinks planted in harry's home ----------------------------------------


@jail_test
def links_read(env):
    with jail(env) as j:
        ftp = j.ftp()
        for name, (target, lands) in j.links.items():
            for path in (name, "/" + name, name + "/", name + "/.",
                         name + "/beal-secret.txt", name + "/bealdir/inner.txt",
                         name + "/od-secret.txt",
                         name + "/outside-secret.txt",
                         name + "/beal/beal-secret.txt",
                         name + "/outside-dir/od-secret.txt",
                         name + "/home/beal/beal-secret.txt",
                         name + "/../" + name):
                # nothing of these exists inside harry's home
                must_fail("RETR " + path, retr(ftp, path))
                must_fail("SIZE " + path, cmd(ftp, "SIZE " + path))
                must_fail("MDTM " + path, cmd(ftp, "MDTM " + path))
                mlst = cmd(ftp, "MLST " + path)
                if lands is None:
                    must_fail("MLST " + path, mlst)
        # a link that leads into the home works as the home
        assert retr(ftp, "L_up2/mine.txt") == ("ok", MINE)
        assert retr(ftp, "L_root/sub/deep.txt") == ("ok", b"deep\n")
        assert retr(ftp, "L_up9/L_up1/mine.txt") == ("ok", MINE)
        ftp.quit()


@jail_test
def links_relative_decoy(env):
    """A relative link resolves as if harry's home were "/": with a decoy
    at harry's /beal/beal-secret.txt, L_rel reads the decoy."""
    with jail(env) as j:
        os.makedirs(os.path.join(j.harry, "beal"))
        write(os.path.join(j.harry, "beal", "beal-secret.txt"), b"decoy")
        ftp = j.ftp()
        assert retr(ftp, "L_rel") == ("ok", b"decoy")
        assert retr(ftp, "L_relbeal/beal-secret.txt") == ("ok", b"decoy")
        assert retr(ftp, "L_chain") == ("ok", b"decoy")
        assert retr(ftp, "sub/L_deepdir/beal-secret.txt") == ("ok", b"decoy")
        st, v = cmd(ftp, "SIZE L_rel")
        assert v.split()[-1] == "5", v
        ftp.cwd("L_relbeal")
        assert ftp.nlst() == ["beal-secret.txt"]
        ftp.cwd("/")
        ftp.quit()


@jail_test
def links_cwd_and_list(env):
    with jail(env) as j:
        ftp = j.ftp()
        for name, (target, lands) in j.links.items():
            st, v = cmd(ftp, "CWD " + name)
            if lands is None:
                must_fail("CWD " + name, (st, v))
                assert pwd(ftp) == "/"
            else:
                if st == "ok":
                    listing(ftp, "NLST", "")
                    listing(ftp, "LIST", "")
                    listing(ftp, "MLSD", "")
                    cmd(ftp, "STAT .")
                    cmd(ftp, "CWD ..")
                    cmd(ftp, "CWD ../..")
                    listing(ftp, "NLST", "")
                ftp.cwd("/")
            for path in (name, name + "/", name + "/..", name + "/../..",
                         name + "/bealdir", name + "/beal",
                         name + "/outside-dir", name + "/home",
                         name + "/home/beal"):
                # (each listing costs a data connection: all three verbs
                # only where the link itself is listed)
                verbs = ("LIST", "NLST", "MLSD") if path in (
                    name, name + "/") else ("NLST",)
                for verb in verbs:
                    st, lines = listing(ftp, verb, path)
                    if lands is None and path in (name, name + "/"):
                        must_fail("%s %s" % (verb, path), (st, lines))
                cmd(ftp, "STAT " + path)
                st, v = cmd(ftp, "CWD " + path)
                if st == "ok":
                    if not path.endswith(".."):  # "/" once is enough
                        listing(ftp, "LIST", "-la")
                    ftp.cwd("/")
        # the listing of the home names the links but shows nothing of
        # what lies outside: a link that leads nowhere inside is listed as
        # a link of size 0, with no target (its owner must see it to
        # delete it; it was left out, and its folder could not be removed)
        st, lines = listing(ftp, "LIST", "-la /")
        st, facts = listing(ftp, "MLSD", "/")
        for name, (target, lands) in j.links.items():
            if "/" not in name and lands is None:
                mine = [l for l in lines if l.endswith(" " + name)]
                assert len(mine) == 1 and mine[0].startswith("l"), \
                    (name, lines)
                assert "->" not in mine[0] and " 0 " in mine[0], mine
                mine = [l for l in facts if l.endswith("; " + name)]
                assert len(mine) == 1 and \
                    "type=OS.unix=symlink;" in mine[0] and \
                    "size=" not in mine[0], (name, facts)
        listing(ftp, "LIST", "sub")
        ftp.quit()


@jail_test
def links_write(env):
    """STOR, APPE and MKD through the links. A link whose target, taken
    inside harry's home, has an existing parent there may create that
    target (inside); nothing may be created or changed outside."""
    with jail(env) as j:
        ftp = j.ftp()
        for name, (target, lands) in j.links.items():
            absolute = target.startswith("/") and lands is None
            for path in (name, name + "/planted.txt",
                         name + "/beal-secret.txt",
                         name + "/outside-secret.txt",
                         name + "/beal/planted.txt",
                         name + "/outside-dir/planted.txt"):
                for verb in ("STOR", "APPE"):
                    data = ("PLANTED %s %s\n" % (verb, path)).encode()
                    st, v = stor(ftp, path, data, verb)
                    if absolute or (lands is None and path != name):
                        must_fail("%s %s" % (verb, path), (st, v))
                    if st == "ok":
                        got = [p for p in inside_files(j)
                               if data in read(p)]
                        assert len(got) == 1, (verb, path, got)
                st, v = cmd(ftp, "MKD " + path + "-dir")
                if lands is None and "/" in path[len(name):]:
                    must_fail("MKD " + path + "-dir", (st, v))
                j.check_outside()
        # the ones that lead inside wrote inside
        assert read(os.path.join(j.harry, "planted.txt")).startswith(
            b"PLANTED ")
        assert read(os.path.join(j.harry, "planted-rel.txt")).startswith(
            b"PLANTED STOR L_dangle_rel")
        # a REST+STOR through a link to outside does not open it either
        for name in ("L_out", "L_beal_secret", "L_proc", "L_etc",
                     "L_dangle_out"):
            ftp.voidcmd("TYPE I")
            must_fail("REST+STOR " + name, attempt(
                ftp.storbinary, "STOR " + name, io.BytesIO(b"X"), 8192,
                None, 4))
        ftp.quit()


@jail_test
def links_delete_and_rmd(env):
    with jail(env) as j:
        ftp = j.ftp()
        for name in j.links:
            for path in (name + "/beal-secret.txt", name + "/outside-secret.txt",
                         name + "/bealdir/inner.txt",
                         name + "/od-secret.txt",
                         name + "/beal/beal-secret.txt",
                         name + "/outside-dir/od-secret.txt",
                         name + "/home/beal/beal-secret.txt"):
                must_fail("DELE " + path, cmd(ftp, "DELE " + path))
            for path in (name + "/bealdir", name + "/outside-dir",
                         name + "/home/beal", name + "/beal"):
                must_fail("RMD " + path, cmd(ftp, "RMD " + path))
            # RMD of the link itself is not rmdir of its target
            st, v = cmd(ftp, "RMD " + name)
            assert st == "err", (name, v)
        j.check_outside()
        # DELE of a link removes the link, never what it points at
        for name in j.links:
            st, v = cmd(ftp, "DELE " + name)
            if st == "ok":
                assert not os.path.lexists(os.path.join(j.harry, name)), name
        j.check_outside()
        ftp.quit()


@jail_test
def links_rename(env):
    with jail(env) as j:
        ftp = j.ftp()
        write(os.path.join(j.harry, "victim.txt"), b"victim")
        for name, (target, lands) in j.links.items():
            # RNFR of something outside, through the link
            for path in (name + "/beal-secret.txt",
                         name + "/outside-secret.txt",
                         name + "/od-secret.txt", name + "/bealdir",
                         name + "/beal/beal-secret.txt",
                         name + "/outside-dir"):
                must_fail("RNFR " + path, cmd(ftp, "RNFR " + path))
            # RNTO into something outside, through the link
            for to in (name + "/stolen.txt", name + "/beal/stolen.txt",
                       name + "/outside-dir/stolen.txt",
                       name + "/outside-secret.txt",
                       name + "/beal-secret.txt"):
                st, v = cmd(ftp, "RNFR victim.txt")
                assert st == "ok", v
                st, v = cmd(ftp, "RNTO " + to)
                if st == "ok":
                    assert lands is not None, (to, v)
                    files = [p for p in inside_files(j)
                             if read(p) == b"victim"]
                    assert len(files) == 1, (to, files)
                    os.rename(files[0], os.path.join(j.harry, "victim.txt"))
                else:
                    assert read(os.path.join(j.harry, "victim.txt")) == \
                        b"victim"
        j.check_outside()
        # renaming the link itself moves the link, inside
        cmd(ftp, "RNFR L_out")
        st, v = cmd(ftp, "RNTO sub/L_out_moved")
        assert st == "ok", v
        assert os.path.islink(os.path.join(j.harry, "sub", "L_out_moved"))
        must_fail("RETR sub/L_out_moved", retr(ftp, "sub/L_out_moved"))
        # RNTO over a link replaces the link, not its target
        cmd(ftp, "RNFR victim.txt")
        st, v = cmd(ftp, "RNTO L_beal_secret")
        assert st == "ok", v
        assert read(os.path.join(j.harry, "L_beal_secret")) == b"victim"
        assert not os.path.islink(os.path.join(j.harry, "L_beal_secret"))
        j.check_outside()
        ftp.quit()


@jail_test
def links_chmod(env):
    """SITE CHMOD never changes anything outside the home: not through a
    link, not by "..", not on a link itself (which it refuses)."""
    with jail(env) as j:
        ftp = j.ftp()
        for name in j.links:
            must_fail("SITE CHMOD 777 " + name, cmd(ftp, "SITE CHMOD 777 " +
                                                     name))
            for path in (name + "/beal-secret.txt",
                         name + "/outside-secret.txt", name + "/bealdir",
                         name + "/od-secret.txt",
                         name + "/beal/beal-secret.txt",
                         name + "/outside-dir/od-secret.txt",
                         name + "/home/beal"):
                must_fail("SITE CHMOD 777 " + path,
                          cmd(ftp, "SITE CHMOD 777 " + path))
        for path in ("..", "../beal", "../beal/beal-secret.txt",
                     "../../outside-secret.txt", "/../../outside-dir",
                     j.out_secret, j.beal_secret, "/"):
            must_fail("SITE CHMOD 777 " + path,
                      cmd(ftp, "SITE CHMOD 777 " + path))
        j.check_outside()
        # What is harry's own still changes.
        st, v = cmd(ftp, "SITE CHMOD 600 sub/deep.txt")
        assert st == "ok", v
        assert stat.S_IMODE(os.stat(os.path.join(j.harry, "sub",
                                                 "deep.txt")).st_mode) == \
            0o600
        ftp.quit()


@jail_test
def beal_cannot_reach_harry(env):
    """The same from the other side, and beal still sees his own files."""
    with jail(env) as j:
        write(os.path.join(j.harry, "harry-private.txt"), b"HARRY-PRIVATE")
        ftp = j.srv.ftp("beal")
        buf = io.BytesIO()
        ftp.retrbinary("RETR beal-secret.txt", buf.write)
        assert buf.getvalue() == BEAL_SECRET
        for path in ("../harry/harry-private.txt",
                     "/../harry/harry-private.txt",
                     os.path.join(j.harry, "harry-private.txt")):
            must_fail("RETR " + path, retr(ftp, path))
        for path in ("../harry", "/../harry", j.harry):
            must_fail("CWD " + path, cmd(ftp, "CWD " + path))
            must_fail("NLST " + path, attempt(ftp.nlst, path))
        assert set(ftp.nlst()) == {"bealdir", "beal-secret.txt"}
        ftp.quit()


@jail_test
def link_swapped_during_session(env):
    """A directory that harry has entered is replaced on disk by a link to
    outside: his cwd must not follow it out."""
    with jail(env) as j:
        ftp = j.ftp()
        os.mkdir(os.path.join(j.harry, "moving"))
        ftp.cwd("moving")
        os.rmdir(os.path.join(j.harry, "moving"))
        os.symlink(j.out_dir, os.path.join(j.harry, "moving"))
        must_fail("RETR od-secret.txt", retr(ftp, "od-secret.txt"))
        listing(ftp, "NLST", "")
        listing(ftp, "LIST", "")
        must_fail("STOR", stor(ftp, "planted.txt"))
        os.remove(os.path.join(j.harry, "moving"))
        os.symlink("../" * 5, os.path.join(j.harry, "moving"))
        st, lines = listing(ftp, "NLST", "")
        if st == "ok":
            assert "mine.txt" in lines, lines
        ftp.quit()


def register():
    """The whole suite once per resolution mode, default first."""
    for mode, env in MODES:
        for fn in _jail_tests:
            def t(fn=fn, env=env):
                fn(env)
            t.__name__ = "%s[%s]" % (fn.__name__, mode)
            test(t)


register()

if __name__ == "__main__":
    run()
