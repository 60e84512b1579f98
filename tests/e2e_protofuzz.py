"""
e2e_protofuzz: a protocol fuzzer against a running burrowd.

A few threads open sessions for a bounded time (BURROW_FUZZ_SECONDS,
default 45): logged in or not, some after AUTH TLS (PROT C or P), each a
random walk through a grammar of every verb srv/commands.c knows, with
valid, boundary and mutated arguments (long lines, NUL, CR, LF and IAC
bytes, Telnet sequences, UTF-8 and invalid UTF-8, path traversal
spellings, huge numbers, bad PORT/EPRT, globs, LIST/MLSD options, HASH,
RANG, MFMT), pipelined bursts of many lines in one write, and data
connections (PASV, EPSV, PORT, EPRT) opened and dropped at random points:
never connected, connected twice, dropped before the command or mid
transfer, reset, PORT to a closed port; commands sent during transfers,
ABOR, STAT; control connections closed mid-line and mid-transfer.

Every reply must be well formed (three digits, a space or a dash, CRLF,
no bare CR, IAC doubled, a multi-line reply closed by its own code, no
inner line that starts with a digit). Lines whose replies are certain
(one reply each, no data connection: see STRICT) are counted: a burst of
N such lines must get exactly N replies before the marker that follows
it (HELP of a made-up verb, answered "501 Unknown command <verb>.").
After the run the server must still be running, take a fresh login and
answer PWD, have logged no sanitizer report, and no file outside the
user's home may have changed (a canary beside the home, another user's
home, the test's own files); the harness then stops it and checks its
exit status and log again.

Of the time, 60% goes to that run (protofuzz), 20% to the same against
fewer places than threads (protofuzz_crowded: the queue, logins waiting
for a place), and 20% to servers stopped by SIGTERM mid-run
(protofuzz_shutdown: exit 0, nothing leaked or reported). Downloads and
replies must never hold a file from outside the home (each holds a
random token).

The seed is printed, with the settings it picked for the plain run;
BURROW_FUZZ_SEED=N replays it (BURROW_FUZZ_THREADS=1 makes a replay
deterministic up to timing). On a failure the seed, the
thread, the session number and that session's last lines are printed.
"""
import collections
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import ssl
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (HOST, RawClient, Server, free_port, run,  # noqa: E402
                     test)

SECONDS = float(os.environ.get("BURROW_FUZZ_SECONDS") or 45)
THREADS = int(os.environ.get("BURROW_FUZZ_THREADS") or 3)
SEED = int(os.environ.get("BURROW_FUZZ_SEED") or
           random.SystemRandom().randrange(1, 2 ** 31))

USER, PASSWORD = "fuzz", "fuzzpw"
LINE_MAX = 4096			# srv/session.h: line[CMD_LINE_MAX]
REPLY_WAIT = 25.0		# longest wait for one reply (ASan, HASH, delays)
MAX_REPLY = 4 << 20		# longest reply accepted
MAX_DOWN = 64 << 20		# most read from one download
SESSION_STEPS = 40		# steps of one session at most
SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
             "ThreadSanitizer", "AddressSanitizer:DEADLYSIGNAL")

# burrowd's verbs (srv/commands.c) and a few it does not know.
VERBS = ["ABOR", "ALLO", "APPE", "AUTH", "AVBL", "CDUP", "CWD", "DELE",
         "EPRT", "EPSV", "FEAT", "HASH", "HELP", "LIST", "MDTM", "MFMT",
         "MKD", "MLSD", "MLST", "MODE", "NLST", "NOOP", "OPTS", "PASS",
         "PASV", "PBSZ", "PORT", "PROT", "PWD", "QUIT", "RANG", "REST",
         "RETR", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "STAT", "STOR",
         "STRU", "SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD", "XPWD",
         "XRMD"]
UNKNOWN = ["REIN", "ACCT", "SMNT", "STOU", "XSHA1", "CLNT", "LANG", "HOST",
           "CCC", "MIC", "ENC", "CONF", "ADAT", "PROXY", "TVFS", "SPSV",
           "LPRT", "LPSV", "XMD5", "THMB", "ABCDEFGHI", "A", "Z"]
# Lines of these verbs get exactly one reply and open no data connection,
# before and after login, outside a transfer (during one, STAT and ABOR
# are answered at once instead of in order, so they are left out there).
STRICT = {"ABOR", "ALLO", "AVBL", "CDUP", "CWD", "DELE", "EPRT", "EPSV",
          "FEAT", "HASH", "HELP", "MDTM", "MFMT", "MKD", "MLST", "MODE",
          "NOOP", "OPTS", "PASV", "PBSZ", "PORT", "PROT", "PWD", "RANG",
          "REST", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "STAT", "STRU",
          "SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD"}
# Lines that may end the session: QUIT, PASS (too many failures), AUTH
# (a failed handshake), PROXY before login (refused, closed).
MAY_CLOSE = {"QUIT", "PASS", "AUTH", "PROXY"}

NAMES = [b"a.txt", b"big.bin", b"empty", b"d", b"d/e", b"d/e/f.txt",
         b"new.txt", b"new", b"up", b"canlink", b"etc", b"abscan",
         b".hidden", b"d/new.bin", b"x y.txt", b"\xc3\xa9t\xc3\xa9.txt",
         b"\xff\xfe.bin", b"\xff\xff", b"211 x", b"226 done", b"*", b"."]
TRAVERSAL = [b"..", b"../..", b"../../..", b"/..", b"/../..", b"/",
             b"../canary.txt", b"../../canary.txt", b"/../canary.txt",
             b"../victim/secret.txt", b"/../victim", b"..//..//", b"./../.",
             b"d/../../..", b"...", b"....//....//", b"..\\..\\",
             b"%2e%2e/%2e%2e", b"..%2f..%2fcanary.txt", b"/etc/passwd",
             b"//etc/passwd", b"~", b"~root", b"up/canary.txt",
             b"up/up/up/canary.txt", b"canlink", b"abscan", b"etc/passwd",
             b"up/victim/secret.txt", b"\xc0\xae\xc0\xae/\xc0\xae\xc0\xae",
             b"\xc0\xaf..", b"d/e/../../../..", b"/proc/self/environ",
             b"up/../up/../canary.txt", b"///", b"./", b"d/./e/.//f.txt"]
NUMBERS = [b"0", b"1", b"-1", b"+1", b"00", b"007", b"18446744073709551615",
           b"18446744073709551616", b"9223372036854775807",
           b"9223372036854775808", b"-9223372036854775808", b"1" * 100,
           b"0x10", b"1e3", b" 1", b"1 ", b"", b"4294967296", b"2147483648",
           b"nan", b"99999999999999999999999999", b"100", b"1048576"]
TELNET = [b"\xff\xf4", b"\xff\xf2", b"\xff\xfb\x01", b"\xff\xfd\x03",
          b"\xff\xfe", b"\xff\xff", b"\xff", b"\xff\xfa\x18\xff\xf0",
          b"\xff\xf4\xff\xf2", b"\xff\xfc"]
BYTES = [b"\x00", b"\r", b"\xff", b"\x80", b"\xc3", b"\t", b" ", b"\x7f",
         b"\x1b[2J", b"%s%n%x", b"\xe2\x80\xae", b"\xf4\x90\x80\x80"]
HASHES = [b"SHA-256", b"SHA-512", b"SHA-1", b"MD5", b"sha-256", b"CRC32",
          b"SHA-3", b"", b"SHA-256 extra", b"\xff", b"A" * 300]


class Finding(Exception):
    """Something the server must never do."""


def telnet_strip(b):
    """What proto/cmd.c cmd_telnet_strip() leaves of a line."""
    out = bytearray()
    i, n = 0, len(b)
    while i < n:
        if b[i] != 0xFF:
            out.append(b[i])
            i += 1
        elif i + 1 >= n:
            i += 1
        elif b[i + 1] == 0xFF:
            out.append(0xFF)
            i += 2
        elif 251 <= b[i + 1] <= 254:
            i += 3
        else:
            i += 2
    return bytes(out)


def server_lines(data):
    """The control lines burrowd reads from data, which ends with LF."""
    parts = data.split(b"\n")
    return [p[:-1] if p.endswith(b"\r") else p for p in parts[:-1]]


def verb_of(line):
    """The verb burrowd sees in one line, "" for a line it answers 500."""
    if len(line) >= LINE_MAX:
        return ""
    b = telnet_strip(line)
    if b"\0" in b:
        return ""
    m = re.match(rb"([A-Za-z]{1,8})(?: |\Z)", b, re.S)
    return m.group(1).decode().upper() if m else ""


def strict(data, during=False):
    """The number of replies data (whole lines) gets for certain, or None
    when one of its lines may get another number of replies."""
    n = 0
    for line in server_lines(data):
        v = verb_of(line)
        if v and v not in STRICT and v in VERBS + ["PROXY"]:
            return None
        if during and v in ("STAT", "ABOR"):
            return None
        n += 1
    return n


def may_close(data):
    return any(verb_of(l) in MAY_CLOSE for l in server_lines(data))


class Transcript:
    """The last lines of a session, each cut short."""

    def __init__(self):
        self.lines = collections.deque(maxlen=300)

    def add(self, tag, data):
        if isinstance(data, str):
            data = data.encode()
        r = repr(data[:400])
        if len(data) > 400:
            r += "... (%d bytes)" % len(data)
        self.lines.append("%7.3f %s %s" % (time.monotonic() % 1000, tag, r))

    def dump(self):
        return "\n".join(self.lines)


class Control:
    """A control connection that checks every reply it reads."""

    def __init__(self, port, tr):
        self.tr = tr
        self.sock = socket.create_connection((HOST, port), 10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.tls = False
        self.eof = False

    def send(self, data):
        self.tr.add(">", data)
        self.sock.sendall(data)

    def _more(self, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Finding("no reply within %.0f s" % REPLY_WAIT)
            self.sock.settimeout(min(left, 5))
            try:
                b = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                b = b""
            if not b:
                self.eof = True
                return False
            self.buf += b
            return True

    def _line(self, deadline):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i + 1], self.buf[i + 1:]
                return line
            if len(self.buf) > MAX_REPLY:
                raise Finding("reply line longer than %d bytes" % MAX_REPLY)
            if not self._more(deadline):
                if self.buf:
                    raise Finding("reply cut at end of file: %r"
                                  % self.buf[:200])
                return None

    def reply(self, wait=REPLY_WAIT):
        """The next reply as (code, bytes), None at end of file; raises
        Finding for a malformed one."""
        deadline = time.monotonic() + wait
        first = self._line(deadline)
        if first is None:
            self.tr.add("<", "EOF")
            return None
        text = [first]
        check_line(first, True)
        code = first[:3]
        if first[3:4] == b"-":
            while True:
                line = self._line(deadline)
                if line is None:
                    raise Finding("multi-line reply %s not closed before "
                                  "end of file: %r"
                                  % (code, b"".join(text)[-300:]))
                text.append(line)
                if sum(map(len, text)) > MAX_REPLY:
                    raise Finding("reply longer than %d bytes" % MAX_REPLY)
                if line[:3] == code and line[3:4] == b" ":
                    check_line(line, False)
                    break
                if line[:1].isdigit():
                    raise Finding("inner line of a %s reply starts with a "
                                  "digit: %r" % (code, line))
                check_line(line, False)
        whole = b"".join(text)
        self.tr.add("<", whole)
        leak(whole, "a reply")
        return int(code), whole

    def starttls(self, ctx, wait=10):
        self.sock.settimeout(wait)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=HOST)
        self.tls = True

    def close(self, reset=False):
        try:
            if reset:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
            self.sock.close()
        except OSError:
            pass


# In the files outside the home: a download or a reply that holds it, or
# the digest HASH gives of such a file, has read through the jail.
SECRET = b"outside-%d" % random.SystemRandom().randrange(10 ** 12)
SECRET_DIGESTS = []


def secret_file(path, who):
    data = b"%s %s must not change\n" % (SECRET, who)
    with open(path, "wb") as f:
        f.write(data)
    SECRET_DIGESTS.extend(h(data).hexdigest().encode() for h in (
        hashlib.sha256, hashlib.sha512, hashlib.sha1, hashlib.md5))


def leak(data, what):
    low = data.lower()
    if SECRET in data or any(d in low for d in SECRET_DIGESTS):
        raise Finding("%s holds a file from outside the home: %r"
                      % (what, data[:300]))


def check_line(line, first):
    if not line.endswith(b"\r\n"):
        raise Finding("reply line without CRLF: %r" % line[-200:])
    if b"\r" in line[:-2]:
        raise Finding("bare CR in a reply line: %r" % line[:200])
    for run_ in re.findall(rb"\xff+", line):
        if len(run_) % 2:
            raise Finding("IAC not doubled in a reply: %r" % line[:200])
    if first and not re.match(rb"[1-5][0-9][0-9][ -]", line):
        raise Finding("malformed reply line: %r" % line[:200])


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Fuzzer:
    """One thread's sessions, from its own random generator."""

    def __init__(self, srv, seed, index, stop, stats, crowded=False):
        self.srv = srv
        # Crowded: fewer places than threads, so connections queue (120)
        # and logins wait for a place; sessions are kept short.
        self.crowded = crowded
        self.tls_required = srv.conf["tls"]["require"]
        self.steps = 8 if crowded else SESSION_STEPS
        self.rng = random.Random(seed * 1000 + index)
        self.index = index
        self.stop = stop
        self.stats = stats
        self.ctx = tls_context()
        self.session = 0
        self.tr = Transcript()
        self.c = None
        self.logged_in = False

    # --- the grammar ------------------------------------------------------

    def pick(self, seq):
        return self.rng.choice(seq)

    def path(self):
        r = self.rng.random()
        if r < 0.45:
            return self.pick(NAMES)
        if r < 0.8:
            return self.pick(TRAVERSAL)
        if r < 0.88:
            return b"/".join(self.pick(NAMES + TRAVERSAL)
                             for _ in range(self.rng.randint(2, 6)))
        if r < 0.94:
            return b"x" * self.rng.choice([255, 256, 1000, 4000, 4090])
        return b"/".join([b"deep"] * self.rng.randint(10, 300))

    def number(self):
        if self.rng.random() < 0.3:
            return str(self.rng.randrange(0, 3 << 20)).encode()
        return self.pick(NUMBERS)

    def port_arg(self, port):
        p1, p2 = port >> 8, port & 255
        return self.pick([
            b"127,0,0,1,%d,%d" % (p1, p2), b"127,0,0,1,%d,%d" % (p1, p2),
            b"127,0,0,1,0,0", b"1,2,3,4,5,6", b"256,0,0,1,1,1",
            b"127,0,0,1,300,300", b"127,0,0,1", b"127,0,0,1,1,1,1",
            b",,,,,", b"-1,0,0,1,4,4", b"127.0.0.1.4.4",
            b"127,0,0,1,%s,1" % self.number(), b"0,0,0,0,%d,%d" % (p1, p2),
            b"127,0,0,01,%d,%d" % (p1, p2), b" 127,0,0,1,1,1",
            b"127,0,0,1,%d,%d " % (p1, p2), b"255,255,255,255,255,255",
            b"10,0,0,1,0,21", b"127,000000000000000,0,1,1,1",
            b"127,0,0,2,%d,%d" % (p1, p2)])

    def eprt_arg(self, port):
        return self.pick([
            b"|1|127.0.0.1|%d|" % port, b"|1|127.0.0.1|%d|" % port,
            b"|2|::1|%d|" % port, b"|2|::ffff:127.0.0.1|%d|" % port,
            b"|3|x|1|", b"||||", b"|1|127.0.0.1|99999|",
            b"|1|127.0.0.1|0|", b"x1x127.0.0.1x%dx" % port, b"|1|",
            b"|1|127.0.0.1|%d" % port, b"|1|1.2.3.4|21|",
            b"|1|127.0.0.1|%s|" % self.number(), b"|1|" + b"9" * 300 + b"|1|",
            b"!1!127.0.0.1!%d!" % port, b"|12|127.0.0.1|1|", b"|a|b|c|d|",
            b"\xff1\xff127.0.0.1\xff5\xff", b"|1|127.0.0.1||",
            b"|2|" + b":" * 60 + b"|1|"])

    def arg_for(self, verb):
        rng, pick = self.rng, self.pick
        closed = self.closed_port
        if verb in ("CWD", "XCWD", "DELE", "MKD", "XMKD", "RMD", "XRMD",
                    "RNFR", "RNTO", "SIZE", "MDTM", "MLST", "HASH", "AVBL",
                    "RETR", "STOR", "APPE"):
            return self.path()
        if verb in ("LIST", "NLST", "MLSD", "STAT"):
            opts = pick([b"", b"-la ", b"-a ", b"-R ", b"-l ", b"-- ", b"- ",
                         b"-la -R ", b"-", b"-lat", b"-" * 50 + b" "])
            tail = pick([b"", b"*", b"*.txt", b"d/*", b"[", b"?", b"{a,b}",
                         b"[!a]*", b"**/*"] + [self.path()] * 6)
            return (opts + tail).strip(b" ") if rng.random() < 0.8 else opts
        if verb in ("REST", "ALLO"):
            n = self.number()
            return n + (b" R " + self.number() if verb == "ALLO" and
                        rng.random() < 0.2 else b"")
        if verb == "RANG":
            return pick([b"%s %s" % (self.number(), self.number()),
                         b"0 10", b"5 1", b"1 0", b"0", b"0 0", b"10 5",
                         b"0 18446744073709551615", b"a b", b"1  2"])
        if verb == "MFMT":
            t = pick([b"20240101000000", b"99999999999999", b"19700101000000",
                      b"20240101000000.123", b"2024", b"20241301000000",
                      b"20240230250000", b"-1", b"20240101000000.",
                      b"20240101000000.1234567", b"00000000000000",
                      b"30000101000000"])
            return t + pick([b" ", b"", b"  "]) + self.path()
        if verb == "PORT":
            return self.port_arg(closed)
        if verb == "EPRT":
            return self.eprt_arg(closed)
        if verb == "EPSV":
            return pick([b"", b"1", b"2", b"ALL", b"all", b"3", b"11",
                         b"1 2", b"\xff"])
        if verb == "TYPE":
            return pick([b"I", b"A", b"A N", b"L 8", b"E", b"L 7", b"a",
                         b"i", b"A T", b"I I", b"X" * 100])
        if verb == "MODE":
            return pick([b"S", b"B", b"C", b"Z", b"s"])
        if verb == "STRU":
            return pick([b"F", b"R", b"P", b"f"])
        if verb == "OPTS":
            return pick([b"UTF8 ON", b"UTF8 OFF", b"UTF8", b"UTF8 maybe",
                         b"utf8 on", b"MLST type;size;modify;perm;",
                         b"MLST", b"MLST " + b"type;" * 200,
                         b"MLST unique;media-type;;;", b"HASH",
                         b"HASH " + pick(HASHES), b"NOPE", b"MODE Z LEVEL 9"])
        if verb == "SITE":
            return pick([b"QUOTA", b"HELP", b"quota", b"CHMOD 777 a.txt",
                         b"EXEC ls", b"", b"QUOTA x"])
        if verb == "HELP":
            return pick([b"", pick(VERBS).encode(), b"site", b"X" * 20,
                         b"\xff\xff", b"NOOP extra"])
        if verb == "AUTH":
            return pick([b"TLS", b"SSL", b"TLS-C", b"TLS-P", b"KERBEROS",
                         b""])
        if verb == "PBSZ":
            return pick([b"0", b"1", b"-1", b"18446744073709551616", b""])
        if verb == "PROT":
            return pick([b"P", b"C", b"S", b"E", b"X", b"PP", b"", b"p"])
        if verb == "USER":
            return pick([USER.encode(), b"victim", b"root", b"../fuzz",
                         b"fuzz\x00", b"A" * 300, b"", b"\xff\xfe"])
        if verb == "PASS":
            return pick([PASSWORD.encode(), b"wrong", b"", b"A" * 3000])
        return pick([b"", b"", b"x", self.path(), self.number()])

    def mutate(self, line):
        """Mutates one line (without its CRLF)."""
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            i = rng.randint(0, len(line))
            if r < 0.2:
                line = line[:i] + self.pick(BYTES) + line[i:]
            elif r < 0.35:
                line = line[:i] + self.pick(TELNET) + line[i:]
            elif r < 0.42:
                line = line[:i] + b"\n" + line[i:]
            elif r < 0.5:
                line = line[:i]
            elif r < 0.58:
                line = line.lower() if rng.random() < 0.5 else line.swapcase()
            elif r < 0.65:
                line = line[:i] + b" " * rng.randint(1, 5) + line[i:]
            elif r < 0.72:
                line += b"A" * self.pick([LINE_MAX - len(line) - 1,
                                          LINE_MAX - len(line),
                                          LINE_MAX, 8191, 8192, 8193, 20000,
                                          rng.randint(1, 3000)])
            elif r < 0.8:
                line = line[:i] + bytes(rng.randrange(256)
                                        for _ in range(rng.randint(1, 8))) \
                    + line[i:]
            elif r < 0.86:
                line = line * rng.randint(2, 3)
            elif r < 0.9:
                line = b""
            else:
                line = line[:i] + b"\r\r\r" + line[i:]
        return line

    def line(self, verbs=None, mutate=0.3):
        """One random command line, CRLF included."""
        rng = self.rng
        if verbs is None:
            verbs = VERBS if rng.random() < 0.93 else UNKNOWN
        verb = self.pick(verbs)
        arg = self.arg_for(verb)
        line = verb.encode() + (b" " + arg if arg or rng.random() < 0.1
                                else b"")
        if rng.random() < mutate:
            line = self.mutate(line)
        return line + self.pick([b"\r\n"] * 8 + [b"\n", b"\r\r\n"])

    def strict_line(self, during=False):
        """A line from STRICT, its arguments perhaps mutated."""
        verbs = sorted(STRICT - ({"STAT", "ABOR"} if during else set()))
        for _ in range(20):
            data = self.line(verbs if self.rng.random() < 0.9 else UNKNOWN)
            if strict(data, during) is not None:
                return data
        return b"NOOP\r\n"

    # --- the conversation -------------------------------------------------

    def marker(self):
        v = "QZ" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPRSTUVWXY")
                           for _ in range(6))
        return v, ("HELP %s\r\n" % v).encode()

    def is_marker(self, rep, v):
        return rep is not None and rep[0] == 501 and \
            (b"Unknown command %s." % v.encode()) in rep[1]

    def count(self, data):
        self.stats["lines"] += len(server_lines(data))

    def send(self, data):
        self.count(data)
        if len(data) > 2000 or self.rng.random() >= 0.1:
            self.c.send(data)
            return
        # Dribbled: lines cut across many writes, a few short pauses.
        i = 0
        while i < len(data):
            k = self.rng.randint(1, 40)
            self.c.send(data[i:i + k])
            i += k
            if self.rng.random() < 0.05:
                time.sleep(0.01)

    def expect_replies(self, n, what):
        """Exactly n replies, then the marker's."""
        v, m = self.marker()
        self.send(m)
        for i in range(n):
            rep = self.c.reply()
            if rep is None:
                raise Finding("end of file after %d of %d replies to %s"
                              % (i, n, what))
            if self.is_marker(rep, v):
                raise Finding("only %d replies to %s: %d lost"
                              % (i, what, n - i))
            if rep[0] < 200:
                raise Finding("preliminary reply to %s: %r" % (what, rep[1]))
        rep = self.c.reply()
        if not self.is_marker(rep, v):
            raise Finding("more than %d replies to %s, or marker lost: %r"
                          % (n, what, rep and rep[1][:200]))

    def send_loose(self, data):
        """Sends lines whose replies are not counted, then syncs. A QUIT
        among them may close before all is sent."""
        closing = may_close(data)
        try:
            self.send(data)
        except OSError:
            if closing:
                return False
            raise Finding("control connection closed unexpectedly")
        return self.sync(closing)

    def sync(self, closing):
        """Any number of well-formed replies, then the marker's; the
        session may end only when closing. Returns False at end of file."""
        v, m = self.marker()
        try:
            self.send(m)
        except OSError:
            if closing:
                return False
            raise Finding("control connection closed unexpectedly")
        for _ in range(200):
            rep = self.c.reply()
            if rep is None:
                if closing:
                    return False
                raise Finding("end of file before the marker")
            if self.is_marker(rep, v):
                return True
        raise Finding("more than 200 replies before the marker")

    def lines_step(self):
        """A burst of lines in one write, strictly counted if it can be."""
        if self.rng.random() < 0.6:
            k = self.rng.randint(1, 12 if not self.logged_in else 60)
            data = b"".join(self.strict_line() for _ in range(k))
        else:
            data = b"".join(self.line() for _ in range(
                self.rng.randint(1, 6)))
        n = strict(data)
        if n is not None:
            self.send(data)
            self.stats["strict"] += n
            self.expect_replies(n, "a burst of %d lines" % n)
            return True
        return self.send_loose(data)

    def login(self):
        if not self.c.tls and (self.tls_required or self.rng.random() < 0.3):
            self.auth_tls()
        self.send(b"USER %s\r\n" % USER.encode())
        rep = self.c.reply()
        if rep is None or rep[0] != 331:
            raise Finding("USER: %r" % (rep,))
        self.send(b"PASS %s\r\n" % PASSWORD.encode())
        rep = self.c.reply(60 if self.crowded else REPLY_WAIT)
        if self.crowded and rep is not None and rep[0] == 421:
            # The login's time ran out waiting for a place.
            self.stats["refused"] += 1
            self.c.eof = True
            return
        if rep is None or rep[0] != 230:
            raise Finding("PASS: %r" % (rep,))
        self.logged_in = True
        if self.c.tls and self.rng.random() < 0.9:
            self.send(b"PBSZ 0\r\n")
            self.c.reply()
            prot = b"P" if self.rng.random() < 0.6 else b"C"
            self.send(b"PROT %s\r\n" % prot)
            rep = self.c.reply()
            self.prot_p = rep is not None and rep[0] == 200 and prot == b"P"
        return True

    def auth_tls(self):
        self.send(b"AUTH TLS\r\n")
        rep = self.c.reply()
        if rep is None or rep[0] != 234:
            raise Finding("AUTH TLS: %r" % (rep,))
        self.c.starttls(self.ctx)
        self.stats["tls"] += 1

    def data_socket(self, port):
        s = socket.create_connection((HOST, port), 5)
        s.settimeout(5)
        return s

    def wrap_data(self, s):
        if not self.prot_p:
            return s
        s.settimeout(5)
        return self.ctx.wrap_socket(s, server_hostname=HOST,
                                    session=self.c.sock.session)

    def transfer_step(self):
        """A data connection set up one way and used or dropped another."""
        rng, pick = self.rng, self.pick
        self.stats["transfers"] += 1
        for line in (b"CWD /", b"TYPE " + pick([b"I", b"A"])):
            if rng.random() < 0.5:
                self.send(line + b"\r\n")
                if self.c.reply() is None:
                    raise Finding("end of file after %r" % line)
        listener = None
        mode = pick(["PASV", "EPSV", "PASV", "EPSV", "PORT", "EPRT",
                     "closed", "none"])
        port = None
        if mode in ("PASV", "EPSV"):
            self.send(b"%s\r\n" % mode.encode())
            rep = self.c.reply()
            if rep is None:
                raise Finding("end of file after %s" % mode)
            m = re.search(rb"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)"
                          if mode == "PASV" else rb"\(\|\|\|(\d+)\|\)", rep[1])
            if rep[0] in (227, 229) and m is None:
                raise Finding("%s reply without an address: %r"
                              % (mode, rep[1]))
            if m is not None:
                port = (int(m.group(5)) * 256 + int(m.group(6))
                        if mode == "PASV" else int(m.group(1)))
        elif mode in ("PORT", "EPRT", "closed"):
            if mode == "closed":
                lport = self.closed_port
            else:
                listener = socket.socket()
                listener.bind((HOST, 0))
                listener.listen(2)
                listener.settimeout(5)
                lport = listener.getsockname()[1]
            if mode == "EPRT" and rng.random() < 0.8:
                arg = b"|1|127.0.0.1|%d|" % lport
            elif mode == "EPRT":
                arg = self.eprt_arg(lport)
            elif rng.random() < 0.85:
                arg = b"127,0,0,1,%d,%d" % (lport >> 8, lport & 255)
            else:
                arg = self.port_arg(lport)
            self.send(b"%s %s\r\n" % (b"EPRT" if mode == "EPRT" else b"PORT",
                                      arg))
            if self.c.reply() is None:
                raise Finding("end of file after PORT/EPRT")
        try:
            return self.transfer(mode, port, listener)
        finally:
            if listener is not None:
                listener.close()

    def transfer(self, mode, port, listener):
        rng, pick = self.rng, self.pick
        verb = pick(["RETR", "RETR", "LIST", "NLST", "MLSD", "STOR", "APPE",
                     "STOR"])
        if rng.random() < 0.15:
            self.send(b"REST %s\r\n" % self.number())
            if self.c.reply() is None:
                raise Finding("end of file after REST")
        if rng.random() < 0.7:
            arg = pick({"RETR": [b"big.bin", b"a.txt", b"empty",
                                 b"/ro/big.bin", b"/ro/big.bin", b"/ro/a.txt"],
                        "STOR": [b"new.txt", b"d/new.bin", b"up.bin"],
                        "APPE": [b"new.txt", b"app.bin"]}.get(verb, [b""]))
        else:
            arg = self.arg_for(verb)
        cmd = verb.encode() + (b" " + arg if arg else b"")
        if rng.random() < 0.15:
            cmd = self.mutate(cmd)
        cmd += b"\r\n"
        plan = pick(["normal", "normal", "normal", "never", "drop_before",
                     "drop_mid", "reset_mid", "twice", "ctl_close",
                     "ctl_reset_mid", "thief"])
        dsock = []
        self.thief = None
        if port is not None and plan == "thief":
            # Another host (127.0.0.2 is loopback too) takes the passive
            # port first: it must be refused and never see the data.
            try:
                self.thief = socket.create_connection(
                    (HOST, port), 5, source_address=("127.0.0.2", 0))
            except OSError:
                pass
            plan = "normal"
        if port is not None and plan in ("normal", "drop_mid", "reset_mid",
                                         "twice", "ctl_close",
                                         "ctl_reset_mid", "drop_before"):
            if rng.random() < 0.7:
                try:
                    dsock.append(self.data_socket(port))
                except OSError:
                    pass
                if plan == "drop_before":
                    for s in dsock:
                        s.close()
                    dsock = []
        try:
            go = self._transfer(mode, port, listener, verb, cmd, plan,
                                dsock)
            if self.thief is not None:
                self.thief_check()
            return go
        finally:
            if self.thief is not None:
                self.thief.close()
            for s in dsock:
                try:
                    s.close()
                except OSError:
                    pass

    def _transfer(self, mode, port, listener, verb, cmd, plan, dsock):
        rng = self.rng
        lines = server_lines(cmd)
        one = len(lines) == 1 and verb_of(lines[0]) == verb
        during = b""
        if not one:
            return self.send_loose(cmd)
        if plan == "ctl_close" and rng.random() < 0.5:
            # The command cut mid-line, the connection closed.
            self.send(cmd[:rng.randint(0, len(cmd) - 1)])
            self.c.close(reset=rng.random() < 0.5)
            return False
        pipelined = rng.random() < 0.2
        if pipelined:
            during = b"".join(self.strict_line(True)
                              for _ in range(rng.randint(1, 40)))
        self.send(cmd + during)
        rep = self.c.reply()
        if rep is None:
            raise Finding("end of file after %r" % cmd[:100])
        self.outcome(verb, plan, rep[0])
        if rep[0] not in (125, 150):
            if rep[0] < 400:
                raise Finding("transfer command answered %r" % rep[1][:200])
            n = strict(during)
            self.expect_replies(n, "lines after a refused transfer")
            return True
        # The data connection, now that the server waits on it.
        if port is not None and not dsock and plan != "never":
            try:
                dsock.append(self.data_socket(port))
            except OSError:
                pass
        if listener is not None and plan != "never":
            try:
                dsock.append(listener.accept()[0])
                dsock[-1].settimeout(5)
            except OSError:
                pass
        if plan == "twice" and port is not None:
            try:
                dsock.append(self.data_socket(port))
            except OSError:
                pass
        abort = stat = quit_ = None
        if not pipelined and rng.random() < 0.3:
            r = rng.random()
            if r < 0.1:
                # RFC 959 4.1.1: QUIT waits for the transfer's reply.
                quit_ = b"QUIT\r\n"
            elif r < 0.3:
                abort = rng.choice([b"ABOR\r\n", b"\xff\xf4\xff\xf2ABOR\r\n",
                                    b"abor\r\n"])
            elif r < 0.4:
                stat = b"STAT\r\n"
            else:
                during = b"".join(self.strict_line(True)
                                  for _ in range(rng.randint(1, 40)))
            if abort and not self.c.tls and rng.random() < 0.5:
                # RFC 959 4.1.3: Telnet IP, then Synch (DM as urgent data).
                self.tr.add(">", b"(urgent) IAC IP IAC DM")
                self.c.sock.sendall(b"\xff\xf4\xff")
                self.c.sock.send(b"\xf2", socket.MSG_OOB)
            self.send(abort or stat or quit_ or during)
        if plan in ("ctl_close", "ctl_reset_mid"):
            if dsock:
                self.data_io(dsock[0], verb, rng.randint(1, 100000), plan)
            self.c.close(reset=plan == "ctl_reset_mid")
            return False
        if dsock and plan != "never":
            limit = None if plan in ("normal", "twice") else \
                rng.randint(0, 200000)
            self.data_io(dsock[0], verb, limit, plan)
        for s in dsock:
            try:
                s.close()
            except OSError:
                pass
        del dsock[:]
        if abort or stat:
            return self.sync(False)
        rep = self.c.reply()
        if rep is None:
            raise Finding("end of file before the end of %r" % cmd[:100])
        if rep[0] < 200:
            raise Finding("second preliminary reply: %r" % rep[1][:200])
        self.outcome(verb, plan, rep[0])
        self.stats["strict"] += 1
        if quit_:
            rep = self.c.reply()
            if rep is None or rep[0] != 221:
                raise Finding("QUIT during a transfer: %r" % (rep,))
            rep = self.c.reply(wait=5)
            if rep is not None:
                raise Finding("a reply after QUIT's: %r" % (rep,))
            return False
        n = strict(during, True)
        self.expect_replies(n, "lines sent during a transfer")
        return True

    def thief_check(self):
        self.stats["thieves"] += 1
        self.thief.settimeout(5)
        try:
            got = self.thief.recv(65536)
        except OSError:
            return
        if got:
            raise Finding("a data connection from 127.0.0.2 was served: %r"
                          % got[:100])

    def outcome(self, verb, plan, code):
        self.stats["%s %s %d" % (verb, plan, code)] += 1

    def data_io(self, s, verb, limit, plan):
        """Moves data: all of it, or up to limit bytes, then stops."""
        try:
            s = self.wrap_data(s)
            if verb in ("STOR", "APPE"):
                size = limit if limit is not None else \
                    self.rng.choice([0, 1, 100, 65536, 300000, 1 << 20])
                chunk = self.rng.randbytes(min(size, 65536))
                sent = 0
                while sent < size:
                    n = min(len(chunk), size - sent)
                    s.sendall(chunk[:n])
                    sent += n
                self.stats["up"] += sent
                if limit is None:
                    if isinstance(s, ssl.SSLSocket):
                        s = s.unwrap()
                    s.shutdown(socket.SHUT_WR)
                    for _ in range(1000):	# the server closes first
                        if not s.recv(65536):
                            break
            else:
                got, tail = 0, b""
                while got < (limit if limit is not None else MAX_DOWN):
                    b = s.recv(65536)
                    if not b:
                        break
                    got += len(b)
                    leak(tail + b, "a download")
                    tail = b[-64:]
                self.stats["down"] += got
        except (OSError, ssl.SSLError, ValueError):
            pass
        if plan == "reset_mid":
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            except OSError:
                pass
        try:
            s.close()
        except OSError:
            pass

    def deep_step(self):
        """Folders nested up to and past max_depth, with long names, then
        moved, listed and left."""
        rng = self.rng
        name = self.pick([b"n", b"deep", b"x" * 200, b"\xff\xfe", b"226 d"])
        levels = rng.choice([5, 50, 255, 256, 257, 300])
        data = b"CWD /\r\n" + (b"MKD %s\r\nCWD %s\r\n" % (name, name)) * \
            levels
        data += b"".join(self.strict_line() for _ in range(rng.randint(0, 5)))
        data += self.pick([b"PWD\r\n", b"CDUP\r\n", b"STAT\r\n",
                           b"MLST\r\n", b"AVBL\r\n"])
        n = strict(data)
        self.send(data)
        self.stats["strict"] += n
        self.expect_replies(n, "a deep tree")
        data = b"CWD /\r\nRNFR %s\r\nRNTO %s\r\nRNFR %s\r\nRNTO %s\r\n" % (
            name, b"d/e/" + name, b"d/e/" + name, name)
        self.send(data)
        self.stats["strict"] += 5
        self.expect_replies(5, "moves of a deep tree")
        return True

    def chaos_step(self):
        """Ends the session abruptly: mid-line, with a reset, or QUIT."""
        r = self.rng.random()
        try:
            if not self.c.tls and r < 0.2:
                # A TLS handshake that goes wrong: plain text, a cut or
                # garbled ClientHello, silence and a close.
                self.send(b"AUTH TLS\r\n")
                rep = self.c.reply()
                if rep is None or rep[0] not in (234, 503):
                    raise Finding("AUTH TLS: %r" % (rep,))
                self.send(self.pick([
                    b"NOOP\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03",
                    b"\x16\x03\x01\xff\xff" + os.urandom(300),
                    os.urandom(self.rng.randint(1, 2000)), b""]))
                self.c.close(reset=self.rng.random() < 0.5)
            elif r < 0.4:
                line = self.line()
                self.send(line[:self.rng.randint(0, max(0, len(line) - 2))])
                self.c.close(reset=self.rng.random() < 0.5)
            elif r < 0.6:
                # QUIT among them may close first: the rest meets a reset.
                self.send(b"".join(self.line() for _ in range(5)))
                self.c.close(reset=True)
            else:
                self.send(b"QUIT\r\n")
                for _ in range(100):
                    if self.c.reply() is None:
                        break
        except OSError:		# a reset, a pipe, TLS's EOF
            pass
        return False

    def one_session(self):
        self.session += 1
        self.tr = Transcript()
        self.logged_in = False
        self.prot_p = False
        self.stats["sessions"] += 1
        relink(self.srv)
        with socket.socket() as s:
            s.bind((HOST, 0))
            self.closed_port = s.getsockname()[1]
        implicit = self.rng.random() < 0.08
        self.c = Control(self.srv.conf["tls"]["implicit_port"] if implicit
                         else self.srv.port, self.tr)
        crowd = self.crowd() if self.rng.random() < 0.05 else []
        try:
            if not self.greeting(implicit):
                self.stats["refused"] += 1
                time.sleep(0.1)		# a place may free meanwhile
                return
            want_login = self.rng.random() < 0.75
            if want_login:
                self.login()
            elif not self.c.tls and self.rng.random() < 0.3:
                self.auth_tls()
            if self.crowded and not self.logged_in and self.c.eof:
                return
            for _ in range(self.rng.randint(1, self.steps)):
                if self.stop.is_set() or time.monotonic() > self.deadline:
                    break
                r = self.rng.random()
                if r < 0.5:
                    go = self.lines_step()
                elif r < 0.87 and self.logged_in:
                    go = self.transfer_step()
                elif r < 0.9 and self.logged_in:
                    go = self.deep_step()
                elif r < 0.96:
                    go = self.lines_step()
                else:
                    go = self.chaos_step()
                if not go:
                    return
            if self.rng.random() < 0.5:
                self.chaos_step()
        finally:
            self.c.close()
            for c in crowd:
                c.close(reset=self.rng.random() < 0.5)

    def greeting(self, implicit):
        """Waits for 220. False when a crowded server refused (421, or an
        implicit FTPS connection closed unanswered: nothing in clear)."""
        wait = 60 if self.crowded else REPLY_WAIT
        try:
            if implicit:
                # Implicit FTPS: TLS from the first byte, data protected.
                self.tr.add(">", "(implicit TLS)")
                self.c.starttls(self.ctx, wait)
                self.prot_p = True
                self.stats["tls"] += 1
            rep = self.c.reply(wait)
            while rep is not None and rep[0] == 120:
                rep = self.c.reply(wait)
        except (OSError, ssl.SSLError):
            if not self.crowded:
                raise
            return False
        if self.crowded and (rep is None or rep[0] == 421):
            return False
        if rep is None or rep[0] != 220:
            raise Finding("greeting: %r" % (rep,))
        return True

    def crowd(self):
        """Connections that wait in the lobby beside the session: silent,
        cut mid-line, mid-login, mid-handshake."""
        out = []
        for _ in range(self.rng.randint(2, 12)):
            try:
                c = Control(self.srv.port, Transcript())
                c.send(self.pick([
                    b"", b"USER", b"USER fuzz\r\n", b"USER fuzz\r\nPASS",
                    b"AUTH TLS\r\n", b"AUTH TLS\r\n\x16\x03\x01\x00",
                    b"NOOP\r\nNOOP\r\nNO", b"\xff\xf4", b"A" * 9000,
                    b"USER victim\r\nPASS wrong\r\n"]))
                out.append(c)
            except OSError:
                pass
        return out

    def loop(self, deadline):
        self.deadline = deadline
        while not self.stop.is_set() and time.monotonic() < deadline \
                and self.session < 100000:
            if self.srv.proc.poll() is not None:
                raise Finding("burrowd exited with %d"
                              % self.srv.proc.returncode)
            self.one_session()


def snapshot(top, skip):
    """Every path under top but those in skip: its kind, size, mode and
    content digest (files) or entries (folders)."""
    out = {}
    for d, dirs, files in os.walk(top):
        dirs[:] = [x for x in dirs if os.path.join(d, x) not in skip]
        for name in dirs + files:
            p = os.path.join(d, name)
            if p in skip:
                continue
            st = os.lstat(p)
            if os.path.islink(p):
                out[p] = ("link", os.readlink(p))
            elif os.path.isdir(p):
                out[p] = ("dir", st.st_mode, sorted(os.listdir(p)))
            else:
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                out[p] = ("file", st.st_mode, st.st_size, st.st_mtime_ns,
                          digest)
    return out


def populate(srv):
    """The user's home and the things beside it that must stay untouched."""
    home = srv.home(USER)
    os.makedirs(os.path.join(home, "d", "e"), exist_ok=True)
    with open(os.path.join(home, "a.txt"), "w") as f:
        f.write("hello\n" * 50)
    with open(os.path.join(home, "big.bin"), "wb") as f:
        f.write(os.urandom(2 << 20))
    with open(os.path.join(home, "d", "e", "f.txt"), "w") as f:
        f.write("f\n")
    open(os.path.join(home, "empty"), "w").close()
    secret_file(os.path.join(srv.home_root, "canary.txt"), b"canary")
    secret_file(os.path.join(srv.home("victim"), "secret.txt"), b"victim")
    secret_file(os.path.join(srv.dir, "beside.txt"), b"beside")
    relink(srv)


def relink(srv):
    """Symlinks in the home that point out of it (the jail keeps them in),
    and the files to download, again if a session removed them."""
    home = srv.home(USER)
    # ro/ is in no name the grammar makes up: its files stay for
    # downloads, whatever the sessions do to the others.
    os.makedirs(os.path.join(home, "ro"), exist_ok=True)
    for name, size in (("a.txt", 300), ("big.bin", 2 << 20),
                       ("ro/a.txt", 300), ("ro/big.bin", 2 << 20)):
        p = os.path.join(home, name)
        if not os.path.isfile(p):
            try:
                with open(p + ".tmp", "wb") as f:
                    f.write(os.urandom(size))
                os.replace(p + ".tmp", p)
            except OSError:
                pass
    for name, to in (("up", ".."), ("canlink", "../canary.txt"),
                     ("etc", "/etc"),
                     ("abscan", os.path.join(srv.home_root, "canary.txt"))):
        try:
            os.symlink(to, os.path.join(home, name))
        except OSError:
            pass


def fuzz_server(quota="24M", tls_require=False, **conf):
    settings = dict(data_timeout=2, idle_timeout=20, login_timeout=30,
                    max_clients=32, queue_length=64, max_per_ip=0,
                    ban_after=0, max_login_attempts=3, shutdown_grace=5)
    settings.update(conf)
    return Server(users={USER: PASSWORD, "victim": "victimpw"},
                  quotas={USER: quota},
                  tls={"implicit_port": free_port(), "require": tls_require},
                  env={"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:"
                       "halt_on_error=1:print_stacktrace=1",
                       "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"},
                  **settings)


def check_alive(srv):
    """The server runs, logs no sanitizer report and serves a fresh login
    (over TLS when it requires TLS)."""
    assert srv.proc.poll() is None, "burrowd exited with %d:\n%s" % (
        srv.proc.returncode, srv.log()[-6000:])
    log = srv.log()
    for s in SANITIZER:
        assert s not in log, "sanitizer report in the log:\n" + log[-8000:]
    c = Control(srv.port, Transcript())
    try:
        rep = c.reply()
        while rep is not None and rep[0] == 120:
            rep = c.reply()
        assert rep is not None and rep[0] == 220, rep
        if srv.conf["tls"]["require"]:
            c.send(b"AUTH TLS\r\n")
            assert c.reply()[0] == 234
            c.starttls(tls_context())
        for line, code in ((b"USER " + USER.encode(), 331),
                           (b"PASS " + PASSWORD.encode(), 230),
                           (b"PWD", 257), (b"QUIT", 221)):
            c.send(line + b"\r\n")
            rep = c.reply()
            assert rep is not None and rep[0] == code, (line, rep)
    finally:
        c.close()


# --- what the fuzzer found, as deterministic cases -------------------------

@test
def pass_without_a_password():
    """PASS with no argument wiped a NULL pointer (explicit_bzero is
    declared nonnull), and UBSan ended the sanitizer build's server."""
    with fuzz_server() as srv:
        with RawClient(srv.port) as c:
            c.expect(None, 220)
            c.expect("USER " + USER, 331)
            c.expect("PASS", 530)
            c.login(USER, PASSWORD)
        check_alive(srv)
    # With tls.require the password is refused (and wiped) before any
    # check.
    with Server(users={USER: PASSWORD}, tls={"require": True}) as srv:
        with RawClient(srv.port) as c:
            c.expect(None, 220)
            c.expect("PASS", 530)
            c.expect("NOOP", 200)


def report(srv, failure):
    """Fails with the seed, why, and the failed session's transcript."""
    fz, e = failure
    msg = "seed %d: %s" % (SEED, e)
    # A dead server ends every session: say why first.
    time.sleep(0.5)
    log = srv.log()
    if srv.proc is not None and srv.proc.poll() is not None:
        msg += "\nburrowd exited with %d" % srv.proc.returncode
    for s in SANITIZER:
        if s in log:
            i = log.index(s)
            msg += "\nsanitizer report:\n" + log[max(0, i - 200):i + 3000]
            break
    if fz is not None:
        msg += "\nthread %d, session %d; its last lines:\n%s" % (
            fz.index, fz.session, fz.tr.dump())
    msg += "\n--- server log (end):\n" + log[-12000:]
    raise AssertionError(msg)


def fuzz_run(name, seconds, crowded=False, **conf):
    """THREADS fuzzers against one server for seconds, then the checks."""
    settings = "".join(", %s %s" % kv for kv in sorted(conf.items()))
    print("# %s seed %d (replay: BURROW_FUZZ_SEED=%d), %d threads, %.0f s%s"
          % (name, SEED, SEED, THREADS, seconds, settings), flush=True)
    with fuzz_server(**conf) as srv:
        populate(srv)
        keep = {os.path.join(srv.home_root, USER), srv.log_path}
        before = snapshot(srv.dir, keep)
        stop = threading.Event()
        stats = collections.Counter()
        fuzzers = [Fuzzer(srv, SEED, i, stop, stats, crowded)
                   for i in range(THREADS)]
        failures = []
        deadline = time.monotonic() + seconds
        t0 = time.monotonic()

        def body(fz):
            try:
                fz.loop(deadline)
            except Exception as e:
                failures.append((fz, e))
                stop.set()

        threads = [threading.Thread(target=body, args=(fz,), daemon=True)
                   for fz in fuzzers]
        for t in threads:
            t.start()
        # The users file read again now and then, sessions running.
        hup = random.Random(SEED)
        while any(t.is_alive() for t in threads) and \
                time.monotonic() < deadline + 120:
            time.sleep(0.2)
            if hup.random() < 0.03 and srv.proc.poll() is None:
                srv.proc.send_signal(signal.SIGHUP)
                stats["sighup"] += 1
        for t in threads:
            t.join(1)
        hung = [t for t in threads if t.is_alive()]
        stop.set()
        took = time.monotonic() - t0
        print("# %d sessions (%d with TLS, %d refused), %d lines sent, %d "
              "replies counted strictly, %d transfers, %d bytes up, %d down, "
              "%.1f s" % (stats["sessions"], stats["tls"], stats["refused"],
                          stats["lines"], stats["strict"], stats["transfers"],
                          stats["up"], stats["down"], took), flush=True)
        if os.environ.get("BURROW_FUZZ_VERBOSE", "0") != "0":
            for k, v in sorted(stats.items()):
                print("#   %s: %d" % (k, v))
        if failures or hung:
            report(srv, failures[0] if failures else (None, "a thread hung"))
        try:
            check_alive(srv)
        except BaseException:
            print("# seed %d: the server failed after the run" % SEED)
            raise
        after = snapshot(srv.dir, keep)
        changed = sorted(p for p in set(before) | set(after)
                         if before.get(p) != after.get(p))
        assert not changed, "seed %d: touched outside the home: %s" % (
            SEED, changed)


@test
def protofuzz():
    # The seed also picks some settings, so a campaign of seeds covers
    # them: digests kept or not, a shallow max_depth, a user already past
    # a small quota, TLS required.
    v = random.Random(SEED * 7 + 1)
    fuzz_run("protofuzz", SECONDS * 0.6, hash_cache=v.random() < 0.7,
             password_cache=v.random() < 0.8,
             max_depth=v.choice([256, 256, 4]),
             quota=v.choice(["24M", "24M", "600K"]),
             tls_require=v.random() < 0.25)


@test
def protofuzz_shutdown():
    """SIGTERM in the middle of the sessions (transfers, TLS handshakes,
    logins waiting for a place, the lobby's parked connections): burrowd
    must exit 0 within its grace, leak nothing and report nothing."""
    rng = random.Random(SEED)
    cycles = max(2, min(50, int(SECONDS * 0.2 / 5)))
    print("# protofuzz_shutdown seed %d, %d cycles" % (SEED, cycles),
          flush=True)
    for n in range(cycles):
        srv = fuzz_server(max_clients=rng.choice([1, 2, 32]), queue_length=4,
                          shutdown_grace=2)
        srv.start()
        try:
            populate(srv)
            stop, stopping = threading.Event(), threading.Event()
            stats, failures = collections.Counter(), []
            fuzzers = [Fuzzer(srv, SEED + n, i, stop, stats, True)
                       for i in range(THREADS)]

            def body(fz):
                try:
                    fz.loop(time.monotonic() + 60)
                except Exception as e:
                    if not stopping.is_set():
                        failures.append((fz, e))

            threads = [threading.Thread(target=body, args=(fz,),
                                        daemon=True) for fz in fuzzers]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(1, 5))
            if failures:
                report(srv, failures[0])
            stopping.set()
            # SIGTERM; checks the exit status and the log.
            srv.stop()
            stop.set()
            for t in threads:
                t.join(30)
            assert not any(t.is_alive() for t in threads), "a thread hung"
        finally:
            stop.set()
            if srv.proc is not None:
                srv.proc.kill()
                srv.proc.wait(5)
            shutil.rmtree(srv.dir, ignore_errors=True)


@test
def protofuzz_crowded():
    """Fewer places than fuzzers: the queue (120, 421) and logins that
    wait for a place (srv/lobby.c) get their share."""
    fuzz_run("protofuzz_crowded", max(10.0, SECONDS * 0.2), crowded=True,
             max_clients=max(1, THREADS - 2), queue_length=2,
             queue_timeout=15, login_timeout=20)


if __name__ == "__main__":
    run()
