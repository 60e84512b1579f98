"""
e2e_ftplib: every command burrowd implements, driven through Python's ftplib
(and a raw control connection where ftplib will not send a line), checked
against the replies of RFC 959, 2389, 2428 and 3659.

Covered: login and its failures, commands before login, malformed lines,
SYST NOOP FEAT (every listed feature exercised) OPTS HELP STAT TYPE MODE
STRU ALLO AVBL, PWD CWD CDUP MKD RMD DELE RNFR/RNTO SIZE MDTM MFMT MLST MLSD
LIST NLST, SITE CHMOD (modes, the mask, links, the jail, disabled), REST
RETR STOR APPE ABOR QUIT (also during transfers), PASV EPSV PORT EPRT (EPSV ALL, no bounce, no foreign passive peer, concurrent PASV),
binary integrity, ASCII conversion, dropped uploads resumed, failed
replacing uploads keeping the old file, idle_timeout and data_timeout.
"""
import ftplib
import hashlib
import io
import os
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ftp_resp, ftp_expect  # noqa: E402
from harness import HOST, Server, run, test, wait_until  # noqa: E402

USERS = {"harry": "pw", "beal": "secret"}


# ---------------------------------------------------------------- helpers

resp = ftp_resp


expect = ftp_expect


def send_raw(ftp, data):
    """Sends bytes as they are on the control connection; returns the reply."""
    ftp.sock.sendall(data)
    return ftp.getmultiline()


def raises(code, fn, *args, **kw):
    """Asserts fn raises an ftplib error whose reply has code."""
    try:
        r = fn(*args, **kw)
    except ftplib.all_errors as e:
        assert str(e)[:3] == str(code), "wanted %s, got %r" % (code, str(e))
        return str(e)
    raise AssertionError("wanted %s, got success %r" % (code, r))


def put(srv, user, name, data):
    path = os.path.join(srv.home(user), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def get(srv, user, name):
    with open(os.path.join(srv.home(user), name), "rb") as f:
        return f.read()


def retr(ftp, name, rest=None):
    out = io.BytesIO()
    ftp.retrbinary("RETR " + name, out.write, rest=rest)
    return out.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def payload(n, seed=1):
    import random
    return random.Random(seed).randbytes(n)


def multiline_body(r):
    """The middle lines of a multi-line reply, stripped of one space."""
    lines = r.split("\n")
    return [l[1:] if l.startswith(" ") else l for l in lines[1:-1]]


def parse_facts(s):
    """'type=file;size=3; name' -> ({'type': 'file', 'size': '3'}, 'name')."""
    facts, _, name = s.partition(" ")
    d = {}
    for f in facts.split(";"):
        if f:
            k, _, v = f.partition("=")
            d[k.lower()] = v
    return d, name


def pasv_port(reply):
    nums = re.search(r"\((\d+,\d+,\d+,\d+,\d+,\d+)\)", reply).group(1)
    n = [int(x) for x in nums.split(",")]
    return "%d.%d.%d.%d" % tuple(n[:4]), n[4] * 256 + n[5]


def epsv_port(reply):
    return int(re.search(r"\(\|\|\|(\d+)\|\)", reply).group(1))


def read_all(sock, limit=1 << 30):
    chunks, n = [], 0
    while n < limit:
        b = sock.recv(65536)
        if not b:
            break
        chunks.append(b)
        n += len(b)
    return b"".join(chunks)


def rst_close(sock):
    """Closes with a TCP reset: the peer sees the connection fail."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def login(srv, user="harry"):
    return srv.ftp(user, USERS[user])


# ---------------------------------------------------------------- login

@test
def greeting_user_pass_quit():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        assert ftp.welcome.startswith("220 "), ftp.welcome
        expect(ftp, "USER harry", 331)
        expect(ftp, "PASS pw", 230)
        assert expect(ftp, "PWD", 257).startswith('257 "/"')
        expect(ftp, "QUIT", 221)
        assert ftp.file.read() == "", "connection not closed after QUIT"
        ftp.close()


@test
def login_failures_same_reply_and_limit():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        expect(ftp, "USER harry", 331)
        t0 = time.monotonic()
        bad_pw = expect(ftp, "PASS wrong", 530)
        t_bad = time.monotonic() - t0
        expect(ftp, "USER nosuchuser", 331)
        t0 = time.monotonic()
        no_user = expect(ftp, "PASS pw", 530)
        t_nouser = time.monotonic() - t0
        assert bad_pw == no_user, (bad_pw, no_user)
        # Both are delayed (500 ms per failure so far).
        assert t_bad >= 0.4 and t_nouser >= 0.4, (t_bad, t_nouser)
        # The third failure closes the connection.
        expect(ftp, "USER harry", 331)
        r = expect(ftp, "PASS stillwrong", 530)
        assert r == bad_pw
        r = ftp.getmultiline()
        assert r.startswith("421"), r
        ftp.sock.settimeout(5)
        assert ftp.file.read() == "", "still open after 3 failures"
        ftp.close()
        # Others can still log in; a success resets nothing for them.
        ftp = login(srv)
        expect(ftp, "NOOP", 200)
        ftp.quit()


@test
def login_overlong_user_name():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        expect(ftp, "USER harry", 331)
        ref = expect(ftp, "PASS wrong", 530)
        expect(ftp, "USER " + "h" * 3000, 331)     # never probes names
        assert expect(ftp, "PASS pw", 530) == ref
        expect(ftp, "USER harry", 331)
        expect(ftp, "PASS pw", 230)
        ftp.quit()


@test
def login_two_failures_then_success():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        for _ in range(2):
            expect(ftp, "USER harry", 331)
            expect(ftp, "PASS nope", 530)
            expect(ftp, "PWD", 530)              # still not logged in
        expect(ftp, "USER harry", 331)
        expect(ftp, "PASS pw", 230)
        expect(ftp, "PWD", 257)
        ftp.quit()


@test
def login_sequence_rules():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        expect(ftp, "PASS pw", 503)              # PASS before USER
        expect(ftp, "USER", 501)                 # USER needs a name
        expect(ftp, "USER beal", 331)
        expect(ftp, "PASS secret", 230)
        expect(ftp, "USER harry", 530)           # already logged in
        expect(ftp, "PASS secret", 230)
        assert expect(ftp, "STAT", 211).count("beal") == 1
        ftp.quit()


@test
def commands_before_login_530():
    with Server(users=USERS) as srv:
        put(srv, "harry", "f.txt", b"x")
        ftp = srv.ftp()
        for line in ["PWD", "XPWD", "CWD /", "CDUP", "LIST", "NLST", "MLSD",
                     "MLST f.txt", "RETR f.txt", "STOR g.txt", "APPE g.txt",
                     "DELE f.txt", "MKD d", "RMD d", "RNFR f.txt",
                     "RNTO g.txt", "SIZE f.txt", "MDTM f.txt", "REST 0",
                     "PASV", "EPSV", "PORT 127,0,0,1,4,1",
                     "EPRT |1|127.0.0.1|1025|", "ALLO 10", "STAT /"]:
            expect(ftp, line, 530)
        # What a client may ask before logging in.
        expect(ftp, "SYST", 215)
        expect(ftp, "FEAT", 211)
        expect(ftp, "HELP", 214)
        expect(ftp, "NOOP", 200)
        assert "Not logged in" in expect(ftp, "STAT", 211)
        expect(ftp, "TYPE I", 200)
        expect(ftp, "MODE S", 200)
        expect(ftp, "STRU F", 200)
        expect(ftp, "OPTS UTF8 ON", 200)
        ftp.login("harry", "pw")
        assert ftp.size("f.txt") == 1
        assert not os.path.exists(os.path.join(srv.home("harry"), "g.txt"))
        ftp.quit()


# ---------------------------------------------------------------- syntax

@test
def unknown_and_malformed_lines():
    with Server(users=USERS) as srv:
        ftp = login(srv)
        expect(ftp, "XYZZY", 500)
        expect(ftp, "ABCDEFGHIJ", 500)           # verb longer than 8
        expect(ftp, "NO-OP", 500)
        expect(ftp, "RETR", 501)                 # needs an argument
        expect(ftp, "RETR ", 501)
        assert send_raw(ftp, b"NO\x00OP\r\n")[:3] == "500"
        assert send_raw(ftp, b"RETR a\x00b\r\n")[:3] == "500"
        assert send_raw(ftp, b"    \r\n")[:3] == "500"
        assert send_raw(ftp, b"\r\n")[:3] == "500"
        assert send_raw(ftp, b" NOOP\r\n")[:3] == "500"
        # Overlong lines: one 500 each, then the session goes on.
        for n in (4200, 9000, 200000):
            r = send_raw(ftp, b"NOOP " + b"x" * n + b"\r\n")
            assert r[:3] == "500", (n, r)
            assert expect(ftp, "NOOP", 200)
        # A long line that still fits is a command.
        assert send_raw(ftp, b"NOOP " + b"y" * 3000 + b"\r\n")[:3] == "200"
        # Lower case and mixed case verbs.
        assert expect(ftp, "pwd", 257).startswith('257 "/"')
        expect(ftp, "NoOp", 200)
        expect(ftp, "syst", 215)
        # A bare LF ends a line too; Telnet IP/DM before a verb is dropped.
        assert send_raw(ftp, b"NOOP\n")[:3] == "200"
        assert send_raw(ftp, b"\xff\xf4\xff\xf2NOOP\r\n")[:3] == "200"
        expect(ftp, "PWD", 257)
        # Pipelined commands in one write are answered in order.
        ftp.sock.sendall(b"NOOP\r\nPWD\r\nBOGUS\r\nSYST\r\n")
        assert [ftp.getmultiline()[:3] for _ in range(4)] == \
            ["200", "257", "500", "215"]
        # A command split across writes is one command.
        ftp.sock.sendall(b"NO")
        time.sleep(0.2)
        ftp.sock.sendall(b"OP\r")
        time.sleep(0.2)
        assert send_raw(ftp, b"\n")[:3] == "200"
        ftp.quit()


# ---------------------------------------------------------------- info

@test
def syst_noop_allo():
    with Server(users=USERS) as srv:
        ftp = login(srv)
        assert expect(ftp, "SYST", 215) == "215 UNIX Type: L8"
        expect(ftp, "NOOP", 200)
        # RFC 959: 200 where ALLO means something (a quota), else 202.
        for line in ("ALLO 1000", "ALLO 1000 R 10", "ALLO 0"):
            r = resp(ftp, line)
            assert r[:3] in ("200", "202"), (line, r)
        expect(ftp, "ALLO", 501)
        # ALLO keeps a pending REST (RFC 959: it may come between).
        put(srv, "harry", "f", b"0123456789")
        expect(ftp, "REST 4", 350)
        assert resp(ftp, "ALLO 6")[:3] in ("200", "202")
        conn = ftp.transfercmd("RETR f")
        assert read_all(conn) == b"456789"
        conn.close()
        ftp.voidresp()
        ftp.quit()


def feature_works(srv, ftp, feat):
    """Exercises one FEAT line; raises if the feature does not work."""
    name, _, params = feat.partition(" ")
    name = name.upper()
    put(srv, "harry", "feat/file.bin", b"abcdefgh")
    if name == "EPRT":
        ls = socket.create_server((HOST, 0))
        ls.settimeout(10)
        with ls:
            expect(ftp, "EPRT |1|127.0.0.1|%d|" % ls.getsockname()[1], 200)
            expect(ftp, "RETR /feat/file.bin", 150)
            conn, peer = ls.accept()
            assert peer[0] == "127.0.0.1"
            with conn:
                assert read_all(conn) == b"abcdefgh"
        assert ftp.getmultiline()[:3] == "226"
    elif name == "EPSV":
        port = epsv_port(expect(ftp, "EPSV", 229))
        with socket.create_connection((HOST, port), 10) as conn:
            expect(ftp, "RETR /feat/file.bin", 150)
            assert read_all(conn) == b"abcdefgh"
        assert ftp.getmultiline()[:3] == "226"
    elif name == "PIPELINING":
        # A command sent with RETR, before its 150, is answered after the
        # transfer's 226, in order.
        port = epsv_port(expect(ftp, "EPSV", 229))
        with socket.create_connection((HOST, port), 10) as conn:
            ftp.sock.sendall(b"RETR /feat/file.bin\r\nPWD\r\n")
            assert ftp.getmultiline()[:3] == "150"
            assert read_all(conn) == b"abcdefgh"
        assert ftp.getmultiline()[:3] == "226"
        assert ftp.getmultiline()[:3] == "257"
    elif name == "PASV":
        host, port = pasv_port(expect(ftp, "PASV", 227))
        assert host == HOST
        with socket.create_connection((host, port), 10) as conn:
            expect(ftp, "RETR /feat/file.bin", 150)
            assert read_all(conn) == b"abcdefgh"
        assert ftp.getmultiline()[:3] == "226"
    elif name == "AVBL":
        # draft-peterson-streamlined-ftp-command-extensions: "213 <bytes>"
        # for a directory, 550 for what is not one.
        for line in ("AVBL", "AVBL /feat"):
            r = expect(ftp, line, 213)
            assert re.fullmatch(r"213 \d+", r), r
        expect(ftp, "AVBL /feat/file.bin", 550)
        expect(ftp, "AVBL /nothere", 550)
    elif name == "MDTM":
        os.utime(os.path.join(srv.home("harry"), "feat/file.bin"),
                 (1000000000, 1000000000))
        assert expect(ftp, "MDTM /feat/file.bin", 213) == "213 20010909014640"
    elif name == "MFMT":
        r = expect(ftp, "MFMT 20010909014640 /feat/file.bin", 213)
        assert r == "213 Modify=20010909014640; /feat/file.bin", r
        assert expect(ftp, "MDTM /feat/file.bin", 213) == "213 20010909014640"
        assert os.stat(os.path.join(srv.home("harry"),
                                    "feat/file.bin")).st_mtime == 1000000000
    elif name == "SIZE":
        assert expect(ftp, "SIZE /feat/file.bin", 213) == "213 8"
    elif name == "REST":
        assert params.upper() == "STREAM", feat
        assert retr(ftp, "/feat/file.bin", rest=5) == b"fgh"
    elif name == "MLST":
        # "type*;size*;..." : the starred facts are the ones shown.
        offered = [f for f in params.split(";") if f]
        shown = {f.rstrip("*").lower() for f in offered if f.endswith("*")}
        r = expect(ftp, "MLST /feat/file.bin", 250)
        facts, path = parse_facts(multiline_body(r)[0])
        assert path == "/feat/file.bin", r
        assert set(facts) == shown, (facts, shown)
        assert facts.get("type") == "file" and facts.get("size") == "8"
        entries = dict((n, f) for n, f in ftp.mlsd("/feat"))
        assert entries["file.bin"]["type"] == "file"
    elif name == "TVFS":
        # Slash-separated paths, absolute and relative, with "..".
        expect(ftp, "CWD /feat", 250)
        assert expect(ftp, "SIZE file.bin", 213) == "213 8"
        assert expect(ftp, "SIZE ../feat/./file.bin", 213) == "213 8"
        expect(ftp, "CWD /", 250)
        assert expect(ftp, "SIZE feat/file.bin", 213) == "213 8"
    elif name == "HASH":
        algs = params.split(";")
        assert [a for a in algs if a.endswith("*")] == ["SHA-256*"], feat
        for a in (a.rstrip("*") for a in algs):
            assert expect(ftp, "OPTS HASH " + a, 200) == "200 " + a
            want = hashlib.new(a.replace("-", "").lower(), b"abcdefgh").hexdigest()
            r = expect(ftp, "HASH /feat/file.bin", 213)
            assert r == "213 %s 0-7 %s /feat/file.bin" % (a, want), r
    elif name == "UTF8":
        expect(ftp, "OPTS UTF8 ON", 200)
        uname = "f\u00e9\u00f1\u65e5.txt"
        ftp.storbinary("STOR /feat/" + uname, io.BytesIO(b"utf"))
        assert get(srv, "harry", "feat/" + uname) == b"utf"
        assert uname in ftp.nlst("/feat")
        assert retr(ftp, "/feat/" + uname) == b"utf"
    else:
        raise AssertionError("FEAT lists %r, which this test does not know:"
                             " add a check for it" % feat)


@test
def feat_lists_exactly_working_features():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        r = expect(ftp, "FEAT", 211)
        lines = r.split("\n")
        assert lines[0].startswith("211-") and lines[-1].startswith("211 "), r
        feats = []
        for l in lines[1:-1]:
            # RFC 2389: each feature line starts with exactly one space.
            assert l.startswith(" ") and not l.startswith("  "), repr(l)
            feats.append(l[1:])
        names = {f.split(" ")[0].upper() for f in feats}
        assert len(names) == len(feats), feats
        ftp.quit()
        # Each feature on a fresh session, so that one failure cannot
        # hide another.
        failed = []
        for f in feats:
            ftp = login(srv)
            try:
                feature_works(srv, ftp, f)
                expect(ftp, "NOOP", 200)
            except Exception as e:
                failed.append("feature %r: %r" % (f, e))
            ftp.close()
        assert not failed, "\n".join(failed)
        ftp = login(srv)
        # Extensions that FEAT does not list must not be half there.
        for verb in ["AUTH TLS", "PBSZ 0", "PROT P", "HASH /feat/file.bin",
                     "AVBL", "LANG EN", "MFMT 20200101000000 x",
                     "CLNT x", "XCRC x", "MODE Z", "STOU", "REIN",
                     "LPSV", "LPRT 4,4,127,0,0,1,2,4,1"]:
            if verb.split()[0] in names:
                continue
            r = resp(ftp, verb)
            assert r[:3] in ("500", "502", "504"), (verb, r)
        ftp.quit()


@test
def opts_utf8_and_mlst():
    with Server(users=USERS) as srv:
        put(srv, "harry", "a.txt", b"12345")
        os.mkdir(os.path.join(srv.home("harry"), "dir"))
        ftp = login(srv)
        expect(ftp, "OPTS UTF8 ON", 200)
        expect(ftp, "OPTS utf8 on", 200)
        expect(ftp, "OPTS UTF8 OFF", 200)
        expect(ftp, "OPTS UTF8 MAYBE", 501)
        expect(ftp, "OPTS FROB 1", 501)
        expect(ftp, "OPTS", 501)
        # Default facts.
        d, _ = parse_facts(multiline_body(expect(ftp, "MLST a.txt", 250))[0])
        assert set(d) == {"type", "size", "modify", "perm"}, d
        # Choose facts; unknown ones are ignored; the reply names the set.
        r = expect(ftp, "OPTS MLST type;size;bogus;", 200)
        assert r == "200 MLST OPTS type;size;", r
        d, name = parse_facts(multiline_body(
            expect(ftp, "MLST a.txt", 250))[0])
        assert d == {"type": "file", "size": "5"} and name == "/a.txt", d
        feat = expect(ftp, "FEAT", 211)
        assert re.search(r"^ MLST type\*;size\*;modify;perm;", feat, re.M), \
            feat
        # UNIX.mode and unique on request.
        r = expect(ftp, "OPTS MLST type;UNIX.mode;unique;", 200)
        d, _ = parse_facts(multiline_body(expect(ftp, "MLST a.txt", 250))[0])
        assert set(d) == {"type", "unix.mode", "unique"}, d
        assert d["unix.mode"] == "0644", d
        entries = dict(ftp.mlsd("/"))
        assert set(entries["dir"]) == {"type", "unix.mode", "unique"}
        assert entries["a.txt"]["unique"] != entries["dir"]["unique"]
        # An empty list: no facts, just the name.
        assert expect(ftp, "OPTS MLST", 200)[:3] == "200"
        line = multiline_body(expect(ftp, "MLST a.txt", 250))[0]
        assert line.strip() == "/a.txt", repr(line)
        ftp.quit()


@test
def help_list_and_verb():
    with Server(users=USERS) as srv:
        ftp = srv.ftp()
        r = expect(ftp, "HELP", 214)
        assert r.startswith("214-") and r.split("\n")[-1].startswith("214 ")
        words = set(" ".join(r.split("\n")[1:-1]).split())
        for v in ["ABOR", "ALLO", "APPE", "CDUP", "CWD", "DELE", "EPRT",
                  "EPSV", "FEAT", "HELP", "LIST", "MDTM", "MKD", "MLSD",
                  "MLST", "MODE", "NLST", "NOOP", "OPTS", "PASS", "PASV",
                  "PORT", "PWD", "QUIT", "REST", "RETR", "RMD", "RNFR",
                  "RNTO", "SIZE", "STAT", "STOR", "STRU", "SYST", "TYPE",
                  "USER", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD"]:
            assert v in words, (v, r)
        # Every verb HELP names is known to HELP <verb> (and not 500).
        for v in sorted(w for w in words if w.isupper() and w.isalpha()
                        and len(w) <= 4):
            assert expect(ftp, "HELP " + v, 214).startswith(
                "214 Syntax: " + v), v
        assert expect(ftp, "HELP retr", 214) == "214 Syntax: RETR <path>"
        expect(ftp, "HELP BOGUS", 501)
        ftp.quit()


@test
def stat_server_and_path():
    with Server(users=USERS) as srv:
        put(srv, "harry", "one.txt", b"1")
        put(srv, "harry", "sub/two.txt", b"22")
        ftp = login(srv)
        r = expect(ftp, "STAT", 211)
        assert r.startswith("211-") and r.split("\n")[-1].startswith("211 ")
        assert "harry" in r and "127.0.0.1" in r and "BINARY" in r, r
        expect(ftp, "TYPE A", 200)
        assert "ASCII" in expect(ftp, "STAT", 211)
        expect(ftp, "TYPE I", 200)
        # STAT <dir>: an ls -l listing over the control connection.
        r = expect(ftp, "STAT /", 213)
        assert r.startswith("213-") and r.split("\n")[-1].startswith("213 ")
        body = multiline_body(r)
        names = [l.split()[-1] for l in body if l.strip()
                 and l.lstrip()[:1] in "-d"]
        assert names == ["one.txt", "sub"], r
        assert any(l.lstrip().startswith("d") and l.rstrip().endswith("sub")
                   for l in body), r
        assert "\r" not in r
        r = expect(ftp, "STAT sub", 213)
        assert "two.txt" in r and "one.txt" not in r, r
        r = expect(ftp, "STAT sub/two.txt", 213)
        assert [l for l in multiline_body(r) if "two.txt" in l], r
        expect(ftp, "STAT nothere", 550)
        ftp.quit()


@test
def type_mode_stru():
    with Server(users=USERS) as srv:
        ftp = login(srv)
        for t in ["A", "A N", "I", "L 8", "a", "i"]:
            expect(ftp, "TYPE " + t, 200)
        for t in ["E", "X", "L 7", "A T", "IX", "L"]:
            expect(ftp, "TYPE " + t, 504)
        expect(ftp, "TYPE", 501)
        expect(ftp, "MODE S", 200)
        expect(ftp, "MODE s", 200)
        expect(ftp, "MODE B", 504)
        expect(ftp, "MODE C", 504)
        expect(ftp, "STRU F", 200)
        expect(ftp, "STRU R", 504)
        expect(ftp, "STRU P", 504)
        # TYPE L 8 is binary.
        put(srv, "harry", "b", b"a\nb\n")
        expect(ftp, "TYPE L 8", 200)
        host, port = pasv_port(expect(ftp, "PASV", 227))
        with socket.create_connection((host, port), 10) as c:
            expect(ftp, "RETR b", 150)
            assert read_all(c) == b"a\nb\n"
        assert ftp.getmultiline()[:3] == "226"
        ftp.quit()


# ---------------------------------------------------------------- names

@test
def pwd_cwd_cdup():
    with Server(users=USERS) as srv:
        put(srv, "harry", "a/b/c/file", b"x")
        ftp = login(srv)
        assert ftp.pwd() == "/"
        expect(ftp, "CDUP", 250)                  # at the root: stays
        assert ftp.pwd() == "/"
        expect(ftp, "CWD ..", 250)
        assert ftp.pwd() == "/"
        expect(ftp, "CWD ../../..", 250)
        assert ftp.pwd() == "/"
        expect(ftp, "CWD a", 250)
        assert ftp.pwd() == "/a"
        expect(ftp, "CWD b/c", 250)
        assert ftp.pwd() == "/a/b/c"
        expect(ftp, "CDUP", 250)
        assert ftp.pwd() == "/a/b"
        expect(ftp, "XCUP", 250)
        assert expect(ftp, "XPWD", 257).startswith('257 "/a"')
        expect(ftp, "CWD /a/b/./c/../c", 250)
        assert ftp.pwd() == "/a/b/c"
        expect(ftp, "XCWD /", 250)
        assert ftp.pwd() == "/"
        expect(ftp, "CWD nothere", 550)
        expect(ftp, "CWD a/b/c/file", 550)        # not a directory
        assert ftp.pwd() == "/"
        expect(ftp, "CWD a", 250)
        expect(ftp, "CWD", 250)                   # no argument: home
        assert ftp.pwd() == "/"
        ftp.quit()


@test
def mkd_rmd():
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        ftp = login(srv)
        assert expect(ftp, "MKD new", 257) == '257 "/new" created.'
        assert os.path.isdir(os.path.join(home, "new"))
        expect(ftp, "MKD new", 550)               # exists
        put(srv, "harry", "plain", b"")
        expect(ftp, "MKD plain", 550)             # a file by that name
        expect(ftp, "MKD missing/child", 550)
        expect(ftp, "CWD new", 250)
        assert expect(ftp, "XMKD inner", 257) == \
            '257 "/new/inner" created.'
        # RFC 959: a '"' in the name is doubled.
        assert expect(ftp, 'MKD say"hi', 257) == \
            '257 "/new/say""hi" created.'
        assert os.path.isdir(os.path.join(home, "new", 'say"hi'))
        assert ftp.mkd("/top") == "/top"
        expect(ftp, "CWD /", 250)
        expect(ftp, "RMD new", 550)               # not empty
        assert os.path.isdir(os.path.join(home, "new"))
        expect(ftp, "RMD new/inner", 250)
        expect(ftp, 'XRMD new/say"hi', 250)
        expect(ftp, "RMD new", 250)
        assert not os.path.exists(os.path.join(home, "new"))
        expect(ftp, "RMD new", 550)               # gone
        expect(ftp, "RMD plain", 550)             # a file
        assert os.path.exists(os.path.join(home, "plain"))
        ftp.quit()


@test
def dele():
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        put(srv, "harry", "f", b"data")
        put(srv, "harry", "d/inner", b"data")
        ftp = login(srv)
        expect(ftp, "DELE d", 550)                # a directory
        assert os.path.isdir(os.path.join(home, "d"))
        expect(ftp, "DELE missing", 550)
        expect(ftp, "DELE d/missing", 550)
        expect(ftp, "DELE f", 250)
        assert not os.path.exists(os.path.join(home, "f"))
        expect(ftp, "DELE f", 550)
        expect(ftp, "CWD d", 250)
        expect(ftp, "DELE inner", 250)
        assert os.listdir(os.path.join(home, "d")) == []
        ftp.quit()


@test
def rnfr_rnto():
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        put(srv, "harry", "f", b"file")
        put(srv, "harry", "d/x", b"in dir")
        ftp = login(srv)
        expect(ftp, "RNTO g", 503)                # no RNFR
        expect(ftp, "RNFR missing", 550)
        expect(ftp, "RNTO g", 503)                # a failed RNFR is none
        expect(ftp, "RNFR f", 350)
        expect(ftp, "RNTO g", 250)
        assert get(srv, "harry", "g") == b"file"
        assert not os.path.exists(os.path.join(home, "f"))
        expect(ftp, "RNTO h", 503)                # RNFR is used up
        # A directory, with what is inside it, into another directory.
        os.mkdir(os.path.join(home, "e"))
        expect(ftp, "RNFR d", 350)
        expect(ftp, "RNTO e/d2", 250)
        assert get(srv, "harry", "e/d2/x") == b"in dir"
        assert not os.path.exists(os.path.join(home, "d"))
        # Another command in between cancels the RNFR; NOOP does not.
        expect(ftp, "RNFR g", 350)
        expect(ftp, "PWD", 257)
        expect(ftp, "RNTO h", 503)
        expect(ftp, "RNFR g", 350)
        expect(ftp, "NOOP", 200)
        expect(ftp, "RNTO h", 250)
        assert get(srv, "harry", "h") == b"file"
        # ftplib's rename, relative to the cwd.
        ftp.cwd("/e")
        ftp.rename("d2", "/d3")
        assert os.path.isdir(os.path.join(home, "d3"))
        expect(ftp, "RNFR /h", 350)
        expect(ftp, "RNTO /nodir/h", 550)
        assert get(srv, "harry", "h") == b"file"
        ftp.quit()


@test
def size_and_mdtm():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "f", b"x" * 12345)
        os.utime(p, (1600000000, 1600000000))     # 2020-09-13 12:26:40 UTC
        os.mkdir(os.path.join(srv.home("harry"), "d"))
        put(srv, "harry", "empty", b"")
        ftp = login(srv)
        assert expect(ftp, "SIZE f", 213) == "213 12345"
        assert ftp.size("/f") == 12345
        assert expect(ftp, "SIZE empty", 213) == "213 0"
        expect(ftp, "SIZE d", 550)
        expect(ftp, "SIZE missing", 550)
        assert expect(ftp, "MDTM f", 213) == "213 20200913122640"
        expect(ftp, "MDTM missing", 550)
        expect(ftp, "MDTM d", 550)
        expect(ftp, "SIZE", 501)
        ftp.quit()


# ---------------------------------------------------------------- MFMT

T2020 = 1577934245                  # 2020-01-02 03:04:05 UTC


@test
def mfmt_sets_the_time_mdtm_reports():
    with Server(users=USERS, quotas={"harry": "1M"}) as srv:
        home = srv.home("harry")
        p = put(srv, "harry", "a.txt", b"hello")
        q = put(srv, "harry", "sub/sp ace.txt", b"spaced")
        os.utime(p, (1234567890, 1600000000))
        ftp = login(srv)
        avail = expect(ftp, "AVBL", 213)
        r = expect(ftp, "MFMT 20200102030405 a.txt", 213)
        assert r == "213 Modify=20200102030405; a.txt", r
        assert expect(ftp, "MDTM a.txt", 213) == "213 20200102030405"
        st = os.stat(p)
        assert st.st_mtime_ns == T2020 * 10**9, st
        assert st.st_atime == 1234567890, st      # the access time is kept
        d, _ = parse_facts(multiline_body(expect(ftp, "MLST a.txt", 250))[0])
        assert d["modify"] == "20200102030405", d
        # Relative to the current folder, a name with a space, and a
        # time long ago and far ahead.
        expect(ftp, "CWD sub", 250)
        r = expect(ftp, "MFMT 19991231235959 sp ace.txt", 213)
        assert r == "213 Modify=19991231235959; sp ace.txt", r
        assert os.stat(q).st_mtime == 946684799
        expect(ftp, "MFMT 20991231000000 /sub/sp ace.txt", 213)
        assert os.stat(q).st_mtime == 4102358400
        # A folder takes a time too (not the home itself: it has no
        # parent inside the jail).
        expect(ftp, "MFMT 20200102030405 /sub", 213)
        assert os.stat(os.path.join(home, "sub")).st_mtime == T2020
        expect(ftp, "MFMT 20200102030405 /", 550)
        # Times change no sizes: the quota is what it was.
        assert expect(ftp, "AVBL /", 213) == avail
        ftp.quit()


@test
def mfmt_fraction_of_a_second():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        ftp = login(srv)
        r = expect(ftp, "MFMT 20200102030405.250 a.txt", 213)
        assert r == "213 Modify=20200102030405.250; a.txt", r
        assert os.stat(p).st_mtime_ns == T2020 * 10**9 + 250000000
        assert expect(ftp, "MDTM a.txt", 213) == "213 20200102030405"
        expect(ftp, "MFMT 20200102030405.123456789 a.txt", 213)
        assert os.stat(p).st_mtime_ns == T2020 * 10**9 + 123456789
        ftp.quit()


@test
def mfmt_bad_times_and_syntax_are_501():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.utime(p, (1600000000, 1600000000))
        ftp = login(srv)
        for line in ["MFMT 20261301000000 a.txt", "MFMT 2026120112 a.txt",
                     "MFMT abcdefghijklmn a.txt", "MFMT 2026120100000x a.txt",
                     "MFMT 20261232000000 a.txt", "MFMT 20260229000000 a.txt",
                     "MFMT 20261201250000 a.txt", "MFMT 20261201006100 a.txt",
                     "MFMT 20261201000000. a.txt",
                     "MFMT 20261201000000.5x a.txt",
                     "MFMT 202612010000000 a.txt", "MFMT a.txt",
                     "MFMT 20261201000000", "MFMT 20261201000000 ",
                     "MFMT", "MFMT  20261201000000 a.txt"]:
            expect(ftp, line, 501)
        assert os.stat(p).st_mtime == 1600000000
        # A time that is good but a name that is not: 550.
        expect(ftp, "MFMT 20261201000000 missing.txt", 550)
        expect(ftp, "MFMT 20261201000000 nodir/a.txt", 550)
        expect(ftp, "MFMT 20261201000000 a.txt/x", 550)
        assert os.stat(p).st_mtime == 1600000000
        ftp.quit()


@test
def mfmt_stays_in_the_jail():
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        outside = os.path.join(srv.dir, "outside.txt")
        with open(outside, "wb") as f:
            f.write(b"not harry's")
        os.utime(outside, (1500000000, 1500000000))
        os.mkdir(os.path.join(srv.dir, "outdir"))
        out_in_dir = os.path.join(srv.dir, "outdir", "x.txt")
        with open(out_in_dir, "wb") as f:
            f.write(b"x")
        os.utime(out_in_dir, (1500000000, 1500000000))
        os.symlink(outside, os.path.join(home, "link"))
        os.symlink("../../outside.txt", os.path.join(home, "rel-link"))
        os.symlink(os.path.join(srv.dir, "outdir"),
                   os.path.join(home, "dirlink"))
        beal = put(srv, "beal", "b.txt", b"beal's")
        os.utime(beal, (1500000000, 1500000000))
        ftp = login(srv)
        rel = os.path.relpath(outside, home)
        for line in ["MFMT 20200102030405 ../../etc/passwd",
                     "MFMT 20200102030405 /../../../etc/passwd",
                     "MFMT 20200102030405 ../" + rel,
                     "MFMT 20200102030405 " + outside,
                     "MFMT 20200102030405 link",
                     "MFMT 20200102030405 rel-link",
                     "MFMT 20200102030405 dirlink/x.txt",
                     "MFMT 20200102030405 ../beal/b.txt"]:
            expect(ftp, line, 550)
        for path in (outside, out_in_dir, beal, "/etc/passwd"):
            assert os.stat(path).st_mtime != T2020, path
        assert os.stat(outside).st_mtime == 1500000000
        assert os.stat(out_in_dir).st_mtime == 1500000000
        assert os.stat(beal).st_mtime == 1500000000
        # The links themselves are left alone as well.
        assert os.lstat(os.path.join(home, "link")).st_mtime != T2020
        ftp.quit()


@test
def mfmt_before_login_is_530():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.utime(p, (1600000000, 1600000000))
        ftp = srv.ftp()
        expect(ftp, "MFMT 20200102030405 a.txt", 530)
        expect(ftp, "USER harry", 331)
        expect(ftp, "MFMT 20200102030405 a.txt", 530)
        expect(ftp, "PASS pw", 230)
        expect(ftp, "MFMT 20200102030405 a.txt", 213)
        assert os.stat(p).st_mtime == T2020
        ftp.quit()


# ---------------------------------------------------------------- SITE CHMOD

def mode_of(path):
    return os.lstat(path).st_mode & 0o7777


@test
def site_chmod_sets_the_mode():
    with Server(users=USERS, quotas={"harry": "1M"}) as srv:
        home = srv.home("harry")
        p = put(srv, "harry", "a.txt", b"hello")
        q = put(srv, "harry", "sub/sp ace.txt", b"spaced")
        os.chmod(p, 0o644)
        ftp = login(srv)
        avail = expect(ftp, "AVBL", 213)
        r = expect(ftp, "SITE CHMOD 600 a.txt", 200)
        assert r == "200 SITE CHMOD command ok.", r
        assert mode_of(p) == 0o600, oct(mode_of(p))
        # Four digits, no bits at all, lower-case verbs, a name with a
        # space relative to the current folder, an absolute path.
        expect(ftp, "site chmod 0755 a.txt", 200)
        assert mode_of(p) == 0o755
        expect(ftp, "SITE CHMOD 0 a.txt", 200)
        assert mode_of(p) == 0
        expect(ftp, "SITE CHMOD 644 /a.txt", 200)
        assert mode_of(p) == 0o644
        expect(ftp, "CWD sub", 250)
        expect(ftp, "SITE CHMOD 640 sp ace.txt", 200)
        assert mode_of(q) == 0o640
        expect(ftp, "SITE CHMOD 700 ../sub", 200)
        assert mode_of(os.path.join(home, "sub")) == 0o700
        # The listing shows it.
        expect(ftp, "CWD /", 250)
        lines = []
        ftp.retrlines("LIST", lines.append)
        assert any(l.startswith("drwx------") and l.endswith(" sub")
                   for l in lines), lines
        # The home itself has no parent in the jail.
        expect(ftp, "SITE CHMOD 700 /", 550)
        # Modes change no sizes.
        assert expect(ftp, "AVBL /", 213) == avail
        # It is logged like other changes.
        assert wait_until(lambda: "SITE CHMOD 0644 /a.txt" in srv.log(), 5), \
            srv.log()
        ftp.quit()


@test
def site_chmod_bad_modes_and_syntax_are_501():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.chmod(p, 0o640)
        ftp = login(srv)
        for line in ["SITE CHMOD 9 a.txt", "SITE CHMOD 8 a.txt",
                     "SITE CHMOD 12345 a.txt", "SITE CHMOD -1 a.txt",
                     "SITE CHMOD +644 a.txt", "SITE CHMOD u+x a.txt",
                     "SITE CHMOD rwxr-xr-x a.txt", "SITE CHMOD 0x1ff a.txt",
                     "SITE CHMOD 64a a.txt", "SITE CHMOD 00644 a.txt",
                     "SITE CHMOD 644", "SITE CHMOD 644 ", "SITE CHMOD",
                     "SITE CHMOD ", "SITE CHMOD  644 a.txt",
                     "SITE CHMOD a.txt"]:
            expect(ftp, line, 501)
        assert mode_of(p) == 0o640
        # A good mode but a name that is not there: 550.
        expect(ftp, "SITE CHMOD 600 missing.txt", 550)
        expect(ftp, "SITE CHMOD 600 nodir/a.txt", 550)
        expect(ftp, "SITE CHMOD 600 a.txt/x", 550)
        assert mode_of(p) == 0o640
        ftp.quit()


@test
def site_chmod_refuses_bits_the_mask_does_not_allow():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.chmod(p, 0o644)
        ftp = login(srv)
        # By default setuid, setgid and sticky are not allowed.
        for mode in ["4755", "2755", "1777", "6755", "7777"]:
            r = expect(ftp, "SITE CHMOD %s a.txt" % mode, 550)
            assert "chmod_mask 0777" in r, r
        assert mode_of(p) == 0o644
        ftp.quit()
    with Server(users=USERS, chmod_mask="0755") as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.chmod(p, 0o600)
        ftp = login(srv)
        expect(ftp, "SITE CHMOD 0664 a.txt", 550)
        expect(ftp, "SITE CHMOD 0777 a.txt", 550)
        assert mode_of(p) == 0o600
        expect(ftp, "SITE CHMOD 0755 a.txt", 200)
        assert mode_of(p) == 0o755
        ftp.quit()
    with Server(users=USERS, chmod_mask="7777") as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        ftp = login(srv)
        expect(ftp, "SITE CHMOD 1755 a.txt", 200)
        assert mode_of(p) == 0o1755
        ftp.quit()


@test
def site_chmod_stays_in_the_jail():
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        outside = os.path.join(srv.dir, "outside.txt")
        with open(outside, "wb") as f:
            f.write(b"not harry's")
        os.chmod(outside, 0o644)
        os.mkdir(os.path.join(srv.dir, "outdir"))
        out_in_dir = os.path.join(srv.dir, "outdir", "x.txt")
        with open(out_in_dir, "wb") as f:
            f.write(b"x")
        os.chmod(out_in_dir, 0o644)
        os.symlink(outside, os.path.join(home, "link"))
        os.symlink("../../outside.txt", os.path.join(home, "rel-link"))
        os.symlink(os.path.join(srv.dir, "outdir"),
                   os.path.join(home, "dirlink"))
        inside = put(srv, "harry", "in.txt", b"in")
        os.chmod(inside, 0o644)
        os.symlink("in.txt", os.path.join(home, "in-link"))
        beal = put(srv, "beal", "b.txt", b"beal's")
        os.chmod(beal, 0o644)
        passwd = mode_of("/etc/passwd")
        ftp = login(srv)
        rel = os.path.relpath(outside, home)
        for line in ["SITE CHMOD 777 ../../etc/passwd",
                     "SITE CHMOD 777 /../../../etc/passwd",
                     "SITE CHMOD 777 ../" + rel,
                     "SITE CHMOD 777 " + outside,
                     "SITE CHMOD 777 link",
                     "SITE CHMOD 777 rel-link",
                     "SITE CHMOD 777 dirlink/x.txt",
                     "SITE CHMOD 777 dirlink",
                     "SITE CHMOD 777 ../beal/b.txt",
                     # A link inside the home is not followed either.
                     "SITE CHMOD 777 in-link"]:
            expect(ftp, line, 550)
        for path in (outside, out_in_dir, beal, inside):
            assert mode_of(path) == 0o644, (path, oct(mode_of(path)))
        assert mode_of(os.path.join(srv.dir, "outdir")) != 0o777
        assert mode_of("/etc/passwd") == passwd
        ftp.quit()


# burrowd started in a mount namespace of its own where its /proc/self/fd
# is an empty folder, as without /proc: glibc's fchmodat
# (AT_SYMLINK_NOFOLLOW) goes through it, so it says EOPNOTSUPP for
# everything. (The rest of /proc stays: sanitizers need it.)
NO_PROC = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
           'mount -t tmpfs -o mode=0 burrow-nofd /proc/$$/fd && '
           'exec "$0" "$@"']


def no_proc_possible():
    try:
        return subprocess.run(NO_PROC + ["true"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@test
def site_chmod_without_proc():
    if not no_proc_possible():
        print("# no private mount namespace here: not tried")
        return
    with Server(users=USERS, wrap=NO_PROC) as srv:
        home = srv.home("harry")
        p = put(srv, "harry", "a.txt", b"hello")
        os.chmod(p, 0o644)
        os.mkdir(os.path.join(home, "d"))
        outside = os.path.join(srv.dir, "outside.txt")
        with open(outside, "wb") as f:
            f.write(b"x")
        os.chmod(outside, 0o644)
        os.symlink(outside, os.path.join(home, "link"))
        ftp = login(srv)
        expect(ftp, "SITE CHMOD 600 a.txt", 200)
        expect(ftp, "SITE CHMOD 711 d", 200)
        expect(ftp, "SITE CHMOD 777 link", 550)
        expect(ftp, "SITE CHMOD 777 missing", 550)
        assert mode_of(p) == 0o600
        assert mode_of(os.path.join(home, "d")) == 0o711
        assert mode_of(outside) == 0o644
        ftp.quit()


@test
def site_chmod_disabled_by_config():
    with Server(users=USERS, site_chmod=False) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.chmod(p, 0o644)
        ftp = login(srv)
        r = expect(ftp, "SITE CHMOD 600 a.txt", 502)
        assert "not enabled" in r, r
        expect(ftp, "SITE CHMOD 9 a.txt", 502)
        assert mode_of(p) == 0o644
        r = expect(ftp, "SITE HELP", 214)
        assert "CHMOD" not in r and "QUOTA" in r, r
        ftp.quit()


@test
def site_help_and_before_login():
    with Server(users=USERS) as srv:
        p = put(srv, "harry", "a.txt", b"hello")
        os.chmod(p, 0o644)
        ftp = srv.ftp()
        expect(ftp, "SITE CHMOD 600 a.txt", 530)
        r = expect(ftp, "HELP SITE", 214)
        assert "SITE CHMOD <octal mode> <path>" in r, r
        expect(ftp, "USER harry", 331)
        expect(ftp, "SITE CHMOD 600 a.txt", 530)
        expect(ftp, "PASS pw", 230)
        r = expect(ftp, "SITE HELP", 214)
        body = multiline_body(r)
        assert any(l.startswith("CHMOD <octal mode> <path>") for l in body), r
        assert any(l.startswith("QUOTA") for l in body), r
        assert any(l.startswith("HELP") for l in body), r
        expect(ftp, "SITE HELP x", 501)
        expect(ftp, "SITE QUOTA x", 501)
        expect(ftp, "SITE CHMODX 600 a.txt", 501)
        expect(ftp, "SITE CHMOD 600 a.txt", 200)
        assert mode_of(p) == 0o600
        ftp.quit()


@test
def mlst_and_mlsd():
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        p = put(srv, "harry", "f.bin", b"z" * 777)
        os.utime(p, (1500000000, 1500000000))
        put(srv, "harry", "sub/deep.txt", b"deep")
        put(srv, "harry", "empty", b"")
        ftp = login(srv)
        r = expect(ftp, "MLST f.bin", 250)
        lines = r.split("\n")
        assert lines[0].startswith("250-") and lines[-1].startswith("250 ")
        assert len(lines) == 3 and lines[1].startswith(" "), r
        d, name = parse_facts(lines[1][1:])
        assert name == "/f.bin", r
        assert d["type"] == "file" and d["size"] == "777", d
        assert d["modify"] == "20170714024000", d
        assert "r" in d["perm"], d
        d, name = parse_facts(multiline_body(expect(ftp, "MLST sub", 250))[0])
        assert d["type"] == "dir" and "size" not in d and name == "/sub", d
        assert "e" in d["perm"] and "l" in d["perm"], d
        d, name = parse_facts(multiline_body(expect(ftp, "MLST", 250))[0])
        assert d["type"] == "dir" and name == "/", d
        expect(ftp, "MLST missing", 550)
        # MLSD: one line per entry, no "." or "..", facts per RFC 3659.
        entries = dict(ftp.mlsd("/"))
        assert set(entries) == {"f.bin", "sub", "empty"}, entries
        assert entries["f.bin"]["type"] == "file"
        assert entries["f.bin"]["size"] == "777"
        assert entries["empty"]["size"] == "0"
        assert entries["sub"]["type"] == "dir"
        assert "size" not in entries["sub"]
        for e in entries.values():
            assert re.fullmatch(r"\d{14}", e["modify"]), e
        entries = dict(ftp.mlsd("sub"))
        assert entries == {"deep.txt": entries["deep.txt"]}
        assert entries["deep.txt"]["size"] == "4"
        ftp.cwd("sub")
        assert set(dict(ftp.mlsd())) == {"deep.txt"}
        ftp.cwd("/")
        # Raw MLSD: CRLF lines, each "facts name".
        host, port = pasv_port(expect(ftp, "PASV", 227))
        with socket.create_connection((host, port), 10) as c:
            expect(ftp, "MLSD", 150)
            raw = read_all(c)
        assert ftp.getmultiline()[:3] == "226"
        assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 3, raw
        # MLSD on a file is an error (RFC 3659: 501), and on nothing 550.
        ftp.mkd("void")
        assert list(ftp.mlsd("void")) == []
        ftp.rmd("void")
        expect(ftp, "MLSD f.bin", 501)
        expect(ftp, "MLSD missing", 550)
        assert os.path.exists(os.path.join(home, "f.bin"))
        ftp.quit()


@test
def list_and_nlst():
    with Server(users=USERS) as srv:
        put(srv, "harry", "alpha.txt", b"a" * 10)
        put(srv, "harry", "beta.bin", b"b" * 2000)
        put(srv, "harry", "dir/inside", b"i")
        ftp = login(srv)
        lines = []
        ftp.retrlines("LIST", lines.append)
        assert [l.split()[-1] for l in lines] == \
            ["alpha.txt", "beta.bin", "dir"], lines
        by_name = {l.split()[-1]: l.split() for l in lines}
        assert by_name["alpha.txt"][0].startswith("-")
        assert by_name["alpha.txt"][4] == "10"
        assert by_name["beta.bin"][4] == "2000"
        assert by_name["dir"][0].startswith("d")
        # "LIST -la" as clients send it: options skipped.
        la = []
        ftp.retrlines("LIST -la", la.append)
        assert la == lines, (la, lines)
        la = []
        ftp.retrlines("LIST -la dir", la.append)
        assert [l.split()[-1] for l in la] == ["inside"], la
        sub = []
        ftp.retrlines("LIST dir", sub.append)
        assert sub == la
        one = []
        ftp.retrlines("LIST beta.bin", one.append)
        assert len(one) == 1 and one[0].split()[-1] == "beta.bin", one
        # NLST: bare names.
        assert ftp.nlst() == ["alpha.txt", "beta.bin", "dir"]
        assert ftp.nlst("dir") == ["inside"]
        ftp.cwd("dir")
        assert ftp.nlst() == ["inside"]
        assert ftp.nlst("..") == ["alpha.txt", "beta.bin", "dir"]
        ftp.cwd("/")
        # LIST and NLST lines end in CRLF on the wire.
        host, port = pasv_port(expect(ftp, "PASV", 227))
        with socket.create_connection((host, port), 10) as c:
            expect(ftp, "NLST", 150)
            raw = read_all(c)
        assert ftp.getmultiline()[:3] == "226"
        assert raw == b"alpha.txt\r\nbeta.bin\r\ndir\r\n", raw
        raises(550, ftp.nlst, "missing")
        raises(550, ftp.retrlines, "LIST missing", lambda l: None)
        expect(ftp, "NOOP", 200)
        ftp.quit()


# ---------------------------------------------------------------- transfers

@test
def rest_retr():
    with Server(users=USERS) as srv:
        data = payload(100000)
        put(srv, "harry", "f", data)
        ftp = login(srv)
        assert retr(ftp, "f") == data
        assert retr(ftp, "f", rest=12345) == data[12345:]
        assert retr(ftp, "f", rest=99999) == data[99999:]
        assert retr(ftp, "f", rest=100000) == b""        # at the end: empty
        raises(554, retr, ftp, "f", rest=100001)          # beyond the end
        expect(ftp, "NOOP", 200)
        expect(ftp, "REST abc", 501)
        expect(ftp, "REST -5", 501)
        expect(ftp, "REST", 501)
        # REST must come right before the transfer: PWD clears it.
        expect(ftp, "REST 500", 350)
        expect(ftp, "PWD", 257)
        assert retr(ftp, "f") == data
        # A REST before an error is used up too.
        expect(ftp, "REST 10", 350)
        raises(550, retr, ftp, "missing")
        assert retr(ftp, "f") == data
        raises(550, retr, ftp, "/")                       # a directory
        ftp.quit()


@test
def stor_appe_rest():
    with Server(users=USERS) as srv:
        ftp = login(srv)
        a, b = payload(70000, 2), payload(50000, 3)
        ftp.storbinary("STOR f", io.BytesIO(a))
        assert get(srv, "harry", "f") == a
        ftp.storbinary("STOR f", io.BytesIO(b))           # shorter: replaced
        assert get(srv, "harry", "f") == b
        # APPE appends; on a missing file it creates it.
        ftp.storbinary("APPE f", io.BytesIO(a))
        assert get(srv, "harry", "f") == b + a
        ftp.storbinary("APPE g", io.BytesIO(a))
        assert get(srv, "harry", "g") == a
        # REST+STOR: keeps the first n bytes, writes from there.
        ftp.storbinary("STOR h", io.BytesIO(a[:30000]))
        ftp.storbinary("STOR h", io.BytesIO(a[20000:]), rest=20000)
        assert get(srv, "harry", "h") == a
        # REST+STOR inside a longer file truncates after what was sent.
        ftp.storbinary("STOR h", io.BytesIO(b"TAIL"), rest=10)
        assert get(srv, "harry", "h") == a[:10] + b"TAIL"
        # REST past the end is refused and the file is untouched.
        raises(554, ftp.storbinary, "STOR h", io.BytesIO(b"x"), rest=15)
        assert get(srv, "harry", "h") == a[:10] + b"TAIL"
        # APPE ignores a REST before it.
        expect(ftp, "REST 2", 350)
        ftp.storbinary("APPE h", io.BytesIO(b"!"))
        assert get(srv, "harry", "h") == a[:10] + b"TAIL!"
        # Empty upload, upload into a sub-directory, onto a directory.
        ftp.storbinary("STOR empty", io.BytesIO(b""))
        assert get(srv, "harry", "empty") == b""
        ftp.mkd("d")
        ftp.storbinary("STOR d/in", io.BytesIO(b"in"))
        assert get(srv, "harry", "d/in") == b"in"
        raises(550, ftp.storbinary, "STOR d", io.BytesIO(b"x"))
        raises(550, ftp.storbinary, "STOR nodir/x", io.BytesIO(b"x"))
        assert ftp.size("f") == len(b) + len(a)
        # Names with spaces; a name longer than NAME_MAX.
        ftp.storbinary("STOR my file .txt", io.BytesIO(b"sp"))
        assert get(srv, "harry", "my file .txt") == b"sp"
        assert "my file .txt" in ftp.nlst()
        raises(550, ftp.storbinary, "STOR " + "n" * 300, io.BytesIO(b""))
        expect(ftp, "MKD " + "n" * 300, 550)
        ftp.quit()


@test
def allo_and_avbl_with_a_quota():
    with Server(users=USERS, quotas={"harry": "1M"}) as srv:
        ftp = login(srv)
        r = expect(ftp, "AVBL", 213)
        assert int(r.split()[1]) == 1024 * 1024, r
        expect(ftp, "ALLO 1000", 200)
        expect(ftp, "ALLO %d" % (1024 * 1024), 200)
        expect(ftp, "ALLO %d" % (1024 * 1024 + 1), 552)
        expect(ftp, "ALLO abc", 501)
        ftp.storbinary("STOR a", io.BytesIO(b"x" * 1000))
        assert expect(ftp, "AVBL", 213) == "213 %d" % (1024 * 1024 - 1000)
        expect(ftp, "ALLO %d" % (1024 * 1024 - 1000 + 1), 552)
        ftp.quit()


@test
def failed_replacing_upload_keeps_old_file():
    """STOR onto an existing file replaces it only when complete: an
    aborted or dropped upload leaves the old content (DESIGN: Server)."""
    with Server(users=USERS) as srv:
        home = srv.home("harry")
        old = payload(200000, 11)
        new = payload(3 * 1024 * 1024, 12)
        put(srv, "harry", "keep.bin", old)
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        # Aborted.
        conn = ftp.transfercmd("STOR keep.bin")
        conn.sendall(new[:1024 * 1024])
        assert wait_until(lambda: "1048576 bytes so far" in
                          resp(ftp, "STAT"), 10)
        r = send_raw(ftp, b"ABOR\r\n")
        assert r[:3] == "426", r
        assert ftp.getmultiline()[:3] == "226"
        conn.close()
        assert get(srv, "harry", "keep.bin") == old
        # Dropped.
        conn = ftp.transfercmd("STOR keep.bin")
        conn.sendall(new[:1024 * 1024])
        assert wait_until(lambda: "1048576 bytes so far" in
                          resp(ftp, "STAT"), 10)
        rst_close(conn)
        r = ftp.getmultiline()
        assert r[:3] == "426", r
        assert get(srv, "harry", "keep.bin") == old
        assert os.listdir(home) == ["keep.bin"], os.listdir(home)
        # Complete: replaced.
        ftp.storbinary("STOR keep.bin", io.BytesIO(new))
        assert sha(get(srv, "harry", "keep.bin")) == sha(new)
        assert os.listdir(home) == ["keep.bin"], os.listdir(home)
        ftp.quit()


@test
def binary_integrity_5mb():
    with Server(users=USERS) as srv:
        ftp = login(srv)
        up = os.urandom(5 * 1024 * 1024 + 7)
        ftp.storbinary("STOR big.bin", io.BytesIO(up), blocksize=65536)
        assert sha(get(srv, "harry", "big.bin")) == sha(up)
        assert ftp.size("big.bin") == len(up)
        down = retr(ftp, "big.bin")
        assert sha(down) == sha(up)
        # A server-side file, every byte value, fetched.
        blob = bytes(range(256)) * 20480 + os.urandom(12345)
        put(srv, "harry", "server.bin", blob)
        assert sha(retr(ftp, "server.bin")) == sha(blob)
        # Same through active mode.
        ftp.set_pasv(False)
        assert sha(retr(ftp, "big.bin")) == sha(up)
        ftp.storbinary("STOR big2.bin", io.BytesIO(blob))
        assert sha(get(srv, "harry", "big2.bin")) == sha(blob)
        ftp.quit()


@test
def ascii_mode_conversion():
    with Server(users=USERS) as srv:
        ftp = login(srv)

        def store_ascii(name, raw):
            expect(ftp, "TYPE A", 200)
            conn = ftp.transfercmd("STOR " + name)
            conn.sendall(raw)
            conn.close()
            assert ftp.voidresp()[:3] == "226"

        def fetch_ascii(name):
            expect(ftp, "TYPE A", 200)
            conn = ftp.transfercmd("RETR " + name)
            raw = read_all(conn)
            conn.close()
            assert ftp.voidresp()[:3] == "226"
            return raw

        store_ascii("t.txt", b"one\r\ntwo\r\n\r\nthree\r\n")
        assert get(srv, "harry", "t.txt") == b"one\ntwo\n\nthree\n"
        # A lone CR is kept, and a CR at the very end too.
        store_ascii("cr.txt", b"a\rb\r\nc\r")
        assert get(srv, "harry", "cr.txt") == b"a\rb\nc\r"
        # CRLF split across many writes.
        big = b"line of text\r\n" * 50000
        expect(ftp, "TYPE A", 200)
        conn = ftp.transfercmd("STOR big.txt")
        for i in range(0, len(big), 4093):
            conn.sendall(big[i:i + 4093])
        conn.close()
        assert ftp.voidresp()[:3] == "226"
        assert get(srv, "harry", "big.txt") == big.replace(b"\r\n", b"\n")
        # A CRLF split between two writes is still one line end.
        expect(ftp, "TYPE A", 200)
        conn = ftp.transfercmd("STOR split.txt")
        conn.sendall(b"a\r")
        time.sleep(0.3)
        conn.sendall(b"\nb\r")
        time.sleep(0.3)
        conn.sendall(b"c\r\n")
        conn.close()
        assert ftp.voidresp()[:3] == "226"
        assert get(srv, "harry", "split.txt") == b"a\nb\rc\n"
        # Downloads: LF -> CRLF.
        put(srv, "harry", "u.txt", b"x\ny\n\nz")
        assert fetch_ascii("u.txt") == b"x\r\ny\r\n\r\nz"
        assert fetch_ascii("big.txt") == big
        # ftplib's own line modes agree.
        lines = []
        ftp.retrlines("RETR u.txt", lines.append)
        assert lines == ["x", "y", "", "z"], lines
        ftp.storlines("STOR s.txt", io.BytesIO(b"p\nq\n"))
        assert get(srv, "harry", "s.txt") == b"p\nq\n"
        # TYPE I again: bytes as they are.
        expect(ftp, "TYPE I", 200)
        assert retr(ftp, "u.txt") == b"x\ny\n\nz"
        ftp.quit()


@test
def transfer_without_data_connection_425():
    with Server(users=USERS, data_timeout=2) as srv:
        put(srv, "harry", "f", b"x")
        ftp = login(srv)
        expect(ftp, "RETR f", 425)
        expect(ftp, "LIST", 425)
        expect(ftp, "STOR g", 425)
        # A data port is for one transfer only.
        host, port = pasv_port(expect(ftp, "PASV", 227))
        with socket.create_connection((host, port), 10) as c:
            expect(ftp, "RETR f", 150)
            assert read_all(c) == b"x"
        assert ftp.getmultiline()[:3] == "226"
        expect(ftp, "RETR f", 425)
        # PASV then nobody connects: 425 after data_timeout.
        expect(ftp, "PASV", 227)
        t0 = time.monotonic()
        expect(ftp, "RETR f", 425)
        assert 1.5 <= time.monotonic() - t0 < 6
        expect(ftp, "NOOP", 200)
        ftp.quit()


# ---------------------------------------------------------------- ABOR

@test
def abor_without_transfer_225():
    with Server(users=USERS) as srv:
        put(srv, "harry", "f", b"x")
        ftp = login(srv)
        expect(ftp, "ABOR", 225)
        # ABOR closes a prepared passive port.
        expect(ftp, "PASV", 227)
        expect(ftp, "ABOR", 225)
        expect(ftp, "RETR f", 425)
        # ABOR is allowed before login as well.
        f2 = srv.ftp()
        expect(f2, "ABOR", 225)
        f2.close()
        assert retr(ftp, "f") == b"x"
        ftp.quit()


def sparse(srv, name, size):
    p = os.path.join(srv.home("harry"), name)
    with open(p, "wb") as f:
        f.truncate(size)
    return p


@test
def abor_during_large_retr():
    with Server(users=USERS) as srv:
        sparse(srv, "huge", 512 * 1024 * 1024)
        put(srv, "harry", "small", b"small file")
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR huge")
        got = conn.recv(65536)
        assert got and got.strip(b"\0") == b""
        # STAT during a transfer tells how far it went; others wait for
        # the transfer's end and are answered then, in order.
        r = expect(ftp, "STAT", 211)
        m = re.search(r"(\d+) bytes so far", r)
        assert m and int(m.group(1)) > 0, r
        ftp.putcmd("NOOP")
        ftp.putcmd("PWD")
        # ftplib's abort(): Telnet IP, Synch (urgent), ABOR.
        r = ftp.abort()
        assert r[:3] == "426", r
        r = ftp.getmultiline()
        assert r[:3] == "226", r
        assert ftp.getmultiline()[:3] == "200"
        assert ftp.getmultiline().startswith('257 "/"')
        conn.close()
        # The session goes on.
        expect(ftp, "NOOP", 200)
        assert retr(ftp, "small") == b"small file"
        # Again, with a plain "ABOR" line and after the client read a lot.
        conn = ftp.transfercmd("RETR huge")
        n = 0
        while n < 8 * 1024 * 1024:
            b = conn.recv(1 << 20)
            assert b
            n += len(b)
        r = send_raw(ftp, b"ABOR\r\n")
        assert r[:3] == "426", r
        assert ftp.getmultiline()[:3] == "226"
        conn.close()
        assert ftp.pwd() == "/"
        assert retr(ftp, "small", rest=6) == b"file"
        assert "RETR /huge" in srv.log() and "aborted" in srv.log()
        ftp.quit()


@test
def command_after_a_reset_download_is_answered():
    """A client resets a download it does not read and sends its next
    command at once: the transfer's 426 comes first, then the command's
    own reply (issue: 503 then 426, and PWD never answered)."""
    with Server(users=USERS) as srv:
        sparse(srv, "huge", 256 * 1024 * 1024)
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        for i in range(10):
            conn = ftp.transfercmd("RETR huge")
            conn.recv(1000)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            conn.close()                # a reset, not a close
            ftp.putcmd("PWD")
            ftp.sock.settimeout(10)
            r = ftp.getmultiline()
            assert r[:3] in ("426", "451", "226"), (i, r)
            r = ftp.getmultiline()
            assert r.startswith('257 "/"'), (i, r)
        expect(ftp, "NOOP", 200)
        ftp.quit()


@test
def pipelined_commands_during_a_transfer_in_order():
    """Commands sent during a download are all answered after it, in the
    order sent; more than the server holds wait in the socket, unread,
    and are answered too."""
    with Server(users=USERS) as srv:
        size = 32 * 1024 * 1024
        sparse(srv, "big", size)
        put(srv, "harry", "small", b"small file")
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR big")
        got = len(conn.recv(1000))
        n = 100                         # more than the 32 held
        for i in range(n):
            ftp.putcmd("MKD d%d" % i)
        ftp.putcmd("SIZE small")
        got += len(read_all(conn))
        conn.close()
        assert got == size, got
        ftp.sock.settimeout(10)
        assert ftp.getmultiline()[:3] == "226"
        for i in range(n):
            r = ftp.getmultiline()
            assert r.startswith('257 "/d%d"' % i), (i, r)
        assert ftp.getmultiline() == "213 10"
        assert ftp.pwd() == "/"
        ftp.quit()


@test
def quit_during_transfer_closes_after_it():
    """RFC 959 4.1.1 QUIT: "If file transfer is in progress, the connection
    will remain open for result response and the server will then close
    it." So: the transfer completes (226), then 221 and the close."""
    with Server(users=USERS) as srv:
        size = 16 * 1024 * 1024
        sparse(srv, "huge", size)
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR huge")
        got = len(conn.recv(1000))
        ftp.putcmd("QUIT")
        time.sleep(0.3)
        got += len(read_all(conn))
        conn.close()
        assert got == size, got
        replies = []
        ftp.sock.settimeout(5)
        for _ in range(3):
            try:
                r = ftp.getmultiline()
            except (EOFError, socket.timeout) as e:
                replies.append(type(e).__name__)
                break
            replies.append(r)
        assert [r[:3] for r in replies] == ["226", "221", "EOF"], replies


@test
def abor_during_large_stor_keeps_partial():
    with Server(users=USERS) as srv:
        path = os.path.join(srv.home("harry"), "up.bin")
        data = payload(3 * 1024 * 1024, 9)
        part = 1024 * 1024
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("STOR up.bin")
        conn.sendall(data[:part])
        assert wait_until(lambda: os.path.exists(path) and
                          os.path.getsize(path) == part, 10), \
            "server did not write the first part"
        r = expect(ftp, "STAT", 211)
        assert "%d bytes so far" % part in r, r
        r = send_raw(ftp, b"\xff\xf4\xff\xf2ABOR\r\n")
        assert r[:3] == "426", r
        assert ftp.getmultiline()[:3] == "226"
        conn.close()
        assert get(srv, "harry", "up.bin") == data[:part]
        # Resume the rest with REST+STOR.
        assert ftp.size("up.bin") == part
        ftp.storbinary("STOR up.bin", io.BytesIO(data[part:]), rest=part)
        assert sha(get(srv, "harry", "up.bin")) == sha(data)
        ftp.quit()


@test
def dropped_upload_data_reset_then_resume():
    with Server(users=USERS) as srv:
        src = os.urandom(5 * 1024 * 1024)
        path = os.path.join(srv.home("harry"), "drop.bin")
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("STOR drop.bin")
        conn.sendall(src[:2 * 1024 * 1024])
        wait_until(lambda: os.path.exists(path) and
                   os.path.getsize(path) >= 1024 * 1024, 10)
        rst_close(conn)                        # the data connection fails
        r = ftp.getmultiline()
        assert r[:3] == "426", r
        have = ftp.size("drop.bin")
        assert 0 < have <= 2 * 1024 * 1024, have
        assert get(srv, "harry", "drop.bin") == src[:have]
        ftp.storbinary("STOR drop.bin", io.BytesIO(src[have:]), rest=have)
        assert sha(get(srv, "harry", "drop.bin")) == sha(src)
        assert sha(retr(ftp, "drop.bin")) == sha(src)
        ftp.quit()


@test
def dropped_upload_client_killed_then_resume():
    with Server(users=USERS) as srv:
        src = os.urandom(5 * 1024 * 1024)
        path = os.path.join(srv.home("harry"), "kill.bin")
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("STOR kill.bin")
        conn.sendall(src[:3 * 1024 * 1024 + 5])
        wait_until(lambda: os.path.exists(path) and
                   os.path.getsize(path) >= 1024 * 1024, 10)
        # The client dies: both connections go at once.
        rst_close(conn)
        ftp.file.close()                       # the socket's last user
        rst_close(ftp.sock)
        assert wait_until(lambda: "STOR /kill.bin" in srv.log(), 10), \
            srv.log()
        ftp = login(srv)
        have = ftp.size("kill.bin")
        assert 0 < have <= 3 * 1024 * 1024 + 5, have
        assert get(srv, "harry", "kill.bin") == src[:have]
        # Resume with APPE this time, as some clients do.
        ftp.storbinary("APPE kill.bin", io.BytesIO(src[have:]))
        assert sha(get(srv, "harry", "kill.bin")) == sha(src)
        ftp.quit()


# ---------------------------------------------------------------- data ports

@test
def pasv_and_epsv():
    with Server(users=USERS) as srv:
        lo, hi = srv.conf["pasv_ports"]
        put(srv, "harry", "f", b"content")
        ftp = login(srv)
        host, port = pasv_port(expect(ftp, "PASV", 227))
        assert host == "127.0.0.1" and lo <= port <= hi, (host, port)
        with socket.create_connection((host, port), 10) as c:
            expect(ftp, "RETR f", 150)
            assert read_all(c) == b"content"
        assert ftp.getmultiline()[:3] == "226"
        for arg in ("", " 1"):
            port = epsv_port(expect(ftp, "EPSV" + arg, 229))
            assert lo <= port <= hi
            with socket.create_connection((HOST, port), 10) as c:
                expect(ftp, "LIST", 150)
                assert b"f\r\n" in read_all(c)
            assert ftp.getmultiline()[:3] == "226"
        expect(ftp, "EPSV 2", 522)                # IPv6 on an IPv4 session
        expect(ftp, "EPSV 3", 501)
        expect(ftp, "EPSV x", 501)
        # A second PASV replaces the first.
        _, p1 = pasv_port(expect(ftp, "PASV", 227))
        _, p2 = pasv_port(expect(ftp, "PASV", 227))
        with socket.create_connection((HOST, p2), 10) as c:
            expect(ftp, "RETR f", 150)
            assert read_all(c) == b"content"
        assert ftp.getmultiline()[:3] == "226"
        # ftplib with EPSV (as it uses for IPv6).
        ftp.af = socket.AF_INET6
        assert retr(ftp, "f") == b"content"
        ftp.af = socket.AF_INET
        ftp.quit()


@test
def pasv_concurrent_sessions_always_get_a_port():
    """Four sessions asking for passive ports at once, from a range with
    twice as many ports as sessions: each holds at most one, so every
    PASV/EPSV must get one."""
    import random
    import threading
    low = random.randrange(20000, 32000, 10)
    with Server(users=USERS, pasv_ports=[low, low + 7]) as srv:
        n, rounds = 4, 1000
        fails, errors = [], []
        barrier = threading.Barrier(n, timeout=10)

        def session():
            try:
                with srv.raw() as c:
                    assert c.reply().startswith("220")
                    c.login("harry", "pw")
                    barrier.wait()
                    for k in range(rounds):
                        r = c.cmd("PASV" if k % 2 else "EPSV")
                        if not r.startswith(("227", "229")):
                            fails.append(r.strip())
                    c.expect("QUIT", 221)
            except Exception as e:
                errors.append(repr(e))

        threads = [threading.Thread(target=session, daemon=True)
                   for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert not errors, errors
        warnings = [l for l in srv.log().splitlines() if "PASV" in l]
        assert not fails, "%d of %d PASV/EPSV failed: %r\n%s" % (
            len(fails), n * rounds, fails[:3], "\n".join(warnings[:5]))


@test
def epsv_all_refuses_pasv_port_eprt():
    with Server(users=USERS) as srv:
        put(srv, "harry", "f", b"after all")
        ftp = login(srv)
        expect(ftp, "EPSV ALL", 200)
        expect(ftp, "PASV", 503)
        expect(ftp, "PORT 127,0,0,1,200,10", 503)
        port = epsv_port(expect(ftp, "EPSV", 229))
        with socket.create_connection((HOST, port), 10) as c:
            expect(ftp, "RETR f", 150)
            assert read_all(c) == b"after all"
        assert ftp.getmultiline()[:3] == "226"
        expect(ftp, "PASV", 503)                  # still in force
        expect(ftp, "EPRT |1|127.0.0.1|51210|", 503)
        ftp.quit()


@test
def active_mode_port_and_eprt():
    with Server(users=USERS) as srv:
        data = payload(300000, 5)
        ftp = login(srv)
        ftp.set_pasv(False)                        # ftplib sends PORT
        ftp.storbinary("STOR act.bin", io.BytesIO(data))
        assert get(srv, "harry", "act.bin") == data
        assert retr(ftp, "act.bin") == data
        assert ftp.nlst() == ["act.bin"]
        lines = []
        ftp.retrlines("LIST", lines.append)
        assert lines[0].endswith("act.bin")
        expect(ftp, "TYPE I", 200)                # LIST left it at A
        # Nobody listening at the PORT address: 425.
        with socket.create_server((HOST, 0)) as ls:
            dead = ls.getsockname()[1]
        expect(ftp, "PORT 127,0,0,1,%d,%d" % (dead >> 8, dead & 255), 200)
        expect(ftp, "RETR act.bin", 425)
        # EPRT by hand; the server connects from its own address.
        with socket.create_server((HOST, 0)) as ls:
            ls.settimeout(10)
            expect(ftp, "EPRT |1|127.0.0.1|%d|" % ls.getsockname()[1], 200)
            expect(ftp, "RETR act.bin", 150)
            c, peer = ls.accept()
            with c:
                assert peer[0] == "127.0.0.1"
                assert read_all(c) == data
            assert ftp.getmultiline()[:3] == "226"
        # EPRT upload.
        with socket.create_server((HOST, 0)) as ls:
            ls.settimeout(10)
            expect(ftp, "EPRT |1|127.0.0.1|%d|" % ls.getsockname()[1], 200)
            expect(ftp, "STOR eprt.bin", 150)
            c, _ = ls.accept()
            with c:
                c.sendall(data[:1000])
            assert ftp.getmultiline()[:3] == "226"
        assert get(srv, "harry", "eprt.bin") == data[:1000]
        expect(ftp, "NOOP", 200)
        ftp.quit()


@test
def port_eprt_refused_to_other_hosts():
    with Server(users=USERS) as srv:
        put(srv, "harry", "f", b"secret")
        ftp = login(srv)
        # 127.0.0.2 is loopback too, but not the client's address.
        with socket.create_server(("127.0.0.2", 0)) as ls:
            ls.settimeout(1)
            p = ls.getsockname()[1]
            r = expect(ftp, "PORT 127,0,0,2,%d,%d" % (p >> 8, p & 255), 501)
            assert "refused" in r and "127.0.0.1" in r, r
            expect(ftp, "RETR f", 425)            # no data port was set
            try:
                ls.accept()[0].close()
                raise AssertionError("the server connected to 127.0.0.2")
            except socket.timeout:
                pass
        expect(ftp, "PORT 10,0,0,1,4,1", 501)
        for bad in ["PORT 127,0,0,1", "PORT 127,0,0,1,4", "PORT a,b,c,d,e,f",
                    "PORT 127,0,0,1,0,0", "PORT 256,0,0,1,4,1",
                    "PORT 127,0,0,1,4,256"]:
            expect(ftp, bad, 501)
        expect(ftp, "EPRT |3|127.0.0.1|1025|", 522)   # unknown protocol
        for bad in ["EPRT 127.0.0.1", "EPRT |1|127.0.0.1|", "EPRT |1|x|5|",
                    "EPRT |1|127.0.0.1|0|", "EPRT |1|127.0.0.1|70000|",
                    "EPRT |1|::1|1025|", "EPRT |2|127.0.0.1|1025|"]:
            expect(ftp, bad, 501)
        # Well-formed EPRTs to other hosts: refused as such (not as
        # malformed), naming the only address allowed.
        with socket.create_server(("127.0.0.2", 0)) as ls:
            ls.settimeout(1)
            p = ls.getsockname()[1]
            for other in ["|1|127.0.0.2|%d|" % p, "|1|192.0.2.1|1025|",
                          "|2|::1|1025|", "!1!127.0.0.2!%d!" % p]:
                r = expect(ftp, "EPRT " + other, 501)
                assert "refused" in r and "127.0.0.1" in r, (other, r)
            expect(ftp, "RETR f", 425)
            try:
                ls.accept()[0].close()
                raise AssertionError("the server connected to 127.0.0.2")
            except socket.timeout:
                pass
        expect(ftp, "NOOP", 200)
        ftp.quit()


@test
def pasv_connection_from_other_host_refused():
    with Server(users=USERS) as srv:
        put(srv, "harry", "f", b"only for 127.0.0.1")
        ftp = login(srv)
        host, port = pasv_port(expect(ftp, "PASV", 227))
        thief = socket.socket()
        thief.settimeout(5)
        thief.bind(("127.0.0.2", 0))
        thief.connect((host, port))              # queued before the RETR
        ftp.putcmd("RETR f")
        time.sleep(0.3)
        good = socket.create_connection((host, port), 10)
        r = ftp.getmultiline()
        assert r[:3] == "150", r
        assert read_all(good) == b"only for 127.0.0.1"
        good.close()
        assert ftp.getmultiline()[:3] == "226"
        try:
            assert thief.recv(100) == b""
        except ConnectionResetError:
            pass
        thief.close()
        assert "refused" in srv.log()
        ftp.quit()


# ---------------------------------------------------------------- timeouts

@test
def data_timeout_on_stalled_transfers():
    with Server(users=USERS, data_timeout=2) as srv:
        sparse(srv, "huge", 256 * 1024 * 1024)
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        # A download the client stops reading.
        conn = ftp.transfercmd("RETR huge")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        assert conn.recv(1000)
        t0 = time.monotonic()
        ftp.sock.settimeout(10)
        r = ftp.getmultiline()
        assert r[:3] == "426", r
        assert 1.5 <= time.monotonic() - t0 <= 6
        conn.close()
        expect(ftp, "NOOP", 200)
        # An upload that sends a little, then nothing.
        conn = ftp.transfercmd("STOR slow.bin")
        conn.sendall(b"x" * 1000)
        t0 = time.monotonic()
        r = ftp.getmultiline()
        assert r[:3] == "426", r
        assert 1.5 <= time.monotonic() - t0 <= 6
        conn.close()
        assert get(srv, "harry", "slow.bin") == b"x" * 1000
        expect(ftp, "NOOP", 200)
        ftp.quit()


@test
def half_command_line_during_transfer():
    """Half a control line sent during a stalled download must not keep
    the worker from timing the transfer out (it used to spin forever)."""
    with Server(users=USERS, data_timeout=2) as srv:
        sparse(srv, "huge", 256 * 1024 * 1024)
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR huge")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        assert conn.recv(1000)
        ftp.sock.sendall(b"NOO")
        t0 = time.monotonic()
        ftp.sock.settimeout(10)
        r = ftp.getmultiline()
        assert r[:3] == "426", r
        assert time.monotonic() - t0 <= 6
        conn.close()
        # The rest of the line completes the buffered half.
        ftp.sock.sendall(b"P\r\n")
        assert ftp.getmultiline()[:3] == "200"
        ftp.quit()


@test
def client_killed_during_retr():
    with Server(users=USERS) as srv:
        sparse(srv, "huge", 256 * 1024 * 1024)
        ftp = login(srv)
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("RETR huge")
        assert conn.recv(65536)
        rst_close(conn)
        ftp.file.close()
        rst_close(ftp.sock)
        assert wait_until(lambda: "RETR /huge" in srv.log(), 10), srv.log()
        ftp = login(srv)
        expect(ftp, "NOOP", 200)
        ftp.quit()


@test
def idle_timeout_421():
    with Server(users=USERS, idle_timeout=2) as srv:
        ftp = login(srv)
        expect(ftp, "NOOP", 200)
        t0 = time.monotonic()
        ftp.sock.settimeout(8)
        r = ftp.getmultiline()
        took = time.monotonic() - t0
        assert r[:3] == "421", r
        assert 1.5 <= took <= 5, took
        assert ftp.file.read() == ""              # then closed
        ftp.close()
        # Before login too.
        with srv.raw(timeout=8) as c:
            assert c.reply().startswith("220")
            t0 = time.monotonic()
            assert c.reply().startswith("421")
            assert 1.5 <= time.monotonic() - t0 <= 5
            assert c.at_eof()
        # Activity keeps a session alive.
        ftp = login(srv)
        for _ in range(3):
            time.sleep(1)
            expect(ftp, "NOOP", 200)
        ftp.quit()



@test
def rest_past_end_of_a_new_file_leaves_nothing():
    with Server(users=USERS) as srv:
        ftp = srv.ftp("harry")
        ftp.voidcmd("TYPE I")
        expect(ftp, "REST 100", 350)
        d = socket.create_connection(
            (HOST, int(resp(ftp, "EPSV").split("|||")[1].split("|")[0])), 5)
        r = resp(ftp, "STOR fresh.bin")
        d.close()
        assert r.startswith("554"), r
        assert not os.path.exists(os.path.join(srv.home("harry"),
                                               "fresh.bin"))
        ftp.quit()

@test
def iac_in_names_is_doubled_both_ways():
    """RFC 959 4.2 / RFC 2640: 0xFF in a name travels as IAC IAC on the
    control connection, in commands and in replies alike."""
    with Server(users=USERS) as srv:
        s = socket.create_connection((HOST, srv.port), 10)
        f = s.makefile("rb")

        def cmd(line):
            if line is not None:
                s.sendall(line + b"\r\n")
            return f.readline()
        assert cmd(None).startswith(b"220")
        assert cmd(b"USER harry").startswith(b"331")
        assert cmd(b"PASS pw").startswith(b"230")
        r = cmd(b"MKD a\xff\xffb")
        assert r == b'257 "/a\xff\xffb" created.\r\n', r
        assert os.path.isdir(os.path.join(srv.home("harry"), b"a\xffb".decode(
            errors="surrogateescape")))
        r = cmd(b"CWD a\xff\xffb")
        assert r.startswith(b"250") and b"a\xff\xffb" in r, r
        r = cmd(b"PWD")
        assert r == b'257 "/a\xff\xffb" is the current directory.\r\n' or \
            (r.startswith(b"257") and b"a\xff\xffb" in r), r
        s.close()


run()
