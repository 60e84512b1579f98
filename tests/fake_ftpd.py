"""
fake_ftpd: a small scripted FTP server for what no real server will do on
demand: report a checksum that does not match what it sends, or list
folders only with DOS-style LIST lines (as IIS does) and no MLSD, or move
file data slowly enough for a screen to show a transfer under way.

    with FakeFtpd(root, lie_hash=True) as s:
        s.port ...

    with FakeFtpd(root, rate=256 * 1024) as s:   # bytes per second
        ...
        s.rate = None                            # full speed from now on

rate throttles RETR's sending and STOR's reading (None: no limit, the
default). It is read again for every block, so a test may change it while
a transfer runs. A throttled transfer stops when its data connection
breaks or a command (ABOR) comes in meanwhile, as a canceling client does;
it is answered 426 and the session goes on. A throttled data connection has
a small window and segments, so that a client cannot run megabytes ahead in
loopback's socket buffers. reply_delay (seconds, default 0) holds back
RETR's and STOR's final reply after the data, as a server busy storing or
checking a file does. Every command line received is kept in s.commands,
in order. pipelining=True announces PIPELINING in FEAT, as burrowd does.
times="utime" offers MDTM (read) and SITE UTIME YYYYMMDDHHMMSS path (named
by SITE HELP) as older servers do, without MFMT; times="refused" lists MDTM
and MFMT in FEAT but refuses every MFMT with 550; None (the default) has
none of them.

Plain FTP on 127.0.0.1 only, passive mode (EPSV/PASV), binary only; one
thread per client; every socket has a timeout.
"""
import calendar
import hashlib
import os
import select
import socket
import threading
import time

HOST = "127.0.0.1"


class FakeFtpd:
    THROTTLE_BLOCK = 16 * 1024

    def __init__(self, root, lie_hash=False, listing="dos", user="u",
                 password="p", rate=None, reply_delay=0, size=True,
                 hash=True, vanish_after=(), hash_delay=0,
                 pipelining=False, refuse=(), times=None):
        self.root = root
        self.refuse = set(refuse)   # names RETR answers 550 for
        # FEAT says PIPELINING (as burrowd's does): this server reads a
        # command only after the one before it has ended anyway, so
        # commands sent during a transfer are answered after it.
        self.pipelining = pipelining
        self.times = times
        self.lie_hash = lie_hash
        self.size = size    # False: no SIZE (502), as some old servers
        self.hash = hash    # False: no HASH (502)
        # Verbs (DELE, RMD, MKD) carried out once and then answered by a
        # dropped connection instead of a reply.
        self.vanish_after = set(vanish_after)
        self.hash_delay = hash_delay    # seconds HASH takes to answer
        self.listing = listing
        self.rate = rate
        self.reply_delay = reply_delay
        self.commands = []
        self.user, self.password = user, password
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()

    def url(self, path=""):
        return "ftp://%s:%s@%s:%d/%s" % (self.user, self.password, HOST,
                                          self.port, path)

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _path(self, cwd, arg):
        p = os.path.normpath(os.path.join(cwd, arg or "."))
        if not p.startswith("/"):
            p = "/" + p
        return p, os.path.join(self.root, p.lstrip("/"))

    def _serve(self, c):
        c.settimeout(30)
        f = c.makefile("rb")
        cwd, rest, data, rang = "/", 0, None, None

        def say(line):
            c.sendall((line + "\r\n").encode())

        def open_data():
            nonlocal data
            d, _ = data.accept()
            d.settimeout(30)
            data.close()
            data = None
            return d

        say("220 fake_ftpd ready")
        try:
            while True:
                line = f.readline()
                if not line:
                    return
                line = line.decode(errors="replace").rstrip("\r\n")
                self.commands.append(line)
                verb, _, arg = line.partition(" ")
                verb = verb.upper()
                vpath, real = self._path(cwd, arg)
                if verb == "USER":
                    say("331 password please")
                elif verb == "PASS":
                    say("230 in" if arg == self.password else "530 no")
                elif verb == "FEAT":
                    say("211-Features:")
                    for feat in ("EPSV", "PASV", "SIZE", "REST STREAM",
                                 "HASH SHA-256*;SHA-1") + (
                                     ("PIPELINING",) if self.pipelining
                                     else ()) + (
                                 ("MDTM",) if self.times else ()) + (
                                 ("MFMT",) if self.times == "refused"
                                 else ()):
                        if (feat == "SIZE" and not self.size) or (
                                feat.startswith("HASH") and not self.hash):
                            continue
                        say(" " + feat)
                    say("211 End")
                elif verb in ("TYPE", "NOOP", "OPTS"):
                    say("200 ok")
                elif verb == "PWD":
                    say('257 "%s"' % cwd)
                elif verb == "CWD":
                    if os.path.isdir(real):
                        cwd = vpath
                        say("250 ok")
                    else:
                        say("550 no such folder")
                elif (verb == "SIZE" and not self.size) or (
                        verb in ("HASH", "RANG") and not self.hash):
                    say("502 not implemented")
                elif verb == "SIZE":
                    if os.path.isfile(real):
                        say("213 %d" % os.path.getsize(real))
                    else:
                        say("550 not a file")
                elif verb == "RANG":
                    a, b = arg.split()
                    rang = (int(a), int(b))
                    say("350 range set")
                elif verb == "HASH":
                    if not os.path.isfile(real):
                        say("550 not a file")
                        continue
                    with open(real, "rb") as fh:
                        body = fh.read()
                    lo, hi = rang or (0, max(len(body) - 1, 0))
                    rang = None
                    digest = hashlib.sha256(body[lo:hi + 1]).hexdigest()
                    if self.lie_hash:
                        digest = hashlib.sha256(b"lie" + body).hexdigest()
                    if self.hash_delay:
                        time.sleep(self.hash_delay)
                    say("213 SHA-256 %d-%d %s %s" % (lo, hi, digest, arg))
                elif verb == "EPSV" or verb == "PASV":
                    data = socket.socket()
                    if self.rate is not None:
                        # Small segments as on a real network (loopback's
                        # are 64 KiB, and the kernel sizes a sender's
                        # buffer by them).
                        data.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                        64 * 1024)
                        data.setsockopt(socket.IPPROTO_TCP,
                                        socket.TCP_MAXSEG, 1400)
                    data.bind((HOST, 0))
                    data.listen(1)
                    data.settimeout(30)
                    port = data.getsockname()[1]
                    if verb == "EPSV":
                        say("229 Entering Extended Passive Mode (|||%d|)"
                            % port)
                    else:
                        say("227 Entering Passive Mode (127,0,0,1,%d,%d)"
                            % (port >> 8, port & 255))
                elif verb == "REST":
                    rest = int(arg)
                    say("350 restarting at %d" % rest)
                elif verb == "LIST":
                    if data is None:
                        say("425 no data connection")
                        continue
                    say("150 listing")
                    d = open_data()
                    d.sendall(self._list(real).encode())
                    d.close()
                    say("226 done")
                elif verb == "RETR":
                    if data is None or not os.path.isfile(real) or \
                            os.path.basename(real) in self.refuse:
                        say("550 not a file")
                        continue
                    say("150 sending")
                    d = open_data()
                    sent = True
                    with open(real, "rb") as fh:
                        fh.seek(rest)
                        if self.rate is None:
                            d.sendall(fh.read())
                        else:
                            sent = self._send_slowly(c, d, fh)
                    rest = 0
                    d.close()
                    if self.reply_delay:
                        time.sleep(self.reply_delay)
                    say("226 sent" if sent else "426 transfer broken off")
                elif verb == "STOR":
                    if data is None:
                        say("425 no data connection")
                        continue
                    say("150 receiving")
                    d = open_data()
                    stored = True
                    with open(real, "r+b" if rest else "wb") as fh:
                        fh.seek(rest)
                        fh.truncate()
                        if self.rate is None:
                            while True:
                                b = d.recv(65536)
                                if not b:
                                    break
                                fh.write(b)
                        else:
                            stored = self._recv_slowly(c, d, fh)
                    rest = 0
                    d.close()
                    if self.reply_delay:
                        time.sleep(self.reply_delay)
                    say("226 stored" if stored else "426 transfer broken off")
                elif verb in ("DELE", "RMD", "MKD"):
                    ok = {"DELE": os.path.isfile, "RMD": os.path.isdir,
                          "MKD": lambda p: not os.path.exists(p)}[verb](real)
                    if ok:
                        {"DELE": os.remove, "RMD": os.rmdir,
                         "MKD": os.mkdir}[verb](real)
                    if ok and verb in self.vanish_after:
                        # Done, and the connection dies before the reply.
                        self.vanish_after.discard(verb)
                        return
                    if verb == "MKD":
                        say('257 "%s" made' % vpath if ok else "550 exists")
                    else:
                        say("250 gone" if ok else "550 no such entry")
                elif verb == "MDTM" and self.times and os.path.isfile(real):
                    say(time.strftime("213 %Y%m%d%H%M%S",
                                      time.gmtime(os.stat(real).st_mtime)))
                elif verb == "MDTM" and self.times:
                    say("550 not a file")
                elif verb == "MFMT" and self.times == "refused":
                    say("550 not permitted here")
                elif verb == "SITE" and self.times == "utime" and \
                        arg.upper() == "HELP":
                    say("214-SITE commands:")
                    say(" CHMOD UTIME")
                    say("214 ok")
                elif verb == "SITE" and self.times == "utime" and \
                        arg.upper().startswith("UTIME "):
                    when, _, name = arg[6:].partition(" ")
                    _, real = self._path(cwd, name)
                    try:
                        t = calendar.timegm(time.strptime(when,
                                                          "%Y%m%d%H%M%S"))
                        os.utime(real, (t, t))
                        say("213 UTIME OK")
                    except (ValueError, OSError):
                        say("550 cannot")
                elif verb == "ABOR":
                    say("226 nothing to abort")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("502 not here")
        except (OSError, ValueError):
            return
        finally:
            c.close()

    def _pause(self, n):
        rate = self.rate
        if rate:
            time.sleep(min(n / rate, 1.0))

    @staticmethod
    def _control_waiting(c):
        """True when the client has sent a command (ABOR) meanwhile."""
        r, _, _ = select.select([c], [], [], 0)
        return bool(r)

    def _send_slowly(self, c, d, fh):
        """Sends the rest of fh at self.rate; False if the data connection
        broke, the client sent a command (ABOR) or the server stops
        first."""
        try:
            while not self.stopping and not self._control_waiting(c):
                b = fh.read(self.THROTTLE_BLOCK if self.rate else 1 << 20)
                if not b:
                    return True
                d.sendall(b)
                self._pause(len(b))
        except OSError:
            pass
        return False

    def _recv_slowly(self, c, d, fh):
        """Stores what d sends, read at self.rate; False as _send_slowly
        says. A client's socket buffers hold megabytes on loopback: only
        ABOR tells a canceled upload from a slow one."""
        try:
            while not self.stopping and not self._control_waiting(c):
                b = d.recv(self.THROTTLE_BLOCK if self.rate else 65536)
                if not b:
                    return True
                fh.write(b)
                self._pause(len(b))
        except OSError:
            pass
        return False

    def _list(self, real):
        out = []
        for name in sorted(os.listdir(real)):
            st = os.stat(os.path.join(real, name))
            t = time.localtime(st.st_mtime)
            stamp = time.strftime("%m-%d-%y  %I:%M%p", t)
            if os.path.isdir(os.path.join(real, name)):
                out.append("%s       <DIR>          %s" % (stamp, name))
            else:
                out.append("%s %20d %s" % (stamp, st.st_size, name))
        return "".join(l + "\r\n" for l in out)
