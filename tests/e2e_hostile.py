"""
e2e_hostile: the classes of bugs other FTP servers shipped, each tried on a
real burrowd by a hostile client (issue 15).

Covered here, and not elsewhere: every verb that needs a login refused
before one in every state of the login (the verbs read from the command
table in srv/commands.c, so a new verb is tested the day it is added) and
the alternate login names (anonymous, case, spaces, paths) and a login
that waits for a seat across a reload of the users file; a table of
traversal spellings (../ ..\\ %2e%2e ..%2f overlong UTF-8, fullwidth dots,
//, ./../, ~, absolute host paths, /proc, symlinks out of the home, paths
past PATH_MAX) against every verb that takes a path; CR, LF, ESC and NUL
in names, none of which may reach the log, the xferlog, a reply or a
listing as a line break; glob and "ls -R" patterns (no globbing: answered
at once, other sessions unaffected); a tree 3,000 levels deep (LIST,
STAT, MLSD, MKD, RMD, RNTO, quota); symlinks with targets of 4,000 bytes
and more in listings; commands injected in clear around AUTH TLS; passive
data connections stolen from another address during uploads, and one that
cannot be accepted for want of descriptors; active mode to privileged
ports (the bounce of RFC 2577).

Already covered elsewhere and not repeated: commands before login for the
verbs of RFC 959 (e2e_ftplib), USER with control characters in the log
(e2e_accounts), ".." and symlinks for RETR STOR APPE DELE RNFR RNTO MKD RMD
CWD SIZE MDTM MLST MLSD LIST NLST STAT in both jail modes (e2e_jail), HASH
(e2e_hash), plaintext pipelined behind AUTH TLS and data connections that
offer another session's TLS session (e2e_tls), PASV stolen from another
address during RETR and PORT bounce (e2e_ftplib), quota walks of 5,000
levels and max_depth (e2e_quota).

Each test checks that every reply is a proper FTP reply, that nothing
beside the home changed (canary files beside the home and above the home
root) or was disclosed, and that the server still answers a fresh login.
Every wait is bounded.
"""
import contextlib
import hashlib
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import stat
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HOST, Server, run, test, wait_until  # noqa: E402

SRCDIR = os.environ.get("BURROW_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
MODES = [("default", {}), ("walk", {"BURROW_JAIL": "walk"})]

# Canaries: distinctive contents, sizes and dates that no reply may carry.
CANARY = b"CANARY-ABOVE-7f3a" + b"c" * (31337 - 17)
BESIDE = b"CANARY-BESIDE-19bd" + b"b" * (27183 - 18)
SECRET = b"CANARY-BEAL-5e21" + b"s" * (16661 - 16)
ODFILE = b"CANARY-OUTDIR-a0c4" + b"o" * (14142 - 18)
CANARY_MTIME = 946782245        # 2000-01-02 03:04:05 UTC
MARKERS = [b"CANARY-", b"31337", b"27183", b"16661", b"14142",
           b"20000102030405", b"Jan  2  2000"]
MINE = b"harry's own file\n"
XFER_RE = re.compile(
    r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} (\d+) (\S+) (\d+) (\S+) "
    r"([ab]) _ ([oi]) r (\S+) ftp 0 \* ([ci])$")
LOG_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S")
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def snapshot(top, skip):
    """Everything under top but skip: type, mode, size, mtime, inode and
    content digest or link target."""
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
                st.st_mode, st.st_size if not stat.S_ISDIR(st.st_mode) else 0,
                st.st_mtime_ns, st.st_ino, what)
    return out


def proper(what, r):
    """r is one whole FTP reply: a code, one line or a well-formed
    multi-line reply, every line ended by CRLF with no CR or LF inside."""
    assert r.endswith("\r\n"), "%s: not a whole reply: %r" % (what, r[:300])
    lines = r[:-2].split("\r\n")
    assert re.match(r"[1-5]\d\d[ -]", lines[0]), "%s: %r" % (what, r[:300])
    for l in lines:
        assert "\r" not in l and "\n" not in l, "%s: %r" % (what, r[:300])
    if lines[0][3] == "-":
        assert lines[-1].startswith(lines[0][:3] + " "), (what, r[:300])
        for l in lines[1:-1]:
            assert not re.match(r"\d\d\d ", l), "%s forged: %r" % (what, l)
    else:
        assert len(lines) == 1, "%s: %r" % (what, r[:300])
    return r


def clean(what, data):
    """No canary content, size or date in data (str or bytes)."""
    if isinstance(data, str):
        data = data.encode(errors="replace")
    for m in MARKERS:
        assert m not in data, "%s leaked %r: %r" % (what, m, data[:300])


class Arena:
    """A burrowd with harry and beal, canaries around harry's home, an
    xferlog, and checks that nothing outside harry's home changes."""

    def __init__(self, env=None, tls=None, **conf):
        conf.setdefault("xfer_log", "xfer.log")
        self.srv = s = Server(users={"harry": "pw", "beal": "pw2"}, env=env,
                              tls=tls, **conf)
        self.harry = s.home("harry")
        self.beal = s.home("beal")
        self.xfer_path = os.path.join(s.dir, "xfer.log")
        write(os.path.join(s.dir, "canary.txt"), CANARY)
        os.utime(os.path.join(s.dir, "canary.txt"),
                 (CANARY_MTIME, CANARY_MTIME))
        write(os.path.join(s.home_root, "beside.txt"), BESIDE)
        write(os.path.join(self.beal, "secret.txt"), SECRET)
        os.mkdir(os.path.join(self.beal, "bdir"))
        os.mkdir(os.path.join(s.dir, "outdir"))
        write(os.path.join(s.dir, "outdir", "od.txt"), ODFILE)
        os.mkdir(os.path.join(s.dir, "emptyout"))
        os.mkdir(os.path.join(s.home_root, "emptybeside"))
        write(os.path.join(self.harry, "mine.txt"), MINE)
        os.mkdir(os.path.join(self.harry, "sub"))
        self.skip = {self.harry, s.log_path, self.xfer_path,
                     os.path.join(s.dir, "users.conf"), s.conf_path}
        self.before = None
        self.cleanups = []      # called before the server's folder goes

    def plant_links(self):
        """Symlinks in harry's home leading out of it, some with long
        targets."""
        d = self.srv.dir
        links = {
            "L_abs": d,
            "L_canary": os.path.join(d, "canary.txt"),
            "L_rel": "../../",
            "L_beal": "../beal",
            "L_proc": "/proc/self/root" + os.path.join(d, "canary.txt"),
            "L_long_out": "../" * 1300 + "canary.txt",
            "L_long_abs": "/" * 3000 + os.path.join(d, "canary.txt"),
        }
        for name, target in links.items():
            os.symlink(target, os.path.join(self.harry, name))
        return links

    def check_outside(self, what=""):
        after = snapshot(self.srv.dir, self.skip)
        changed = sorted(k for k in set(self.before) | set(after)
                         if self.before.get(k) != after.get(k))
        assert not changed, "%s changed outside harry's home: %s" % (
            what, changed)

    def login(self, user="harry", password=None):
        c = self.srv.raw()
        proper("greeting", c.expect(None, 220))
        c.login(user, password or self.srv.users[user])
        return c

    def check_alive(self):
        """A fresh session logs in and lists within a few seconds."""
        t0 = time.monotonic()
        with self.login() as c:
            data, r = c.transfer("NLST")
            proper("NLST", r)
            assert r.startswith("226"), r
            assert b"mine.txt" in data, data
            c.expect("QUIT", 221)
        assert time.monotonic() - t0 < 5

    def check_logs(self):
        """Every line of the log and the xferlog is one whole line of its
        format: no CR, ESC or other control byte, no line a client made."""
        with open(self.srv.log_path, "rb") as f:
            log = f.read()
        for b in (b"\r", b"\x1b", b"\x00", b"\x07"):
            assert b not in log, "raw %r in the log" % b
        for line in log.decode(errors="replace").splitlines():
            assert LOG_RE.match(line), "a log line not its own: %r" % line
        if os.path.exists(self.xfer_path):
            with open(self.xfer_path, "rb") as f:
                xl = f.read()
            assert b"\r" not in xl and b"\x1b" not in xl, xl
            for line in xl.decode(errors="replace").splitlines():
                assert XFER_RE.match(line), "xferlog: %r" % line

    def __enter__(self):
        self.srv.start()
        self.before = snapshot(self.srv.dir, self.skip)
        return self

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                self.check_outside("the session")
                self.check_alive()
                self.check_logs()
        finally:
            try:
                for fn in self.cleanups:
                    fn()
            finally:
                self.srv.__exit__(*exc)


def timed(limit, fn, *args):
    """fn(*args), asserting it returned within limit seconds."""
    t0 = time.monotonic()
    v = fn(*args)
    took = time.monotonic() - t0
    assert took < limit, "%r took %.1fs" % (args, took)
    return v


# --- commands before login, alternate login paths ----------------------------


def login_verbs():
    """The verbs of srv/commands.c's table flagged CMD_NEEDLOGIN (L)."""
    with open(os.path.join(SRCDIR, "srv", "commands.c")) as f:
        src = f.read()
    verbs = re.findall(r'\{ "([A-Z]+)", ([^,]+), cmd_', src)
    assert len(verbs) > 30, verbs
    return sorted(v for v, flags in verbs if re.search(r"\bL\b", flags))


@test
def every_login_verb_refused_in_every_prelogin_state():
    verbs = login_verbs()
    for v in ("RETR", "STOR", "HASH", "AVBL", "MFMT", "SITE", "RANG", "XMKD"):
        assert v in verbs, (v, verbs)
    args = {"MFMT": "20200101000000 x", "RANG": "0 9", "SITE": "QUOTA",
            "PORT": "127,0,0,1,4,1", "EPRT": "|1|127.0.0.1|1025|",
            "REST": "0", "ALLO": "10"}
    # ban_after off: this test fails logins on purpose, many times
    with Arena(ban_after=0) as a:
        home_root = sorted(os.listdir(a.srv.home_root))
        states = [
            ("fresh", []),
            ("after USER", ["USER harry"]),
            ("after a wrong PASS", ["USER harry", "PASS wrong"]),
            ("after USER of an unknown name", ["USER nobody"]),
            ("after PASS alone", ["PASS pw"]),
        ]
        for state, setup in states:
            with a.srv.raw() as c:
                c.expect(None, 220)
                for line in setup:
                    proper(line, c.cmd(line))
                for v in verbs:
                    for arg in (args.get(v, "mine.txt"), "/", ""):
                        line = (v + " " + arg).strip()
                        r = proper(line, c.cmd(line))
                        # a verb needing an argument may say so first (501)
                        assert r[:3] in ("530", "501"), (state, line, r)
                        if r.startswith("501"):
                            assert arg == "", (state, line, r)
                        clean(line, r)
                # still not logged in, and the commands did nothing
                assert "Not logged in" in proper("STAT", c.cmd("STAT"))
            assert not os.path.exists(os.path.join(a.harry, "x"))
            assert sorted(os.listdir(a.srv.home_root)) == home_root
        # Verbs of other servers' alternate login paths are unknown here.
        with a.srv.raw() as c:
            c.expect(None, 220)
            for line in ("ACCT harry", "REIN", "ADAT AAAA", "CCC", "SMNT /",
                         "CONF x", "ENC x", "MIC x", "SITE EXEC id",
                         "SITE CPFR mine.txt", "XCRC mine.txt", "STOU",
                         "SITE CHMOD 777 mine.txt", "SITE SYMLINK / x",
                         "PROXY TCP4 1.2.3.4 5.6.7.8 1 2"):
                r = proper(line, c.cmd(line))
                if r.startswith("421"):
                    break       # PROXY from an untrusted address ends it
                assert r[:3] in ("500", "502", "504", "530"), (line, r)
        # Alternate names for harry, the anonymous accounts, paths as names:
        # 530, and no home is made for any of them.
        for user in ("anonymous", "ftp", "HARRY", "Harry", " harry",
                     "harry ", "harry\t", "./harry", "../harry", "harry/",
                     "home/harry", "..", ".", "-harry", "harry\x7f",
                     "harry;beal", "*", "h%61rry", "harry\xff"):
            with a.srv.raw() as c:
                c.expect(None, 220)
                r = proper(user, c.cmd("USER " + user))
                if r.startswith("331"):
                    r = proper(user, c.cmd("PASS pw"))
                assert r.startswith(("530", "501", "500")), (user, r)
                assert "Not logged in" in c.cmd("STAT"), user
        assert sorted(os.listdir(a.srv.home_root)) == home_root
        # A login pipelined behind a refused one does not slip through.
        with a.srv.raw() as c:
            c.expect(None, 220)
            c.sock.sendall(b"USER harry\r\nPASS wrong\r\nPASS pw\r\n"
                           b"RETR mine.txt\r\nMKD made\r\n")
            codes = [proper("pipelined", c.reply())[:3] for _ in range(5)]
            assert codes == ["331", "530", "503", "530", "530"], codes
        assert not os.path.exists(os.path.join(a.harry, "made"))


def reload_users(a, **passwords):
    """Rewrites users.conf with new passwords and reloads it (SIGHUP)."""
    n = a.srv.log().count("reloaded ")
    a.srv.users.update(passwords)
    a.srv.write_users()
    os.kill(a.srv.proc.pid, signal.SIGHUP)
    assert wait_until(lambda: a.srv.log().count("reloaded ") > n, 5)


@test
def login_waiting_for_a_seat_sees_a_reload():
    """A PASS checked while every seat is taken waits, unanswered, for
    one. If a reload changes or removes the account meanwhile, the login
    it proved is refused when the seat comes, not let in with the old
    password (end_sessions_on_password_change only speaks of sessions
    already running)."""
    with Arena(max_clients=1, queue_length=4, ban_after=0) as a:
        for change in ("password", "removal"):
            waiting = a.srv.raw()
            waiting.expect(None, 220)       # greeted while the seat is free
            holder = a.login("beal")        # takes the only seat
            waiting.expect("USER harry", 331)
            waiting.send("PASS pw")
            assert waiting.quiet(0.5), "the login did not wait for a seat"
            if change == "password":
                reload_users(a, harry="changed")
            else:
                del a.srv.users["harry"]
                reload_users(a)
            holder.expect("QUIT", 221)
            holder.close()
            r = proper("PASS", waiting.reply())
            assert r.startswith("530"), (change, r)
            assert "Not logged in" in waiting.cmd("STAT"), change
            waiting.close()
            a.srv.users["harry"] = "pw"
            reload_users(a)
        # the password of the moment logs in
        reload_users(a, harry="changed")
        with a.login("harry", "changed") as c:
            c.expect("QUIT", 221)
        reload_users(a, harry="pw")


# --- traversal: every verb that takes a path, every spelling -------------------

# Paths relative to harry's home ("/" there) to what lies outside it.
FILE_TARGETS = ["../beal/secret.txt", "../beside.txt", "../../canary.txt",
                "../../outdir/od.txt"]
DIR_TARGETS = ["../beal/bdir", "../beal", "../../outdir", "../../emptyout",
               "../emptybeside", "../.."]


def spellings(target):
    """target ("../x/y") written in the ways other servers let through."""
    ups = target.count("../")
    tail = target.replace("../", "")
    out = []
    for up in ("../", "..\\", "%2e%2e/", "%2e%2e%2f", "..%2f", "%252e%252e/",
               ".%2e/", "%2e./", "..;/", "....//", ".../", "./../", "..//",
               "/../", "\\..\\", "..\\/", "\xc0\xae\xc0\xae/",
               "\uff0e\uff0e/", "\u2024\u2024/", "~/../"):
        out.append(up * ups + tail)
    out += ["/" + target, "//" + target, "/./" + target, "sub/../" + target,
            "sub/" + "../" * (ups + 1) + tail, "../" * 40 + tail,
            "~beal/" + tail.split("/", 1)[-1], "~/" + target,
            "/proc/self/root/../" + target, "/proc/self/cwd/" + tail]
    return out


def absolute_paths(a):
    d = a.srv.dir
    return [os.path.join(d, "canary.txt"), os.path.join(a.beal, "secret.txt"),
            os.path.join(a.srv.home_root, "beside.txt"), d, a.beal,
            "/proc/self/root" + os.path.join(d, "canary.txt"),
            "/proc/self/environ", "/etc/passwd"]


def beyond_path_max():
    return ["../" * 1300 + "canary.txt",       # fits a line, resolves inside
            "a/" * 1999 + "../" * 2 + "x",     # fits, but too deep
            "x" * 300,                         # past NAME_MAX
            "../" * 1400 + "canary.txt",       # past the line limit
            "/" + "a" * 5000]


READ_VERBS = ["RETR", "SIZE", "MDTM", "MLST", "HASH", "STAT", "LIST", "NLST",
              "MLSD", "AVBL", "CWD", "XCWD"]
WRITE_VERBS = ["STOR", "APPE", "DELE", "RMD", "XRMD", "MKD", "XMKD", "MFMT",
               "RNFR", "RNTO"]
XFER_VERBS = {"RETR", "LIST", "NLST", "MLSD", "STOR", "APPE"}
OUTSIDE_NAMES = [b"secret.txt", b"beside.txt", b"canary.txt", b"od.txt",
                 b"bdir", b"emptyout", b"emptybeside", b"outdir", b"beal"]


def hostile_call(a, c, verb, path):
    """Runs verb on path and checks what came back; returns the reply."""
    what = "%s %r" % (verb, path[:80])
    if verb == "MFMT":
        line = "MFMT 19990101000000 " + path
    elif verb == "RNTO":
        proper("RNFR", c.expect("RNFR mine.txt", 350))
        line = "RNTO " + path
    else:
        line = verb + " " + path
    if verb in XFER_VERBS:
        up = b"HOSTILE-WRITE\n" if verb in ("STOR", "APPE") else None
        data, r = c.transfer(line, upload=up)
        clean(what, data)
        if verb in ("LIST", "NLST", "MLSD") and r.startswith("226"):
            for n in OUTSIDE_NAMES:
                assert not re.search(rb"(^|[ /])" + re.escape(n) + rb"\r?$",
                                     data, re.M), (what, data[:300])
    else:
        r = c.cmd(line)
    proper(what, r)
    clean(what, r)
    if verb == "RNFR" and r.startswith("350"):
        # whatever it named must still be inside: RNTO lands it inside
        r2 = proper("RNTO", c.cmd("RNTO moved-by-rnfr"))
        if r2.startswith("250"):
            os.rename(os.path.join(a.harry, "moved-by-rnfr"),
                      os.path.join(a.harry, "rnfr-%d" % time.monotonic_ns()))
    if verb in ("CWD", "XCWD") and r.startswith("250"):
        data, r2 = c.transfer("NLST -a")
        clean(what + " then NLST", data)
        for n in OUTSIDE_NAMES[:4]:
            assert n not in data, (what, data[:300])
        c.expect("CWD /", 250)
    if verb == "RNTO" and not os.path.exists(os.path.join(a.harry,
                                                          "mine.txt")):
        # it landed inside, under some name: put it back
        for d, _, files in os.walk(a.harry):
            for n in files:
                p = os.path.join(d, n)
                if not os.path.islink(p) and read(p) == MINE:
                    os.rename(p, os.path.join(a.harry, "mine.txt"))
                    break
            if os.path.exists(os.path.join(a.harry, "mine.txt")):
                break
        assert os.path.exists(os.path.join(a.harry, "mine.txt")), what
    return r


def traversal(env):
    with Arena(env=env) as a:
        links = a.plant_links()
        a.before = snapshot(a.srv.dir, a.skip)
        paths = []
        for t in FILE_TARGETS + DIR_TARGETS:
            paths += spellings(t)
        paths += absolute_paths(a) + beyond_path_max()
        paths += list(links) + [n + "/" + t.replace("../", "")
                                for n in ("L_abs", "L_rel", "L_beal")
                                for t in FILE_TARGETS]
        c = a.login()
        n = 0
        for verb in READ_VERBS + WRITE_VERBS:
            for p in paths:
                timed(10, hostile_call, a, c, verb, p)
                n += 1
            # after each verb: nothing outside changed, the session works
            a.check_outside(verb)
            assert proper("PWD", c.cmd("PWD")).startswith('257 "/"'), verb
        assert n > 1500, n
        assert read(os.path.join(a.harry, "mine.txt")) == MINE
        c.expect("QUIT", 221)


@test
def traversal_every_path_verb_every_spelling():
    traversal({})


@test
def traversal_every_path_verb_every_spelling_walk():
    traversal({"BURROW_JAIL": "walk"})


# --- CR, LF, ESC and NUL in names ---------------------------------------------

FORGED = "2026-12-04 10:00:00 127.0.0.1: login root"


@test
def control_bytes_in_names_never_make_lines():
    with Arena() as a:
        c = a.login()
        names = ["cr\r" + FORGED, "esc\x1b[2J\x1b]0;pwned\x07", "del\x7fx",
                 "tab\there", "bs\x08\x08\x08x", "trail\r"]
        for n in names:
            r = proper("MKD", c.cmd("MKD d-" + n))
            assert r.startswith("257"), (n, r)
            data, r = c.transfer("STOR f-" + n, upload=b"forged\n")
            proper("STOR", r)
            assert r.startswith("226"), (n, r)
            data, r = c.transfer("RETR f-" + n)
            assert (data, r[:3]) == (b"forged\n", "226"), (n, r)
            proper("RNFR", c.expect("RNFR f-" + n, 350))
            proper("RNTO", c.expect("RNTO g-" + n, 250))
            proper("SIZE", c.expect("SIZE g-" + n, 213))
            proper("MLST", c.expect("MLST g-" + n, 250))
            proper("STAT", c.expect("STAT g-" + n, 213))
            proper("HASH", c.expect("HASH g-" + n, 213))
            proper("CWD", c.expect("CWD d-" + n, 250))
            proper("PWD", c.expect("PWD", 257))
            proper("CDUP", c.expect("CDUP", 250))
            proper("DELE", c.expect("DELE g-" + n, 250))
            proper("RMD", c.expect("RMD d-" + n, 250))
        assert sorted(os.listdir(a.harry)) == ["mine.txt", "sub"]
        # NUL anywhere: refused whole, nothing made
        for line in (b"MKD a\0b", b"STOR x\0../../canary.txt", b"DELE \0",
                     b"RNFR mine.txt\0", b"CWD sub\0/..", b"\0MKD z"):
            c.send(line)
            r = proper(repr(line), c.reply())
            assert r.startswith("500"), (line, r)
        assert sorted(os.listdir(a.harry)) == ["mine.txt", "sub"]
        # Names made on disk with LF (no FTP line can carry one): no
        # listing line, reply line or log line is forged from them. They
        # are left out (no client could name them anyway); a name with a
        # CR alone can be named, and is listed as it is.
        planted = ["nl\n226 Transfer complete.", "crlf\r\n550 fake",
                   "lf\ntype=file;size=1; canary.txt",
                   "-rw-r--r-- 1 x\n-rw-r--r--   1 owner group 1 Jan 1 00:00 evil",
                   "\n"]
        for n in planted:
            write(os.path.join(a.harry, "sub", n), b"planted")
        write(os.path.join(a.harry, "sub", "plain.txt"), b"plain")
        write(os.path.join(a.harry, "sub", "cronly\r550 x"), b"cr")
        for verb in ("NLST", "LIST", "MLSD"):
            data, r = c.transfer(verb + " sub")
            proper(verb, r)
            assert r.startswith("226"), (verb, r)
            lines = data.split(b"\r\n")
            assert lines[-1] == b"", (verb, data)
            lines = lines[:-1]
            assert len(lines) == 2, (verb, data)
            for l in lines:
                assert b"\n" not in l, (verb, l)
                assert not l.startswith((b"226", b"550", b"type=file;size=1")) \
                    and b"evil" not in l, (verb, data)
            assert any(l.endswith(b"plain.txt") for l in lines), data
            assert any(l.endswith(b"cronly\r550 x") for l in lines), data
        r = proper("STAT sub", c.cmd("STAT sub"))
        assert r.startswith("213") and "plain.txt" in r, r
        assert "evil" not in r and "fake" not in r, r
        assert r.count("\r\n") == 4, r        # a head, 2 entries, an end
        assert "left out of the listing of /sub" in a.srv.log()
        # the names reached the logs, their control bytes as '?' and '_'
        assert "MKD /d-cr?" + FORGED in a.srv.log()
        assert "/f-cr_2026-12-04_10:00:00_127.0.0.1:_login_root" in \
            read(a.xfer_path).decode()
        c.expect("QUIT", 221)
        shutil.rmtree(os.path.join(a.harry, "sub"))
        os.mkdir(os.path.join(a.harry, "sub"))
    # the Arena's exit checked the log and the xferlog line by line


# --- globs, ls -R: no pattern is expanded, no listing recurses -----------------

class Pinger(threading.Thread):
    """Another session sending NOOP all along, noting the longest wait."""

    def __init__(self, a):
        super().__init__(daemon=True)
        self.c = a.login("beal")
        self.stop = threading.Event()
        self.worst = 0.0
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                t0 = time.monotonic()
                r = self.c.cmd("NOOP")
                assert r.startswith("200"), r
                self.worst = max(self.worst, time.monotonic() - t0)
                time.sleep(0.02)
        except Exception as e:      # noqa: BLE001 (reported by join)
            self.error = e

    def join_checked(self, limit):
        self.stop.set()
        self.join(15)
        self.c.close()
        assert self.error is None, self.error
        assert self.worst < limit, "NOOP waited %.2fs" % self.worst


GLOBS = ["*", "*/*/*/*/*/*/*/*/*/*/*/*", "*/" * 600 + "*",
         "{a,b}" * 40, "{" * 1000, "[a-z]" * 300, "[!]" * 200, "~{",
         "~*", "?" * 1000, "*/../" * 300, "./*/../*/../*/../*/../*/../*",
         ".*/.*/.*/.*", "**/" * 500 + "*", "a*a*a*a*a*a*a*a*a*a*a*a*b",
         "$(sleep 5)", "`sleep 5`", "-R", "-laR /", "-R *", "-R " + "*/" * 500,
         "--recursive", "-lR ../../", "-" * 2000]


@test
def globs_and_recursive_listings_are_quick():
    with Arena() as a:
        # a tree a glob would explode on: 8 x 8 x 8 folders, a file in each
        top = os.path.join(a.harry, "g")
        for x in "abcdefgh":
            for y in "abcdefgh":
                for z in "abcdefgh":
                    os.makedirs(os.path.join(top, x, y, z))
                    write(os.path.join(top, x, y, z, "f"), b"f")
        # and a chain 400 levels deep for ls -R
        p = os.path.join(a.harry, "deep")
        os.makedirs(os.path.join(p, *(["d"] * 400)))
        before = snapshot(a.harry, set())
        pinger = Pinger(a)
        pinger.start()
        c = a.login()
        for cwd in ("/", "/g", "/deep"):
            c.expect("CWD " + cwd, 250)
            for pat in GLOBS:
                for verb in ("LIST", "NLST", "MLSD"):
                    data, r = timed(3, c.transfer, verb + " " + pat)
                    proper(verb, r)
                    # no pattern matched, so no more than one folder listed
                    assert data.count(b"\r\n") <= 8, (verb, pat, data[:200])
                    clean(verb, data)
                for verb in ("STAT", "SIZE", "MDTM", "MLST", "DELE", "RMD",
                             "HASH", "CWD"):
                    r = proper(verb, timed(3, c.cmd, verb + " " + pat))
                    assert r.count("\r\n") <= 10, (verb, pat, r[:200])
                    clean(verb, r)
                    if verb == "CWD" and r.startswith("250"):
                        c.expect("CWD " + cwd, 250)
        c.expect("QUIT", 221)
        pinger.join_checked(2.0)
        assert snapshot(a.harry, set()) == before, "a pattern changed files"


# --- a deep tree ------------------------------------------------------------


def build_chain(top, levels, files):
    """top/d/d/.../d, levels deep, made one level at a time through a
    folder fd (the whole path passes PATH_MAX); files maps a level to the
    (name, bytes) of a file in the folder at that level."""
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
    """Removes what build_chain made, bottom up, one fd at a time and
    bounded by levels (shutil.rmtree recurses past Python's limit)."""
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
                if stat.S_ISDIR(os.lstat(name, dir_fd=fd).st_mode):
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


def deep_tree(env):
    levels = 3000
    files = {1: ("top", b"t" * 100), 2040: ("mid", b"m" * 2000),
             levels: ("bottom", b"b" * 30000)}
    a = Arena(env=env, quotas={"harry": "1M"})
    chain = os.path.join(a.harry, "c")
    os.mkdir(chain)
    # shutil.rmtree (the server's cleanup) cannot remove the chain
    a.cleanups.append(lambda: remove_chain(chain, levels + 1))
    with a:
        build_chain(chain, levels, files)
        a.before = snapshot(a.srv.dir, a.skip)
        pinger = Pinger(a)
        pinger.start()
        c = timed(20, a.login)
        r = proper("SITE QUOTA", c.cmd("SITE QUOTA"))
        used = len(MINE) + 100 + 2000 + 30000
        assert "(%d of %d bytes)" % (used, 1 << 20) in r, r
        # RMD, DELE and RNTO of the top of the tree: bounded answers
        r = proper("RMD", timed(5, c.cmd, "RMD c"))
        assert r.startswith("550"), r
        r = proper("DELE", timed(5, c.cmd, "DELE c/d"))
        assert r.startswith("550"), r
        c.expect("RNFR c/d", 350)
        r = proper("RNTO", timed(5, c.cmd, "RNTO sub/d"))
        assert r.startswith("550") and "too deep" in r, r
        # as deep as a path can say: 2,040 levels
        down = "c/" + "d/" * 2039 + "d"
        assert len("CWD " + down) < 4096
        r = proper("CWD", timed(5, c.cmd, "CWD " + down))
        assert r.startswith("250"), r[:200]
        for verb in ("LIST", "NLST", "MLSD"):
            data, r = timed(5, c.transfer, verb)
            proper(verb, r)
            assert r.startswith("226") and b"mid" in data, (verb, r, data)
        for line in ("STAT", "STAT .", "MLST", "MLST mid", "SIZE mid",
                     "MDTM mid", "HASH mid", "AVBL", "PWD"):
            r = proper(line, timed(5, c.cmd, line))
            assert r[0] == "2", (line, r[:300])
        data, r = timed(5, c.transfer, "RETR mid")
        assert (data, r[:3]) == (b"m" * 2000, "226"), r
        # no folder deeper than max_depth is made or moved here; a
        # file may be renamed
        r = proper("MKD", timed(5, c.cmd, "MKD new"))
        assert r.startswith("550") and "too deep" in r, r
        c.expect("RNFR d", 350)
        r = proper("RNTO", timed(5, c.cmd, "RNTO d2"))
        assert r.startswith("550") and "too deep" in r, r
        c.expect("RNFR mid", 350)
        c.expect("RNTO mid2", 250)
        c.expect("RNFR mid2", 350)
        c.expect("RNTO mid", 250)
        # three more levels fit a path; ten more do not
        c.expect("CWD d/d/d", 250)
        r = proper("CWD", timed(5, c.cmd, "CWD " + "d/" * 10))
        assert r[0] == "5", r
        c.expect("CWD ../../..", 250)
        data, r = timed(5, c.transfer, "STOR up", b"u" * 500)
        assert r.startswith("553") or r.startswith("226") or \
            r.startswith("550"), r[:200]
        # back up past the top: still the home
        for _ in range(2100):
            c.send("CDUP")
        for _ in range(2100):
            proper("CDUP", c.reply())
        assert c.cmd("PWD").startswith('257 "/"')
        c.expect("QUIT", 221)
        pinger.join_checked(3.0)


@test
def deep_tree_of_3000_levels():
    deep_tree({})


@test
def deep_tree_of_3000_levels_walk():
    deep_tree({"BURROW_JAIL": "walk"})


# --- symlinks with long targets ------------------------------------------------


def long_links(env):
    with Arena(env=env) as a:
        d = a.srv.dir
        # a real folder 800 levels down inside the home: "a/a/.../a" (as
        # deep as the server's shutil.rmtree can remove)
        build = os.path.join(a.harry, "a")
        os.mkdir(build)
        fd = os.open(build, DIR_FLAGS)
        for _ in range(799):
            os.mkdir("a", dir_fd=fd)
            sub = os.open("a", DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = sub
        f = os.open("leaf.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"leaf")
        os.close(f)
        os.close(fd)
        links = {
            "T_inside": "./" * 1200 + "a/" * 800,         # 4,000 bytes
            "T_inside_file": "./" * 1190 + "a/" * 800 + "leaf.txt",
            "T_4095": "x" * 4095,                          # the longest
            "T_out_rel": "../" * 1300 + "canary.txt",
            "T_out_abs": "/" * 4000 + "canary.txt",
            "T_out_real": "/" * 3000 + os.path.join(d, "canary.txt"),
            "T_loop": "T_loop",
            "T_dots": "./" * 2000 + "mine.txt",
            "T_chain": "T_inside/" + "../" * 800 + "T_out_rel",
        }
        for n, t in links.items():
            os.symlink(t, os.path.join(a.harry, n))
        c = a.login()
        for verb in ("LIST", "NLST", "MLSD"):
            data, r = timed(5, c.transfer, verb)
            proper(verb, r)
            assert r.startswith("226"), r
            clean(verb, data)
            for n in links:
                assert n.encode() in data, (verb, n, data)
            # the listing is one line per entry, none 4,000 bytes long
            for l in data.split(b"\r\n"):
                assert len(l) < 600, (verb, l[:100])
        listed = proper("STAT /", timed(5, c.cmd, "STAT /"))
        clean("STAT /", listed)
        for n in links:
            assert n in listed, (n, listed[:500])
            for line in ("MLST " + n, "SIZE " + n, "MDTM " + n, "HASH " + n,
                         "STAT " + n, "AVBL " + n):
                r = proper(line, timed(5, c.cmd, line))
                clean(line, r)
                assert len(r) < 600 or line.startswith("STAT"), (line, r)
            data, r = timed(5, c.transfer, "RETR " + n)
            proper("RETR", r)
            clean("RETR " + n, data)
            if n == "T_inside_file":
                assert (data, r[:3]) == (b"leaf", "226"), r
            elif n == "T_dots":
                assert (data, r[:3]) == (MINE, "226"), r
            else:
                assert r[0] in "45", (n, r)
            r = proper("CWD", timed(5, c.cmd, "CWD " + n))
            if r.startswith("250"):
                assert n == "T_inside", (n, r)
                data, r = c.transfer("NLST")
                assert data == b"leaf.txt\r\n", data
                c.expect("CWD /", 250)
        c.expect("QUIT", 221)


@test
def long_symlink_targets_in_listings():
    long_links({})


@test
def long_symlink_targets_in_listings_walk():
    long_links({"BURROW_JAIL": "walk"})


# --- commands in clear around AUTH TLS -----------------------------------------


def tls_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


@test
def commands_injected_around_auth_tls_are_not_run():
    with Arena(tls={}) as a:
        injected = b"USER harry\r\nPASS pw\r\nMKD injected\r\nDELE mine.txt\r\n"
        # In the same packet as AUTH TLS: dropped with the connection.
        with a.srv.raw() as c:
            c.expect(None, 220)
            c.sock.sendall(b"AUTH TLS\r\n" + injected)
            proper("AUTH", c.expect(None, 234))
            assert c.at_eof(5), "the injected commands were kept"
        # Right after the 234, before the client's hello (a man in the
        # middle's injection): it is no TLS record, the handshake fails.
        with a.srv.raw() as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            c.sock.sendall(injected)
            try:
                tls_ctx().wrap_socket(c.sock, server_hostname=HOST)
                raise AssertionError("a handshake after plaintext succeeded")
            except (ssl.SSLError, OSError):
                pass
        # Behind the handshake's last flight, in clear: not a TLS record.
        with a.srv.raw() as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            t = tls_ctx().wrap_socket(c.sock, server_hostname=HOST)
            t.sendall(b"NOOP\r\n")
            t.recv(4096)    # reads the 200 (and a ticket)
            # under the TLS layer: raw bytes on the same socket
            with socket.fromfd(t.fileno(), socket.AF_INET,
                               socket.SOCK_STREAM) as raw:
                raw.sendall(injected)
            t.settimeout(5)
            with contextlib.suppress(OSError, ssl.SSLError):
                assert t.recv(4096) == b"", "answered plaintext"
            t.close()
        time.sleep(0.3)
        assert not os.path.exists(os.path.join(a.harry, "injected"))
        assert read(os.path.join(a.harry, "mine.txt")) == MINE
        # a proper TLS session still works
        with a.srv.raw() as c:
            c.expect(None, 220)
            c.expect("AUTH TLS", 234)
            c.sock = tls_ctx().wrap_socket(c.sock, server_hostname=HOST)
            c.file = c.sock.makefile("rb")
            c.login("harry", "pw")
            proper("PWD", c.expect("PWD", 257))


# --- passive data connections stolen ----------------------------------------------


def pasv_addr(r):
    nums = r[r.index("(") + 1:r.index(")")].split(",")
    return ".".join(nums[:4]), int(nums[4]) * 256 + int(nums[5])


@test
def stolen_passive_upload_is_refused():
    with Arena() as a:
        c = a.login()
        for how in ("PASV", "EPSV"):
            r = proper(how, c.cmd(how))
            if how == "PASV":
                host, port = pasv_addr(r)
            else:
                host, port = HOST, int(r.split("|||")[1].split("|")[0])
            thieves = []
            for src in ("127.0.0.2", "127.0.0.3"):
                t = socket.socket()
                t.settimeout(5)
                t.bind((src, 0))
                t.connect((host, port))          # first in the queue
                with contextlib.suppress(OSError):
                    t.sendall(b"STOLEN-INJECTED-DATA\n")
                thieves.append(t)
            c.send("STOR up-" + how)
            time.sleep(0.3)
            good = socket.create_connection((host, port), 10)
            r = proper("STOR", c.reply())
            assert r.startswith("150"), r
            good.sendall(b"the real upload\n")
            good.shutdown(socket.SHUT_WR)
            good.recv(10)
            good.close()
            proper("STOR", c.expect(None, 226))
            assert read(os.path.join(a.harry, "up-" + how)) == \
                b"the real upload\n"
            for t in thieves:
                with contextlib.suppress(OSError):
                    assert t.recv(100) == b""
                t.close()
        assert a.srv.log().count("passive data connection from 127.0.0.") \
            >= 4, a.srv.log()
        c.expect("QUIT", 221)


def cpu_seconds(pid):
    """User and system CPU time the process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@test
def passive_accept_out_of_descriptors_fails_at_once():
    """A data connection that cannot be accepted (no descriptor left)
    stays queued: the wait for it must not spin on it until data_timeout
    but fail at once, and the session go on."""
    with Arena(data_timeout=5) as a:
        c = a.login()
        pid = a.srv.proc.pid
        host, port = pasv_addr(c.expect("PASV", 227))
        old = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        try:
            # room for the file RETR opens, none for the accept
            n = len(os.listdir("/proc/%d/fd" % pid))
            resource.prlimit(pid, resource.RLIMIT_NOFILE, (n + 1, old[1]))
            with socket.create_connection((host, port), 5):
                t0, c0 = time.monotonic(), cpu_seconds(pid)
                r = proper("RETR", c.cmd("RETR mine.txt"))
                took, spent = time.monotonic() - t0, cpu_seconds(pid) - c0
        finally:
            resource.prlimit(pid, resource.RLIMIT_NOFILE, old)
        assert r.startswith("425"), r
        assert took < 2 and spent < 1, "%.1fs, %.1fs of CPU" % (took, spent)
        assert "accepting the passive data connection: Too many open " \
            "files" in a.srv.log(), a.srv.log()
        c.expect("NOOP", 200)
        data, r = c.transfer("RETR mine.txt")
        assert (data, r[:3]) == (MINE, "226"), r
        c.expect("QUIT", 221)


def low_listener():
    """A listening socket on a free port below 1024 of 127.0.0.1 (root)."""
    for port in range(1023, 900, -1):
        ls = socket.socket()
        try:
            ls.bind((HOST, port))
            ls.listen(1)
            ls.settimeout(0.5)
            return ls
        except OSError:
            ls.close()
    raise AssertionError("no free port below 1024")


@test
def active_mode_never_to_privileged_ports():
    """PORT and EPRT to the client's own address but a port below 1024
    (its mail or ssh server, or a NAT gateway's: the FTP bounce of
    CVE-1999-0017) are refused with 504 (RFC 2577 section 3), and nothing
    connects there."""
    with Arena() as a, low_listener() as ls:
        low = ls.getsockname()[1]
        c = a.login()
        for line in ("PORT 127,0,0,1,%d,%d" % (low >> 8, low & 255),
                     "EPRT |1|127.0.0.1|%d|" % low, "PORT 127,0,0,1,0,25",
                     "EPRT |1|127.0.0.1|22|", "PORT 127,0,0,1,3,255",
                     "EPRT |1|127.0.0.1|1|"):
            r = proper(line, c.cmd(line))
            assert r.startswith("504"), (line, r)
            r = proper("RETR", c.cmd("RETR mine.txt"))
            assert r.startswith("425"), (line, r)     # no data mode set
            with contextlib.suppress(socket.timeout):
                ls.accept()[0].close()
                raise AssertionError("the server connected to port %d" % low)
        assert "to port %d refused (below 1024)" % low in a.srv.log()
        # 1024 and above still work
        with socket.create_server((HOST, 0)) as ok:
            p = ok.getsockname()[1]
            c.expect("EPRT |1|127.0.0.1|%d|" % p, 200)
            c.send("RETR mine.txt")
            conn, _ = ok.accept()
            with conn:
                proper("RETR", c.expect(None, 150))
                got = b""
                while True:
                    b = conn.recv(65536)
                    if not b:
                        break
                    got += b
            assert got == MINE
            proper("RETR", c.expect(None, 226))
        c.expect("QUIT", 221)


if __name__ == "__main__":
    run()
