"""
e2e_daemon: burrowd as a Unix daemon: the xferlog transfer log, dropping
root to the configured account, refusing to serve as root without one,
and a SIGTERM in the middle of an upload leaving a file that resumes.
"""
import io
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BURROWD, HOST, Server, run, test, wait_until  # noqa: E402

XFER_RE = re.compile(
    r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} (\d+) (\S+) (\d+) (\S+) "
    r"([ab]) _ ([oi]) r (\S+) ftp 0 \* ([ci])$")


@test
def xferlog_lines_in_wuftpd_format():
    srv = Server(users={"harry": "pw"})
    log = os.path.join(srv.dir, "xfer.log")
    srv.conf["xfer_log"] = log
    srv.write_conf()
    with srv:
        ftp = srv.ftp("harry")
        ftp.storbinary("STOR up load.bin", io.BytesIO(b"x" * 1234))
        ftp.retrbinary("RETR up load.bin", lambda b: None)
        ftp.sendcmd("TYPE A")
        ftp.storlines("STOR t.txt", io.BytesIO(b"a\r\nb\r\n"))
        ftp.quit()
        lines = wait_until(lambda: open(log).read().splitlines()
                           if os.path.exists(log) and
                           len(open(log).read().splitlines()) >= 3 else None)
    assert lines and len(lines) == 3, lines
    m = [XFER_RE.match(l) for l in lines]
    assert all(m), lines
    up, down, text = m
    home = srv.home("harry")
    assert up.group(3) == "1234" and up.group(6) == "i", lines[0]
    assert up.group(4) == os.path.join(home, "up_load.bin"), lines[0]
    assert up.group(5) == "b" and up.group(7) == "harry", lines[0]
    assert up.group(8) == "c" and up.group(2) == "127.0.0.1", lines[0]
    assert down.group(6) == "o" and down.group(3) == "1234", lines[1]
    assert text.group(5) == "a", lines[2]


@test
def xferlog_marks_an_interrupted_transfer():
    srv = Server(users={"harry": "pw"}, data_timeout=2)
    log = os.path.join(srv.dir, "xfer.log")
    srv.conf["xfer_log"] = log
    srv.write_conf()
    with srv:
        ftp = srv.ftp("harry")
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("STOR cut.bin")
        conn.sendall(b"y" * 5000)
        # A reset, not a FIN: the server must see the upload fail.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()
        try:
            ftp.voidresp()
        except Exception:
            pass
        lines = wait_until(lambda: open(log).read().splitlines()
                           if os.path.exists(log) and open(log).read()
                           else None)
    m = XFER_RE.match(lines[0])
    assert m and m.group(8) == "i" and m.group(6) == "i", lines


def as_root():
    return os.geteuid() == 0


@test
def root_drops_to_the_configured_account():
    if not as_root():
        print("# SKIP: not running as root")
        return
    nobody = pwd.getpwnam("nobody")
    srv = Server(users={"harry": "pw"}, user="nobody")
    # The account must be able to work in the homes.
    for d, _, files in os.walk(srv.home_root):
        os.chown(d, nobody.pw_uid, nobody.pw_gid)
    with srv:
        ftp = srv.ftp("harry")
        ftp.storbinary("STOR mine.bin", io.BytesIO(b"z" * 100))
        ftp.quit()
        st = os.stat(os.path.join(srv.home("harry"), "mine.bin"))
        assert (st.st_uid, st.st_gid) == (nobody.pw_uid, nobody.pw_gid), st
        with open("/proc/%d/status" % srv.proc.pid) as f:
            uids = [l.split()[1:] for l in f if l.startswith(("Uid:", "Gid:"))]
        assert uids[0] == [str(nobody.pw_uid)] * 4, uids
        assert uids[1] == [str(nobody.pw_gid)] * 4, uids
        assert "serving as nobody" in srv.log(), srv.log()


@test
def root_without_user_refuses_to_daemonize():
    if not as_root():
        print("# SKIP: not running as root")
        return
    srv = Server(users={"harry": "pw"})
    try:
        p = subprocess.run([BURROWD, "-c", srv.conf_path], capture_output=True,
                           timeout=10)
        assert p.returncode == 1, p
        assert b"refusing to serve as root" in p.stderr, p.stderr
    finally:
        import shutil
        shutil.rmtree(srv.dir, ignore_errors=True)


@test
def sigterm_mid_upload_leaves_a_resumable_file():
    data = os.urandom(3 << 20)
    srv = Server(users={"harry": "pw"}, shutdown_grace=1)
    with srv:
        ftp = srv.ftp("harry")
        ftp.voidcmd("TYPE I")
        conn = ftp.transfercmd("STOR big.bin")
        conn.sendall(data[:1 << 20])
        path = os.path.join(srv.home("harry"), "big.bin")
        assert wait_until(lambda: os.path.exists(path) and
                          os.path.getsize(path) == 1 << 20, 10)
        srv.proc.send_signal(signal.SIGTERM)
        # The grace period passes with the upload stalled: 421, then close.
        f = ftp.sock.makefile("rb")
        line = f.readline()
        assert line.startswith(b"421"), line
        conn.close()
        assert wait_until(lambda: srv.proc.poll() is not None, 15)
        with open(path, "rb") as f:
            kept = f.read()
    assert kept == data[:1 << 20], len(kept)
    # Started again, the upload resumes where it stopped.
    with Server(users={"harry": "pw"}) as again:
        with open(os.path.join(again.home("harry"), "big.bin"), "wb") as f:
            f.write(kept)
        ftp = again.ftp("harry")
        ftp.voidcmd("TYPE I")
        rest = ftp.size("big.bin")
        ftp.storbinary("STOR big.bin", io.BytesIO(data[rest:]), rest=rest)
        out = io.BytesIO()
        ftp.retrbinary("RETR big.bin", out.write)
        assert out.getvalue() == data
        ftp.quit()


run()
