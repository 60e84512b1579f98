"""
e2e_package: the Debian packages, built and unpacked in a scratch root.

A copy of the source tree (debian/ included) is built with
"dpkg-buildpackage -us -uc -b" (the unit tests left to the other suites:
DEB_BUILD_OPTIONS=nocheck), bounded to 10 minutes; on this project's
two-core machine it takes under a minute. Then:

- lintian reports no error on the result (its warnings are printed as
  TAP comments);
- dpkg-deb -I/-c: burrowd and burrow hold what each should and nothing of
  the other's, with their dependencies, burrowd's conffiles (its
  /etc/burrow files, init script and logrotate file) and its maintainer
  scripts (the account, the folders, the purge);
- dpkg -x into a scratch root: the packaged burrowd checks the shipped
  burrowd.conf (-t) with only its absolute paths moved into the scratch
  root, serves from it, and a user the packaged burrow-passwd added logs in
  over FTPS (the shipped configuration requires TLS).

With BURROW_PKG_INSTALL=1, as root, and no burrowd package, burrow account
or /etc/burrow on the machine, the package is also installed for real with
dpkg -i (account, folders and ownership checked) and purged with
dpkg --purge (all of it gone again); a burrowd it started is stopped by
its pid. Left out otherwise, as it changes the machine while it runs.

Skipped where dpkg-buildpackage or the build dependencies are missing
(test.sh installs them), for a sanitizer build or under make distcheck
(the package does not depend on the build tree: one run is enough), and
with BURROW_SKIP_PACKAGE=1.
"""
import contextlib
import ftplib
import grp
import io
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import BUILDDIR, HOST, free_port, test_cert, wait_until  # noqa: E402

SRCDIR = os.path.abspath(os.environ.get("BURROW_SRCDIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), ".."))
BUILD_TIMEOUT = 600
# Top-level entries of the source tree the package build must not see.
NOT_COPIED = {".git", "build", "autom4te.cache", "_build", "_inst", "fuzz",
              "run"}


class Skip(Exception):
    """Raised by a test that cannot run here; the reason is its text."""


def why_skip():
    if os.environ.get("BURROW_SKIP_PACKAGE"):
        return "BURROW_SKIP_PACKAGE is set"
    if not os.path.isdir(os.path.join(SRCDIR, "debian")):
        return "no debian/ in %s" % SRCDIR
    if "/_build/" in os.path.abspath(BUILDDIR) + "/":
        return "make distcheck: the package is tested from the source tree"
    with contextlib.suppress(OSError):
        with open(os.path.join(BUILDDIR, "config.log")) as f:
            if "--enable-sanitizers" in f.read(20000):
                return "sanitizer build: the package is tested once, " \
                       "from the normal build's run"
    for tool in ("dpkg-buildpackage", "dpkg-checkbuilddeps", "dh"):
        if shutil.which(tool) is None:
            return "%s is not installed" % tool
    p = subprocess.run(["dpkg-checkbuilddeps"], cwd=SRCDIR,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        return p.stderr.decode(errors="replace").strip()
    return None


class Build:
    """The packages, built once for every test of this file."""
    dir = None
    debs = {}
    seconds = 0.0


def build():
    if Build.dir is not None:
        return Build
    d = tempfile.mkdtemp(prefix="burrow-deb-")
    src = os.path.join(d, "burrow-0.1.0")
    os.mkdir(src)
    for name in os.listdir(SRCDIR):
        if name in NOT_COPIED:
            continue
        a, b = os.path.join(SRCDIR, name), os.path.join(src, name)
        if os.path.isdir(a) and not os.path.islink(a):
            shutil.copytree(a, b, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(a, b, follow_symlinks=False)
    # Not the jobserver of the make check this may run under: the
    # package's own make would warn that it cannot use it.
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env.update(DEB_BUILD_OPTIONS="nocheck parallel=2", LC_ALL="C.UTF-8")
    t0 = time.monotonic()
    with open(os.path.join(d, "build.log"), "wb") as log:
        p = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"],
                           cwd=src, stdout=log, stderr=subprocess.STDOUT,
                           env=env, timeout=BUILD_TIMEOUT)
    Build.seconds = time.monotonic() - t0
    with open(os.path.join(d, "build.log"), "rb") as f:
        text = f.read().decode(errors="replace")
    Build.dir = d
    assert p.returncode == 0, text[-4000:]
    # The compiler's warnings too: the package builds as cleanly as make.
    warnings = [x for x in text.splitlines() if "warning:" in x]
    assert not warnings, "\n".join(warnings)
    for name in os.listdir(d):
        m = re.fullmatch(r"(burrowd?)_[^_]+_[^_]+\.deb", name)
        if m:
            Build.debs[m.group(1)] = os.path.join(d, name)
    assert set(Build.debs) == {"burrowd", "burrow"}, os.listdir(d)
    return Build


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], check=True,
                          capture_output=True, timeout=60).stdout.decode().strip()


def deb_files(deb):
    """{path: mode string} of a package's contents."""
    out = subprocess.run(["dpkg-deb", "-c", deb], check=True,
                         capture_output=True, timeout=60).stdout.decode()
    files = {}
    for line in out.splitlines():
        parts = line.split(None, 5)
        path = parts[5].split(" -> ")[0]	# "./usr/sbin/burrowd"
        files[path[2:].rstrip("/") or "."] = parts[0]
    return files


def deb_control(deb, name):
    p = subprocess.run(["dpkg-deb", "-I", deb, name], capture_output=True,
                       timeout=60)
    return p.stdout.decode() if p.returncode == 0 else None


@harness.test
def builds_both_packages():
    b = build()
    print("# dpkg-buildpackage took %.0fs" % b.seconds, flush=True)


@harness.test
def lintian_has_no_errors():
    b = build()
    if shutil.which("lintian") is None:
        raise Skip("lintian is not installed")
    changes = [x for x in os.listdir(b.dir) if x.endswith(".changes")]
    assert len(changes) == 1, changes
    p = subprocess.run(["lintian", "--pedantic", "-I", changes[0]],
                       cwd=b.dir, capture_output=True, timeout=300)
    out = (p.stdout + p.stderr).decode(errors="replace").splitlines()
    for line in out:
        print("# lintian: " + line, flush=True)
    errors = [x for x in out if x.startswith("E:")]
    assert not errors, "\n".join(errors)


@harness.test
def server_package_contents():
    deb = build().debs["burrowd"]
    files = deb_files(deb)
    for path in ("usr/sbin/burrowd", "usr/sbin/burrow-passwd",
                 "etc/init.d/burrowd"):
        assert files.get(path, "").startswith("-rwxr-xr-x"), (path, files)
    for path in ("etc/burrow/burrowd.conf", "etc/burrow/users.conf",
                 "etc/logrotate.d/burrowd",
                 "lib/systemd/system/burrowd.service",
                 "lib/systemd/system/burrowd.socket",
                 "etc/pam.d/burrow",
                 "usr/share/man/man8/burrowd.8.gz",
                 "usr/share/man/man8/burrow-passwd.8.gz",
                 "usr/share/man/man5/burrowd.conf.5.gz",
                 "usr/share/doc/burrowd/copyright"):
        assert path in files, (path, sorted(files))
    assert "usr/bin/burrow" not in files
    # /srv and /var/log content is made by postinst, never shipped.
    assert not [x for x in files if x.startswith(("srv", "var"))], files
    conffiles = deb_control(deb, "conffiles").split()
    assert sorted(conffiles) == ["/etc/burrow/burrowd.conf",
                                 "/etc/burrow/users.conf",
                                 "/etc/init.d/burrowd",
                                 "/etc/logrotate.d/burrowd",
                                 "/etc/pam.d/burrow"], conffiles
    depends = deb_field(deb, "Depends")
    for want in ("adduser", "ssl-cert", "libssl3", "libconfig9", "libpq5",
                 "libsystemd0", "libpam0g", "libmicrohttpd12"):
        assert want in depends, depends
    assert "init-system-helpers" in deb_field(deb, "Pre-Depends")
    postinst = deb_control(deb, "postinst")
    postrm = deb_control(deb, "postrm")
    prerm = deb_control(deb, "prerm")
    assert postinst and postrm and prerm
    for want in ("adduser --quiet --system", "/srv/burrow", "/var/log/burrow",
                 "chown burrow:burrow /etc/burrow/users.conf",
                 "update-rc.d burrowd defaults",
                 "deb-systemd-helper enable 'burrowd.service'"):
        assert want in postinst, want
    # The socket is shipped but not enabled.
    assert "deb-systemd-helper enable 'burrowd.socket'" not in \
        postinst.split("was-enabled 'burrowd.socket'")[0]
    for want in ("purge)", "rm -rf /var/log/burrow", "deluser",
                 "update-rc.d burrowd remove"):
        assert want in postrm, want
    assert "invoke-rc.d --skip-systemd-native burrowd stop" in prerm


@harness.test
def client_package_contents():
    deb = build().debs["burrow"]
    files = deb_files(deb)
    assert files.get("usr/bin/burrow", "").startswith("-rwxr-xr-x"), files
    assert "usr/share/man/man1/burrow.1.gz" in files, files
    assert not [x for x in files if "burrowd" in x or x.startswith("etc")
                or x.startswith("usr/sbin")], files
    assert deb_control(deb, "conffiles") is None
    depends = deb_field(deb, "Depends")
    for want in ("libncursesw6", "libssl3"):
        assert want in depends, depends
    assert "libpq5" not in depends and "adduser" not in depends, depends


class ReuseFTPS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS
    session, as the shipped tls.require_session_reuse wants (e2e_tls)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            try:
                conn = self.context.wrap_socket(
                    conn, server_hostname=self.host, session=self.sock.session)
            except BaseException:
                conn.close()
                raise
        return conn, size


def scratch_conf(root, port):
    """The shipped burrowd.conf with its absolute paths moved into root."""
    with open(os.path.join(root, "etc/burrow/burrowd.conf")) as f:
        text = f.read()
    for want in ('home_root = "/srv/burrow";',
                 'users_file = "users.conf";',
                 'pid_file = "/run/burrow/burrowd.pid";',
                 'user = "burrow";',
                 'cert = "/etc/ssl/certs/ssl-cert-snakeoil.pem";',
                 'key = "/etc/ssl/private/ssl-cert-snakeoil.key";',
                 'port = 2121;'):
        assert want in text, want
    crt, key = test_cert()
    text = (text.replace('"/srv/burrow"', '"%s/srv/burrow"' % root)
            .replace('"/var/log/burrow/', '"%s/var/log/burrow/' % root)
            .replace('"/run/burrow/', '"%s/run/burrow/' % root)
            .replace('"/etc/ssl/certs/ssl-cert-snakeoil.pem"', '"%s"' % crt)
            .replace('"/etc/ssl/private/ssl-cert-snakeoil.key"', '"%s"' % key)
            .replace('user = "burrow";', 'user = "";')
            .replace("port = 2121;", "port = %d;" % port))
    path = os.path.join(root, "etc/burrow/burrowd.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


@harness.test
def serves_from_a_scratch_root():
    b = build()
    root = tempfile.mkdtemp(prefix="burrow-root-")
    proc = None
    try:
        for deb in b.debs.values():
            subprocess.run(["dpkg-deb", "-x", deb, root], check=True,
                           timeout=60)
        for d in ("srv/burrow", "var/log/burrow", "run/burrow"):
            os.makedirs(os.path.join(root, d))
        burrowd = os.path.join(root, "usr/sbin/burrowd")
        passwd = os.path.join(root, "usr/sbin/burrow-passwd")
        out = subprocess.run([burrowd, "-V"], capture_output=True,
                             check=True, timeout=10).stdout.decode()
        assert out.startswith("burrowd "), out
        port = free_port()
        conf = scratch_conf(root, port)
        p = subprocess.run([burrowd, "-t", "-c", conf], capture_output=True,
                           timeout=30)
        assert p.returncode == 0 and b"0 users" in p.stdout, p
        p = subprocess.run([passwd, "-c", conf, "add", "ann", "--stdin"],
                           input=b"secret\n", capture_output=True, timeout=60)
        assert p.returncode == 0, p
        assert os.path.isdir(os.path.join(root, "srv/burrow/ann"))
        # The client runs from the root too.
        p = subprocess.run([os.path.join(root, "usr/bin/burrow"), "--help"],
                           capture_output=True, timeout=10)
        assert b"usage" in (p.stdout + p.stderr).lower(), p
        log = open(os.path.join(root, "burrowd.out"), "wb")
        proc = subprocess.Popen([burrowd, "-f", "-c", conf], stdout=log,
                                stderr=log)

        def logged_in():
            ctx = ssl.create_default_context(cafile=test_cert()[0])
            with contextlib.suppress(OSError, ftplib.Error):
                f = ReuseFTPS(context=ctx)
                f.connect(HOST, port, timeout=5)
                f.login("ann", "secret")
                f.prot_p()
                f.storbinary("STOR hello.txt", io.BytesIO(b"hi\n"))
                f.quit()
                return True
            return False
        assert wait_until(logged_in, 15, 0.2), open(log.name).read()
        with open(os.path.join(root, "srv/burrow/ann/hello.txt")) as f:
            assert f.read() == "hi\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        proc = None
        log.close()
    finally:
        if proc is not None:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def burrowd_pids():
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if os.readlink("/proc/%s/exe" % name) == "/usr/sbin/burrowd":
                    pids.append(int(name))
    return pids


@harness.test
def installs_and_purges_for_real():
    if not os.environ.get("BURROW_PKG_INSTALL"):
        raise Skip("set BURROW_PKG_INSTALL=1 to install with dpkg -i")
    if os.geteuid() != 0:
        raise Skip("not root")
    if subprocess.run(["dpkg", "-s", "burrowd"], capture_output=True,
                      timeout=30).returncode == 0:
        raise Skip("a burrowd package is installed here")
    with contextlib.suppress(KeyError):
        pwd.getpwnam("burrow")
        raise Skip("an account burrow exists here")
    for d in ("/etc/burrow", "/srv/burrow", "/var/log/burrow"):
        if os.path.exists(d):
            raise Skip("%s exists here" % d)
    before = set(burrowd_pids())
    b = build()
    try:
        p = subprocess.run(["dpkg", "-i", b.debs["burrowd"], b.debs["burrow"]],
                           capture_output=True, timeout=300,
                           env=dict(os.environ,
                                    DEBIAN_FRONTEND="noninteractive"))
        out = (p.stdout + p.stderr).decode(errors="replace")
        assert p.returncode == 0, out
        acct = pwd.getpwnam("burrow")
        assert acct.pw_uid < 1000 and acct.pw_shell.endswith("nologin"), acct
        assert grp.getgrgid(acct.pw_gid).gr_name == "burrow"
        for d, owner, mode in (("/srv/burrow", "burrow", 0o750),
                               ("/var/log/burrow", "burrow", 0o2750),
                               ("/etc/burrow/users.conf", "burrow", 0o600)):
            st = os.stat(d)
            assert pwd.getpwuid(st.st_uid).pw_name == owner, d
            assert st.st_mode & 0o7777 == mode, (d, oct(st.st_mode))
        st = os.stat("/etc/burrow/burrowd.conf")
        assert st.st_uid == 0 and st.st_mode & 0o777 == 0o644
        assert os.access("/usr/bin/burrow", os.X_OK)
        p = subprocess.run(["dpkg", "--purge", "burrow", "burrowd"],
                           capture_output=True, timeout=300)
        assert p.returncode == 0, (p.stdout + p.stderr).decode()
        for d in ("/etc/burrow", "/srv/burrow", "/var/log/burrow",
                  "/usr/sbin/burrowd", "/etc/init.d/burrowd"):
            assert not os.path.exists(d), d
        with contextlib.suppress(KeyError):
            pwd.getpwnam("burrow")
            raise AssertionError("the account burrow is still there")
    finally:
        # Whatever the package started is stopped, by its pid.
        for pid in set(burrowd_pids()) - before:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
            wait_until(lambda: not pid_alive(pid), 20, 0.2)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if subprocess.run(["dpkg", "-s", "burrowd"], capture_output=True,
                          timeout=30).returncode == 0:
            subprocess.run(["dpkg", "--purge", "burrow", "burrowd"],
                           capture_output=True, timeout=300)


def run():
    """harness.run, with "ok N # SKIP reason" for a test raising Skip."""
    only = os.environ.get("BURROW_ONLY")
    tests = [t for t in harness._tests if not only or only in t.__name__]
    print("1..%d" % len(tests), flush=True)
    reason = why_skip()
    if reason is not None:
        for i, fn in enumerate(tests, 1):
            print("ok %d - %s # SKIP %s" % (i, fn.__name__, reason),
                  flush=True)
        sys.exit(0)
    failed = 0
    try:
        for i, fn in enumerate(tests, 1):
            t0 = time.monotonic()
            try:
                fn()
                print("ok %d - %s (%.2fs)" % (i, fn.__name__,
                                              time.monotonic() - t0),
                      flush=True)
            except Skip as e:
                print("ok %d - %s # SKIP %s" % (i, fn.__name__, e),
                      flush=True)
            except Exception:
                failed += 1
                print("not ok %d - %s" % (i, fn.__name__), flush=True)
                for line in traceback.format_exc().splitlines():
                    print("# " + line, flush=True)
    finally:
        if Build.dir is not None and not os.environ.get("BURROW_KEEP"):
            shutil.rmtree(Build.dir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    run()
