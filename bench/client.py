"""
client: compares the client `burrow --batch` with lftp and curl, all
against one burrowd on loopback, and prints the figures side by side with
ratios. It measures; it never asserts. Run it through bench/run.sh --client
(see bench/README.md).

  (a) download of one big file over plain FTP: burrow `get`, lftp `get`,
      curl -o; MiB/s over the wall time of the whole command
  (b) upload of the same file: burrow `put`, lftp `put`, curl -T
  (c) (a) and (b) over explicit FTPS, against a burrowd requiring TLS
  (d) a folder of small files: burrow `get dir`, lftp `mirror dir`
  (e) a resumed download of a local copy cut at half: burrow `get`,
      lftp `get -c`, curl -C -

  (f) HASH latency on the server: of a file just uploaded (its digest
      computed as it arrived) and of one never hashed before

burrow checks every file it moves with HASH (SHA-256 of both ends); lftp
and curl do not. Below each transfer, the server's CPU seconds per run
(utime + stime of burrowd from /proc, all its threads) for every client.
(a) is measured twice: as it comes (burrowd keeps a file's digest after
its first HASH, so later runs find it) and with the kept digest removed
before every run, so that the server hashes after the transfer. The rounds
go round-robin over the clients (burrow, lftp, curl, burrow, ...) so that
a slow spell falls on all alike.
"""
import argparse
import ftplib
import hashlib
import os
import platform
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import harness  # noqa: E402

BURROW = os.path.join(harness.BUILDDIR, "burrow")
CLIENTS = ("burrow", "lftp", "curl")
MIB = 1 << 20
LOAD = " ".join("%.2f" % x for x in os.getloadavg())
USER, PASSWORD = "bench", "bench-pw"


class Failed(Exception):
    """A client run that did not do its job: the line to print instead."""


class Target:
    """One running burrowd: its port, the user's home, TLS or not."""

    def __init__(self, tls):
        self.tls = tls
        self.srv = harness.Server(users={USER: PASSWORD},
                                  tls={"require": True} if tls else None,
                                  max_clients=32, idle_timeout=120,
                                  data_timeout=60)
        try:
            self.srv.start()
        except Exception:
            shutil.rmtree(self.srv.dir, ignore_errors=True)
            raise
        self.port, self.home = self.srv.port, self.srv.home(USER)
        self.cert = self.srv.cert if tls else None

    def stop(self):
        self.srv.__exit__(None, None, None)

    def ftp(self):
        """An ftplib session, logged in (over TLS where required)."""
        if self.tls:
            f = ftplib.FTP_TLS(context=ssl.create_default_context(
                cafile=self.cert))
        else:
            f = ftplib.FTP()
        f.connect(harness.HOST, self.port, timeout=60)
        f.login(USER, PASSWORD)
        return f


class Clients:
    """How each client is run: argv and stdin for a job, HOME in the work
    folder (no user's config read or written), every run bounded."""

    def __init__(self, work, timeout):
        self.home = os.path.join(work, "home")
        os.makedirs(self.home, exist_ok=True)
        self.timeout = timeout
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("BURROW_", "XDG_", "LFTP"))}
        self.env["HOME"] = self.home

    def job(self, c, t, cwd, burrow, lftp, curl):
        """Runs client c's form of one job in cwd: burrow's batch script,
        lftp's commands or curl's arguments ("URL/" for the server's);
        returns its wall time, None when c has no form of it."""
        if c == "burrow":
            argv = [BURROW, "--batch"] + (["--cafile", t.cert] if t.tls
                                          else [])
            argv.append("%s://%s:%s@%s:%d/" % ("ftps" if t.tls else "ftp",
                                               USER, PASSWORD, harness.HOST,
                                               t.port))
            return self.run(c, argv, cwd, burrow.encode())
        if c == "lftp":
            opts = "set ftp:ssl-allow no; "
            if t.tls:
                opts = ("set ssl:ca-file %s; set ftp:ssl-force true; "
                        "set ftp:ssl-protect-data true; " % t.cert)
            opts += ("set net:max-retries 1; set net:timeout 30; "
                     "set cmd:fail-exit yes; set xfer:clobber yes; ")
            return self.run(c, ["lftp", "-u", "%s,%s" % (USER, PASSWORD),
                                "-e", opts + lftp + "; quit",
                                "ftp://%s:%d" % (harness.HOST, t.port)], cwd)
        if curl is None:
            return None
        argv = ["curl", "-q", "-s", "-S", "--max-time", str(self.timeout),
                "-u", "%s:%s" % (USER, PASSWORD)]
        if t.tls:
            argv += ["--ssl-reqd", "--cacert", t.cert]
        url = "ftp://%s:%d/" % (harness.HOST, t.port)
        return self.run(c, argv + [a.replace("URL/", url) for a in curl],
                        cwd)

    def run(self, name, argv, cwd, stdin=b""):
        """Runs argv in cwd; returns its wall time, keeps its output in
        self.out. Raises Failed."""
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, cwd=cwd,
                             env=self.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = p.communicate(stdin, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)    # its own group: no others
            p.communicate()
            raise Failed("%s: killed after %d s" % (name, self.timeout))
        wall = time.monotonic() - t0
        self.out = out.decode(errors="replace")
        if p.returncode != 0:
            msg = (err or out).decode(errors="replace").strip()
            raise Failed("%s exited %d: %s" % (name, p.returncode,
                                               msg[-300:]))
        return wall


def sha_file(path, end=None):
    """SHA-256 of path's first end bytes (all when None), read with pread
    in 256 KiB chunks as burrow does; returns the hex digest."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        fd, off = f.fileno(), 0
        end = os.fstat(fd).st_size if end is None else end
        while off < end:
            b = os.pread(fd, min(256 << 10, end - off), off)
            if not b:
                break
            h.update(b)
            off += len(b)
    return h.hexdigest()


XATTR = "user.burrow.hash.sha256"
TICK = os.sysconf("SC_CLK_TCK")


def server_cpu(t):
    """CPU seconds burrowd has used so far, all threads (/proc)."""
    with open("/proc/%d/stat" % t.srv.proc.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK    # utime, stime


def forget_digest(path):
    """Removes the digest burrowd keeps with path, if any."""
    try:
        os.removexattr(path, XATTR)
    except OSError:
        pass


def hash_latency(t, name):
    """Seconds one HASH of name takes, over an open ftplib session."""
    f = t.ftp()
    try:
        t0 = time.monotonic()
        f.sendcmd("HASH " + name)
        return time.monotonic() - t0
    finally:
        f.quit()


def check(path, size, want_sha, first):
    """Checks a result: its size every run, its SHA-256 on the first."""
    if not os.path.isfile(path):
        raise Failed("no file %s after the run" % path)
    got = os.path.getsize(path)
    if got != size:
        raise Failed("%s has %d bytes, not %d" % (path, got, size))
    if first and sha_file(path) != want_sha:
        raise Failed("%s has the right size but other bytes" % path)


def fresh(path):
    """An empty folder at path."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def place(src, dst):
    """dst as a hard link to src, else a copy; readable by the server."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    os.chmod(dst, 0o644)


def cell(values):
    """"median (min-max)" with as many decimals as the size calls for."""
    med = statistics.median(values)
    d = 0 if med >= 100 else 1 if med >= 10 else 2 if med >= 1 else 3
    return "%.*f (%.*f-%.*f)" % (d, med, d, min(values), d, max(values))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--files", type=int, default=200,
                    help="small files in (d) (default 200)")
    ap.add_argument("--file-kib", type=int, default=4,
                    help="size of each small file in KiB (default 4)")
    ap.add_argument("--timeout", type=int, default=120,
                    help="bound on every client run, seconds")
    ap.add_argument("--only", default="abcdef",
                    help="which measurements, e.g. ae (default abcdef)")
    args = ap.parse_args()

    size = args.size_mib * MIB
    t_start = time.monotonic()
    work = tempfile.mkdtemp(prefix="burrow-client-bench-")
    targets = {}
    try:
        src = os.path.join(work, "big.bin")
        with open(src, "wb") as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(MIB))
        src_sha = sha_file(src)
        small = fresh(os.path.join(work, "dir"))
        small_sha = {}
        for i in range(args.files):
            data = os.urandom(args.file_kib * 1024)
            name = "f%04d.bin" % i
            with open(os.path.join(small, name), "wb") as f:
                f.write(data)
            small_sha[name] = hashlib.sha256(data).hexdigest()

        targets[False] = Target(False)
        if "c" in args.only:
            targets[True] = Target(True)
        for t in targets.values():
            place(src, os.path.join(t.home, "big.bin"))
            os.mkdir(os.path.join(t.home, "dir"))
            for name in small_sha:
                place(os.path.join(small, name),
                      os.path.join(t.home, "dir", name))
        cl = Clients(work, args.timeout)
        down = os.path.join(work, "down")
        up = fresh(os.path.join(work, "up"))
        place(src, os.path.join(up, "big.bin"))

        # Each returns (wall time, what burrow hashed: [(remote name,
        # end)], [(local path, end)]) and checks what arrived.
        def download(c, t, first):
            local = os.path.join(fresh(down), "big.bin")
            wall = cl.job(c, t, down, "get big.bin\n", "get big.bin",
                          ["-o", "big.bin", "URL/big.bin"])
            check(local, size, src_sha, first)
            return wall

        def download_unkept(c, t, first):
            forget_digest(os.path.join(t.home, "big.bin"))
            return download(c, t, first)

        def upload(c, t, first):
            remote = os.path.join(t.home, "up.bin")
            if os.path.exists(remote):
                os.remove(remote)
            wall = cl.job(c, t, up, "put big.bin up.bin\n",
                          "put big.bin -o up.bin",
                          ["-T", "big.bin", "URL/up.bin"])
            check(remote, size, src_sha, first)
            return wall

        def many(c, t, first):
            wall = cl.job(c, t, fresh(down), "get dir\n", "mirror dir", None)
            if wall is None:
                return None
            got = os.path.join(down, "dir")
            names = sorted(os.listdir(got)) if os.path.isdir(got) else []
            if names != sorted(small_sha):
                raise Failed("%d of %d files arrived" % (
                    len(set(names) & set(small_sha)), len(small_sha)))
            for n in names:
                check(os.path.join(got, n), args.file_kib * 1024,
                      small_sha[n], first)
            return wall

        def resume(c, t, first):
            local = os.path.join(fresh(down), "big.bin")
            with open(src, "rb") as i, open(local, "wb") as o:
                left = size // 2
                while left:
                    left -= os.sendfile(o.fileno(), i.fileno(), None, left)
            wall = cl.job(c, t, down, "get big.bin\n", "get -c big.bin",
                          ["-C", "-", "-o", "big.bin", "URL/big.bin"])
            if c == "burrow" and "resumed" not in cl.out:
                raise Failed("burrow did not resume: " + cl.out.strip())
            check(local, size, src_sha, first)
            return wall

        # (label, unit, {client: [value]}, {client: failure or None},
        #  {client: [value]} the ratios are taken to)
        rows = []

        def measure(label, tls, fn, unit):
            """Runs fn round-robin; MiB or files / wall for a rate, else
            the wall time. Adds the server's CPU per run."""
            amount = args.files if unit == "files/s" else args.size_mib
            walls = {c: [] for c in CLIENTS}
            cpu = {c: [] for c in CLIENTS}
            fails = {}
            for r in range(args.runs):
                for c in CLIENTS:
                    if c in fails:
                        continue
                    try:
                        cpu0 = server_cpu(targets[tls])
                        v = fn(c, targets[tls], r == 0)
                        cpu1 = server_cpu(targets[tls])
                        if v is None:
                            fails[c] = None     # no command for it: "-"
                            continue
                        if c == "burrow" and "verified by SHA-256" \
                                not in cl.out:
                            raise Failed("burrow did not verify: "
                                         + cl.out.strip())
                        walls[c].append(v)
                        cpu[c].append(cpu1 - cpu0)
                    except Exception as e:
                        fails[c] = (str(e) if isinstance(e, Failed)
                                    else "%s: %r" % (c, e))
            fig = (lambda w: amount / w) if unit != "s" else (lambda w: w)
            values = {c: [fig(w) for w in walls[c]] for c in CLIENTS}
            rows.append((label, unit, values, fails, values))
            rows.append(("  burrowd CPU per run", "s", cpu, fails, cpu))
            if unit == "files/s":
                rows.append(("  wall time", "s", walls, fails, walls))
            print("  done: %s (%.0f s so far)" % (
                label, time.monotonic() - t_start), file=sys.stderr)

        big = "%d MiB" % args.size_mib
        if "a" in args.only:
            measure("(a) download %s, FTP" % big, False, download, "MiB/s")
            measure("(a) same, no kept digest", False, download_unkept,
                    "MiB/s")
        if "b" in args.only:
            measure("(b) upload %s, FTP" % big, False, upload, "MiB/s")
        if "c" in args.only:
            measure("(c) download %s, FTPS" % big, True, download, "MiB/s")
            measure("(c) upload %s, FTPS" % big, True, upload, "MiB/s")
        if "d" in args.only:
            measure("(d) %d files of %d KiB" % (args.files, args.file_kib),
                    False, many, "files/s")
        if "e" in args.only:
            measure("(e) resume %s from half" % big, False, resume, "s")
        if "f" in args.only:
            t = targets[False]
            fresh_up, never = [], []
            for r in range(args.runs):
                up_path = os.path.join(t.home, "up.bin")
                if os.path.exists(up_path):
                    os.remove(up_path)
                cl.job("curl", t, up, "", "", ["-T", "big.bin",
                                                "URL/up.bin"])
                fresh_up.append(hash_latency(t, "up.bin"))
                forget_digest(os.path.join(t.home, "big.bin"))
                never.append(hash_latency(t, "big.bin"))
            rows.append(("(f) HASH of a fresh upload", "ms",
                         {"burrow": [x * 1000 for x in fresh_up]}, {}, {}))
            rows.append(("(f) HASH, never hashed", "ms",
                         {"burrow": [x * 1000 for x in never]}, {}, {}))
        print_table(args, rows, time.monotonic() - t_start)
    finally:
        for t in targets.values():
            try:
                t.stop()
            except Exception as e:
                print("stopping burrowd: %s" % e, file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        if harness._cert:   # made by this process for (c)
            shutil.rmtree(os.path.dirname(harness._cert[0]), True)


def version(argv, words):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "(no %s)" % argv[0]
    return " ".join((p.stdout or p.stderr).split("\n")[0].split()[:words])


def print_table(args, rows, elapsed):
    lftp_v = version(["lftp", "--version"], 4).replace("LFTP | Version",
                                                        "lftp")
    print("Burrow client benchmark, %s, %s %s, %d CPUs, load before %s"
          % (time.strftime("%Y-%m-%d %H:%M"), platform.system(),
             platform.release(), os.cpu_count(), LOAD))
    print("%s and %s from %s; %s; %s"
          % (version([BURROW, "-V"], 2),
             version([harness.BURROWD, "-V"], 2),
             os.path.normpath(harness.BUILDDIR), lftp_v,
             version(["curl", "--version"], 2)))
    print("all against one burrowd on loopback (one more requiring TLS "
          "for (c)); median of %d runs (min-max)" % args.runs)
    print("rates are over the wall time of the whole command: start, "
          "login, transfer, burrow's HASH checks, quit")
    print("ratio: above 1 means burrow is faster (burrow/peer for rates, "
          "peer/burrow for times)")
    fmt = "%-30s %-8s %19s %19s %19s %7s %7s"
    head = fmt % ("measure", "unit", "burrow", "lftp", "curl", "/lftp",
                  "/curl")
    print("\n" + head)
    print("-" * len(head))
    failures = []
    for label, unit, values, fails, ref in rows:
        cells = []
        for c in CLIENTS:
            if c in fails:
                cells.append("FAILED" if fails[c] else "-")
                if fails[c] and label.startswith("("):
                    failures.append("%s, %s: %s" % (label.strip(), c,
                                                    fails[c]))
            elif values.get(c):
                cells.append(cell(values[c]))
            else:
                cells.append("")
        med = {c: statistics.median(v) for c, v in ref.items() if v}
        if values.get("burrow"):
            med["burrow"] = statistics.median(values["burrow"])
        ratios = []
        for peer in ("lftp", "curl"):
            if "burrow" in med and peer in med:
                r = (med["burrow"] / med[peer] if unit != "s"
                     else med[peer] / med["burrow"])
                ratios.append("%.2f" % r)
            else:
                ratios.append("")
        print(fmt % (label, unit, *cells, *ratios))
    print("\nburrowd CPU = utime + stime of the server per run (/proc); "
          "(f): the burrow column is burrowd's HASH, %d MiB, ftplib"
          % args.size_mib)
    for line in failures:
        print("FAILED " + line)
    print("total run time %.0f s" % elapsed)


if __name__ == "__main__":
    sys.exit(main())
