"""
e2e_faults: burrowd and burrow --batch when the system fails under them.

Covered: a home on a full file system (a small tmpfs): STOR, REST+STOR,
APPE and a replacing STOR get 452, keep the bytes that fitted (and the
replaced file as it was), the quota record stays equal to what is on disk
(SITE QUOTA, AVBL), other sessions go on, and once space is freed the
upload resumes to the byte; the server out of descriptors (a low
RLIMIT_NOFILE): a new connection gets 421 at once and is closed, without
burrowd spinning, a data connection that cannot be accepted or a passive
socket that cannot be opened gets 425 at once, a login 530, and the
control sessions go on; once descriptors are free new clients log in;
the users file gone, a directory, a dangling link or a FIFO at SIGHUP:
the reload fails at once, the log names the file and why, the users
loaded last stay in force for sessions and new logins, and the file put
back with a change applies at the next SIGHUP; burrow --batch onto a
full local disk: get says "No space left on device" for the file, exits
1 and keeps the part that fitted (an overwritten file whole, no
temporary file left), a ranged get keeps its plan, and with space freed
the same get resumes and verifies; put to a full burrowd home reports
the 452 and resumes once the home has room; a certificate pin that a
full disk cuts short is taken back, not left as a half line that would
read as a changed certificate; burrow-passwd add with the users file on a
full disk leaves the file, and the homes, as they were.

Mounting needs root: without it (or without tmpfs) those tests are TAP
skips.
"""
import contextlib
import os
import random
import re
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HOST, PASSWD, Server, raw_avbl, raw_upload  # noqa: E402
from harness import run, test, wait_until  # noqa: E402
from batchlib import burrow, read  # noqa: E402

K = 1024
M = 1024 * K


def blob(n, seed):
    return random.Random(seed).randbytes(n)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def disk_usage(path):
    """Total size of the regular files below path (what the server's
    walk counts)."""
    total = 0
    for top, dirs, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(top, name))
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
    return total


class Skip(Exception):
    pass


@contextlib.contextmanager
def tmpfs(path, size):
    """A tmpfs of size ("2m") mounted on path for the block; unmounted
    after it whatever happens. Skip if it cannot be mounted."""
    if os.geteuid() != 0:
        raise Skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0755"
                        % size, "tmpfs", path], capture_output=True,
                       timeout=10)
    if r.returncode != 0:
        raise Skip("cannot mount a tmpfs: %s" % r.stderr.decode().strip())
    try:
        yield path
    finally:
        r = subprocess.run(["umount", path], capture_output=True, timeout=10)
        if r.returncode != 0:
            subprocess.run(["umount", "-l", path], timeout=10)


def skippable(fn):
    """A test that says "# SKIP" and passes when Skip is raised."""
    def wrapper():
        try:
            fn()
        except Skip as e:
            print("# SKIP %s: %s" % (fn.__name__, e), flush=True)
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def login(srv, user, timeout=10):
    c = srv.raw(timeout=timeout)
    c.expect(None, 220)
    c.login(user, srv.users[user])
    return c


def site_quota(c):
    """(used, limit) in bytes from SITE QUOTA."""
    r = c.expect("SITE QUOTA", 200)
    m = re.search(r"\((\d+) of (\d+) bytes\)", r)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"\((\d+) bytes\), no limit", r)
    assert m, r
    return int(m.group(1)), 0


def disk_free(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def check_books(c, home, limit, what):
    """The quota record equals what is on disk, and AVBL is what the quota
    and the disk leave."""
    used, lim = site_quota(c)
    on_disk = disk_usage(home)
    assert lim == limit, (what, lim, limit)
    assert used == on_disk, "%s: recorded %d, on disk %d" % (what, used,
                                                            on_disk)
    got = raw_avbl(c)
    want = min(limit - on_disk, disk_free(home))
    assert got == want, "%s: AVBL %d, want min(%d - %d, %d free)" % (
        what, got, limit, on_disk, disk_free(home))
    return on_disk


def is_prefix(path, data):
    got = read(path)
    return len(got) <= len(data) and data[:len(got)] == got, len(got)


# --- a full home -------------------------------------------------------------

@test
@skippable
def full_home_keeps_what_fitted_and_resumes():
    """A home on a 2 MiB tmpfs: an upload bigger than the space left gets
    452 and keeps what fitted; REST+STOR and APPE onto the full disk get
    452 and change nothing; a replacing STOR gets 452 and leaves the old
    file; the quota record stays equal to the disk throughout; another
    session of the user and another user go on; once a file is deleted
    the upload resumes to the last byte and a new upload works."""
    limit = 10 * M
    users = {"harry": "pw", "beal": "pw2"}
    srv = Server(users=users, quotas={"harry": "10M"})
    home = srv.home("harry")
    with srv, tmpfs(home, "2m"):
        c = login(srv, "harry")
        other = login(srv, "harry")
        beal = login(srv, "beal")
        keep = blob(20 * K, 1)
        assert raw_upload(c, "STOR", "keep.txt", keep).startswith("226")
        filler = blob(1 * M, 2)
        assert raw_upload(c, "STOR", "filler.bin", filler).startswith("226")
        check_books(c, home, limit, "before")

        data = blob(1536 * K, 3)
        big = os.path.join(home, "big.bin")
        r = raw_upload(c, "STOR", "big.bin", data)
        assert r.startswith("452") and "no space" in r, r
        ok, kept = is_prefix(big, data)
        assert ok and 0 < kept < len(data), kept
        assert disk_free(home) < 64 * K, disk_free(home)
        check_books(c, home, limit, "after the failed STOR")

        # The other sessions go on: harry's lists, beal's uploads.
        lst, r = other.transfer("NLST")
        assert r.startswith("226") and b"big.bin" in lst, (lst, r)
        assert raw_upload(beal, "STOR", "b.bin", blob(300 * K, 4)) \
            .startswith("226")
        assert read(os.path.join(srv.home("beal"), "b.bin")) == \
            blob(300 * K, 4)

        # Resuming onto the full disk: 452, the file still a prefix.
        kept = os.path.getsize(big)
        r = raw_upload(c, "STOR", "big.bin", data[kept:], rest=kept)
        assert r.startswith("452"), r
        ok, kept2 = is_prefix(big, data)
        assert ok and kept2 == kept, (kept, kept2)
        check_books(c, home, limit, "after the failed REST+STOR")
        r = raw_upload(c, "APPE", "big.bin", data[kept:])
        assert r.startswith("452"), r
        ok, kept3 = is_prefix(big, data)
        assert ok and kept3 == kept, (kept, kept3)
        check_books(c, home, limit, "after the failed APPE")

        # Replacing a file on the full disk: the old one stays.
        r = raw_upload(c, "STOR", "keep.txt", blob(500 * K, 5))
        assert r.startswith("452"), r
        assert read(os.path.join(home, "keep.txt")) == keep
        assert sorted(os.listdir(home)) == ["big.bin", "filler.bin",
                                            "keep.txt"], os.listdir(home)
        check_books(c, home, limit, "after the failed replacement")

        # Space freed: the upload resumes where it stopped.
        c.expect("DELE filler.bin", 250)
        check_books(c, home, limit, "after DELE")
        kept = os.path.getsize(big)
        r = raw_upload(c, "STOR", "big.bin", data[kept:], rest=kept)
        assert r.startswith("226"), r
        assert read(big) == data
        assert c.cmd("SIZE big.bin") == "213 %d\r\n" % len(data)
        small = blob(10 * K, 6)
        assert raw_upload(c, "STOR", "small.bin", small).startswith("226")
        assert read(os.path.join(home, "small.bin")) == small
        check_books(c, home, limit, "at the end")
        other.expect("NOOP", 200)
        for x in (c, other, beal):
            x.expect("QUIT", 221)
            x.close()
        assert "harry STOR /big.bin" in srv.log()


@test
@skippable
def full_home_without_a_quota():
    """A user without a quota on a full home: 452 too, what fitted kept,
    AVBL the disk's free space, SITE QUOTA the bytes on disk."""
    srv = Server(users={"harry": "pw"})
    home = srv.home("harry")
    with srv, tmpfs(home, "1m"):
        c = login(srv, "harry")
        data = blob(2 * M, 7)
        r = raw_upload(c, "STOR", "big.bin", data)
        assert r.startswith("452"), r
        ok, kept = is_prefix(os.path.join(home, "big.bin"), data)
        assert ok and kept > 0, kept
        used, lim = site_quota(c)
        assert lim == 0 and used == disk_usage(home) == kept, (used, kept)
        assert raw_avbl(c) == disk_free(home)
        c.expect("DELE big.bin", 250)
        assert site_quota(c)[0] == 0
        assert raw_upload(c, "STOR", "s.bin", b"x" * 1000).startswith("226")
        c.close()


# --- out of descriptors ------------------------------------------------------

NOFILE = 40


def low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


def open_fds(srv):
    return len(os.listdir("/proc/%d/fd" % srv.proc.pid))


def cpu_seconds(srv):
    """User and system time burrowd has used so far."""
    with open("/proc/%d/stat" % srv.proc.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def greet(srv, timeout=10):
    """A new connection and its first reply: "" if closed without one,
    None if none came within timeout."""
    c = srv.raw(timeout=timeout)
    try:
        return c, c.reply()
    except socket.timeout:
        return c, None
    except ConnectionResetError:
        return c, ""


def fill(srv, held, most=200):
    """Opens connections, keeping those greeted in held, until one is
    refused; returns its reply and how long it took to come."""
    for _ in range(most):
        t0 = time.monotonic()
        c, r = greet(srv)
        took = time.monotonic() - t0
        if r is not None and r.startswith("220"):
            held.append(c)
            continue
        c.close()
        return r, took
    raise AssertionError("%d connections and none refused" % most)


def close_all(held):
    while held:
        held.pop().close()


def refused_quickly(srv, held):
    r, took = fill(srv, held)
    assert r is not None, "no reply to a connection the server cannot take"
    assert r.startswith("421"), repr(r)
    assert took < 5, "421 after %.1f s" % took
    return r


@test
def out_of_descriptors_refuses_with_421_and_recovers():
    """burrowd with RLIMIT_NOFILE 40: connections past what it can hold
    get 421 at once and are closed, again and again, without burrowd
    spinning; a data connection that cannot be accepted, or a passive
    socket that cannot be opened, gets 425 at once and the session goes
    on; once the connections close, new clients log in and transfer."""
    srv = Server(users={"harry": "pw"}, max_per_ip=0, data_timeout=10)
    srv.preexec_fn = low_nofile
    data = blob(300 * K, 8)
    write(os.path.join(srv.home("harry"), "f.bin"), data)
    held = []
    with srv:
        a = login(srv, "harry")
        got, r = a.transfer("RETR f.bin")
        assert got == data and r.startswith("226"), r
        try:
            refused_quickly(srv, held)
            assert len(held) > 10, len(held)
            assert open_fds(srv) == NOFILE, open_fds(srv)
            # Refused again and again, each at once, and no spinning.
            cpu = cpu_seconds(srv)
            for _ in range(5):
                c, r = greet(srv)
                c.close()
                assert r is not None and r.startswith("421"), repr(r)
            time.sleep(1)
            assert cpu_seconds(srv) - cpu < 0.5, cpu_seconds(srv) - cpu
            assert "out of file descriptors" in srv.log(), srv.log()[-2000:]

            # One descriptor free for PASV, one for the file RETR opens:
            # the data connection finds none left.
            def free_one():
                held.pop().close()
                assert wait_until(lambda: open_fds(srv) < NOFILE, 5)
            free_one()
            d = a.pasv_data()
            free_one()
            cpu = cpu_seconds(srv)
            t0 = time.monotonic()
            r = a.cmd("RETR f.bin")
            took = time.monotonic() - t0
            d.close()
            assert r.startswith("425"), r
            assert took < 3, "425 after %.1f s" % took
            assert cpu_seconds(srv) - cpu < 0.5, cpu_seconds(srv) - cpu
            a.expect("NOOP", 200)

            # None free: PASV and EPSV cannot open a socket.
            refused_quickly(srv, held)
            a.expect("PASV", 425)
            a.expect("EPSV", 425)
            a.expect("NOOP", 200)

            # A login needs descriptors too (its home, its wake-up):
            # refused with 530, and the connection goes on.
            free_one()
            c, r = greet(srv)
            held.append(c)
            assert r is not None and r.startswith("220"), repr(r)
            c.expect("USER harry", 331)
            c.expect("PASS pw", 530)
            c.expect("QUIT", 221)
        finally:
            close_all(held)
        # Descriptors back: a new client logs in and the old session
        # transfers again.
        assert wait_until(lambda: open_fds(srv) < NOFILE - 10, 10)

        def fresh_login():
            with contextlib.suppress(OSError, AssertionError):
                c = login(srv, "harry", timeout=2)
                c.close()
                return True
            return False
        assert wait_until(fresh_login, 10, 0.2)
        b = login(srv, "harry")
        got, r = b.transfer("RETR f.bin")
        assert got == data and r.startswith("226"), r
        got, r = a.transfer("RETR f.bin")
        assert got == data and r.startswith("226"), r
        for x in (a, b):
            x.expect("QUIT", 221)
            x.close()


# --- the users file at reload -----------------------------------------------

def reload(srv):
    """SIGHUP; waits for the log to tell the outcome. Returns the new
    "reload failed" line, or None if the users were reloaded."""
    log = srv.log()
    ok, bad = log.count("reloaded "), log.count("reload failed")
    srv.proc.send_signal(signal.SIGHUP)

    def done():
        log = srv.log()
        if log.count("reloaded ") > ok:
            return "ok"
        if log.count("reload failed") > bad:
            return [ln for ln in log.splitlines() if "reload failed" in ln][-1]
        return None
    outcome = wait_until(done, 10)
    assert outcome, "no reload outcome in the log:\n" + srv.log()[-2000:]
    assert srv.proc.poll() is None, "burrowd exited on SIGHUP"
    return None if outcome == "ok" else outcome


def can_login(srv, user, password):
    c = srv.raw(timeout=10)
    with c:
        c.expect(None, 220)
        c.expect("USER " + user, 331)
        r = c.cmd("PASS " + password)
        assert r.startswith(("230", "530")), r
        return r.startswith("230")


def unlink_fault(path):
    """Takes the fault at path away, whatever it is."""
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)


def release_fifo(path):
    """Lets a reader blocked in open() of the FIFO at path go on."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


USERS_FAULTS = [
    ("gone", lambda p: None, "No such file or directory"),
    ("a directory", lambda p: os.mkdir(p), "directory"),
    ("a dangling link", lambda p: os.symlink("nowhere.conf", p),
     "No such file or directory"),
    ("a FIFO", lambda p: os.mkfifo(p), "not a regular file"),
]


@test
def users_file_unreadable_at_reload_keeps_the_old_users():
    """The users file removed, replaced by a directory, a dangling link or
    a FIFO, then SIGHUP: the reload fails at once (a FIFO must not block
    the main thread), the log names the file and the reason, the users
    loaded last stay in force (a session goes on with its quota, known
    users log in, the one the last good reload added too), and the file
    put back with a change applies at the next SIGHUP; burrow --batch onto a
full local disk: get says "No space left on device" for the file, exits
1 and keeps the part that fitted (an overwritten file whole, no
temporary file left), a ranged get keeps its plan, and with space freed
the same get resumes and verifies; put to a full burrowd home reports
the 452 and resumes once the home has room; a certificate pin that a
full disk cuts short is taken back, not left as a half line that would
read as a changed certificate; burrow-passwd add with the users file on a
full disk leaves the file, and the homes, as they were."""
    srv = Server(users={"harry": "pw", "beal": "pw2"}, quotas={"harry": "5M"})
    path = os.path.join(srv.dir, "users.conf")
    with srv:
        h = login(srv, "harry")
        for i, (what, make, why) in enumerate(USERS_FAULTS):
            os.unlink(path)
            make(path)
            try:
                t0 = time.monotonic()
                line = reload(srv)
                assert line is not None, "reloaded from %s" % what
                assert time.monotonic() - t0 < 5, what
                assert path in line and why in line, (what, line)
                # The main thread is not stuck: connections are greeted,
                # the old users log in, the session goes on.
                assert can_login(srv, "beal", "pw2"), what
                assert can_login(srv, "harry", "pw"), what
                h.expect("NOOP", 200)
                lst, r = h.transfer("NLST")
                assert r.startswith("226"), (what, r)
                assert site_quota(h)[1] == (5 + i) * M, what
                if i > 0:
                    assert can_login(srv, "ron%d" % (i - 1), "r"), what
            finally:
                if what == "a FIFO":
                    release_fifo(path)
                unlink_fault(path)
            # Back, with a change: a new user and a new quota.
            srv.users["ron%d" % i] = "r"
            srv.quotas["harry"] = "%dM" % (6 + i)
            srv.write_users()
            assert reload(srv) is None, srv.log()[-2000:]
            assert can_login(srv, "ron%d" % i, "r"), what
            assert site_quota(h)[1] == (6 + i) * M, what
        h.expect("QUIT", 221)
        h.close()


# --- burrow --batch onto a full disk -----------------------------------------

@contextlib.contextmanager
def local_tmpfs(size):
    """A fresh folder with a tmpfs of size mounted on it, removed after."""
    d = tempfile.mkdtemp(prefix="burrow-faults-")
    try:
        with tmpfs(d, size):
            yield d
    finally:
        with contextlib.suppress(OSError):
            os.rmdir(d)


def remount(path, size):
    subprocess.run(["mount", "-o", "remount,size=%s" % size, path],
                   check=True, capture_output=True, timeout=10)


def batch_url(srv, user="harry"):
    return "ftp://%s:%s@%s:%d/" % (user, srv.users[user], HOST, srv.port)


def failed_cleanly(r, cmd):
    """A run that failed for want of space: status 1 (not a signal), the
    command and the reason on stderr, nothing claimed as done."""
    assert r.rc == 1, r
    assert ("burrow: %s: " % cmd) in r.err, r
    assert "Sanitizer" not in r.err and "runtime error" not in r.err, r
    assert "verified" not in r.out, r


def retr_bytes(srv, path):
    """The byte counts of the RETRs of path in the log, in order."""
    return [int(m.group(1)) for m in re.finditer(
        r" RETR %s (\d+) bytes" % re.escape(path), srv.log())]


@test
@skippable
def batch_get_onto_a_full_disk_then_resumes():
    """burrow --batch get onto a local tmpfs with too little space: it
    says "No space left on device" for that file, exits 1 and keeps the
    part that fitted (a prefix of the file, nothing else left behind);
    with the filler removed, the same get resumes (the server sends only
    the rest) and the file is verified by SHA-256."""
    data = blob(3 * M + 17, 9)
    with Server() as srv, local_tmpfs("4m") as local:
        write(os.path.join(srv.home("harry"), "big.bin"), data)
        write(os.path.join(local, "filler"), blob(2 * M + 512 * K, 10))
        target = os.path.join(local, "big.bin")
        r = burrow(batch_url(srv), "get big.bin\n", local)
        failed_cleanly(r, "get big.bin")
        assert "No space left on device" in r.err, r
        ok, kept = is_prefix(target, data)
        assert ok and 0 < kept < len(data), (kept, r)
        assert sorted(os.listdir(local)) == ["big.bin", "filler"], \
            os.listdir(local)

        os.unlink(os.path.join(local, "filler"))
        r = burrow(batch_url(srv), "get big.bin\n", local)
        assert r.rc == 0, r
        assert "big.bin -> %s: resumed, verified by SHA-256" % target \
            in r.out, r
        assert read(target) == data
        assert retr_bytes(srv, "/big.bin")[-1] == len(data) - kept, \
            (retr_bytes(srv, "/big.bin"), kept)
        assert sorted(os.listdir(local)) == ["big.bin"], os.listdir(local)


@test
@skippable
def batch_overwrite_onto_a_full_disk_keeps_the_old_file():
    """A get that must overwrite a different local file (longer, so not
    resumable) writes a temporary file: on a full disk it fails with
    "No space left on device", the old file stays byte for byte and the
    temporary file is gone; with more space the same get replaces it."""
    new, old = blob(2 * M, 11), blob(3 * M, 12)
    with Server() as srv, local_tmpfs("4m") as local:
        write(os.path.join(srv.home("harry"), "f.bin"), new)
        target = os.path.join(local, "f.bin")
        write(target, old)
        r = burrow(batch_url(srv), "get f.bin\n", local)
        failed_cleanly(r, "get f.bin")
        assert "No space left on device" in r.err, r
        assert read(target) == old
        assert os.listdir(local) == ["f.bin"], os.listdir(local)

        remount(local, "16m")
        r = burrow(batch_url(srv), "get f.bin\n", local)
        assert r.rc == 0, r
        assert "f.bin -> %s: verified by SHA-256" % target in r.out, r
        assert read(target) == new
        assert os.listdir(local) == ["f.bin"], os.listdir(local)


@test
@skippable
def batch_ranged_get_onto_a_full_disk_resumes_every_range():
    """A file big enough to come in ranges over several logins, onto a
    disk that holds half of it: the error says how much was kept and to
    get it again, the plan of the ranges stays beside the file, and the
    next get (space grown) goes on with the ranges and verifies."""
    data = blob(40 * M + 123, 13)
    with Server() as srv, local_tmpfs("20m") as local:
        write(os.path.join(srv.home("harry"), "huge.bin"), data)
        target = os.path.join(local, "huge.bin")
        r = burrow(batch_url(srv), "get huge.bin\n", local)
        failed_cleanly(r, "get huge.bin")
        m = re.search(r"No space left on device \((\d+) of %d bytes kept; "
                      r"get it again to go on\)" % len(data), r.err)
        assert m and int(m.group(1)) > 0, r
        assert sorted(os.listdir(local)) == [".huge.bin.burrow-parts",
                                             "huge.bin"], os.listdir(local)

        remount(local, "64m")
        r = burrow(batch_url(srv), "get huge.bin\n", local)
        assert r.rc == 0, r
        assert re.search(r"huge\.bin -> .*: resumed, verified by SHA-256; "
                         r"in ranges over \d connections", r.out), r
        assert read(target) == data
        assert os.listdir(local) == ["huge.bin"], os.listdir(local)


@test
@skippable
def batch_put_onto_a_full_server_home_then_resumes():
    """burrow --batch put to a burrowd whose home is full: the server's
    452 is reported for that file with exit status 1, the server keeps
    what fitted, and once the home has room the same put resumes and is
    verified."""
    data = blob(1536 * K, 14)
    srv = Server()
    home = srv.home("harry")
    local = tempfile.mkdtemp(prefix="burrow-faults-")
    try:
        write(os.path.join(local, "up.bin"), data)
        with srv, tmpfs(home, "1m"):
            r = burrow(batch_url(srv), "put up.bin\n", local)
            failed_cleanly(r, "put up.bin")
            assert "452" in r.err, r
            ok, kept = is_prefix(os.path.join(home, "up.bin"), data)
            assert ok and 0 < kept < len(data), kept
            remount(home, "4m")
            r = burrow(batch_url(srv), "put up.bin\n", local)
            assert r.rc == 0, r
            assert "up.bin -> /up.bin: resumed, verified by SHA-256" \
                in r.out, r
            assert read(os.path.join(home, "up.bin")) == data
    finally:
        shutil.rmtree(local, ignore_errors=True)



def fill_up(folder):
    """Writes a file in folder until its file system is full."""
    fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            for _ in range(1 << 16):
                os.write(fd, b"x" * 4096)
    finally:
        os.close(fd)
    assert disk_free(folder) == 0, disk_free(folder)


@test
@skippable
def batch_pin_cut_short_by_a_full_disk_is_taken_back():
    """Trust on first use with known_hosts on a full disk, its last line
    ending just before a page boundary so that the new pin fits in part:
    burrow says why and exits 1, and known_hosts is left byte for byte
    (a half line would read as another certificate at the next
    connection: "CERTIFICATE CHANGED"). With room again the pin is made,
    then matched."""
    with Server(tls={"require": True}) as srv, local_tmpfs("64k") as home:
        kh = os.path.join(home, ".config", "burrow", "known_hosts")
        os.makedirs(os.path.dirname(kh))
        lines = "".join("10.0.0.%d:21 %s\n" % (i, ":".join(["AB"] * 32))
                        for i in range(36))
        pad = 4096 - 40 - len(lines)
        before = (lines + "#" * (pad - 1) + "\n").encode()
        write(kh, before)
        fill_up(home)
        url = "ftps://harry:pw@%s:%d/" % (HOST, srv.port)
        cwd = tempfile.mkdtemp(prefix="burrow-faults-")
        try:
            r = burrow(url, "pwd\n", cwd, home=home)
            assert r.rc == 1, r
            assert "%s: No space left on device" % kh in r.err, r
            assert read(kh) == before, read(kh)[len(before) - 40:]

            os.unlink(os.path.join(home, "filler"))
            r = burrow(url, "pwd\n", cwd, home=home)
            assert r.rc == 0 and "pinned in %s" % kh in r.err, r
            pins = read(kh)[len(before):].decode()
            assert read(kh).startswith(before) and re.fullmatch(
                r"127\.0\.0\.1:%d ([0-9A-F]{2}:){31}[0-9A-F]{2}\n"
                % srv.port, pins), pins
            r = burrow(url, "pwd\n", cwd, home=home)
            assert r.rc == 0 and r.err == "", r
        finally:
            shutil.rmtree(cwd, ignore_errors=True)



# --- burrow-passwd on a full disk --------------------------------------------

def passwd(conf, *args, stdin=None):
    return subprocess.run([PASSWD, "-c", conf] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


@test
@skippable
def passwd_add_on_a_full_disk_changes_nothing():
    """burrow-passwd add with the users file on a full file system: exit
    1 with the reason, the users file byte for byte as it was, and no
    temporary file or new home left behind; with room again the same add
    works."""
    with local_tmpfs("64k") as d:
        conf = os.path.join(d, "burrowd.conf")
        users = os.path.join(d, "users.conf")
        with open(conf, "w") as f:
            f.write('users_file = "users.conf";\nhome_root = "home";\n')
        p = passwd(conf, "add", "harry", "--stdin", stdin="pw\n")
        assert p.returncode == 0, p
        before = read(users)
        fill_up(d)
        p = passwd(conf, "add", "bob", "--stdin", stdin="pw2\n")
        assert p.returncode == 1, p
        assert "No space left on device" in p.stderr, p
        assert read(users) == before
        assert sorted(os.listdir(d)) == ["burrowd.conf", "filler", "home",
                                         "users.conf"], os.listdir(d)
        assert os.listdir(os.path.join(d, "home")) == ["harry"]

        os.unlink(os.path.join(d, "filler"))
        p = passwd(conf, "add", "bob", "--stdin", stdin="pw2\n")
        assert p.returncode == 0, p
        p = passwd(conf, "list")
        assert re.search(r"^bob ", p.stdout, re.M), p
        assert sorted(os.listdir(os.path.join(d, "home"))) == ["bob",
                                                               "harry"]


if __name__ == "__main__":
    run()
