"""
e2e_tui: the full-screen `burrow` driven inside tmux against a real burrowd
(and, for slow transfers, tests/fake_ftpd.py with a throttle).

Every test runs burrow in its own tmux server (`tmux -L <unique name>`),
100x30, TERM=tmux-256color, LANG=C.UTF-8 and HOME in a fresh folder, reads
the screen with capture-pane every 50 ms until what it waits for shows (a
few seconds at most, the last screen in the failure message), and checks
the effects on disk as well as on the screen. The tmux server is killed
at the end of each test, pass or fail.

Covered: both listings and the remote footer (server, "no TLS" / "TLS");
moving in both panes (Up Down j k Home End PgDn, Enter, Backspace, Tab);
F5 downloads and uploads of files and folder trees, checked byte for byte
and "verified by SHA-256"; marks; progress, Esc canceling and a resume;
F7, F6 (with Ctrl-U), F8 (y and n) on both sides; Ctrl-X c's chmod dialog
on both sides (the cursor's entry, marked ones, bad modes, Esc, a server
refusing bits or not offering SITE CHMOD); Ctrl-X d's compare (the
differing entries marked and tagged in both panes, the footers' counts),
Ctrl-X D going into folders, and the sync plan (an action turned off,
one flipped to a deletion, one to the other direction, the deletion
confirmed by count) run through the queue; the conflict dialog's
skip, overwrite, rename and "for all"; the filter and the sort orders;
resizing; help; quitting (with and without a transfer running); the
login and connect dialogs (the password shown only as stars); UTF-8 and
control bytes in names; `burrow NAME` with a saved site and ~/.netrc's
password; the site list (Ctrl-\\, also from F2): connect, add the current
connection, edit, delete, written to sites.conf; burrow.conf's keepalive,
parallel, sort, confirm_delete and theme (NO_COLOR), the command line
winning, a mistake stopping burrow with file:line.

The cursor is invisible in a plain capture (it is reverse video), so
cursor_name() asks the program: F8 opens "Delete "NAME"..." for the entry
under the cursor (or says "Nothing selected" on ".."), and Esc closes it.
"""
import atexit
import contextlib
import itertools
import os
import re
import shlex
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BUILDDIR, HOST, Server, run, test, wait_until  # noqa: E402,E501
from fake_ftpd import FakeFtpd  # noqa: E402
from batchlib import read, tree, write  # noqa: E402

TMUX = shutil.which("tmux")
BURROW = os.path.join(BUILDDIR, "burrow")
W, H = 100, 30
POLL = 0.05             # seconds between two looks at the screen
WAIT = 5.0              # the usual deadline for a screen to show something

_seq = itertools.count(1)
_tmps = []


def tmp(prefix="burrow-tui-"):
    """A folder, removed when the run ends (kept with BURROW_KEEP set)."""
    d = tempfile.mkdtemp(prefix=prefix)
    _tmps.append(d)
    return d


@atexit.register
def _clean():
    if not os.environ.get("BURROW_KEEP"):
        for d in _tmps:
            shutil.rmtree(d, ignore_errors=True)


def cells(line):
    """The screen cells of a captured line: a wide character fills two,
    the second "" (a combining character adds to the cell before)."""
    out = []
    for ch in line:
        if unicodedata.combining(ch) and out:
            out[-1] += ch
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            out += [ch, ""]
        else:
            out.append(ch)
    return out


def col(line, text):
    """The cell column where text starts in line, or -1."""
    i = line.find(text)
    return -1 if i < 0 else len(cells(line[:i]))


class Tui:
    """burrow in a tmux server of its own; see the module's doc string."""

    def __init__(self, width=W, height=H):
        self.sock = "burrow-e2e-tui-%d-%d" % (os.getpid(), next(_seq))
        self.home = tmp("burrow-tui-home-")
        self.width, self.height = width, height
        self.active = "left"    # burrow starts on the local pane
        self.errlog = os.path.join(self.home, "burrow.stderr")
        self.socket_path = None
        self.last = ""
        self.screens = []       # every screen read, for leak checks
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("BURROW_PASSWORD", "XDG_CONFIG_HOME",
                                 "XDG_STATE_HOME", "TMUX", "TMUX_PANE")}
        self.env.update(HOME=self.home, LANG="C.UTF-8", LC_ALL="C.UTF-8",
                        TERM="tmux-256color")

    def tmux(self, *args, check=True):
        p = subprocess.run([TMUX, "-L", self.sock, "-f", "/dev/null"] +
                           [str(a) for a in args], capture_output=True,
                           text=True, timeout=10, env=self.env,
                           stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise AssertionError("tmux %s: %s" % (" ".join(map(str, args)),
                                                  p.stderr.strip()))
        return p

    def start(self, args, cwd, env=None):
        """Runs burrow ARGS in cwd; afterwards the shell prints its exit
        status and waits, so the restored screen can still be read."""
        sets = ["HOME=" + self.home, "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                "TERM=tmux-256color"]
        sets += ["%s=%s" % kv for kv in (env or {}).items()]
        cmd = "env -u BURROW_PASSWORD -u XDG_CONFIG_HOME -u XDG_STATE_HOME " \
              "%s %s 2>>%s; " \
              "echo BURROW-EXIT=$?; sleep 60" % (
                  " ".join(shlex.quote(s) for s in sets),
                  " ".join(shlex.quote(a) for a in [BURROW] + list(args)),
                  shlex.quote(self.errlog))
        self.tmux("new-session", "-d", "-s", "t", "-x", self.width,
                  "-y", self.height, "-c", cwd, cmd)
        self.socket_path = self.tmux("display-message", "-p",
                                     "#{socket_path}").stdout.strip()
        return self

    def keys(self, *k):
        """tmux key names: "F5", "Up", "BSpace", "Escape", "C-u", "q".
        Tab outside a dialog switches panes: self.active follows it."""
        for key in k:
            if key == "Tab" and not self.in_dialog():
                self.active = "right" if self.active == "left" else "left"
        self.tmux("send-keys", "-t", "t", *k)

    def in_dialog(self):
        """A dialog is open (its box's corner is on the last screen)."""
        return any(l.lstrip("│ ").startswith("┌") for l in
                   self.lines(self.last)[1:])

    def focus(self, side):
        """Makes side ("left" or "right") the active pane."""
        if self.active != side:
            self.keys("Tab")

    def type(self, text):
        """Literal text, every character as typed."""
        self.tmux("send-keys", "-t", "t", "-l", "--", text)

    def resize(self, width, height):
        self.tmux("resize-window", "-t", "t", "-x", width, "-y", height)
        self.width, self.height = width, height

    def screen(self):
        p = self.tmux("capture-pane", "-p", "-t", "t", check=False)
        if p.returncode == 0:
            self.last = p.stdout
            self.screens.append(p.stdout)
        return self.last

    def lines(self, s=None):
        ls = (self.screen() if s is None else s).split("\n")
        return (ls + [""] * self.height)[:self.height]

    def status(self, s=None):
        return self.lines(s)[-1]

    def fail(self, what):
        raise AssertionError("%s\n--- last screen:\n%s\n--- stderr:\n%s"
                             % (what, self.last, self.stderr()))

    def wait_for(self, what, timeout=WAIT, why=None):
        """Polls the screen until what (a string on it, a compiled regex
        matching it, or a predicate of it) holds; returns the match or the
        predicate's value. Fails with the last screen."""
        def check(s):
            if isinstance(what, str):
                return what in s
            if isinstance(what, re.Pattern):
                return what.search(s)
            return what(s)
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            v = check(s)
            if v:
                # A screen caught mid-draw (a dialog's title before its
                # body): let it settle, while what was waited for holds,
                # so that what follows reads the whole of it.
                for _ in range(8):
                    time.sleep(0.03)
                    s2 = self.screen()
                    v2 = check(s2) if s2 != s else v
                    if s2 == s or not v2:
                        break
                    s, v = s2, v2
                self.last = s
                return v
            if time.monotonic() >= deadline:
                self.fail("waited %.1fs for %s" % (
                    timeout, why or (what if isinstance(what, str) else
                                     getattr(what, "pattern", what))))
            time.sleep(POLL)

    def wait_gone(self, text, timeout=WAIT):
        return self.wait_for(lambda s: text not in s, timeout,
                             "%r to go away" % text)

    def wait_status(self, text, timeout=WAIT):
        return self.wait_for(lambda s: text in self.status(s), timeout,
                             "status line %r" % text)

    def exited(self, timeout=WAIT):
        m = self.wait_for(re.compile(r"BURROW-EXIT=(\d+)"), timeout)
        return int(m.group(1))

    def running(self):
        return "BURROW-EXIT=" not in self.screen()

    def stderr(self):
        try:
            with open(self.errlog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        self.tmux("kill-server", check=False)
        if self.socket_path:
            with contextlib.suppress(OSError):
                os.unlink(self.socket_path)
        err = self.stderr()
        shutil.rmtree(self.home, ignore_errors=True)
        return err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        err = self.close()
        if exc[0] is None:
            assert "Sanitizer" not in err and "runtime error" not in err, err

    # --- the layout ---------------------------------------------------------

    def pane_box(self, side, s=None):
        """(x, width, height) of a pane's box: side "left" or "right"."""
        ls = self.lines(s)
        h = next((i + 1 for i, l in enumerate(ls) if l.startswith("└")),
                 None)
        if h is None:
            return None         # not drawn (yet)
        lw = self.width // 2
        return (0, lw, h) if side == "left" else (lw, self.width - lw, h)

    def rows(self, side, s=None):
        """The inner text of a pane's rows (cells joined)."""
        s = self.screen() if s is None else s
        if self.pane_box(side, s) is None:
            return []
        x, w, h = self.pane_box(side, s)
        out = []
        for line in self.lines(s)[1:h - 1]:
            c = cells(line) + [" "] * self.width
            if c[x] == "│" and c[x + w - 1] == "│":   # not under a dialog
                out.append("".join(c[x + 1:x + w - 1]))
        return out

    def entries(self, side, s=None):
        """The names a pane shows, in order ("/" of folders dropped)."""
        s = self.screen() if s is None else s
        if self.pane_box(side, s) is None:
            return []
        _, w, _ = self.pane_box(side, s)
        iw = w - 2
        namew = iw - 1 - 7 - (13 if iw >= 34 else 0)
        names = []
        for r in self.rows(side, s):
            c = cells(r)
            name = "".join(c[1:1 + namew]).rstrip()
            if name:
                names.append(name[:-1] if name.endswith("/") else name)
        return names

    def title(self, side, s=None):
        s = self.screen() if s is None else s
        if self.pane_box(side, s) is None:
            return ""
        x, w, _ = self.pane_box(side, s)
        return "".join(cells(self.lines(s)[0])[x:x + w])

    def footer(self, side, s=None):
        s = self.screen() if s is None else s
        if self.pane_box(side, s) is None:
            return ""
        x, w, h = self.pane_box(side, s)
        return "".join(cells(self.lines(s)[h - 1])[x:x + w])

    def wait_entries(self, side, names, timeout=WAIT):
        """Waits until the pane shows every one of names."""
        return self.wait_for(
            lambda s: set(names) <= set(self.entries(side, s)), timeout,
            "%s pane to list %s" % (side, sorted(names)))

    # --- the cursor ---------------------------------------------------------

    def cursor_name(self):
        """The name under the active pane's cursor (None on ".."): F8 names
        it in the Delete dialog, Esc closes that again."""
        if "Nothing selected" in self.status():
            self.keys("x")          # not bound: clears the status line
            self.wait_for(lambda s: "Nothing selected" not in
                          self.status(s), why="the status line to clear")
        self.keys("F8")
        s = self.wait_for(lambda s: re.search(r'Delete "([^"]*)"', s) or
                          "Nothing selected" in self.status(s),
                          why="F8's Delete dialog")
        m = re.search(r'Delete "([^"]*)"', self.last)
        if m is None:
            return None
        self.keys("Escape")
        self.wait_for(lambda s: 'Delete "' not in s and
                      "Nothing deleted" in self.status(s),
                      why="the Delete dialog to close on Esc")
        return m.group(1)

    def goto(self, side, name):
        """Home, then Down to name in the (unscrolled) pane, checked."""
        self.focus(side)
        names = self.entries(side)
        if name not in names:
            self.fail("%s is not in the %s pane: %s" % (name, side, names))
        self.keys("Home", *(["Down"] * names.index(name)))
        got = self.cursor_name()
        # A link shows as "name -> target"; F8 names it alone.
        if got != name and got != name.split(" -> ")[0]:
            self.fail("the cursor is on %r, wanted %r" % (got, name))


def url(srv, user="harry", scheme="ftp", password=True):
    pw = ":" + srv.users[user] if password else ""
    return "%s://%s%s@%s:%d/" % (scheme, user, pw, HOST, srv.port)


def connected(t, srv, user="harry"):
    """Waits for the remote footer naming the server, and the remote pane
    listed (its title a path, not "-": a copy needs the folder)."""
    return t.wait_for(lambda s: "%s@%s:%d" % (user, HOST, srv.port) in
                      t.footer("right", s) and
                      re.search(r"─ /", t.title("right", s)),
                      why="the remote footer and listing")


def panel(t, pattern, timeout=WAIT):
    """Waits for the transfer panel to show pattern (a regex string)."""
    return t.wait_for(re.compile(pattern), timeout)


# --- 1 ----------------------------------------------------------------------

@test
def both_listings_and_footer():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "remote-one.txt"), b"1")
        os.mkdir(os.path.join(h, "remote-dir"))
        local = tmp()
        write(os.path.join(local, "local-one.txt"), b"l")
        os.mkdir(os.path.join(local, "local-dir"))
        t.start([url(srv)], local)
        t.wait_entries("right", ["remote-one.txt", "remote-dir"])
        t.wait_entries("left", ["..", "local-one.txt", "local-dir"])
        s = t.screen()
        left, right = t.entries("left", s), t.entries("right", s)
        assert "remote-one.txt" not in left and "local-one.txt" not in \
            right, t.fail("a name in the wrong pane")
        assert left.index("local-dir") < left.index("local-one.txt"), s
        assert " %s " % local in t.title("left", s), t.fail("local path")
        assert " / " in t.title("right", s), t.fail("remote path")
        foot = t.footer("right", s)
        assert "no TLS |" in foot and "harry@%s:%d" % (HOST, srv.port) \
            in foot, t.fail("remote footer")
        assert re.search(r"no TLS \| [0-9.]+\S* free \|", foot), \
            t.fail("no space left shown in the footer")
        assert "local | by name" in t.footer("left", s), t.fail("left")
        assert "Connected to harry@" in t.status(s), t.fail("status")
        # Ctrl-R reads both sides again.
        write(os.path.join(h, "remote-later.txt"), b"2")
        write(os.path.join(local, "local-later.txt"), b"2")
        t.keys("C-r")
        t.wait_entries("right", ["remote-later.txt"])
        t.wait_entries("left", ["local-later.txt"])
        t.keys("q")
        assert t.exited() == 0


@test
def keepalive_holds_the_login_past_the_idle_timeout():
    """The server drops a login idle for 2 s. With --keepalive 1 the
    screen's NOOPs keep it: after 5 s idle, Ctrl-R lists at once on the
    same login. With --keepalive 0 it is dropped, and the next action
    connects again and says so."""
    with Server(idle_timeout=2) as srv:
        h = srv.home("harry")
        local = tmp()
        with Tui() as t:
            t.start(["--keepalive", "1", url(srv)], local)
            connected(t, srv)
            time.sleep(5)
            write(os.path.join(h, "later.txt"), b"1")
            t.keys("C-r")
            t.wait_entries("right", ["later.txt"])
            assert "idle timeout" not in srv.log(), srv.log()
            assert "reconnected" not in t.status(), t.fail("reconnected")
            assert srv.log().count("login harry") == 1, srv.log()
            t.keys("q")
            assert t.exited() == 0
        with Tui() as t:
            t.start(["--keepalive", "0", url(srv)], local)
            connected(t, srv)
            assert wait_until(lambda: "idle timeout" in srv.log(), 15), \
                srv.log()
            write(os.path.join(h, "again.txt"), b"2")
            t.keys("C-r")
            t.wait_entries("right", ["again.txt"])
            t.wait_status("reconnected")
            t.keys("q")
            assert t.exited() == 0


def kill_burrow(port):
    """SIGKILL to the burrow connected to port (found by its binary and
    its arguments), as a crash would end it."""
    exe = os.path.realpath(BURROW)
    found = 0
    for pid in os.listdir("/proc"):
        try:
            if not pid.isdigit() or os.readlink("/proc/%s/exe" % pid) != exe:
                continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if (":%d/" % port).encode() not in f.read():
                    continue
            os.kill(int(pid), signal.SIGKILL)
            found += 1
        except OSError:
            continue
    assert found == 1, "%d burrow processes for port %d" % (found, port)


@test
def queue_survives_a_kill():
    """Three downloads queued, burrow killed with SIGKILL during the
    first: the next start with the server offers the three; y goes on,
    the first resumed where it stopped (REST), all byte-identical and
    verified, the journal emptied. Killed again and answered n: nothing
    is queued and nothing is offered after."""
    root, state = tmp(), tmp()
    data = {}
    for n in ("a.bin", "b.bin", "c.bin"):
        data[n] = os.urandom(192 * 1024)
        write(os.path.join(root, n), data[n])
    env = {"XDG_STATE_HOME": state}
    journal = os.path.join(state, "burrow")
    with FakeFtpd(root, rate=64 * 1024) as s:
        local = tmp()

        def queue_three_and_kill():
            with Tui() as t:
                t.start(["--parallel", "1", s.url()], local, env)
                t.wait_entries("right", ["a.bin", "b.bin", "c.bin"])
                t.goto("right", "a.bin")
                t.keys("Space", "Space", "Space", "F5")
                assert wait_until(lambda: os.path.exists(
                    os.path.join(local, "a.bin")) and os.path.getsize(
                    os.path.join(local, "a.bin")) >= 48 * 1024, 20), \
                    t.fail("a.bin did not start")
                kill_burrow(s.port)
                t.wait_for("Killed")
            assert os.path.getsize(os.path.join(local, "a.bin")) < \
                len(data["a.bin"])

        queue_three_and_kill()
        files = [f for f in os.listdir(journal) if f.startswith("queue-")]
        assert len(files) == 1, os.listdir(journal)
        assert os.stat(os.path.join(journal, files[0])).st_mode & 0o777 \
            == 0o600
        before = len(s.commands)
        with Tui() as t:
            t.start(["--parallel", "1", s.url()], local, env)
            t.wait_for("3 transfers with this server did not finish")
            assert "get /a.bin" in t.screen(), t.fail("the items")
            t.keys("y")
            t.wait_status("Going on with 3 unfinished transfers")
            assert wait_until(lambda: all(
                os.path.exists(os.path.join(local, n)) and
                read(os.path.join(local, n)) == d
                for n, d in data.items()), 30), t.fail("not all arrived")
            t.wait_for(re.compile(r"0 running, 0 waiting"))
            rests = [c for c in s.commands[before:]
                     if c.startswith("REST ") and c != "REST 0"]
            assert rests, s.commands[before:]
            assert t.screen().count("verified by SHA-256") >= 3 or \
                "resumed, verified by SHA-256" in t.screen(), \
                t.fail("verified")
            t.keys("q")
            assert t.exited() == 0
        assert os.path.getsize(os.path.join(journal, files[0])) == 0
        # Again, and forgotten this time.
        for n in data:
            os.unlink(os.path.join(local, n))
        queue_three_and_kill()
        with Tui() as t:
            t.start(["--parallel", "1", s.url()], local, env)
            t.wait_for("3 transfers with this server did not finish")
            t.keys("n")
            t.wait_status("Forgot 3 unfinished transfers")
            assert "0 running, 0 waiting" in t.screen() or \
                "Transfers:" not in t.screen(), t.fail("queued anyway")
            t.keys("q")
            assert t.exited() == 0
        with Tui() as t:
            t.start(["--parallel", "1", s.url()], local, env)
            t.wait_entries("right", ["a.bin"])
            time.sleep(0.5)
            assert "did not finish" not in t.screen(), t.fail("offered")
            t.keys("q")
            assert t.exited() == 0


@test
def footer_says_tls_over_ftps():
    with Server(tls={"require": True}) as srv, Tui() as t:
        write(os.path.join(srv.home("harry"), "secure.txt"), b"s")
        local = tmp()
        t.start(["--cafile", srv.cert, url(srv, scheme="ftps")], local)
        t.wait_entries("right", ["secure.txt"])
        connected(t, srv)
        foot = t.footer("right")
        assert "\u2500 TLS |" in foot and "harry@%s:%d" % (
            HOST, srv.port) in foot, t.fail("footer over FTPS")
        assert "(TLS)" in t.status(), t.fail("status over FTPS")
        # Verified with --cafile: nothing pinned.
        assert not os.path.exists(os.path.join(
            t.home, ".config", "burrow", "known_hosts"))
        t.keys("q")
        assert t.exited() == 0


@test
def plain_login_to_a_tls_server_offers_tls():
    # ftp:// to a server that requires TLS ended in a password prompt
    # that could not help.
    with Server(tls={"require": True}) as srv, Tui() as t:
        write(os.path.join(srv.home("harry"), "secure.txt"), b"s")
        t.start(["--cafile", srv.cert, url(srv)], tmp())
        t.wait_for("TLS required")
        t.wait_for("The server requires TLS. Connect again with TLS")
        assert "Password" not in t.last, t.fail("a password prompt")
        t.keys("n")
        t.wait_status("Not connected: the server requires TLS")
        # F2, the same URL, and this time y.
        t.keys("F2")
        t.wait_for("Server (ftp[s]://user@host[:port][/path]):")
        t.type(url(srv))
        t.keys("Enter")
        t.wait_for("TLS required")
        t.keys("y")
        t.wait_entries("right", ["secure.txt"])
        connected(t, srv)
        assert "\u2500 TLS |" in t.footer("right"), t.fail("not TLS")
        t.keys("q")
        assert t.exited() == 0


@test
def burrow_password_is_not_tried_for_another_user():
    # With BURROW_PASSWORD set, F2 as another user first tried that
    # password (a failed login, counted by the server) before asking.
    with Server(users={"harry": "pw", "beal": "s3cret"}) as srv, Tui() as t:
        write(os.path.join(srv.home("beal"), "beal.txt"), b"b")
        t.start([url(srv, password=False)], tmp(),
                env={"BURROW_PASSWORD": "pw"})
        connected(t, srv)
        t.keys("F2")
        t.wait_for("Server (ftp[s]://user@host[:port][/path]):")
        t.keys("C-u")
        t.type("beal@%s:%d/" % (HOST, srv.port))
        t.keys("Enter")
        t.wait_for("Password for beal@%s:" % HOST)
        assert "Login failed" not in t.last, t.fail("tried the wrong one")
        t.type("s3cret")
        t.keys("Enter")
        t.wait_entries("right", ["beal.txt"])
        connected(t, srv, user="beal")
        # The first login's user still gets it.
        t.keys("F2")
        t.wait_for("Server (ftp[s]://user@host[:port][/path]):")
        t.keys("C-u")
        t.type("harry@%s:%d/" % (HOST, srv.port))
        t.keys("Enter")
        connected(t, srv)
        t.keys("q")
        assert t.exited() == 0


@test
def first_certificate_is_shown_and_asked_about():
    """First use trusted a certificate silently: now its fingerprint is
    shown and only y pins it (as ssh asks); n refuses, and Enter alone
    does not answer. Batch mode keeps pinning with a notice."""
    with Server(tls={"require": True}) as srv, Tui() as t:
        kh = os.path.join(t.home, ".config", "burrow", "known_hosts")
        now = subprocess.run(
            ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
             srv.cert], capture_output=True, text=True,
            timeout=10).stdout.strip().split("=", 1)[1]
        t.start([url(srv, scheme="ftps")], tmp())
        t.wait_for("New certificate")

        def joined(sc):
            return "\n".join(l.strip(" │") for l in t.lines(sc))
        # The title may be on the screen a moment before the body.
        t.wait_for(lambda sc: "SHA-256 " + now[:47] in joined(sc) and
                   now[48:] in joined(sc), why="the fingerprint")
        text = joined(t.last)
        assert kh in text, t.fail("the file it goes in")
        t.keys("Enter")         # not an answer
        time.sleep(0.3)
        assert "New certificate" in t.screen(), t.fail("Enter answered")
        t.keys("n")
        t.wait_for("certificate not accepted")
        assert not os.path.exists(kh) or now not in read(kh).decode(), \
            t.fail("pinned after n")
        assert "not connected" in t.footer("right"), t.fail("footer")
        # Again, with y: pinned, connected over TLS, and not asked twice
        # (the transfer login after it, a new start).
        t.keys("F2")
        t.wait_for("Server (ftp[s]://user@host[:port][/path]):")
        t.keys("C-u")
        t.type(url(srv, scheme="ftps"))
        t.keys("Enter")
        t.wait_for("New certificate")
        t.keys("y")
        t.wait_for(lambda sc: "TLS" in t.footer("right", sc), why="TLS")
        assert now in read(kh).decode(), t.fail("not pinned")
        write(os.path.join(srv.home("harry"), "r.txt"), b"r")
        t.keys("C-r")
        t.wait_entries("right", ["r.txt"])
        t.goto("right", "r.txt")
        t.keys("F5")
        panel(t, r"ok\s+down r\.txt: verified")
        t.keys("q")
        assert t.exited() == 0
    with Server(tls={"require": True}) as srv, Tui() as t:
        # Pinned already (by a batch run, which does not ask): no question.
        kh = os.path.join(t.home, ".config", "burrow", "known_hosts")
        r = subprocess.run([BURROW, "--batch", url(srv, scheme="ftps")],
                           input=b"pwd\n", capture_output=True, timeout=30,
                           env=dict(t.env))
        assert r.returncode == 0 and b"trusted on first use" in r.stderr, r
        assert os.path.exists(kh)
        t.start([url(srv, scheme="ftps")], tmp())
        t.wait_for(lambda sc: "TLS" in t.footer("right", sc), why="TLS")
        assert not any("New certificate" in sc for sc in t.screens), \
            t.fail("asked about a pinned certificate")
        t.keys("q")
        assert t.exited() == 0


@test
def changed_certificate_in_a_dialog():
    # The warning was one status line, cut off even at 250 columns, so the
    # way out (which known_hosts line to remove) was never seen.
    with Server(tls={"require": True}) as srv, Tui() as t:
        kh = os.path.join(t.home, ".config", "burrow", "known_hosts")
        old = ":".join(["AB"] * 32)
        write(kh, ("# pinned by hand\nother.example:21 %s\n"
                   "%s:%d %s\n" % (old, HOST, srv.port, old)).encode())
        local = tmp()
        t.start([url(srv, scheme="ftps")], local)
        t.wait_for("Not connected")
        s = t.wait_for("CERTIFICATE CHANGED")
        s = t.screen()
        text = "\n".join(l.strip(" │") for l in t.lines(s))
        assert "%s:%d: CERTIFICATE CHANGED; not connecting." % (
            HOST, srv.port) in text, t.fail("the first line")
        assert "pinned: SHA-256 " + old[:47] in text and \
            old[48:] in text, t.fail("the pinned fingerprint")
        now = subprocess.run(
            ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
             srv.cert], capture_output=True, text=True,
            timeout=10).stdout.strip().split("=", 1)[1]
        assert "now:    SHA-256 " + now[:47] in text and now[48:] in text, \
            t.fail("the new fingerprint")
        assert "remove line 3 of" in text and kh in text, \
            t.fail("the known_hosts file and line")
        assert "~" not in text, t.fail("a line is cut")
        t.keys("x")             # any key closes it
        t.wait_gone("Not connected")
        assert "CERTIFICATE CHANGED" in t.status(), t.fail("status line")
        t.keys("q")
        assert t.exited() == 0


# --- 2 ----------------------------------------------------------------------

@test
def navigation():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "rdir", "deep.txt"), b"deep")
        write(os.path.join(h, "r1.txt"), b"r1")
        write(os.path.join(h, "r2.txt"), b"r2")
        local = tmp()
        for d in ("d1", "d2"):
            write(os.path.join(local, d, "inner-%s.txt" % d), b"in")
        for i in range(1, 41):
            write(os.path.join(local, "f%02d.txt" % i), b"%d" % i)
        t.start([url(srv)], local)
        t.wait_entries("right", ["rdir", "r1.txt", "r2.txt"])
        t.wait_entries("left", ["..", "d1", "d2", "f01.txt"])
        # The local pane is active first, as in mc (the cursor on ".."),
        # Tab goes to the remote one.
        assert t.cursor_name() is None, t.fail("first local cursor")
        t.keys("Tab")
        assert t.cursor_name() == "rdir", t.fail("first remote cursor")
        t.keys("Down")
        assert t.cursor_name() == "r1.txt", t.fail("remote Down")
        t.keys("j")
        assert t.cursor_name() == "r2.txt", t.fail("remote j")
        t.keys("k", "k")
        assert t.cursor_name() == "rdir", t.fail("remote k")
        # Enter: the folder's path on the top border, its listing.
        t.keys("Enter")
        t.wait_for(lambda s: " /rdir " in t.title("right", s),
                   why="/rdir on the top border")
        t.wait_entries("right", ["..", "deep.txt"])
        # Backspace: back up, the cursor on the folder we came from.
        t.keys("BSpace")
        t.wait_for(lambda s: " / " in t.title("right", s),
                   why="/ on the top border")
        assert t.cursor_name() == "rdir", t.fail("Backspace's cursor")

        # Tab: the local pane. ".." is first; 43 entries in 27 rows.
        t.keys("Tab", "Home")
        assert t.cursor_name() is None, t.fail("local Home is not ..")
        t.keys("Down", "Down", "Up")
        assert t.cursor_name() == "d1", t.fail("local Down Down Up")
        t.keys("j", "j", "k", "j")
        assert t.cursor_name() == "f01.txt", t.fail("local j j k j")
        t.keys("End")
        assert t.cursor_name() == "f40.txt", t.fail("local End")
        assert "f40.txt" in t.entries("left"), t.fail("End scrolls")
        t.keys("Home")
        t.wait_for(lambda s: t.entries("left", s)[:2] == ["..", "d1"],
                   why="Home scrolls to the top")
        assert t.cursor_name() is None, t.fail("local Home")
        t.keys("PgDn")
        # A page is the 27 rows: from ".." (0) to f25 (27).
        assert t.cursor_name() == "f25.txt", t.fail("PgDn")
        ents = t.entries("left")
        assert "f25.txt" in ents and "f40.txt" in ents and \
            ".." not in ents, t.fail("PgDn shows the next page")
        t.keys("PgUp")
        assert t.cursor_name() is None, t.fail("PgUp back to ..")
        t.wait_for(lambda s: t.entries("left", s)[:2] == ["..", "d1"],
                   why="PgUp scrolls back to the top")
        # Into d2 and back.
        t.keys("Home", "Down", "Down", "Enter")
        t.wait_for(lambda s: " %s/d2 " % local in t.title("left", s),
                   why="d2 on the left top border")
        t.wait_entries("left", ["..", "inner-d2.txt"])
        assert " / " in t.title("right"), t.fail("the right pane moved")
        t.keys("BSpace")
        t.wait_for(lambda s: " %s " % local in t.title("left", s),
                   why="back in the local folder")
        assert t.cursor_name() == "d2", t.fail("local Backspace's cursor")
        # Tab again: the remote pane, its cursor where it was.
        t.keys("Tab")
        assert t.cursor_name() == "rdir", t.fail("Tab back")
        t.keys("q")
        assert t.exited() == 0


# --- 3 ----------------------------------------------------------------------

@test
def copy_files_and_trees_both_ways():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "rfile.bin"), os.urandom(300000))
        write(os.path.join(h, "rtree", "a.txt"), b"alpha\n")
        write(os.path.join(h, "rtree", "sub", "b.bin"), os.urandom(70000))
        write(os.path.join(h, "rtree", "sub", "c.txt"), b"gamma")
        local = tmp()
        write(os.path.join(local, "lfile.bin"), os.urandom(250000))
        write(os.path.join(local, "ltree", "x.txt"), b"x\n")
        write(os.path.join(local, "ltree", "deep", "y.bin"),
              os.urandom(90000))
        t.start([url(srv)], local)
        t.wait_entries("right", ["rtree", "rfile.bin"])

        t.goto("right", "rfile.bin")
        t.keys("F5")
        panel(t, r"ok\s+down rfile\.bin: verified by SHA-256")
        assert read(os.path.join(local, "rfile.bin")) == \
            read(os.path.join(h, "rfile.bin"))
        t.wait_entries("left", ["rfile.bin"])     # the local pane reloaded

        t.goto("right", "rtree")
        t.keys("F5")
        panel(t, r"ok\s+down rtree: verified by SHA-256")
        assert tree(os.path.join(local, "rtree")) == \
            tree(os.path.join(h, "rtree"))
        # The All bar counts the folder's bytes, and this batch alone (it
        # showed "[-----] 2 of 2 items": a folder counted 0 bytes, and
        # the first copy was still in it).
        assert re.search(r"All +\[#{20}\] +100% +1 of 1 items", t.last), \
            t.fail("the All line after a folder")

        t.keys("Tab")
        t.wait_entries("left", ["lfile.bin", "ltree"])
        t.goto("left", "lfile.bin")
        t.keys("F5")
        panel(t, r"ok\s+up\s+lfile\.bin: verified by SHA-256")
        assert read(os.path.join(h, "lfile.bin")) == \
            read(os.path.join(local, "lfile.bin"))
        t.wait_entries("right", ["lfile.bin"])    # the remote pane reloaded

        t.goto("left", "ltree")
        t.keys("F5")
        panel(t, r"ok\s+up\s+ltree: verified by SHA-256")
        assert tree(os.path.join(h, "ltree")) == \
            tree(os.path.join(local, "ltree"))
        t.wait_entries("right", ["ltree"])
        t.wait_for("4 done, 0 skipped, 0 failed")
        t.keys("q")
        assert t.exited() == 0


# --- 4 ----------------------------------------------------------------------

@test
def transfer_log_keeps_every_result_and_why():
    """F9 (and L): every file's result with the reason of each failure,
    scrollable, failures alone with f; the panel shows only the last two
    items, and a folder's failed files did not show at all."""
    with Server(quotas={"harry": "100K"}) as srv, Tui() as t:
        local = tmp()
        write(os.path.join(local, "tree", "a.bin"), os.urandom(70 * 1024))
        write(os.path.join(local, "tree", "b.bin"), os.urandom(70 * 1024))
        for n in range(40):
            write(os.path.join(local, "many", "m%02d.txt" % n), b"%d" % n)
        t.start([url(srv)], local)
        connected(t, srv)
        t.keys("F9")
        t.wait_for("Transfer log: 0 files, 0 failed")
        t.wait_for("Nothing transferred yet.")
        t.keys("Escape")
        t.wait_gone("Transfer log:")
        t.goto("left", "many")
        t.keys("F5")
        t.wait_for(lambda sc: re.search(r"ok\s+up\s+many: ", sc),
                   why="many uploaded", timeout=20)
        t.goto("left", "tree")
        t.keys("F5")
        t.wait_for("Not enough space")
        t.keys("y")
        t.wait_for(lambda sc: re.search(r"FAIL\s+up\s+tree: ", sc),
                   why="tree failed", timeout=20)
        t.keys("F9")
        t.wait_for("Transfer log: 42 files, 1 failed")
        sc = t.screen()
        # Following the newest: the tree's lines at the bottom, the
        # failure with its reason (552, the quota).
        # (Two logins at once: either may be the one that hits the quota.)
        bad = re.search(r"FAIL " + re.escape(local) + r"/tree/([ab])\.bin -> "
                        r"/tree/\1\.bin: .*?552", sc.replace("\n", ""))
        assert bad, t.fail("the failure and its reason")
        good = "b" if bad.group(1) == "a" else "a"
        assert re.search(r"ok   " + re.escape(local) + r"/tree/%s\.bin -> "
                         r"/tree/%s\.bin: verified" % (good, good), sc), \
            t.fail("the other one ok")
        assert "m00.txt" not in sc, t.fail("scrolled to the newest")
        assert "of 42)" in sc, t.fail("position")
        t.keys("Home")
        t.wait_for("/many/m00.txt -> /many/m00.txt: verified")
        assert "(1-" in t.screen(), t.fail("at the top")
        t.keys("End")
        t.wait_gone("/many/m00.txt")
        # f: the failures alone, and back.
        t.keys("f")
        t.wait_for("showing the failures only")
        t.wait_gone("/tree/%s.bin" % good)
        assert "/tree/%s.bin" % bad.group(1) in t.screen(), \
            t.fail("the failure stays")
        t.keys("f")
        t.wait_gone("showing the failures only")
        # q closes the log, not burrow; L opens it too.
        t.keys("q")
        t.wait_gone("Transfer log:")
        assert t.running(), t.fail("q in the log quit")
        t.keys("L")
        t.wait_for("Transfer log: 42 files, 1 failed")
        t.keys("F9")
        t.wait_gone("Transfer log:")
        t.keys("q")
        assert t.exited() == 0


@test
def a_tall_screen_shows_more_finished_items():
    """Only the last 2 finished transfers showed, even at 200x50: a
    quarter of the screen goes to the panel now (at most 8 items)."""
    for height, shown in ((50, 8), (24, 3)):
        with Server() as srv, Tui(width=100, height=height) as t:
            local = tmp()
            for n in range(10):
                write(os.path.join(local, "f%d.txt" % n), b"%d" % n)
            t.start([url(srv)], local)
            connected(t, srv)
            t.goto("left", "f0.txt")
            t.keys(*["Space"] * 10)
            t.keys("F5")
            t.wait_for("10 done", timeout=20)
            t.wait_for(re.compile(r"ok\s+up\s+f9\.txt: verified"))
            got = re.findall(r"ok\s+up\s+(f\d)\.txt: verified",
                             t.screen())
            want = ["f%d" % n for n in range(10 - shown, 10)]
            assert got == want, t.fail("%d rows: %r, not %r" % (
                height, got, want))
            t.keys("q")
            assert t.exited() == 0


@test
def parallel_transfers_each_with_a_bar():
    """Files move over four logins at once (--parallel, default 4): a
    line and a bar each; Esc names what runs and cancels it (y) or all,
    the waiting too (a)."""
    root = tmp()
    for n in range(12):
        # 600 KB at 16 KiB/s, far more than the sockets' buffers take at
        # once: none ends while it is looked at
        write(os.path.join(root, "p%02d.bin" % n), b"%02d" % n * 300000)
    with FakeFtpd(root, rate=16 * 1024) as s, Tui() as t:
        local = tmp()
        t.start([s.url()], local)
        t.wait_entries("right", ["p00.bin", "p01.bin"])
        t.goto("right", "p00.bin")
        t.keys(*["Space"] * 12)
        t.keys("F5")
        # (the further logins may be slow to come up on a busy machine)
        t.wait_for(lambda sc: len(re.findall(
            r"Down p\d\d\.bin +\[", sc)) == 4, timeout=15,
            why="four bars at once")
        assert re.search(r"Transfers: 4 running, 8 waiting", t.last), \
            t.fail("4 running")
        t.keys("Escape")
        t.wait_for("Cancel the running transfers (4 items: ")
        assert "a: all, the 8 waiting too" in t.screen(), t.fail("which")
        t.keys("y")
        t.wait_for(lambda sc: len(re.findall(r"stop\s+down p\d\d\.bin",
                                             sc)) >= 1, why="stopped")
        # The others go on; a cancels them all.
        t.wait_for(lambda sc: len(re.findall(
            r"Down p\d\d\.bin +\[", sc)) >= 2, why="the next ones")
        t.keys("Escape")
        t.wait_for("Cancel the running transfer")
        t.keys("a")
        t.wait_for(lambda sc: re.search(r"0 running, 0 waiting", sc),
                   why="all canceled")
        st = t.status()
        assert "Canceled every transfer" in st, t.fail("status")
        assert not os.path.exists(os.path.join(local, "p11.bin")) or \
            os.path.getsize(os.path.join(local, "p11.bin")) < 600000
        t.keys("q")
        assert t.exited() == 0


@test
def parallel_logins_refused_are_said_once():
    """A server that takes two sessions of a user: burrow says so once and
    goes on with two; every file arrives."""
    with Server(max_sessions_per_user=3) as srv, Tui() as t:
        local = tmp()
        for n in range(10):
            write(os.path.join(local, "q%d.txt" % n), b"q%d" % n * 1000)
        t.start([url(srv)], local)
        connected(t, srv)
        t.goto("left", "q0.txt")
        t.keys(*["Space"] * 10)
        t.keys("F5")
        t.wait_for("10 done", timeout=20)
        t.wait_for("the server took 2 of the 4 connections asked for")
        for n in range(10):
            assert read(os.path.join(srv.home("harry"), "q%d.txt" % n)) == \
                b"q%d" % n * 1000
        t.keys("q")
        assert t.exited() == 0


@test
def many_items_show_the_newest_finished():
    """Seventy marked files: while the later ones wait, the panel shows the
    ones that have just finished (it once looked only at the last 64
    items, all waiting)."""
    root = tmp()
    for n in range(70):
        write(os.path.join(root, "f%02d.bin" % n), b"%02d" % n * 8000)
    with FakeFtpd(root, rate=32 * 1024) as s, Tui() as t:
        local = tmp()
        t.start([s.url()], local)
        t.wait_entries("right", ["f00.bin", "f01.bin"])
        t.goto("right", "f00.bin")
        t.keys(*["Space"] * 70)
        t.wait_for(lambda sc: "70 marked" in t.footer("right", sc),
                   why="70 marked")
        t.keys("F5")
        # The very first one, shown while the others wait (each takes
        # half a second at this rate, so it stays in view a while): four
        # at a time, over four logins.
        panel(t, r"ok\s+down f0[0-3]\.bin: verified by SHA-256")
        assert re.search(r"Transfers: [1-4] running, [1-9]\d* waiting",
                         t.screen()), t.fail("others still waiting")
        s.rate = None
        t.wait_for("70 done", timeout=60)
        assert read(os.path.join(local, "f69.bin")) == b"69" * 8000
        t.keys("q")
        assert t.exited() == 0


@test
def marks_copy_together():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        for n in ("m1", "m2", "m3"):
            write(os.path.join(h, n + ".txt"), n.encode() * 1000)
        local = tmp()
        t.start([url(srv)], local)
        t.wait_entries("right", ["m1.txt", "m2.txt", "m3.txt"])
        t.goto("right", "m1.txt")
        t.keys("Space", "Space")
        # The footer tells how many and their total size.
        t.wait_for(lambda s: "2 marked, 3.9K | no TLS" in
                   t.footer("right", s), why="2 marked in the footer")
        rows = t.rows("right")
        marked = [r[1:].split()[0] for r in rows if r.startswith("*")]
        assert marked == ["m1.txt", "m2.txt"], t.fail("the * marks")
        # F8 acts on the marks, not on the cursor.
        t.keys("F8")
        t.wait_for("Delete 2 files?")
        t.keys("Escape")
        t.wait_status("Nothing deleted")
        t.keys("F5")
        t.wait_for("2 done, 0 skipped, 0 failed")
        panel(t, r"ok\s+down m2\.txt: verified by SHA-256")
        for n in ("m1", "m2"):
            assert read(os.path.join(local, n + ".txt")) == n.encode() * 1000
        assert not os.path.exists(os.path.join(local, "m3.txt"))
        t.wait_for(lambda s: "marked" not in t.footer("right", s),
                   why="F5 to drop the marks")
        assert not any(r.startswith("*") for r in t.rows("right")), \
            t.fail("marks left after F5")
        # Space moved the cursor down each time.
        assert t.cursor_name() == "m3.txt", t.fail("Space moves down")
        # mc's + (mark by a pattern), - (unmark) and * (invert).
        t.keys("+")
        t.wait_for("The names matching (* ? [...]):")
        t.keys("C-u")
        t.type("m[13].txt")
        t.keys("Enter")
        t.wait_status("Marked 2; 2 marked")
        marked = [r[1:].split()[0] for r in t.rows("right")
                  if r.startswith("*")]
        assert marked == ["m1.txt", "m3.txt"], t.fail("+ marks")
        t.keys("*")
        t.wait_status("1 marked")
        assert [r[1:].split()[0] for r in t.rows("right")
                if r.startswith("*")] == ["m2.txt"], t.fail("* inverts")
        t.keys("-")
        t.wait_for("The names matching (* ? [...]):")
        t.keys("Enter")             # "*": all
        t.wait_status("Unmarked 1; 0 marked")
        t.keys("q")
        assert t.exited() == 0


# --- 5 ----------------------------------------------------------------------

BIG = 3 * 1024 * 1024
PROGRESS = re.compile(r"Down big\.bin\s+\[[^\]]*\]\s+(\d+)%")


@test
def progress_cancel_and_resume():
    root = tmp()
    data = os.urandom(BIG)
    write(os.path.join(root, "big.bin"), data)
    # 256 KiB/s: 12 s for the whole file, far more than the test needs.
    with FakeFtpd(root, rate=256 * 1024) as s, Tui() as t:
        local = tmp()
        t.start([s.url()], local)
        t.wait_entries("right", ["big.bin"])
        t.goto("right", "big.bin")
        t.keys("F5")
        t.wait_for("Transfers: 1 running")
        t.wait_for(lambda sc: PROGRESS.search(sc) and
                   int(PROGRESS.search(sc).group(1)) >= 1,
                   why="the progress bar to move")
        assert re.search(r"Down big\.bin +\[[^\]]+\] +\d+% +[0-9.]+ ?\w*"
                         r"( of |/)3\.0 ?Mi?B? +[0-9.]+ ?\w*/s", t.last), \
            t.fail("the bar line: done, size, rate")
        assert re.search(r"All +\[[^\]]+\] +\d+% +0 of 1 items", t.last), \
            t.fail("the All line")
        dst = os.path.join(local, "big.bin")
        assert os.path.getsize(dst) > 0
        t.keys("Escape")
        t.wait_for("Cancel the running transfer (1 item: ")
        t.keys("y")
        panel(t, r"stop\s+down big\.bin: canceled")
        assert "F5 resumes them" in t.status(), t.fail("cancel's status")
        part = read(dst)
        assert 0 < len(part) < BIG and data.startswith(part), len(part)
        # Full speed now; F5 again: the conflict dialog offers the resume.
        s.rate = None
        t.keys("F5")
        t.wait_for("The target exists")
        # Checked by HASH of the first part: resume is offered.
        t.wait_for("It is shorter and is the source's beginning (same "
                   "checksum):")
        t.wait_for("[o]verwrite [r]esume [s]kip")
        t.keys("r")
        panel(t, r"ok\s+down big\.bin: resumed, verified by SHA-256")
        assert read(dst) == data
        assert "REST %d" % len(part) in s.commands, s.commands
        t.keys("q")
        assert t.exited() == 0


@test
def escape_clears_a_filter_without_canceling():
    # Esc both canceled the transfer and cleared the filter: with a filter
    # set during a download, Esc canceled the download.
    root = tmp()
    data = os.urandom(BIG)
    write(os.path.join(root, "big.bin"), data)
    write(os.path.join(root, "other.txt"), b"o")
    with FakeFtpd(root, rate=256 * 1024) as s, Tui() as t:
        local = tmp()
        t.start([s.url()], local)
        t.wait_entries("right", ["big.bin", "other.txt"])
        t.goto("right", "big.bin")
        t.keys("F5")
        t.wait_for("Transfers: 1 running")
        t.keys("/")
        t.wait_for("Show names containing:")
        t.type("oth")
        t.keys("Enter")
        t.wait_for(lambda sc: t.entries("right", sc) == ["other.txt"],
                   why="the filter")
        t.keys("Escape")
        t.wait_status("Filter cleared")
        assert "Transfers: 1 running" in t.screen(), t.fail("canceled")
        assert "Cancel the running" not in t.last, t.fail("asked")
        # With no filter, Esc asks first; n keeps the transfer going.
        t.keys("Escape")
        t.wait_for("Cancel the running transfer (1 item: ")
        t.keys("n")
        t.wait_gone("Cancel the running transfer")
        assert "Transfers: 1 running" in t.screen(), t.fail("n canceled")
        s.rate = None
        panel(t, r"ok\s+down big\.bin: verified", timeout=20)
        assert read(os.path.join(local, "big.bin")) == data
        t.keys("q")
        assert t.exited() == 0


@test
def comparing_a_big_target_says_so():
    # While the checksums of an existing target were compared before the
    # question (10 s for a big file), the panel showed "0/0 -/s".
    root = tmp()
    data = os.urandom(300000)
    write(os.path.join(root, "f.bin"), data)
    with FakeFtpd(root, hash_delay=2) as s, Tui() as t:
        local = tmp()
        write(os.path.join(local, "f.bin"), data[:100000])
        t.start([s.url()], local)
        t.wait_entries("right", ["f.bin"])
        t.goto("right", "f.bin")
        t.keys("F5")
        t.wait_for(re.compile(r"Down f\.bin +\[[^\]]*\] +(\d+% +)?"
                              r"comparing \S+: checksums\.\.\."),
                   why="the comparing shown")
        t.wait_for("The target exists", timeout=10)
        assert "comparing" not in t.screen(), t.fail("still comparing")
        t.keys("r")
        t.wait_for(re.compile(r"Down f\.bin +\[[^\]]*\] +(\d+% +)?"
                              r"verifying"),
                   timeout=10, why="the verifying shown")
        panel(t, r"ok\s+down f\.bin: resumed, verified", timeout=15)
        assert read(os.path.join(local, "f.bin")) == data
        t.keys("q")
        assert t.exited() == 0


@test
def cancel_after_the_last_byte():
    """Esc while the server has sent all of a file but not yet its 226
    (held back 4 s): the item must either stop at once or end as done --
    not wait for the 226 and then call a complete file canceled."""
    root = tmp()
    data = os.urandom(300000)
    write(os.path.join(root, "f.bin"), data)
    with FakeFtpd(root, reply_delay=4) as s, Tui() as t:
        local = tmp()
        dst = os.path.join(local, "f.bin")
        t.start([s.url()], local)
        t.wait_entries("right", ["f.bin"])
        t.goto("right", "f.bin")
        t.keys("F5")
        t.wait_for(lambda sc: os.path.exists(dst) and os.path.getsize(dst)
                   == len(data) and "1 running" in sc,
                   why="every byte in, the 226 not yet")
        t.keys("Escape")
        t.wait_for("Cancel the running transfer (1 item: ")
        t0 = time.monotonic()
        t.keys("y")
        m = panel(t, r"(stop|ok  ) down f\.bin: .*", timeout=10)
        took = time.monotonic() - t0
        complete = read(dst) == data
        assert m.group(1) == "ok  " or took < 2.0, t.fail(
            "BUG: Esc was not honoured while the client waited for the "
            "226: the item ended %.1f s later (the server's delay) as %r, "
            "with the whole file on disk (%s) and the status saying the "
            "partial file stays" % (took, m.group(0).strip(), complete))
        t.keys("q")
        assert t.exited() == 0


@test
def upload_cancel_and_resume():
    root = tmp()
    data = os.urandom(BIG)
    up = re.compile(r"Up up\.bin +\[[^\]]+\] +(\d+)%")
    with FakeFtpd(root, rate=256 * 1024) as s, Tui() as t:
        local = tmp()
        write(os.path.join(local, "up.bin"), data)
        dst = os.path.join(root, "up.bin")
        t.start([s.url()], local)
        t.wait_for(lambda sc: "u@%s:%d" % (HOST, s.port) in
                   t.footer("right", sc), why="connected")
        t.keys("Tab")
        t.wait_entries("left", ["up.bin"])
        t.goto("left", "up.bin")
        t.keys("F5")
        t.wait_for(lambda sc: up.search(sc) and os.path.exists(dst) and
                   os.path.getsize(dst) > 0, why="the upload under way")
        t.keys("Escape")
        t.wait_for("Cancel the running transfer (1 item: ")
        t.keys("y")
        panel(t, r"stop\s+up\s+up\.bin: canceled")
        part = read(dst)
        assert 0 < len(part) < BIG and data.startswith(part), len(part)
        t.wait_entries("right", ["up.bin"])     # the partial file
        s.rate = None
        t.keys("F5")
        t.wait_for("The target exists")
        # Checked by HASH of the first part: resume is offered.
        t.wait_for("It is shorter and is the source's beginning (same "
                   "checksum):")
        t.wait_for("[o]verwrite [r]esume [s]kip")
        t.keys("r")
        panel(t, r"ok\s+up\s+up\.bin: resumed, verified by SHA-256")
        assert read(dst) == data
        assert "REST %d" % len(part) in s.commands or \
            "APPE /up.bin" in s.commands, s.commands
        t.keys("q")
        assert t.exited() == 0


# --- 6 ----------------------------------------------------------------------

def make_rename_delete(t, side, base, p):
    """F7, F6 and F8 in the active pane (side), on disk under base; p is
    the names' prefix ("r" or "l")."""
    t.focus(side)
    t.keys("F7")
    t.wait_for("Mkdir")
    t.wait_for("New folder:")
    t.type(p + "new")
    t.keys("Enter")
    t.wait_status("Made ")
    assert os.path.isdir(os.path.join(base, p + "new")), t.fail("F7")
    t.wait_entries(side, [p + "new"])
    # The cursor is on the new folder.
    assert t.cursor_name() == p + "new", t.fail("F7's cursor")
    # Nested: the missing parents are made too (it was a raw 550 on the
    # server side), the cursor on the first of them.
    t.keys("F7")
    t.wait_for("New folder:")
    t.type(p + "deep/er/est/")
    t.keys("Enter")
    t.wait_status("Made ")
    assert os.path.isdir(os.path.join(base, p + "deep", "er", "est")), \
        t.fail("F7 of nested folders")
    t.wait_entries(side, [p + "deep"])
    assert t.cursor_name() == p + "deep", t.fail("F7 nested cursor")
    # Making one that is there is still an error.
    t.keys("F7")
    t.wait_for("New folder:")
    t.type(p + "deep/er")
    t.keys("Enter")
    t.wait_for(lambda s: "deep/er: " in t.status(s) and "xists" in
               t.status(s), why="F7 of an existing folder refused")
    assert t.status().count("deep/er") == 1, t.fail("the path twice")

    t.goto(side, p + "old.txt")
    t.keys("F6")
    t.wait_for("Rename/move")
    t.wait_for("> %sold.txt_" % p)          # prefilled with the name
    t.keys("C-u")
    t.wait_for(lambda s: re.search(r"> _", s), why="C-u clears the field")
    t.type(p + "renamed.txt")
    t.keys("Enter")
    t.wait_status("Moved 1")
    assert not os.path.exists(os.path.join(base, p + "old.txt"))
    assert read(os.path.join(base, p + "renamed.txt")) == b"old"
    t.wait_entries(side, [p + "renamed.txt"])
    assert p + "old.txt" not in t.entries(side), t.fail("F6 listing")
    assert t.cursor_name() == p + "renamed.txt", t.fail("F6's cursor")

    t.goto(side, p + "gone.txt")
    t.keys("F8")
    t.wait_for('Delete "%sgone.txt" (a file)?' % p)
    assert "folder" not in t.screen(), t.fail("a file called a folder")
    t.keys("y")
    t.wait_status("Deleted 1")
    assert not os.path.exists(os.path.join(base, p + "gone.txt"))
    t.wait_for(lambda s: p + "gone.txt" not in t.entries(side, s),
               why="the deleted file to leave the pane")

    t.goto(side, p + "full")
    t.keys("F8")
    t.wait_for('Delete "%sfull" (a folder, with everything in it)?' % p)
    t.keys("n")
    t.wait_status("Nothing deleted")
    assert os.path.isfile(os.path.join(base, p + "full", "sub", "y.txt"))
    t.keys("F8")
    t.wait_for('Delete "%sfull"' % p)
    t.keys("y")
    t.wait_status("Deleted 1")
    assert not os.path.exists(os.path.join(base, p + "full")), \
        t.fail("F8 y on a folder")


@test
def text_fields_edit_anywhere():
    # Only the end of a field could be edited: Left, Right, Home, End,
    # Ctrl-A/E and Delete did nothing.
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "report.txt"), b"r")
        t.start([url(srv)], tmp())
        t.wait_entries("right", ["report.txt"])
        t.goto("right", "report.txt")
        t.keys("F6")
        t.wait_for("> report.txt_")
        t.keys("Left", "Left", "Left", "Left")
        t.type("-v2")
        t.wait_for("> report-v2.txt")
        t.keys("Home")
        t.type("my-")
        t.keys("End")
        t.type("x")
        t.wait_for("> my-report-v2.txtx_")
        t.keys("BSpace", "C-a", "DC", "DC", "DC", "C-e")
        t.wait_for("> report-v2.txt_")
        t.keys("Enter")
        t.wait_status("Moved 1")
        assert os.listdir(h) == ["report-v2.txt"], t.fail(os.listdir(h))
        t.keys("q")
        assert t.exited() == 0


@test
def upload_bigger_than_the_space_left_asks_first():
    # With "20M free" in the footer, F5 on a 200 MB file started and
    # failed part of the way with 552.
    with Server(quotas={"harry": "100K"}) as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        write(os.path.join(local, "big.bin"), os.urandom(300 * 1024))
        write(os.path.join(local, "tree", "a.bin"), os.urandom(60 * 1024))
        write(os.path.join(local, "tree", "b.bin"), os.urandom(60 * 1024))
        write(os.path.join(local, "small.txt"), b"fits")
        t.start([url(srv)], local)
        connected(t, srv)
        t.goto("left", "big.bin")
        t.keys("F5")
        t.wait_for("Not enough space")
        t.wait_for("This needs 300.0 KiB on the server, which has 100.0 KiB "
                   "free.")
        t.keys("n")
        t.wait_status("Nothing queued")
        # A folder counts with its files.
        t.goto("left", "tree")
        t.keys("F5")
        t.wait_for("This needs 120.0 KiB on the server")
        t.keys("Escape")
        t.wait_status("Nothing queued")
        assert os.listdir(h) == [], t.fail(os.listdir(h))
        # What fits goes without a question.
        t.goto("left", "small.txt")
        seen = len(t.screens)
        t.keys("F5")
        panel(t, r"ok\s+up\s+small\.txt: verified")
        assert "Not enough space" not in "".join(t.screens[seen:]), \
            t.fail("asked about a file that fits")
        t.keys("q")
        assert t.exited() == 0


@test
def mkdir_rename_delete_both_sides():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        for base, p in ((h, "r"), (local, "l")):
            write(os.path.join(base, p + "old.txt"), b"old")
            write(os.path.join(base, p + "gone.txt"), b"gone")
            write(os.path.join(base, p + "full", "x.txt"), b"x")
            write(os.path.join(base, p + "full", "sub", "y.txt"), b"y")
        t.start([url(srv)], local)
        t.wait_entries("right", ["rold.txt", "rgone.txt", "rfull"])
        make_rename_delete(t, "right", h, "r")
        t.keys("Tab")
        t.wait_entries("left", ["lold.txt", "lgone.txt", "lfull"])
        make_rename_delete(t, "left", local, "l")
        # Nothing crossed over.
        assert not os.path.exists(os.path.join(local, "rnew"))
        assert not os.path.exists(os.path.join(h, "lnew"))
        t.keys("q")
        assert t.exited() == 0


# --- 7 ----------------------------------------------------------------------

@test
def overwrite_dialog():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        remote_c1 = b"the remote version of c1\n"
        write(os.path.join(h, "c1.txt"), remote_c1)
        write(os.path.join(local, "c1.txt"), b"local c1\n")
        write(os.path.join(h, "u1.txt"), b"remote u1")
        write(os.path.join(local, "u1.txt"), b"the local u1")
        for n in ("k1", "k2"):
            write(os.path.join(h, n + ".txt"), b"remote " + n.encode())
            write(os.path.join(local, n + ".txt"), b"LOCAL " + n.encode() * 9)
        t.start([url(srv)], local)
        t.wait_entries("right", ["c1.txt", "k1.txt", "k2.txt"])
        lc1 = os.path.join(local, "c1.txt")

        # s: skipped, the target unchanged.
        t.goto("right", "c1.txt")
        t.keys("F5")
        t.wait_for("The target exists")
        # Shorter, but not the source's beginning: no resume offered.
        t.wait_for("[o]verwrite [s]kip re[n]ame")
        assert "%s exists." % lc1 in t.last, t.fail("the dialog's body")
        assert "not the source's beginning" in t.last, t.fail("why")
        t.keys("s")
        t.wait_for("0 done, 1 skipped")
        panel(t, r"skip\s+down c1\.txt: skipped: the target exists")
        assert read(lc1) == b"local c1\n"

        # o: overwritten with the source.
        t.keys("F5")
        t.wait_for("The target exists")
        t.keys("o")
        t.wait_for("1 done, 1 skipped")
        assert read(lc1) == remote_c1

        # n: a new name (prefilled "c1 (1).txt"), the target unchanged.
        write(lc1, b"local c1 once more, and longer than the remote one\n")
        t.keys("F5")
        t.wait_for("The target exists")
        t.keys("n")
        t.wait_for("Copy it under the name:")
        t.wait_for("> c1 (1).txt_")
        t.keys("C-u")
        t.type("c1-copy.txt")
        t.keys("Enter")
        t.wait_for("2 done, 1 skipped")
        assert read(os.path.join(local, "c1-copy.txt")) == remote_c1
        assert read(lc1).startswith(b"local c1 once more")
        t.wait_entries("left", ["c1-copy.txt"])

        # O: overwrite this one and the next conflict without asking.
        t.goto("right", "k1.txt")
        t.keys("Space", "Space")
        t.wait_for(lambda s: "2 marked" in t.footer("right", s),
                   why="2 marked")
        t.keys("F5")
        t.wait_for("The target exists")
        assert "k1.txt exists." in t.last, t.fail("the first conflict")
        t.keys("O")
        t.wait_for("4 done, 1 skipped")
        for n in ("k1", "k2"):
            assert read(os.path.join(local, n + ".txt")) == \
                b"remote " + n.encode()
        # "For all" lasts while the queue runs: the next copy asks again.
        write(os.path.join(local, "k1.txt"), b"changed")
        t.goto("right", "k1.txt")
        t.keys("F5")
        t.wait_for("The target exists")
        t.keys("Escape")
        t.wait_for("4 done, 2 skipped")
        assert read(os.path.join(local, "k1.txt")) == b"changed"

        # The other way: an upload over a different remote file.
        t.keys("Tab")
        t.wait_entries("left", ["u1.txt"])
        t.goto("left", "u1.txt")
        t.keys("F5")
        t.wait_for("The target exists")
        assert "/u1.txt exists." in t.last, t.fail("the upload's conflict")
        t.keys("o")
        t.wait_for("5 done, 2 skipped")
        panel(t, r"ok\s+up\s+u1\.txt: verified by SHA-256")
        assert read(os.path.join(h, "u1.txt")) == b"the local u1"
        t.keys("q")
        assert t.exited() == 0


@test
def conflict_dialog_offers_only_a_real_resume():
    # It offered [r]esume whatever the target was, said "It is shorter:
    # resume copies the rest" of a target that was not the source's
    # beginning (then sent it all), and overwrote on r for an equal or
    # longer one.
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        src = bytes(range(256)) * 40
        cases = {"a-prefix.bin": src[:3000], "b-other.bin": b"x" * 3000,
                 "c-larger.bin": src + b"more", "d-same.bin": b"y" * len(src)}
        for n, data in cases.items():
            write(os.path.join(h, n), src)
            write(os.path.join(local, n), data)
        t.start([url(srv)], local)
        t.wait_entries("right", list(cases))

        def conflict(name, says, resume):
            t.goto("right", name)
            t.keys("F5")
            t.wait_for("%s exists." % os.path.join(local, name))
            t.wait_for(says)
            hint = "[o]verwrite [r]esume [s]kip" if resume else \
                "[o]verwrite [s]kip re[n]ame"
            assert hint in t.last, t.fail("the keys offered")

        conflict("a-prefix.bin", "It is shorter and is the source's "
                 "beginning (same checksum):", True)
        assert "resume copies the rest." in t.last, t.fail("the verdict")
        t.keys("r")
        panel(t, r"ok\s+down\s+a-prefix\.bin: resumed, verified by SHA-256")
        conflict("b-other.bin", "It is shorter but is not the source's "
                 "beginning", False)
        t.keys("r")             # refused: the dialog stays
        time.sleep(0.3)
        assert "b-other.bin exists." in t.screen(), t.fail("r was taken")
        t.keys("s")
        t.wait_gone("b-other.bin exists.")
        conflict("c-larger.bin", "It is larger than the source, so it "
                 "cannot be resumed:", False)
        assert "overwrite replaces it." in t.last, t.fail("the verdict")
        t.keys("o")
        panel(t, r"ok\s+down\s+c-larger\.bin: verified by SHA-256")
        conflict("d-same.bin", "It has the same size but another checksum",
                 False)
        t.keys("Escape")
        t.wait_gone("d-same.bin exists.")
        for n, data in cases.items():
            want = data if n in ("b-other.bin", "d-same.bin") else src
            assert read(os.path.join(local, n)) == want, t.fail(n)
        t.keys("q")
        assert t.exited() == 0


@test
def panel_messages_name_things_once_and_rightly():
    # A failure said the path twice (".../dangling: .../dangling: No such
    # file"), and a file renamed in the conflict dialog was still shown
    # under its old name ("ok up small1.txt").
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        os.symlink("nowhere", os.path.join(local, "dangling"))
        write(os.path.join(local, "small1.txt"), b"the local one")
        write(os.path.join(h, "small1.txt"), b"remote")
        t.start([url(srv)], local)
        t.wait_entries("right", ["small1.txt"])
        t.keys("Tab")
        t.wait_entries("left", ["dangling -> nowhere", "small1.txt"])
        t.goto("left", "dangling -> nowhere")
        t.keys("F5")
        m = panel(t, r"FAIL\s+up\s+dangling: (.*)")
        assert m.group(1).strip() == "No such file or directory", \
            t.fail("the failure's wording")
        t.goto("left", "small1.txt")
        t.keys("F5")
        t.wait_for("The target exists")
        t.keys("n")
        t.wait_for("> small1 (1).txt_")
        t.keys("Enter")
        panel(t, r"ok\s+up\s+small1\.txt as small1 \(1\)\.txt: verified "
              r"by SHA-256")
        assert read(os.path.join(h, "small1 (1).txt")) == b"the local one"
        assert read(os.path.join(h, "small1.txt")) == b"remote"
        t.keys("q")
        assert t.exited() == 0


# --- 8 ----------------------------------------------------------------------

@test
def filter_and_sort():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        for n in ("apple.txt", "grape.txt", "pineapple.txt", "plum.txt"):
            write(os.path.join(h, n), b"f")
        local = tmp()
        now = time.time()
        for n, size, age in (("a_small", 1, 200), ("b_big", 100000, 300),
                             ("c_mid", 5000, 100)):
            write(os.path.join(local, n), b"s" * size)
            os.utime(os.path.join(local, n), (now - age, now - age))
        t.start([url(srv)], local)
        every = ["apple.txt", "grape.txt", "pineapple.txt", "plum.txt"]
        t.wait_entries("right", every)
        t.focus("right")

        t.keys("/")
        t.wait_for("Filter")
        t.wait_for("Show names containing:")
        t.type("APPLE")             # without regard to case
        t.wait_for(lambda s: t.entries("right", s) ==
                   ["apple.txt", "pineapple.txt"], why="the live filter")
        t.keys("Enter")
        t.wait_gone("Show names containing:")
        assert t.entries("right") == ["apple.txt", "pineapple.txt"], \
            t.fail("Enter keeps the filter")
        t.keys("Escape")
        t.wait_status("Filter cleared")
        t.wait_for(lambda s: t.entries("right", s) == every,
                   why="Esc to show every name again")
        # Esc in the dialog drops what was typed.
        t.keys("/")
        t.wait_for("Show names containing:")
        t.type("plum")
        t.wait_for(lambda s: t.entries("right", s) == ["plum.txt"],
                   why="the filter plum")
        t.keys("Escape")
        t.wait_for(lambda s: t.entries("right", s) == every,
                   why="Esc in the dialog clears the filter")

        # The local pane: its footer names the filter.
        t.keys("Tab")
        files = lambda s: [n for n in t.entries("left", s) if n != ".."]
        t.wait_for(lambda s: files(s) == ["a_small", "b_big", "c_mid"],
                   why="by name")
        t.keys("/")
        t.wait_for("Show names containing:")
        t.type("mid")
        t.keys("Enter")
        t.wait_for(lambda s: files(s) == ["c_mid"] and "filter: mid" in
                   t.footer("left", s), why="the local filter, in the footer")
        assert t.entries("right") == every, t.fail("one pane's filter only")
        t.keys("Escape")
        t.wait_for(lambda s: files(s) == ["a_small", "b_big", "c_mid"],
                   why="Esc to clear the local filter")
        # s cycles the active pane's order.
        t.keys("s")
        t.wait_status("Sorted by size")
        t.wait_for(lambda s: files(s) == ["b_big", "c_mid", "a_small"],
                   why="by size, biggest first")
        assert "by size" in t.footer("left"), t.fail("left footer")
        t.keys("s")
        t.wait_status("Sorted by time")
        t.wait_for(lambda s: files(s) == ["c_mid", "a_small", "b_big"],
                   why="by time, newest first")
        t.keys("s")
        t.wait_status("Sorted by name")
        t.wait_for(lambda s: files(s) == ["a_small", "b_big", "c_mid"],
                   why="by name again")
        assert t.entries("right") == every, t.fail("the other pane kept")
        t.keys("q")
        assert t.exited() == 0


# --- 9 ----------------------------------------------------------------------

def check_layout(t, width, height, names):
    """The two boxes fill width; the status line is the last one."""
    lw = width // 2

    def fits(s):
        ls = t.lines(s)
        top, bottom = cells(ls[0]), None
        for i, l in enumerate(ls):
            if l.startswith("└"):
                bottom = i
        if bottom is None or len(top) != width or bottom != height - 2:
            return False
        return (top[0] == "┌" and top[lw - 1] == "┐" and
                top[lw] == "┌" and top[width - 1] == "┐" and
                all(cells(ls[y])[width - 1:width] == ["│"]
                    for y in range(1, bottom)) and
                cells(ls[bottom])[width - 1] == "┘" and
                set(names) <= set(t.entries("right", s)))
    t.wait_for(fits, why="the panes to fit %dx%d" % (width, height))
    assert "Connected to harry@" in t.status(), t.fail("the status line")


@test
def resize_redraws():
    with Server() as srv, Tui() as t:
        names = ["first.txt", "second.txt"]
        for n in names:
            write(os.path.join(srv.home("harry"), n), b"x")
        local = tmp()
        t.start([url(srv)], local)
        t.wait_entries("right", names)
        check_layout(t, 100, 30, names)
        t.resize(80, 24)
        check_layout(t, 80, 24, names)
        t.resize(120, 40)
        check_layout(t, 120, 40, names)
        # Too small: the notice says, in whole, what size is needed (it
        # was cut to "The terminal is too small for~").
        t.resize(30, 8)
        t.wait_for(lambda s: " ".join(l.strip() for l in t.lines(s)[:4])
                   .startswith("burrow needs a terminal of 40x10 at least; "
                               "this one is 30x8."),
                   why="the whole too-small notice")
        assert "~" not in t.screen(), t.fail("the notice is cut")
        t.resize(100, 30)
        check_layout(t, 100, 30, names)
        # A dialog open across a resize is drawn again, inside the screen.
        t.keys("F7")
        t.wait_for("New folder:")
        t.resize(80, 24)

        def dialog_fits(s):
            ls = t.lines(s)
            top = [i for i, l in enumerate(ls) if "┌─ Mkdir " in l]
            if len(top) != 1 or "New folder:" not in ls[top[0] + 1]:
                return False
            c = cells(ls[top[0]])
            x0 = col(ls[top[0]], "┌─ Mkdir ")
            if "┐" not in c:
                return False
            x1 = len(c) - 1 - c[::-1].index("┐")     # its right corner
            # 76 columns wide (80 - 4), centred, the pane borders beside.
            return len(cells(ls[0])) == 80 and len(c) == 80 and \
                (x0, x1) == (2, 77) and c[79] == "│"
        t.wait_for(dialog_fits, why="the Mkdir dialog redrawn at 80x24")
        t.keys("Escape")
        t.wait_gone("New folder:")
        t.keys("q")
        assert t.exited() == 0


def mode(path):
    return os.lstat(path).st_mode & 0o7777


@test
def chmod_dialog_both_sides():
    """Ctrl-X c (mc's chmod) opens the mode of the entry under the cursor
    (or of the marked ones) to edit in octal; Enter sets it, the pane is
    read again, Esc changes nothing, a bad mode is refused."""
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "r.txt"), b"r")
        os.chmod(os.path.join(h, "r.txt"), 0o644)
        local = tmp()
        for n in ("a.sh", "b.sh", "c.sh"):
            write(os.path.join(local, n), b"#!/bin/sh\n")
            os.chmod(os.path.join(local, n), 0o640)
        t.start([url(srv)], local)
        t.wait_entries("right", ["r.txt"])
        # The server's listing gives the mode (burrowd's UNIX.mode fact).
        t.goto("right", "r.txt")
        t.keys("C-x")
        t.wait_status("Ctrl-X: c mode, d compare")
        t.keys("c")
        t.wait_for("Chmod")
        t.wait_for('Mode of "r.txt", in octal (it is now: 0644, rw-r--r--):')
        t.wait_for("> 644_")
        t.keys("C-u")
        t.type("600")
        t.keys("Enter")
        t.wait_status("Mode 0600 set on 1")
        assert mode(os.path.join(h, "r.txt")) == 0o600, t.fail("remote")
        # Read again: the dialog now starts from the new mode.
        t.keys("C-x", "c")
        t.wait_for("(it is now: 0600, rw-------):")
        t.keys("Escape")
        t.wait_status("No mode changed")
        assert mode(os.path.join(h, "r.txt")) == 0o600
        # Not a mode: refused, nothing changed.
        t.keys("C-x", "c")
        t.wait_for("> 600_")
        t.keys("C-u")
        t.type("9")
        t.keys("Enter")
        t.wait_status('"9" is not a mode')
        assert mode(os.path.join(h, "r.txt")) == 0o600
        # Bits burrowd's chmod_mask does not allow: its reply shown.
        t.keys("C-x", "c")
        t.wait_for("> 600_")
        t.keys("C-u")
        t.type("4755")
        t.keys("Enter")
        t.wait_for(lambda s: "550" in t.status(s) and "chmod_mask" in
                   t.status(s), why="the server's 550 on the status line")
        assert mode(os.path.join(h, "r.txt")) == 0o600
        # Ctrl-X and a key that is none of its commands says so.
        t.keys("C-x", "z")
        t.wait_status("Ctrl-X: c mode, d compare, D compare (asking how), "
                      "s sync (F1 lists the keys)")
        # The local side, on two marked files.
        t.goto("left", "a.sh")
        t.keys("Space", "Space")
        t.wait_for(lambda s: "2 marked" in t.footer("left", s),
                   why="2 marked in the footer")
        t.keys("C-x", "c")
        t.wait_for("Mode of 2 entries, in octal (the first is now: 0640, "
                   "rw-r-----):")
        t.keys("C-u")
        t.type("755")
        t.keys("Enter")
        t.wait_status("Mode 0755 set on 2")
        assert [mode(os.path.join(local, n)) for n in
                ("a.sh", "b.sh", "c.sh")] == [0o755, 0o755, 0o640], \
            t.fail("local modes")
        # F1 lists the key.
        t.keys("F1")
        t.wait_for("burrow: keys")
        assert "Ctrl-X c" in t.last and "chmod marked entries" in t.last, \
            t.fail("F1 lists Ctrl-X c")
        t.keys("Escape")
        t.wait_gone("burrow: keys")
        t.keys("q")
        assert t.exited() == 0


@test
def chmod_dialog_on_a_server_without_it():
    with Server(site_chmod=False) as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "r.txt"), b"r")
        os.chmod(os.path.join(h, "r.txt"), 0o644)
        t.start([url(srv)], tmp())
        t.wait_entries("right", ["r.txt"])
        t.goto("right", "r.txt")
        t.keys("C-x", "c")
        t.wait_for("> 644_")
        t.keys("C-u")
        t.type("600")
        t.keys("Enter")
        t.wait_for(lambda s: "does not offer SITE CHMOD" in t.status(s),
                   why="the server not offering chmod said")
        assert mode(os.path.join(h, "r.txt")) == 0o644
        t.keys("q")
        assert t.exited() == 0


# --- 10 ---------------------------------------------------------------------

@test
def help_scrolls_on_a_small_screen():
    """At 80x24 the key list is taller than the screen: it says which
    lines it shows, End reaches the last (quit), Up scrolls back, and
    any other key closes it."""
    with Tui(width=80, height=24) as t:
        t.start([], tmp())
        t.wait_for("Connect")
        t.keys("Escape")
        t.keys("F1")
        t.wait_for(re.compile(r"lines 1-21 of \d+ +Up, Down"))
        assert "move the cursor" in t.last, t.fail("the first line")
        assert "quit (asking first" not in t.last, t.fail("all shown?")
        t.keys("End")
        t.wait_for("quit (asking first")
        assert "move the cursor" not in t.last, t.fail("not scrolled")
        t.keys("Up")
        t.wait_for(re.compile(r"lines \d+-\d+ of"))
        t.keys("x")
        t.wait_gone("burrow: keys")
        t.keys("q")
        assert t.exited() == 0


@test
def help_and_any_key_closes_it():
    with Server() as srv, Tui() as t:
        write(os.path.join(srv.home("harry"), "r.txt"), b"x")
        t.start([url(srv)], tmp())
        t.wait_entries("right", ["r.txt"])
        t.keys("F1")
        t.wait_for("burrow: keys")
        for line in ("move the cursor", "copy marked entries",
                     "view in $PAGER", "edit in $EDITOR", "any key closes"):
            assert line in t.last, t.fail(line)
        # q closes the help; it does not quit.
        t.keys("q")
        t.wait_gone("burrow: keys")
        assert t.running(), t.fail("q in the help quit")
        t.keys("?")
        t.wait_for("burrow: keys")
        t.keys("Down")
        t.wait_gone("burrow: keys")
        # A function key bound to nothing says so (it was silent).
        t.keys("F12")
        t.wait_status("F12 does nothing here (F1 lists the keys)")
        # The key bar, once the status line is clear, names F3 and F4.
        t.keys("x")
        t.wait_status("F1 Help  F3 View  F4 Edit  F5 Copy")
        t.keys("q")
        assert t.exited() == 0


# --- 11 ---------------------------------------------------------------------

@test
def quit_restores_the_screen():
    with Server() as srv, Tui() as t:
        write(os.path.join(srv.home("harry"), "r.txt"), b"x")
        t.start([url(srv)], tmp())
        t.wait_entries("right", ["r.txt"])
        t.keys("q")
        assert t.exited() == 0
        s = t.screen()
        assert not any(c in s for c in "┌┐└┘│"), t.fail("borders stay")
        assert "r.txt" not in s, t.fail("the listing stays")
    with Server() as srv, Tui() as t:
        t.start([url(srv)], tmp())
        connected(t, srv)
        t.keys("F10")
        assert t.exited() == 0


def burrow_pid(t):
    """The pid of burrow in the session (the shell's only child)."""
    shell = t.tmux("display-message", "-p", "#{pane_pid}").stdout.strip()
    out = subprocess.run(["pgrep", "-P", shell], capture_output=True,
                         text=True, timeout=10).stdout.split()
    assert len(out) == 1, t.fail("burrow's pid among %r" % out)
    return int(out[0])


@test
def signals_restore_the_screen():
    """SIGTERM mid-transfer: a clean stop (128 + 15), the partial file kept,
    the terminal given back. SIGSEGV: the terminal given back all the same
    before the process dies of it."""
    root = tmp()
    write(os.path.join(root, "big.bin"), os.urandom(BIG))
    with FakeFtpd(root, rate=256 * 1024) as s, Tui() as t:
        local = tmp()
        dst = os.path.join(local, "big.bin")
        t.start([s.url()], local)
        t.wait_entries("right", ["big.bin"])
        t.goto("right", "big.bin")
        t.keys("F5")
        t.wait_for(lambda sc: os.path.exists(dst) and
                   os.path.getsize(dst) > 0, why="the download under way")
        os.kill(burrow_pid(t), signal.SIGTERM)
        assert t.exited() == 128 + signal.SIGTERM, t.fail("SIGTERM status")
        sc = t.screen()
        assert not any(c in sc for c in "┌┐└┘│"), t.fail("borders stay")
        assert 0 < os.path.getsize(dst) < BIG, t.fail("the partial file")
    with Server() as srv, Tui() as t:
        t.start([url(srv)], tmp())
        connected(t, srv)
        os.kill(burrow_pid(t), signal.SIGSEGV)
        assert t.exited() == 128 + signal.SIGSEGV, t.fail("SIGSEGV status")
        sc = t.screen()
        assert not any(c in sc for c in "┌┐└┘│"), t.fail("borders stay")


@test
def quit_with_a_transfer_running():
    root = tmp()
    data = os.urandom(BIG)
    write(os.path.join(root, "big.bin"), data)
    with FakeFtpd(root, rate=256 * 1024) as s, Tui() as t:
        local = tmp()
        dst = os.path.join(local, "big.bin")
        t.start([s.url()], local)
        t.wait_entries("right", ["big.bin"])
        t.goto("right", "big.bin")
        t.keys("F5")
        t.wait_for(PROGRESS)
        t.keys("q")
        t.wait_for("Transfers are running")
        t.wait_for(" Quit ")
        t.keys("n")
        t.wait_gone("Transfers are running")
        size = os.path.getsize(dst)
        assert t.running(), t.fail("n quit")
        t.wait_for(lambda sc: os.path.getsize(dst) > size and
                   "1 running" in sc, why="the transfer to go on")
        t.keys("q")
        t.wait_for("Transfers are running")
        t.keys("y")
        assert t.exited() == 0
        part = read(dst)
        assert 0 < len(part) < BIG and data.startswith(part), len(part)


# --- 12 ---------------------------------------------------------------------

@test
def login_dialog():
    good, bad = "Sekr1t-pw", "Wr0ng-pass"
    with Server(users={"harry": good}) as srv, Tui() as t:
        write(os.path.join(srv.home("harry"), "logged-in.txt"), b"x")
        t.start([url(srv, password=False)], tmp())
        t.wait_for("Login")
        t.wait_for("Password for harry@%s:" % HOST)
        t.type(bad)
        t.wait_for("> %s_" % ("*" * len(bad)))
        t.keys("Enter")
        t.wait_for("Login failed")
        t.wait_for("login as harry failed")
        t.wait_for("> _")           # asked again, empty
        t.type(good)
        t.wait_for("> %s_" % ("*" * len(good)))
        t.keys("Enter")
        t.wait_entries("right", ["logged-in.txt"])
        connected(t, srv)
        assert not any(good in sc or bad in sc for sc in t.screens), \
            t.fail("a password was on the screen")
        t.keys("q")
        assert t.exited() == 0


# --- 13 ---------------------------------------------------------------------

@test
def connect_dialog_without_url():
    pw = "Xyzzy-42"
    with Server(users={"harry": pw}) as srv, Server() as srv2, Tui() as t:
        write(os.path.join(srv.home("harry"), "hello.txt"), b"x")
        write(os.path.join(srv2.home("harry"), "second.txt"), b"x")
        local = tmp()
        write(os.path.join(local, "mine.txt"), b"m")
        t.start([], local)
        t.wait_for("Connect")
        t.wait_for("Server (ftp[s]://user@host[:port][/path]):")
        t.wait_entries("left", ["mine.txt"])
        assert "not connected" in t.footer("right"), t.fail("footer")
        t.type(url(srv))
        t.keys("Enter")
        t.wait_entries("right", ["hello.txt"])
        connected(t, srv)
        assert pw not in t.screen(), t.fail("the password stays on screen")
        # F2: another server, the URL without its scheme this time (the
        # field starts with the current server's: Ctrl-U clears it).
        t.keys("F2")
        t.wait_for("Server (ftp[s]://user@host[:port][/path]):")
        t.keys("C-u")
        t.type("harry:pw@%s:%d/" % (HOST, srv2.port))
        t.keys("Enter")
        t.wait_entries("right", ["second.txt"])
        connected(t, srv2)
        assert "hello.txt" not in t.entries("right"), t.fail("old listing")
        t.keys("q")
        assert t.exited() == 0


@test
def connect_dialog_offers_the_recent_servers():
    """F2 started empty: it now starts with the current server, and Up and
    Down walk the servers used before (kept without their passwords in
    ~/.local/state/burrow/recent, 0600)."""
    with Server(users={"harry": "pw1"}) as a, \
            Server(users={"harry": "pw2"}) as b, Tui() as t:
        write(os.path.join(a.home("harry"), "on-a.txt"), b"a")
        write(os.path.join(b.home("harry"), "on-b.txt"), b"b")
        local = tmp()
        ua = "ftp://harry@%s:%d" % (HOST, a.port)
        t.start([url(a)], local)
        t.wait_entries("right", ["on-a.txt"])
        recent = os.path.join(t.home, ".local", "state", "burrow", "recent")
        assert read(recent) == (ua + "\n").encode(), read(recent)
        assert os.stat(recent).st_mode & 0o777 == 0o600
        # F2 offers the current server; connecting to b by hand.
        t.keys("F2")
        t.wait_for(lambda sc: re.search(r"\|\s*" + re.escape(ua) +
                                        r"\s*\|", sc) or ua in sc,
                   why="the current server in the field")
        t.keys("C-u")
        t.type("ftp://harry:pw2@%s:%d/" % (HOST, b.port))
        t.keys("Enter")
        t.wait_entries("right", ["on-b.txt"])
        assert read(recent) == ("ftp://harry@%s:%d\n%s\n" % (
            HOST, b.port, ua)).encode(), read(recent)
        assert b"pw" not in read(recent)
        t.keys("q")
        assert t.exited() == 0
    # A new start without an address: the last server first, Up for the
    # one before; its password is asked for, not remembered.
    with Server(users={"harry": "pw1"}) as a2, Server() as b, Tui() as t2:
        recent = os.path.join(t2.home, ".local", "state", "burrow", "recent")
        # As the first run left it, with a2's port for a (gone since).
        write(recent, ("ftp://harry@%s:%d\nftp://harry@%s:%d\n" % (
            HOST, b.port, HOST, a2.port)).encode())
        write(os.path.join(a2.home("harry"), "on-a2.txt"), b"a")
        t2.start([], tmp())
        t2.wait_for("Connect")
        t2.wait_for("ftp://harry@%s:%d" % (HOST, b.port))
        t2.wait_for("Up, Down: the servers used before")
        t2.keys("Up")
        t2.wait_for("ftp://harry@%s:%d" % (HOST, a2.port))
        t2.keys("Down")
        t2.wait_for("ftp://harry@%s:%d" % (HOST, b.port))
        t2.keys("Up")
        t2.wait_for("ftp://harry@%s:%d" % (HOST, a2.port))
        t2.keys("Enter")
        t2.wait_for("Password for harry@%s:" % HOST)
        t2.type("pw1")
        t2.keys("Enter")
        t2.wait_entries("right", ["on-a2.txt"])
        assert read(recent).startswith(("ftp://harry@%s:%d\n" % (
            HOST, a2.port)).encode()), read(recent)
        t2.keys("q")
        assert t2.exited() == 0


# --- 14 ---------------------------------------------------------------------

@test
def utf8_and_control_bytes_in_names():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "été-remote.txt"), b"accent")
        write(os.path.join(h, "中文名.txt"), b"cjk")
        local = tmp()
        write(os.path.join(local, "été.txt"), b"e")
        write(os.path.join(local, "日本語.txt"), b"j")
        with open(os.path.join(local.encode(), b"bad\x01name"), "wb") as f:
            f.write(b"c")
        t.start([url(srv)], local)
        t.wait_entries("right", ["été-remote.txt", "中文名.txt"])
        t.wait_entries("left", ["été.txt", "日本語.txt", "bad?name"])
        s = t.screen()
        # Every row keeps its four borders in place.
        x, w, hh = t.pane_box("left", s)
        for y, line in enumerate(t.lines(s)[1:hh - 1], 1):
            c = cells(line)
            assert len(c) == W and c[0] == "│" and c[w - 1] == "│" and \
                c[w] == "│" and c[W - 1] == "│", \
                t.fail("row %d is out of line: %r" % (y, line))
        # The sizes still line up under the wide name.
        row = next(r for r in t.rows("left", s) if "日本語" in r)
        ref = next(r for r in t.rows("left", s) if "été.txt" in r)
        namew = (w - 2) - 1 - 7 - 13
        size = slice(1 + namew, 1 + namew + 7)
        assert len(cells(row)) == len(cells(ref)) and \
            "".join(cells(row)[size]) == "      1" == \
            "".join(cells(ref)[size]), t.fail("the size column")
        # A UTF-8 name copies under its own name.
        t.goto("right", "été-remote.txt")
        t.keys("F5")
        panel(t, r"ok\s+down été-remote\.txt: verified by SHA-256")
        assert read(os.path.join(local, "été-remote.txt")) == b"accent"
        t.keys("q")
        assert t.exited() == 0


@test
def long_names_are_cut_in_the_middle():
    # Cut at the end, "a-very-long-quarterly-repor~" hid the extension
    # and made such names look all the same.
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        for n in ("a-very-long-quarterly-report-final-v1.txt",
                  "a-very-long-quarterly-report-final-v2.pdf"):
            write(os.path.join(h, n), b"x")
        t.start([url(srv)], tmp())
        t.wait_entries("right", ["a-very-long-q~-final-v1.txt",
                                 "a-very-long-q~-final-v2.pdf"])
        t.keys("q")
        assert t.exited() == 0


@test
def symbolic_links_are_marked():
    # Links looked like files. (burrowd's MLSD shows a link inside the
    # home as what it points to, so only the local side has links here.)
    with Server() as srv, Tui() as t:
        local = tmp()
        write(os.path.join(local, "target.txt"), b"t")
        os.symlink("target.txt", os.path.join(local, "ln"))
        os.symlink("nowhere", os.path.join(local, "dangling"))
        t.start([url(srv)], local)
        t.wait_entries("left", ["ln -> target.txt", "dangling -> nowhere",
                                "target.txt"])
        t.keys("q")
        assert t.exited() == 0


@test
def control_bytes_in_remote_names():
    # Such names used to vanish from the remote pane, and uploading one
    # ended in "MLST ...: no facts in the reply".
    with Server() as srv, Tui() as t:
        h = os.fsencode(srv.home("harry"))
        write(os.path.join(h, b"ctl\x01x.txt"), b"ctl")
        write(os.path.join(h, b"ren\x1b[2J.txt"), b"ren")
        write(os.path.join(h, b"plain.txt"), b"p")
        local = tmp()
        write(os.path.join(os.fsencode(local), b"up\x03.txt"), b"upload")
        t.start([url(srv)], local)
        t.wait_entries("right", ["ctl?x.txt", "ren?[2J.txt", "plain.txt"])
        t.goto("right", "ctl?x.txt")
        t.keys("F8")
        t.wait_for('Delete "ctl?x.txt"')
        t.keys("y")
        t.wait_status("Deleted 1")
        assert b"ctl\x01x.txt" not in os.listdir(h), t.fail("F8")
        t.goto("right", "ren?[2J.txt")
        t.keys("F6")
        t.wait_for("Rename/move")
        t.keys("C-u")
        t.type("renamed.txt")
        t.keys("Enter")
        t.wait_status("Moved 1")
        assert read(os.path.join(h, b"renamed.txt")) == b"ren", t.fail("F6")
        t.keys("Tab")
        t.goto("left", "up?.txt")
        t.keys("F5")
        panel(t, r"ok\s+up\s+up\?\.txt: verified by SHA-256")
        assert read(os.path.join(h, b"up\x03.txt")) == b"upload"
        t.wait_entries("right", ["up?.txt", "renamed.txt"])
        t.keys("q")
        assert t.exited() == 0


# --- F3 view, F4 edit --------------------------------------------------------

def stub(folder, name, body):
    """An executable shell script folder/name: #!/bin/sh and body."""
    p = os.path.join(folder, name)
    write(p, ("#!/bin/sh\n" + body + "\n").encode())
    os.chmod(p, 0o755)
    return p


def view_env(tmpdir, pager=None, editor=None):
    env = {"TMPDIR": tmpdir, "VISUAL": ""}
    if pager:
        env["PAGER"] = pager
    if editor:
        env["EDITOR"] = editor
    return env


def seen(path, timeout=WAIT):
    """Waits for a stub to have written path; returns its bytes."""
    assert wait_until(lambda: os.path.exists(path), timeout), path
    time.sleep(0.1)     # the stub's last write
    return read(path)


@test
def view_a_remote_file_through_a_private_copy():
    """F3 on a server's file: fetched (verified) into a 0700 folder under
    $TMPDIR as a 0600 file of its own name, shown by $PAGER, then removed.
    F3 on a folder opens it; on a link to nothing it says so."""
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        write(os.path.join(h, "notes.txt"), b"remote notes\n")
        os.mkdir(os.path.join(h, "sub"))
        write(os.path.join(h, "sub", "inner.txt"), b"i")
        os.symlink("gone", os.path.join(h, "dangling"))
        work, tmpd = tmp(), tmp()
        out = os.path.join(work, "seen")
        pager = stub(work, "pager",
                     'cp "$1" %s.tmp; stat -c "%%a" "$1" > %s.mode; '
                     'stat -c "%%a" "$(dirname "$1")" > %s.dirmode; '
                     'echo "$1" > %s.path; mv %s.tmp %s'
                     % ((shlex.quote(out),) * 6))
        t.start([url(srv)], work, env=view_env(tmpd, pager=pager))
        t.wait_entries("right", ["notes.txt", "sub"])
        t.goto("right", "notes.txt")
        t.keys("F3")
        assert seen(out) == b"remote notes\n"
        t.wait_status("Viewed notes.txt (fetched, verified by SHA-256)")
        assert read(out + ".mode").strip() == b"600"
        assert read(out + ".dirmode").strip() == b"700"
        p = read(out + ".path").decode().strip()
        assert os.path.basename(p) == "notes.txt", p
        assert os.path.dirname(os.path.dirname(p)) == tmpd, p
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        # The screen is back, whole.
        t.wait_entries("left", ["pager"])
        t.wait_entries("right", ["notes.txt", "sub"])
        # A link that leads nowhere (burrowd lists it as a link, "@").
        names = t.entries("right")
        t.keys("Home", *(["Down"] * names.index("dangling@")))
        t.keys("F3")
        t.wait_status("dangling: a link that leads nowhere")
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        t.goto("right", "sub")
        t.keys("F3")
        t.wait_entries("right", ["inner.txt"])
        t.keys("q")
        assert t.exited() == 0


@test
def edit_a_remote_file_sends_a_changed_copy_back():
    """F4 with an editor that appends a line: the server's file gets it,
    verified; one that changes nothing: nothing is sent (the server's
    file is the same inode, and no STOR is logged)."""
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        f = os.path.join(h, "conf.ini")
        write(f, b"a = 1\n")
        work, tmpd = tmp(), tmp()
        mode = os.path.join(work, "mode")
        write(mode, b"append")
        editor = stub(work, "editor",
                      'if [ "$(cat %s)" = append ]; then '
                      'printf "b = 2\\n" >> "$1"; fi; echo "$1" >> %s'
                      % (shlex.quote(mode),
                         shlex.quote(os.path.join(work, "runs"))))
        t.start([url(srv)], work, env=view_env(tmpd, editor=editor))
        t.wait_entries("right", ["conf.ini"])
        t.goto("right", "conf.ini")
        t.keys("F4")
        t.wait_status("Saved conf.ini to the server, verified by SHA-256")
        assert read(f) == b"a = 1\nb = 2\n", read(f)
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        assert srv.log().count("STOR") == 1, srv.log()
        # Unchanged: not sent.
        write(mode, b"nothing")
        st = os.stat(f)
        t.keys("F4")
        t.wait_status("conf.ini not changed: not sent back")
        st2 = os.stat(f)
        assert (st.st_ino, st.st_mtime_ns) == (st2.st_ino, st2.st_mtime_ns)
        assert srv.log().count("STOR") == 1, srv.log()
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        assert len(read(os.path.join(work, "runs")).splitlines()) == 2
        t.keys("q")
        assert t.exited() == 0


@test
def edit_when_the_server_file_changed_meanwhile_asks():
    """The editor appends to its copy and, meanwhile, someone changes the
    server's file: F4 asks. o sends the copy over it; s keeps the
    server's; n sends the copy under a new name."""
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        f = os.path.join(h, "shared.txt")
        write(f, b"v1\n")
        work, tmpd = tmp(), tmp()
        editor = stub(work, "editor",
                      'printf "mine\\n" >> "$1"; printf "theirs\\n" >> %s'
                      % shlex.quote(f))
        t.start([url(srv)], work, env=view_env(tmpd, editor=editor))
        t.wait_entries("right", ["shared.txt"])
        t.goto("right", "shared.txt")
        # o: overwrite.
        t.keys("F4")
        t.wait_for("Changed meanwhile")
        t.wait_for("changed on the server while you edited it")
        assert "capital" not in t.last, t.fail("'for all' offered")
        assert read(f) == b"v1\ntheirs\n"
        t.keys("o")
        t.wait_status("Saved shared.txt to the server, verified by SHA-256")
        assert read(f) == b"v1\nmine\n", read(f)
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        # s: keep the server's.
        t.keys("F4")
        t.wait_for("Changed meanwhile")
        t.keys("s")
        t.wait_status("Kept the server's shared.txt; your changes are "
                      "discarded")
        assert read(f) == b"v1\nmine\ntheirs\n", read(f)
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        # n: under a new name.
        t.keys("F4")
        t.wait_for("Changed meanwhile")
        t.keys("n")
        t.wait_for("Send your copy to the server under the name:")
        t.wait_for("shared (1).txt")
        t.keys("Enter")
        t.wait_status("Saved shared (1).txt to the server, verified by "
                      "SHA-256")
        assert read(f) == b"v1\nmine\ntheirs\ntheirs\n", read(f)
        assert read(os.path.join(h, "shared (1).txt")) == \
            b"v1\nmine\ntheirs\nmine\n"
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        t.wait_entries("right", ["shared.txt", "shared (1).txt"])
        t.keys("q")
        assert t.exited() == 0


@test
def view_and_edit_a_local_file_in_place():
    """F3 and F4 on the local side open the file itself (no copy); after
    F4 the pane is read again."""
    with Server() as srv, Tui() as t:
        work, tmpd = tmp(), tmp()
        loc = os.path.join(work, "local.txt")
        write(loc, b"here\n")
        out = os.path.join(work, "seen")
        pager = stub(work, "pager", 'cp "$1" %s.tmp; echo "$1" > %s.path; '
                     'mv %s.tmp %s' % ((shlex.quote(out),) * 4))
        editor = stub(work, "editor", 'printf "more text\\n" >> "$1"')
        t.start([url(srv)], work, env=view_env(tmpd, pager=pager,
                                               editor=editor))
        connected(t, srv)
        t.goto("left", "local.txt")
        t.keys("F3")
        assert seen(out) == b"here\n"
        assert read(out + ".path").decode().strip() == loc
        t.keys("F4")
        t.wait_status("Edited local.txt")
        assert read(loc) == b"here\nmore text\n"
        t.wait_for(lambda s: any(r.lstrip().startswith("local.txt") and
                                 " 15" in r for r in t.rows("left", s)),
                   why="the new size in the pane")
        assert os.listdir(tmpd) == []
        t.keys("q")
        assert t.exited() == 0

@test
def big_files_and_failed_sends_are_asked_about():
    """A server's file over 64 MiB is fetched only after asking (n: not
    fetched). A copy the server refuses (over the quota) asks to try
    again; y tries, n discards it. The private copy is gone either way."""
    with Server(quotas={"harry": "2K"}) as srv, Tui() as t:
        h = srv.home("harry")
        with open(os.path.join(h, "big.bin"), "wb") as f:
            f.truncate(65 << 20)        # sparse: the quota does not see it
        small = os.path.join(h, "small.txt")
        write(small, b"s" * 100)
        work, tmpd = tmp(), tmp()
        editor = stub(work, "editor", 'head -c 4000 /dev/zero >> "$1"')
        t.start([url(srv)], work, env=view_env(tmpd, editor=editor))
        t.wait_entries("right", ["big.bin", "small.txt"])
        t.goto("right", "big.bin")
        t.keys("F3")
        t.wait_for("big.bin is 65")
        t.wait_for("Fetch all of it to view it?")
        t.keys("n")
        t.wait_status("big.bin: not fetched")
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        t.goto("right", "small.txt")
        t.keys("F4")
        t.wait_for("was not sent back:")
        t.wait_for("Try again? (n: your changes are discarded)")
        assert len(os.listdir(tmpd)) == 1, os.listdir(tmpd)
        tries = srv.log().count("STOR")
        t.keys("y")
        assert wait_until(lambda: srv.log().count("STOR") > tries, WAIT), \
            srv.log()
        t.wait_for("Try again? (n: your changes are discarded)")
        t.keys("n")
        t.wait_status("Kept the server's small.txt; your changes are "
                      "discarded")
        assert read(small) == b"s" * 100
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        t.keys("q")
        assert t.exited() == 0


@test
def a_slow_fetch_shows_progress_and_esc_stops_it():
    """F3 on a big file from a slow server: the status line counts the
    bytes; Esc stops the fetch, the pager is not run, no copy is left.
    Then, from a server without HASH, F4 still works: verified by size."""
    root = tmp()
    write(os.path.join(root, "big.bin"), os.urandom(BIG))
    write(os.path.join(root, "plain.txt"), b"plain\n")
    with FakeFtpd(root, rate=256 * 1024, hash=False) as s, Tui() as t:
        work, tmpd = tmp(), tmp()
        pager = stub(work, "pager", "touch %s" %
                     shlex.quote(os.path.join(work, "ran")))
        editor = stub(work, "editor", 'printf "edited\\n" >> "$1"')
        t.start([s.url()], work, env=view_env(tmpd, pager=pager,
                                              editor=editor))
        t.wait_entries("right", ["big.bin", "plain.txt"])
        t.goto("right", "big.bin")
        t.keys("F3")
        t.wait_for(re.compile(r"Fetching big\.bin: [0-9.]+ ?\w* of "
                              r"3\.0 ?Mi?B? \(Esc stops\)"))
        t.keys("Escape")
        t.wait_status("big.bin: not fetched (stopped)")
        assert not os.path.exists(os.path.join(work, "ran"))
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        s.rate = None
        t.goto("right", "plain.txt")
        t.keys("F4")
        t.wait_status("Saved plain.txt to the server, verified by size")
        assert read(os.path.join(root, "plain.txt")) == b"plain\nedited\n"
        assert os.listdir(tmpd) == [], os.listdir(tmpd)
        t.keys("q")
        assert t.exited() == 0

# --- saved sites, ~/.netrc, burrow.conf -------------------------------------

def config_file(t, name, text):
    """Writes ~/.config/burrow/NAME in t's home."""
    d = os.path.join(t.home, ".config", "burrow")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name)
    write(path, text.encode())
    return path


def netrc(t, text):
    path = os.path.join(t.home, ".netrc")
    write(path, text.encode())
    os.chmod(path, 0o600)


def site_text(name, srv, user="harry", extra=""):
    return ('{ name = "%s"; url = "ftp://%s:%d"; user = "%s"; %s}'
            % (name, HOST, srv.port, user, extra))


@test
def site_by_name_from_the_command_line():
    """burrow NAME connects to the site of that name, in its remote and
    local folders, with the password from ~/.netrc; a name that is no
    site stops burrow with exit 2 and the sites it knows."""
    with Server() as srv, Tui() as t:
        os.makedirs(os.path.join(srv.home("harry"), "pub"))
        write(os.path.join(srv.home("harry"), "pub", "in-pub.txt"), b"p")
        work = os.path.join(t.home, "work")
        os.mkdir(work)
        write(os.path.join(work, "in-work.txt"), b"w")
        config_file(t, "sites.conf", "sites = ( %s );\n" % site_text(
            "dev", srv, extra='remote_dir = "pub"; local_dir = "~/work"; '))
        netrc(t, "machine %s login harry password pw\n" % HOST)
        t.start(["dev"], tmp())
        connected(t, srv)
        t.wait_entries("right", ["in-pub.txt"])
        t.wait_entries("left", ["in-work.txt"])
        assert "/pub" in t.title("right"), t.fail("remote folder")
        assert work in t.title("left"), t.fail("local folder")
        t.keys("q")
        assert t.exited() == 0
    with Tui() as t:
        config_file(t, "sites.conf", 'sites = ( { name = "one"; url = '
                    '"ftp://h"; } );\n')
        t.start(["nosuch"], tmp())
        assert t.exited() == 2
        assert "nosuch: no such site" in t.stderr() and \
            "its sites: one" in t.stderr(), t.stderr()


@test
def site_list_connects_adds_edits_and_deletes():
    """Ctrl-\\ (also from F2's dialog) lists the saved sites: Enter
    connects to one, a keeps the current connection as a new site under
    a typed name (address, user, both folders, never the password), e
    edits a site's fields one after another, d deletes one after asking;
    each change is in sites.conf at once, mode 0600."""
    with Server() as srv, Tui() as t:
        for d in ("a", "b", os.path.join("b", "deep")):
            os.makedirs(os.path.join(srv.home("harry"), d))
        write(os.path.join(srv.home("harry"), "b", "deep", "x.txt"), b"x")
        conf = config_file(t, "sites.conf", "sites = ( %s, %s );\n" % (
            site_text("alpha", srv, extra='remote_dir = "a"; '),
            site_text("beta", srv, extra='remote_dir = "b"; ')))
        netrc(t, "machine %s login harry password pw\n" % HOST)
        local = tmp()
        t.start([], local)
        t.wait_for("Connect")
        assert "Ctrl-\\: the saved sites" in t.screen(), t.fail("hint")
        t.keys("C-\\")
        t.wait_for("Saved sites: 2")
        assert "alpha" in t.screen() and "beta" in t.screen(), t.fail("list")
        t.keys("Down", "Enter")
        connected(t, srv)
        t.wait_for(lambda s: " /b " in t.title("right", s), why="/b")
        t.focus("right")
        t.wait_entries("right", ["deep"])
        t.keys("End", "Enter")
        t.wait_entries("right", ["x.txt"])
        # a: the connection as it is now, under a new name.
        t.keys("C-\\")
        t.wait_for("Saved sites: 2")
        t.keys("a")
        t.wait_for("as the site named")
        t.keys("C-u")
        t.type("gamma")
        t.keys("Enter")
        t.wait_status('Added site "gamma"')
        text = read(conf).decode()
        assert 'name = "gamma"' in text and 'remote_dir = "/b/deep"' in text \
            and 'local_dir = "%s"' % local in text and \
            'user = "harry"' in text, text
        assert "pw" not in text.replace("password", ""), text
        assert os.stat(conf).st_mode & 0o777 == 0o600
        # A name taken already is refused, and asked again.
        t.keys("a")
        t.wait_for("as the site named")
        t.keys("C-u")
        t.type("alpha")
        t.keys("Enter")
        t.wait_status('There is a site named "alpha" already')
        assert "as the site named" in t.screen(), t.fail("asked again")
        t.keys("Escape")
        t.wait_status("No site changed")
        assert "as the site named" not in t.screen(), t.fail("not closed")
        # e: every field in turn; the remote folder changed.
        t.keys("End", "e")
        t.wait_for("Name (1 of 5)")
        t.keys("Enter")
        t.wait_for("(2 of 5)")
        t.keys("Enter")
        t.wait_for("(3 of 5)")
        t.keys("Enter")
        t.wait_for("(4 of 5)")
        t.keys("C-u")
        t.type("/a")
        t.keys("Enter")
        t.wait_for("(5 of 5)")
        t.keys("Enter")
        t.wait_status('Saved site "gamma"')
        text = read(conf).decode()
        assert 'remote_dir = "/a"' in text and "/b/deep" not in text, text
        # d: deleted after asking; n keeps it.
        t.keys("Home", "d")
        t.wait_for('Delete the site "alpha"?')
        t.keys("n")
        t.wait_status("No site deleted")
        t.keys("d")
        t.wait_for('Delete the site "alpha"?')
        t.keys("y")
        t.wait_status('Deleted site "alpha"')
        text = read(conf).decode()
        assert '"alpha"' not in text and '"beta"' in text and \
            '"gamma"' in text, text
        # Enter on the edited site: connected in its new folder.
        t.keys("End", "Enter")
        t.wait_for(lambda s: " /a " in t.title("right", s), why="/a")
        t.keys("C-\\")
        t.wait_for("Saved sites: 2")
        t.keys("Escape")
        t.wait_gone("Saved sites")
        t.keys("q")
        assert t.exited() == 0


@test
def burrow_conf_keepalive_default():
    """burrow.conf's keepalive is the default: with keepalive = 1 a login
    idle past the server's 2 s idle_timeout is held; --keepalive 0 on the
    command line wins over the file, and the login is dropped."""
    with Server(idle_timeout=2) as srv:
        h = srv.home("harry")
        local = tmp()
        with Tui() as t:
            config_file(t, "burrow.conf", "# mine\nkeepalive = 1;\n")
            t.start([url(srv)], local)
            connected(t, srv)
            time.sleep(5)
            write(os.path.join(h, "later.txt"), b"1")
            t.keys("C-r")
            t.wait_entries("right", ["later.txt"])
            assert "idle timeout" not in srv.log(), srv.log()
            assert srv.log().count("login harry") == 1, srv.log()
            t.keys("q")
            assert t.exited() == 0
        with Tui() as t:
            config_file(t, "burrow.conf", "keepalive = 1;\n")
            t.start(["--keepalive", "0", url(srv)], local)
            connected(t, srv)
            assert wait_until(lambda: "idle timeout" in srv.log(), 15), \
                srv.log()
            t.keys("q")
            assert t.exited() == 0


@test
def burrow_conf_parallel_default():
    """burrow.conf's parallel = 2: at most two transfers run at once, not
    the built-in four; --parallel 3 on the command line wins."""
    root = tmp()
    for n in range(8):
        write(os.path.join(root, "p%02d.bin" % n), b"%02d" % n * 40000)
    for args, running in (([], 2), (["--parallel", "3"], 3)):
        with FakeFtpd(root, rate=32 * 1024) as s, Tui() as t:
            config_file(t, "burrow.conf", "parallel = 2;\n")
            t.start(args + [s.url()], tmp())
            t.wait_entries("right", ["p00.bin", "p01.bin"])
            t.goto("right", "p00.bin")
            t.keys(*["Space"] * 8)
            t.keys("F5")
            # The most seen at once until the last item starts (the
            # further logins come up one by one), 10 s at most.
            peak = 0
            for _ in range(200):
                m = re.search(r"Transfers: (\d+) running, (\d+) waiting",
                              t.screen())
                if m:
                    peak = max(peak, int(m.group(1)))
                    if m.group(2) == "0":
                        break
                time.sleep(POLL)
            assert peak == running, t.fail("%d at once, not %d"
                                           % (peak, running))
            t.keys("Escape")
            t.wait_for("Cancel the running transfer")
            t.keys("a")
            t.wait_for(re.compile(r"0 running, 0 waiting"))
            t.keys("q")
            assert t.exited() == 0


def colour_codes(t):
    """The screen with its attributes: 1 when a colour is set anywhere."""
    p = t.tmux("capture-pane", "-p", "-e", "-t", "t")
    return re.search(r"\x1b\[(?:[0-9]+;)*(?:3[0-7]|4[0-7])(?:;[0-9]+)*m",
                     p.stdout) is not None


@test
def burrow_conf_sort_delete_and_colours():
    """burrow.conf's sort = "size" orders both panes by size from the
    start; confirm_delete = false makes F8 delete without asking; theme =
    "mono" and NO_COLOR (set and not empty) draw without colour, and a
    mistake in the file is named by file and line, with exit 2."""
    with Server() as srv, Tui() as t:
        local = tmp()
        write(os.path.join(local, "small.txt"), b"s")
        write(os.path.join(local, "big.txt"), b"b" * 5000)
        write(os.path.join(srv.home("harry"), "a-small.txt"), b"s")
        write(os.path.join(srv.home("harry"), "z-big.txt"), b"b" * 5000)
        config_file(t, "burrow.conf", 'sort = "size";\n'
                    "confirm_delete = false;\n")
        t.start([url(srv)], local)
        connected(t, srv)
        t.wait_entries("right", ["z-big.txt"])
        assert "by size" in t.footer("left"), t.fail("by size")
        names = t.entries("left")
        assert names.index("big.txt") < names.index("small.txt"), names
        names = t.entries("right")
        assert names.index("z-big.txt") < names.index("a-small.txt"), names
        assert colour_codes(t), t.fail("the default theme has colour")
        # (Not t.goto(): it finds the cursor with F8, which deletes here.)
        assert t.entries("left") == ["..", "big.txt", "small.txt"], \
            t.entries("left")
        t.keys("Down", "Down", "F8")
        t.wait_status("Deleted 1")
        assert not os.path.exists(os.path.join(local, "small.txt"))
        assert os.path.exists(os.path.join(local, "big.txt"))
        t.keys("q")
        assert t.exited() == 0
    for conf, env in (('theme = "mono";\n', {}),
                      ('theme = "dark";\n', {"NO_COLOR": "1"})):
        with Server() as srv, Tui() as t:
            config_file(t, "burrow.conf", conf)
            t.start([url(srv)], tmp(), env=env)
            connected(t, srv)
            assert not colour_codes(t), t.fail("colour with %r" % conf)
            t.keys("q")
            assert t.exited() == 0
    with Tui() as t:
        path = config_file(t, "burrow.conf", "parallel = 2;\n"
                           'theme = "pink";\n')
        t.start(["ftp://%s:1/" % HOST], tmp())
        assert t.exited() == 2
        assert '%s:2: theme: "pink" is not one of' % path in t.stderr(), \
            t.stderr()


def row_of(t, side, name, s=None):
    """The pane row (its inner text) whose name starts with name."""
    for r in t.rows(side, s):
        if r[1:].startswith(name):
            return r
    return None


@test
def compare_marks_and_the_sync_plan_runs():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        now = int(time.time())
        for root in (h, local):
            write(os.path.join(root, "same.txt"), b"same")
            os.utime(os.path.join(root, "same.txt"), (now - 900,) * 2)
            os.makedirs(os.path.join(root, "d"))
        write(os.path.join(h, "rnew.txt"), b"only on the server")
        write(os.path.join(h, "newer.txt"), b"the server's, newer")
        os.utime(os.path.join(h, "newer.txt"), (now - 100,) * 2)
        write(os.path.join(local, "newer.txt"), b"old local")
        os.utime(os.path.join(local, "newer.txt"), (now - 5000,) * 2)
        write(os.path.join(h, "size.txt"), b"the server's size")
        write(os.path.join(local, "size.txt"), b"local size")
        for root in (h, local):
            os.utime(os.path.join(root, "size.txt"), (now - 700,) * 2)
        write(os.path.join(local, "lonly.txt"), b"only here")
        write(os.path.join(local, "d", "inner.txt"), b"inside")
        t.start([url(srv)], local)
        t.wait_entries("right", ["rnew.txt", "size.txt"])
        t.wait_entries("left", ["lonly.txt", "size.txt"])

        # Ctrl-X d: flat, by names, sizes and times.
        t.keys("C-x", "d")
        t.wait_status("Compared: 4 differ, marked")
        s = t.last
        for side, name, tag in (("left", "lonly.txt", "<only>"),
                                ("left", "newer.txt", "<older>"),
                                ("left", "size.txt", "<size>"),
                                ("right", "rnew.txt", "<only>"),
                                ("right", "newer.txt", "<newer>"),
                                ("right", "size.txt", "<size>")):
            r = row_of(t, side, name, s)
            if r is None or tag not in r or not r.startswith("*"):
                t.fail("%s %s: want %s, marked: %r" % (side, name, tag, r))
        for side in ("left", "right"):
            for name in ("same.txt", "d/"):
                r = row_of(t, side, name, s)
                if r is None or r.startswith("*") or re.search(
                        r"<(only|newer|older|size|content|type|inside)>",
                        r):
                    t.fail("%s %s: no tag wanted: %r" % (side, name, r))
        if "cmp: 1 only, 1 older, 1 size" not in t.footer("left", s) or \
                "cmp: 1 only, 1 newer, 1 size" not in t.footer("right", s):
            t.fail("the footers' counts")

        # Ctrl-X D asks; r goes into d, whose content differs.
        t.keys("C-x", "D")
        t.wait_for("go into the folders both have")
        t.keys("Enter")            # "r" is there already
        t.wait_status("Compared with subfolders: 5 differ")
        r = row_of(t, "left", "d/")
        if r is None or "<inside>" not in r or not r.startswith("*"):
            t.fail("d: want <inside>: %r" % r)

        # The plan: one row an action, by path.
        t.keys("C-x", "s")
        t.wait_for("Sync plan: 5 actions, 5 to run, 0 deleting")
        want = [r"\[x\] upload +d/inner\.txt +\(only local\)",
                r"\[x\] upload +lonly\.txt +\(only local\)",
                r"\[x\] download +newer\.txt +\(remote newer\)",
                r"\[x\] download +rnew\.txt +\(only remote\)",
                r"\[x\] upload +size\.txt +\(size differs\)"]
        ls = t.lines(t.last)
        for i, w in enumerate(want):
            if not re.search(w, ls[1 + i]):
                t.fail("plan row %d: want %s" % (i, w))
        t.keys("Space")            # d/inner.txt off
        t.wait_for("[ ] upload")
        t.keys("f")                # lonly.txt: deleted here instead
        t.wait_for(re.compile(r"\[x\] delete local +lonly\.txt"))
        t.keys("Down", "Down", "Down", "f")    # size.txt: downloaded
        t.wait_for(re.compile(r"\[x\] download +size\.txt"))
        t.wait_for("4 to run, 1 deleting")
        t.keys("Enter")
        t.wait_for("This sync deletes 1 entry")
        t.keys("y")
        panel(t, r"3 done, 0 skipped, 0 failed", timeout=10)
        assert not os.path.exists(os.path.join(local, "lonly.txt"))
        for name in ("rnew.txt", "newer.txt", "size.txt", "same.txt"):
            assert read(os.path.join(local, name)) == \
                read(os.path.join(h, name)), name
        # times kept: the downloads have the server's
        assert int(os.stat(os.path.join(local, "newer.txt")).st_mtime) == \
            now - 100
        # the unmarked action did not run
        assert not os.path.exists(os.path.join(h, "d", "inner.txt"))
        t.wait_entries("left", ["rnew.txt"])
        t.keys("C-x", "d")
        t.wait_status("the folders are the same")
        t.keys("q")
        assert t.exited() == 0


@test
def compare_by_checksum_finds_a_same_size_same_time_difference():
    with Server() as srv, Tui() as t:
        h = srv.home("harry")
        local = tmp()
        now = int(time.time()) - 600
        for root, data in ((h, b"remote!"), (local, b"local!!")):
            write(os.path.join(root, "c.bin"), data)
            os.utime(os.path.join(root, "c.bin"), (now, now))
            write(os.path.join(root, "same.txt"), b"same")
            os.utime(os.path.join(root, "same.txt"), (now, now))
        t.start([url(srv)], local)
        t.wait_entries("right", ["c.bin", "same.txt"])
        t.keys("C-x", "d")
        t.wait_status("Compared: the folders are the same")
        t.keys("C-x", "D")
        t.wait_for("by checksum (HASH)")
        t.keys("C-u")
        t.type("c")
        t.keys("Enter")
        t.wait_status("Compared and checksums: 1 differ")
        for side in ("left", "right"):
            r = row_of(t, side, "c.bin")
            if r is None or "<content>" not in r or not r.startswith("*"):
                t.fail("%s c.bin: want <content>: %r" % (side, r))
            r = row_of(t, side, "same.txt")
            if r is None or "<content>" in r:
                t.fail("%s same.txt: no tag wanted: %r" % (side, r))
        if "cmp: 1 content" not in t.footer("right"):
            t.fail("the remote footer's count")
        # Flipped to a download, the server's content wins.
        t.keys("C-x", "s")
        t.wait_for(re.compile(r"\[x\] upload +c\.bin +\(content differs\)"))
        t.keys("f")
        t.wait_for(re.compile(r"\[x\] download +c\.bin"))
        t.keys("Enter")
        panel(t, r"1 done, 0 skipped, 0 failed", timeout=10)
        assert read(os.path.join(local, "c.bin")) == b"remote!"
        t.keys("q")
        assert t.exited() == 0


if __name__ == "__main__":
    if TMUX is None:
        print("1..0 # SKIP tmux is not installed")
        sys.exit(0)
    run()
