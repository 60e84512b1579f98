"""
peers: starts real peer FTP servers, vsftpd and Pure-FTPd from Debian's
packages, on free loopback ports, the way harness.Server starts burrowd.

    from harness import test
    from peers import Vsftpd, PureFtpd, run

    @test
    def get_from_vsftpd():
        with Vsftpd(tls=True) as peer:
            peer.put("a.txt", b"hello")
            ... peer.url("ftp"), peer.user, peer.password, peer.cert ...

    run()          # harness.run, but a PeerUnavailable becomes "# SKIP"

PACKAGES below lists the apt packages test.sh should install up front:
libwrap0 (vsftpd links it; a minimal Debian 12 lacks it) and libsodium23
(Pure-FTPd), with what such a system has already (libcap2 libpam0g
libpam-modules libssl3 libcrypt1 openssl passwd util-linux). A missing
library is installed here on first use all the same (as root,
DEBIAN_FRONTEND=noninteractive). The servers themselves are never installed:
they conflict with each other and would start a system daemon on port 21.
`apt-get download` fetches them and `dpkg-deb -x` unpacks them into
$BURROW_PEERS_DIR (default build/peers), once, safely from several test
processes at once (flock, then unpack into a temporary folder and rename).

Needs root. What it leaves on the system, made once and reused: the account
`burrowtest` (--system, no shell, home /var/lib/burrowtest, an empty folder
vsftpd changes into before local_root), /etc/pam.d/burrow-vsftpd and, once
a Vsftpd(usual_hash=True) has run, the account `burrowbench` (the same, home
/var/lib/burrowbench).

Both peers log in a real user, not anonymous: the system account
`burrowtest` (created once as a --system account with no shell and reused;
its password is PASSWORD, set with chpasswd). Each instance has its own home
folder, owned by that account, and chroots the user into it, so "/" is the
home as it is in burrowd's jail and tests use the same paths everywhere.
Files a test writes into the home as root must be readable by the account:
use put()/mkdir(), which give them to it.

vsftpd 3.0.3 runs with a config file argument (listen=YES, background=NO)
and logs in through PAM with its own service file /etc/pam.d/burrow-vsftpd
(common-auth + common-account; no pam_shells, as the account has no shell).
local_root= points the account into the instance's home; chroot_local_user
with allow_writeable_chroot keeps it there. With TLS: force_local_logins_ssl,
force_local_data_ssl and vsftpd's default require_ssl_reuse=YES, so a data
connection must resume the control connection's TLS session (curl does;
Python's ftplib does not: use ReuseFTP_TLS below, or peer.ftp()).
With usual_hash=True (bench/logins.py) it logs in `burrowbench` instead,
whose password chpasswd sets with the system's default method (through
PAM's pam_unix: yescrypt on Debian 12), so that a test process setting
burrowtest's SHA-512 hash meanwhile cannot change what is measured.
  FEAT (plain):  EPRT EPSV MDTM PASV REST STREAM SIZE TVFS
  FEAT (TLS):    AUTH TLS EPRT EPSV MDTM PASV PBSZ PROT REST STREAM SIZE TVFS
                 (AUTH SSL is accepted too, though not listed)
  No MLST/MLSD, no HASH, no UTF8 (names go out as the bytes they are).
  Before login on a TLS instance: "530 Non-anonymous sessions must use
  encryption."; PROT C then a transfer: "522 Data connections must be
  encrypted."; a data connection that does not resume the session: "522 SSL
  connection failed: session reuse required".

Pure-FTPd 1.0.50 runs with options: -S 127.0.0.1,PORT -p LO:HI, virtual users
from a PureDB (-l puredb:FILE) with the account's uid and gid, -E (no
anonymous), -A (chroot everyone), -H, -d (unless verbose=False). The PureDB
is made with the unpacked `pure-pw mkdb` from a passwd file we write with a
SHA-512 crypt hash (`openssl passwd -6`): `pure-pw useradd` hashes with
argon2id at a cost that takes about 3 s per login on this machine, which
would slow every test and distort the benchmark. With usual_hash=True
(bench/logins.py) `pure-pw useradd` makes the passwd file all the same,
with its default hash. With TLS: -Y 3 (TLS required on the control and the
data connections, like vsftpd's force_*) and the certificate via -2
cert,key.
Pure-FTPd logs only to syslog and this machine has no /dev/log: it runs in a
private mount namespace (unshare --mount) whose /dev is a small tmpfs holding
null, zero, random, urandom and a /dev/log bound to a socket this module reads
into the instance's log. Where unshare cannot do that, it runs without
(the log then has only the transfer log and stderr).
  FEAT (plain and TLS alike, "211-Extensions supported:"):
                 UTF8 EPRT IDLE MDTM SIZE MFMT REST STREAM
                 MLST type*;size*;sizd*;modify*;UNIX.mode*;UNIX.uid*;
                 UNIX.gid*;unique*;
                 MLSD PRET AUTH TLS PBSZ PROT TVFS ESTA PASV EPSV ESTP
  MLST/MLSD yes, UTF8 yes, no HASH. AUTH TLS is listed even without -Y.
  NLST lists "." and ".." too. On a TLS instance a cleartext USER gets
  "421 Sorry, cleartext sessions and weak ciphers are not accepted", AUTH
  SSL "500 This security scheme is not implemented", and a transfer under
  PROT C "521 Data connection cannot be opened with this PROT setting."

max_clients=N (both peers; default: vsftpd's max_clients 256 and
max_per_ip 64, Pure-FTPd's 50) lets N sessions in at once, from one
address too: vsftpd max_clients and max_per_ip, Pure-FTPd -c and -C with a
passive range of 2N + 100 ports (it caps its clients at half the range).

Every wait is bounded; every subprocess has a timeout. Anything that cannot
be had (not root, no apt, no package, a library that will not install)
raises PeerUnavailable with the reason, which run() prints as a TAP skip.
"""
import atexit
import contextlib
import fcntl
import ftplib
import os
import pwd
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

HOST = harness.HOST
PEERS_DIR = os.environ.get("BURROW_PEERS_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build",
                 "peers"))
ACCOUNT = "burrowtest"
ACCOUNT_HOME = "/var/lib/burrowtest"
# vsftpd's login with the system's own hash (usual_hash=True).
BENCH_ACCOUNT = "burrowbench"
PASSWORD = "burrow-peer-pw"
PAM_SERVICE = "burrow-vsftpd"

# For test.sh to install up front (see above).
PACKAGES = ["libwrap0", "libsodium23"]

# Each unpacked package: its Debian name and the libraries it needs, installed
# here if missing.
LIBS = {
    "vsftpd": ["libwrap0", "libcap2", "libpam0g", "libpam-modules",
               "libssl3"],
    "pure-ftpd": ["libsodium23", "libcap2", "libpam0g", "libssl3",
                  "libcrypt1"],
}


class PeerUnavailable(Exception):
    """This peer cannot be had on this machine; the text says why."""


def _run(argv, timeout, what, **kw):
    """Runs argv; returns the CompletedProcess; raises PeerUnavailable
    with its output when it fails, cannot start or runs out of time."""
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout, **kw)
    except FileNotFoundError:
        raise PeerUnavailable("%s: %s is not installed" % (what, argv[0]))
    except subprocess.TimeoutExpired:
        raise PeerUnavailable("%s: %s took over %d s"
                              % (what, " ".join(argv), timeout))
    if p.returncode != 0:
        out = (p.stdout + p.stderr).decode(errors="replace").strip()
        raise PeerUnavailable("%s: %s exited %d: %s"
                              % (what, " ".join(argv), p.returncode,
                                 out[-600:]))
    return p


@contextlib.contextmanager
def _lock(timeout=600):
    """An exclusive lock on PEERS_DIR shared by all test processes, waited
    for at most timeout seconds (apt may hold another process a while)."""
    os.makedirs(PEERS_DIR, exist_ok=True)
    fd = os.open(os.path.join(PEERS_DIR, ".lock"), os.O_RDWR | os.O_CREAT,
                 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PeerUnavailable("%s/.lock held for over %d s"
                                          % (PEERS_DIR, timeout))
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)


def _installed(pkg):
    """True if pkg is installed: dpkg -s also succeeds for a package
    removed with its configuration files left ("deinstall ok
    config-files")."""
    p = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", pkg],
                       capture_output=True, timeout=30)
    return p.returncode == 0 and p.stdout.strip() == b"install ok installed"


_linked = set()


def _check_links(binary):
    """Raises PeerUnavailable if binary lacks a shared library (once per
    binary and process)."""
    if binary in _linked:
        return
    p = _run(["ldd", binary], 30, "ldd " + binary)
    missing = [line.split()[0] for line in p.stdout.decode().splitlines()
               if "not found" in line]
    if missing:
        raise PeerUnavailable("%s needs %s, not installed"
                              % (binary, ", ".join(missing)))
    _linked.add(binary)


def _apt(args, what, timeout, cwd=None):
    """apt-get ARGS, trying again once after apt-get update (the package
    lists may be missing or stale)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    argv = ["apt-get", "-q", "-o", "DPkg::Lock::Timeout=120"] + args
    try:
        return _run(argv, timeout, what, env=env, cwd=cwd)
    except PeerUnavailable:
        _run(["apt-get", "-q", "update"], 300, "apt-get update", env=env)
        return _run(argv, timeout, what, env=env, cwd=cwd)


def _need_root():
    if os.geteuid() != 0:
        raise PeerUnavailable("peer servers need root (a system account, "
                              "chroot, PAM)")


def unpack(pkg):
    """The folder holding pkg's unpacked files, fetched and unpacked on first
    use, with the libraries it needs installed; raises PeerUnavailable."""
    _need_root()
    root = os.path.join(PEERS_DIR, pkg)
    if any(not _installed(p) for p in LIBS[pkg]):
        with _lock():
            missing = [p for p in LIBS[pkg] if not _installed(p)]
            if missing:
                _apt(["install", "-y", "-qq"] + missing,
                     "installing %s for %s" % (" ".join(missing), pkg), 600)
    if os.path.exists(os.path.join(root, ".complete")):
        return root
    with _lock():
        if os.path.exists(os.path.join(root, ".complete")):
            return root
        tmp = tempfile.mkdtemp(prefix=".%s-" % pkg, dir=PEERS_DIR)
        try:
            # apt's download sandbox user cannot write into a 0700 folder.
            os.chmod(tmp, 0o755)
            _apt(["download", pkg], "apt-get download " + pkg, 300, cwd=tmp)
            debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
            if len(debs) != 1:
                raise PeerUnavailable("apt-get download %s gave %r"
                                      % (pkg, debs))
            tree = os.path.join(tmp, "root")
            _run(["dpkg-deb", "-x", os.path.join(tmp, debs[0]), tree], 120,
                 "dpkg-deb -x " + debs[0])
            with open(os.path.join(tree, ".complete"), "w") as f:
                f.write(debs[0] + "\n")
            shutil.rmtree(root, ignore_errors=True)
            os.rename(tree, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return root


_accounts = {}


def account(name=ACCOUNT, crypt_method="SHA512"):
    """(uid, gid) of a test account, created once and reused (home
    /var/lib/NAME); its password is set to PASSWORD once per process (which
    mends a stale one). burrowtest's is hashed with SHA-512 crypt (about
    1 ms to check here) rather than the system's yescrypt (about 25 ms), as
    Pure-FTPd's is: logins stay cheap for tests and comparable in the
    benchmark. crypt_method None: chpasswd's default (through PAM)."""
    _need_root()
    if name in _accounts:
        return _accounts[name]
    with _lock():
        home = ACCOUNT_HOME if name == ACCOUNT else "/var/lib/" + name
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            _run(["useradd", "--system", "--user-group", "--no-create-home",
                  "--home-dir", home, "--shell", "/usr/sbin/nologin",
                  "--comment", "Burrow peer-server tests", name], 60,
                 "creating the account " + name)
            pw = pwd.getpwnam(name)
        # vsftpd changes into the account's home before local_root.
        if not os.path.isdir(pw.pw_dir):
            os.makedirs(pw.pw_dir, 0o755, exist_ok=True)
        method = ["--crypt-method", crypt_method] if crypt_method else []
        _run(["chpasswd"] + method, 60, "setting %s's password" % name,
             input=("%s:%s\n" % (name, PASSWORD)).encode())
        _accounts[name] = (pw.pw_uid, pw.pw_gid)
        return _accounts[name]


def shadow_hash(name):
    """name's password hash in /etc/shadow."""
    with open("/etc/shadow") as f:
        for line in f:
            fields = line.split(":")
            if fields[0] == name:
                return fields[1]
    raise PeerUnavailable("%s is not in /etc/shadow" % name)


def _pam_service():
    """Writes /etc/pam.d/burrow-vsftpd once: password check and account
    validity through the system's common files, nothing else."""
    path = os.path.join("/etc/pam.d", PAM_SERVICE)
    text = ("# Written by Burrow's tests/peers.py for the vsftpd it runs on\n"
            "# loopback in tests; safe to delete.\n"
            "@include common-auth\n@include common-account\n")
    with _lock():
        with contextlib.suppress(OSError):
            with open(path) as f:
                if f.read() == text:
                    return
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)


class ReuseFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS
    session, as vsftpd's require_ssl_reuse demands (and curl does)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)
        return conn, size


PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child before exec: SIGTERM when the test process dies, even
    by SIGKILL, so no server outlives it listening (best effort). The
    signal comes when the thread that started the server ends: start
    servers from the main thread, or from one that outlives them."""
    with contextlib.suppress(Exception):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG,
                                                signal.SIGTERM)


_live = set()


@atexit.register
def _stop_all():
    for peer in list(_live):
        with contextlib.suppress(Exception):
            peer.close()


class Peer:
    """One peer server process with its own folder: config, home, logs.
    Construction does the one-time setup and may raise PeerUnavailable."""

    name = "peer"
    package = None

    def __init__(self, tls=False, verbose=True, max_clients=None,
                 user=ACCOUNT, crypt_method="SHA512"):
        """tls: require TLS on control and data connections. verbose: log
        every command (off in the benchmark). max_clients: sessions let in
        at once, from one address too (None: the class's defaults). user,
        crypt_method: the system account and its hash, see account()."""
        _need_root()
        self.root = unpack(self.package)
        _check_links(self.binary())
        self.uid, self.gid = account(user, crypt_method)
        self.tls = tls
        self.verbose = verbose
        self.max_clients = max_clients
        self.host = HOST
        self.port = harness.free_port()
        width = 100 if max_clients is None else 2 * max_clients + 100
        low = random.randrange(20000, 60000, 100)
        self.pasv_ports = (low, low + width - 1)
        self.user = user
        self.password = PASSWORD
        self.dir = tempfile.mkdtemp(prefix="burrow-%s-" % self.name)
        os.chmod(self.dir, 0o755)
        self.home = os.path.join(self.dir, "home")
        os.mkdir(self.home)
        os.chown(self.home, self.uid, self.gid)
        self.cert = self.key = None
        if tls:
            # Made here rather than by harness.test_cert(), whose folder
            # outlives the run.
            self.cert = os.path.join(self.dir, "cert.pem")
            self.key = os.path.join(self.dir, "key.pem")
            _run(["openssl", "req", "-x509", "-newkey", "ec",
                  "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-days", "2", "-subj", "/CN=127.0.0.1",
                  "-addext", "subjectAltName=IP:127.0.0.1",
                  "-keyout", self.key, "-out", self.cert], 30,
                 "making a test certificate")
        self.out_path = os.path.join(self.dir, "stderr.log")
        self.proc = None
        self.outf = None

    # --- what a subclass provides ---

    def binary(self):
        """The unpacked server program."""
        raise NotImplementedError

    def command(self):
        """The argv that runs the server in the foreground."""
        raise NotImplementedError

    def log_files(self):
        """The server's own log files, read by log()."""
        return []

    def stored_hash(self):
        """The password hash the server checks at login, as stored."""
        raise NotImplementedError

    # --- life ---

    def start(self):
        argv = self.command()
        _live.add(self)
        self.outf = open(self.out_path, "ab")
        try:
            self.proc = subprocess.Popen(argv, stdout=self.outf,
                                         stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL,
                                         start_new_session=True,
                                         preexec_fn=_die_with_parent)
        except OSError as e:
            self.outf.close()
            raise RuntimeError("%s: cannot run %s: %s"
                               % (self.name, argv[0], e))

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %d:\n%s"
                                   % (self.name, self.proc.returncode,
                                      self.log()))
            with contextlib.suppress(OSError):
                socket.create_connection((HOST, self.port), 0.2).close()
                return True
            return False
        try:
            if not harness.wait_until(up, 10):
                raise RuntimeError("%s did not start within 10 s:\n%s"
                                   % (self.name, self.log()))
        except BaseException:
            # The folder goes at close(), or at exit for a with-statement
            # whose __enter__ failed.
            self.stop()
            raise
        return self

    def stop(self):
        """SIGTERM to the server and the session processes it forked,
        SIGKILL after 10 s."""
        if self.proc is None:
            return
        try:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            # Session processes may outlive the listener a moment.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        finally:
            self.proc = None
            self.outf.close()

    def close(self, keep=False):
        """stop(), then removes the instance's folder unless keep."""
        try:
            self.stop()
        finally:
            _live.discard(self)
            if not keep:
                shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        # As harness.Server: BURROW_KEEP keeps a failed test's folder.
        self.close(keep=exc[0] is not None
                   and bool(os.environ.get("BURROW_KEEP")))

    def log(self):
        """All the server's logs, for failure messages."""
        parts = []
        for path in [self.out_path] + self.log_files():
            with contextlib.suppress(OSError):
                with open(path, "rb") as f:
                    text = f.read().decode(errors="replace")
                if text:
                    parts.append("--- %s\n%s" % (os.path.basename(path),
                                                 text))
        return "\n".join(parts) or "(no log output)"

    # --- for tests ---

    def url(self, scheme="ftp", path=""):
        """scheme://user@127.0.0.1:port[path]; the password is self.password
        (curl -u, or ftp://user:password@...)."""
        return "%s://%s@%s:%d%s" % (scheme, self.user, self.host, self.port,
                                    path)

    def path(self, rel):
        """The local path of rel inside the home."""
        return os.path.join(self.home, rel.lstrip("/"))

    def put(self, rel, data):
        """Writes data to rel in the home, owned by the FTP account."""
        p = self.path(rel)
        self.mkdir(os.path.dirname(rel.lstrip("/")))
        with open(p, "wb") as f:
            f.write(data)
        os.chown(p, self.uid, self.gid)
        return p

    def mkdir(self, rel):
        """Makes rel and its parents in the home, owned by the FTP account."""
        parts = [x for x in rel.strip("/").split("/") if x]
        p = self.home
        for part in parts:
            p = os.path.join(p, part)
            if not os.path.isdir(p):
                os.mkdir(p)
                os.chown(p, self.uid, self.gid)
        return p

    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=self.cert)
        return ctx

    def ftp(self, timeout=10):
        """A logged-in ftplib client; over TLS with PROT P when tls."""
        if self.tls:
            f = ReuseFTP_TLS(context=self.ssl_context(), timeout=timeout)
            f.connect(self.host, self.port)
            f.login(self.user, self.password)
            f.prot_p()
        else:
            f = ftplib.FTP(timeout=timeout)
            f.connect(self.host, self.port)
            f.login(self.user, self.password)
        return f


class Vsftpd(Peer):
    """vsftpd 3.0.3 with a real login (PAM), chrooted into self.home."""

    name = "vsftpd"
    package = "vsftpd"

    def __init__(self, tls=False, verbose=True, chmod=True, max_clients=None,
                 usual_hash=False):
        """chmod: chmod_enable, its SITE CHMOD (on by default in vsftpd
        too; off, it answers 500). usual_hash: log in BENCH_ACCOUNT, whose
        hash is the system's default, rather than burrowtest with SHA-512
        crypt."""
        super().__init__(tls, verbose, max_clients,
                         *((BENCH_ACCOUNT, None) if usual_hash
                           else (ACCOUNT, "SHA512")))
        _pam_service()
        self.empty = os.path.join(self.dir, "empty")
        os.mkdir(self.empty, 0o755)
        self.log_path = os.path.join(self.dir, "vsftpd.log")
        self.conf_path = os.path.join(self.dir, "vsftpd.conf")
        conf = {
            "listen": "YES", "listen_ipv6": "NO", "listen_address": HOST,
            "listen_port": self.port, "background": "NO",
            "anonymous_enable": "NO", "local_enable": "YES",
            "write_enable": "YES", "local_umask": "022",
            "chmod_enable": "YES" if chmod else "NO",
            "pam_service_name": PAM_SERVICE,
            "local_root": self.home, "chroot_local_user": "YES",
            "allow_writeable_chroot": "YES",
            "secure_chroot_dir": self.empty,
            "pasv_enable": "YES", "pasv_min_port": self.pasv_ports[0],
            "pasv_max_port": self.pasv_ports[1],
            "max_per_ip": max_clients or 64,
            "max_clients": max_clients or 256,
            "idle_session_timeout": 60, "data_connection_timeout": 30,
            "xferlog_enable": "YES",
            "log_ftp_protocol": "YES" if verbose else "NO",
            "vsftpd_log_file": self.log_path,
            # With vsftpd's seccomp sandbox on, the session dies at its
            # first data transfer here (NLST as much as STOR, plain or
            # TLS); isolation by namespaces stays on.
            "seccomp_sandbox": "NO",
        }
        if tls:
            conf.update({
                "ssl_enable": "YES", "rsa_cert_file": self.cert,
                "rsa_private_key_file": self.key,
                "force_local_logins_ssl": "YES",
                "force_local_data_ssl": "YES",
                "require_ssl_reuse": "YES", "ssl_request_cert": "NO",
                "ssl_ciphers": "HIGH",
            })
        with open(self.conf_path, "w") as f:
            for k, v in conf.items():
                f.write("%s=%s\n" % (k, v))

    def binary(self):
        return os.path.join(self.root, "usr/sbin/vsftpd")

    def command(self):
        return [self.binary(), self.conf_path]

    def log_files(self):
        return [self.log_path]

    def stored_hash(self):
        return shadow_hash(self.user)


class _SyslogSink:
    """A datagram socket standing in for /dev/log; a thread appends what
    arrives to a file until close()."""

    def __init__(self, sock_path, log_path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(sock_path)
        os.chmod(sock_path, 0o666)
        self.sock.settimeout(0.2)
        self.log_path = log_path
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        with open(self.log_path, "ab", buffering=0) as f:
            while not self.done.is_set():
                try:
                    msg = self.sock.recv(8192)
                except socket.timeout:
                    continue
                except OSError:
                    return
                f.write(msg.rstrip(b"\n\0") + b"\n")

    def close(self):
        self.done.set()
        self.thread.join(2)
        self.sock.close()


_unshare_ok = None


def _unshare_works():
    """True if this machine lets us run a command in a private mount
    namespace with a tmpfs /dev (asked once)."""
    global _unshare_ok
    if _unshare_ok is None:
        try:
            p = subprocess.run(
                ["unshare", "--mount", "--propagation", "private", "sh",
                 "-c", "mount -t tmpfs -o mode=755 burrow-dev /dev && "
                       "mknod -m 666 /dev/null c 1 3"],
                capture_output=True, timeout=10)
            _unshare_ok = p.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _unshare_ok = False
    return _unshare_ok


class PureFtpd(Peer):
    """Pure-FTPd 1.0.50 with a virtual user (PureDB), chrooted into
    self.home."""

    name = "pure-ftpd"
    package = "pure-ftpd"

    def __init__(self, tls=False, verbose=True, max_clients=None,
                 usual_hash=False):
        """usual_hash: the hash `pure-pw useradd` writes by default rather
        than SHA-512 crypt."""
        super().__init__(tls, verbose, max_clients)
        self.passwd_path = os.path.join(self.dir, "pureftpd.passwd")
        self.pdb_path = os.path.join(self.dir, "pureftpd.pdb")
        self.xfer_path = os.path.join(self.dir, "transfer.log")
        self.syslog_path = os.path.join(self.dir, "syslog.log")
        self.sink_path = os.path.join(self.dir, "log.sock")
        self.sink = None
        pure_pw = os.path.join(self.root, "usr/bin/pure-pw")
        if usual_hash:
            # It asks for the password twice, on stdin when that is not
            # a terminal.
            _run([pure_pw, "useradd", self.user, "-f", self.passwd_path,
                  "-u", str(self.uid), "-g", str(self.gid), "-d", self.home],
                 60, "pure-pw useradd",
                 input=("%s\n%s\n" % (PASSWORD, PASSWORD)).encode())
        else:
            hashed = _run(["openssl", "passwd", "-6", "-stdin"], 30,
                          "hashing the password",
                          input=(PASSWORD + "\n").encode()
                          ).stdout.decode().strip()
            # pure-pw's format: user:hash:uid:gid:gecos:home/./ and 12
            # more fields (quotas, ratios, time and address limits) left
            # empty.
            with open(self.passwd_path, "w") as f:
                f.write("%s:%s:%d:%d::%s/./%s\n"
                        % (self.user, hashed, self.uid, self.gid, self.home,
                           ":" * 12))
        os.chmod(self.passwd_path, 0o600)
        _run([pure_pw, "mkdb", self.pdb_path, "-f", self.passwd_path], 30,
             "pure-pw mkdb")

    def binary(self):
        return os.path.join(self.root, "usr/sbin/pure-ftpd")

    def command(self):
        argv = [self.binary(),
                "-S", "%s,%d" % (HOST, self.port),
                "-p", "%d:%d" % self.pasv_ports,
                "-l", "puredb:" + self.pdb_path,
                "-E", "-A", "-H", "-I", "5",
                "-O", "clf:" + self.xfer_path]
        # Without -c Pure-FTPd lets 50 in, which is also half the passive
        # range it caps them at when max_clients is None.
        if self.max_clients is not None:
            argv += ["-c", str(self.max_clients),
                     "-C", str(self.max_clients)]
        if self.verbose:
            argv.append("-d")
        if self.tls:
            argv += ["-Y", "3", "-2", "%s,%s" % (self.cert, self.key)]
        if self.sink is None:
            return argv
        devs = " && ".join("mknod -m 666 /dev/%s c 1 %d" % d for d in
                           (("null", 3), ("zero", 5), ("random", 8),
                            ("urandom", 9)))
        script = ("mount -t tmpfs -o mode=755 burrow-dev /dev && %s && "
                  "touch /dev/log && mount --bind \"$1\" /dev/log && "
                  "shift && exec \"$@\"" % devs)
        return ["unshare", "--mount", "--propagation", "private",
                "sh", "-c", script, "sh", self.sink_path] + argv

    def start(self):
        if self.sink is None and _unshare_works():
            self.sink = _SyslogSink(self.sink_path, self.syslog_path)
        return super().start()

    def stop(self):
        try:
            super().stop()
        finally:
            if self.sink is not None:
                self.sink.close()
                self.sink = None

    def log_files(self):
        return [self.syslog_path, self.xfer_path]

    def stored_hash(self):
        with open(self.passwd_path) as f:
            return f.readline().split(":")[1]


PEERS = {"vsftpd": Vsftpd, "pure-ftpd": PureFtpd}


def run():
    """harness.run, with "ok N - name # SKIP reason" for a test that raises
    PeerUnavailable."""
    only = os.environ.get("BURROW_ONLY")
    tests = [t for t in harness._tests if not only or only in t.__name__]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for i, fn in enumerate(tests, 1):
        t0 = time.monotonic()
        try:
            fn()
            print("ok %d - %s (%.2fs)" % (i, fn.__name__,
                                          time.monotonic() - t0), flush=True)
        except PeerUnavailable as e:
            reason = " ".join(str(e).split())
            print("ok %d - %s # SKIP %s" % (i, fn.__name__, reason),
                  flush=True)
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__), flush=True)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
    sys.exit(1 if failed else 0)


# --- self-check: python3 tests/peers.py ---------------------------------

def _check(cls, tls):
    """Login, FEAT, mkdir, upload, list, download, resumed download,
    delete, against one peer variant; returns its FEAT lines."""
    with cls(tls=tls) as peer:
        try:
            f = peer.ftp()
            feat = ftplib.FTP.sendcmd(f, "FEAT")
            data = os.urandom(300_000)
            f.mkd("dir")
            f.cwd("dir")
            with tempfile.TemporaryFile() as t:
                t.write(data)
                t.seek(0)
                f.storbinary("STOR blob.bin", t)
            names = f.nlst()
            # Pure-FTPd lists "." and ".." in NLST too.
            names = [n for n in names if n not in (".", "..")]
            assert names == ["blob.bin"], names
            lines = []
            f.retrlines("LIST", lines.append)
            assert len(lines) == 1 and lines[0].endswith("blob.bin"), lines
            got = []
            f.retrbinary("RETR blob.bin", got.append)
            assert b"".join(got) == data, "download differs"
            got = []
            f.retrbinary("RETR blob.bin", got.append, rest=123_456)
            assert b"".join(got) == data[123_456:], "resumed download differs"
            with open(peer.path("dir/blob.bin"), "rb") as local:
                assert local.read() == data, "file on disk differs"
            f.delete("blob.bin")
            f.cwd("/")
            f.rmd("dir")
            assert not os.path.exists(peer.path("dir")), "dir left"
            f.quit()
        except Exception:
            print("# log of %s:\n%s" % (peer.name, peer.log()))
            raise
        return feat


def main():
    status = 0
    for cls in (Vsftpd, PureFtpd):
        for tls in (False, True):
            label = "%s %s" % (cls.name, "TLS" if tls else "plain")
            t0 = time.monotonic()
            try:
                feat = _check(cls, tls)
            except PeerUnavailable as e:
                print("SKIP %s: %s" % (label, e))
                continue
            except Exception:
                status = 1
                print("FAIL %s:\n%s" % (label, traceback.format_exc()))
                continue
            print("ok   %s (%.2fs): login mkdir STOR LIST RETR REST+RETR "
                  "DELE RMD" % (label, time.monotonic() - t0))
            for line in feat.splitlines():
                print("       " + line)
    return status


if __name__ == "__main__":
    sys.exit(main())
