"""
bench: compares burrowd with vsftpd and Pure-FTPd on this machine, all on
loopback, and prints the figures side by side with ratios. It measures; it
never asserts. Run it through bench/run.sh (see bench/README.md).

  (a) download of one big file over plain FTP, curl, median of N runs
  (b) upload of the same file, curl -T, median of N runs
  (c) (a) and (b) over explicit FTPS (curl --ssl-reqd -k, PROT P), against
      instances that require TLS on control and data connections
  (d) --clients parallel clients (Python threads, ftplib), each: connect,
      login, LIST, RETR of 1 MiB, QUIT; wall time from a common start to
      the last QUIT, median of N rounds, and sessions per second

All servers run at once, idle except the one measured, and the rounds go
round-robin over them (burrowd, vsftpd, pure-ftpd, burrowd, ...) so that
a slow spell on this shared machine falls on all three alike.
"""
import argparse
import ftplib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import harness  # noqa: E402
import peers  # noqa: E402

NAMES = ("burrowd", "vsftpd", "pure-ftpd")
MIB = 1 << 20
LOAD = " ".join("%.2f" % x for x in os.getloadavg())


class Target:
    """One running server as the benchmark sees it: where to connect, who
    to log in as, and the folder that is "/" for that user."""

    def __init__(self, name, tls, server, port, user, password, home):
        self.name, self.tls, self.server = name, tls, server
        self.port, self.user, self.password = port, user, password
        self.home = home

    def url(self, path):
        return "ftp://127.0.0.1:%d/%s" % (self.port, path)

    def log(self):
        return self.server.log()


def start_burrowd(tls, rounds):
    srv = harness.Server(users={"bench": "bench-pw"},
                         tls={"require": True} if tls else None,
                         max_clients=32, queue_length=64, idle_timeout=120,
                         max_per_ip=0,
                         data_timeout=60)
    # The harness hashes at 1000 PBKDF2 rounds; a real install's users
    # file (burrow-passwd) has 200000 unless told otherwise.
    with open(os.path.join(srv.dir, "users.conf"), "w") as f:
        f.write('users = (\n  { name = "bench"; password = "%s"; }\n);\n'
                % harness.pbkdf2_hash("bench-pw", rounds))
    try:
        srv.start()
    except Exception:
        shutil.rmtree(srv.dir, ignore_errors=True)
        raise
    return Target("burrowd", tls, srv, srv.port, "bench", "bench-pw",
                  srv.home("bench"))


def start_peer(cls, tls):
    p = cls(tls=tls, verbose=False)
    p.start()
    return Target(p.name, tls, p, p.port, p.user, p.password, p.home)


def stop(target):
    if isinstance(target.server, harness.Server):
        target.server.__exit__(None, None, None)
    else:
        target.server.close()


def place(src, dst):
    """dst as a hard link to src (same file system), else a copy; readable
    by every server's user."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    os.chmod(dst, 0o644)


def curl(target, args, timeout):
    """Runs curl with the target's login (and TLS options); returns the
    fields -w printed, split. Raises with curl's error and the server log."""
    argv = ["curl", "-s", "-S", "--max-time", str(int(timeout)),
            "-u", "%s:%s" % (target.user, target.password)]
    if target.tls:
        argv += ["--ssl-reqd", "-k"]
    p = subprocess.run(argv + args, capture_output=True, timeout=timeout + 10)
    if p.returncode != 0:
        raise RuntimeError("%s: curl %s exited %d: %s\n%s"
                           % (target.name, " ".join(args), p.returncode,
                              p.stderr.decode(errors="replace"),
                              target.log()[-3000:]))
    return p.stdout.decode().split()


def download(target, size):
    """Returns (MiB/s over the data phase, MiB/s as curl reports it,
    seconds before the transfer started)."""
    speed, got, pre, total = curl(
        target, ["-o", "/dev/null", "-w",
                 "%{speed_download} %{size_download} %{time_pretransfer} "
                 "%{time_total}", target.url("big.bin")], 300)
    if int(got) != size:
        raise RuntimeError("%s: got %s of %d bytes" % (target.name, got, size))
    return (size / MIB / (float(total) - float(pre)), float(speed) / MIB,
            float(pre))


def upload(target, src, size):
    """As download(); the data phase ends when curl has the server's final
    reply."""
    name = "up.bin"
    speed, sent, pre, total = curl(
        target, ["-T", src, "-w",
                 "%{speed_upload} %{size_upload} %{time_pretransfer} "
                 "%{time_total}", target.url(name)], 300)
    dst = os.path.join(target.home, name)
    on_disk = os.path.getsize(dst)
    os.remove(dst)
    if int(sent) != size or on_disk != size:
        raise RuntimeError("%s: sent %s, stored %d of %d bytes"
                           % (target.name, sent, on_disk, size))
    return (size / MIB / (float(total) - float(pre)), float(speed) / MIB,
            float(pre))


def sessions(target, clients, timeout=60):
    """clients threads, each one whole session; returns the wall time from
    their common start to the last one's end. Raises on any failure."""
    barrier = threading.Barrier(clients + 1)
    errors = []
    ends = []
    lock = threading.Lock()

    def one():
        try:
            barrier.wait(10)
            f = ftplib.FTP()
            f.connect("127.0.0.1", target.port, timeout=30)
            f.login(target.user, target.password)
            listing = []
            f.retrlines("LIST", listing.append)
            got = []
            f.retrbinary("RETR one.bin", got.append, blocksize=65536)
            f.quit()
            n = sum(map(len, got))
            if n != MIB or not listing:
                raise RuntimeError("RETR gave %d bytes, LIST %d lines"
                                   % (n, len(listing)))
        except Exception as e:
            with lock:
                errors.append("%s: %r" % (target.name, e))
        finally:
            with lock:
                ends.append(time.monotonic())

    threads = [threading.Thread(target=one, daemon=True)
               for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait(10)
    t0 = time.monotonic()
    deadline = t0 + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise RuntimeError("%s: sessions still running after %d s\n%s"
                           % (target.name, timeout, target.log()[-3000:]))
    if errors:
        raise RuntimeError("; ".join(errors[:5]) + "\n"
                           + target.log()[-3000:])
    return max(ends) - t0


def listen_overflows():
    """The kernel's count of connections dropped because a listen queue
    was full (system-wide: another process can add to it)."""
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for names, values in zip(lines[0::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split()))
                       ["ListenOverflows"])
    return 0


def cell(values):
    """"median (min-max)" with as many decimals as the size calls for."""
    med = statistics.median(values)
    d = 0 if med >= 100 else 1
    return "%.*f (%.*f-%.*f)" % (d, med, d, min(values), d, max(values))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--size-mib", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--burrowd-rounds", type=int, default=1000,
                    help="PBKDF2 rounds of burrowd's test user (default "
                    "1000, as in the tests; a real install has 200000)")
    ap.add_argument("--only", default="abcd",
                    help="which measurements, e.g. ab (default abcd)")
    args = ap.parse_args()

    size = args.size_mib * MIB
    t_start = time.monotonic()
    work = tempfile.mkdtemp(prefix="burrow-bench-")
    targets = {}
    try:
        src = os.path.join(work, "big.bin")
        with open(src, "wb") as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(MIB))
        one = os.path.join(work, "one.bin")
        with open(one, "wb") as f:
            f.write(os.urandom(MIB))

        for tls in (False, True):
            if tls and "c" not in args.only:
                continue
            targets[("burrowd", tls)] = start_burrowd(tls,
                                                      args.burrowd_rounds)
            targets[("vsftpd", tls)] = start_peer(peers.Vsftpd, tls)
            targets[("pure-ftpd", tls)] = start_peer(peers.PureFtpd, tls)
        for t in targets.values():
            place(src, os.path.join(t.home, "big.bin"))
            place(one, os.path.join(t.home, "one.bin"))

        # (label, unit, {name: [value]}, {name: [curl's]}, {name: [pre]})
        rows = []

        def measure(label, unit, tls, fn):
            values = {n: [] for n in NAMES}
            curls = {n: [] for n in NAMES}
            pres = {n: [] for n in NAMES}
            for _ in range(args.runs):
                for n in NAMES:
                    v = fn(targets[(n, tls)])
                    values[n].append(v[0])
                    curls[n].append(v[1])
                    pres[n].append(v[2])
            if unit == "MiB/s":
                rows.append((label, unit, values, curls, pres))
            else:
                rows.append((label, unit, values, None, None))
            print("  done: %s (%.0f s so far)" % (label,
                                                 time.monotonic() - t_start),
                  file=sys.stderr, flush=True)

        big = "%d MiB" % args.size_mib
        if "a" in args.only:
            measure("(a) download %s, FTP" % big, "MiB/s", False,
                    lambda t: download(t, size))
        if "b" in args.only:
            measure("(b) upload %s, FTP" % big, "MiB/s", False,
                    lambda t: upload(t, src, size))
        if "c" in args.only:
            measure("(c) download %s, FTPS" % big, "MiB/s", True,
                    lambda t: download(t, size))
            measure("(c) upload %s, FTPS" % big, "MiB/s", True,
                    lambda t: upload(t, src, size))
        walls, overflows = {}, {}
        if "d" in args.only:
            def rate(t):
                before = listen_overflows()
                w = sessions(t, args.clients)
                walls.setdefault(t.name, []).append(w)
                overflows[t.name] = (overflows.get(t.name, 0)
                                     + listen_overflows() - before)
                return args.clients / w, None, None
            measure("(d) %d parallel sessions" % args.clients,
                    "sessions/s", False, rate)

        print_table(args, rows, walls, overflows,
                    time.monotonic() - t_start)
    except peers.PeerUnavailable as e:
        print("bench: a peer server cannot run here: %s" % e,
              file=sys.stderr)
        return 2
    finally:
        for t in targets.values():
            try:
                stop(t)
            except Exception as e:
                print("stopping %s: %s" % (t.name, e), file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)


def print_table(args, rows, walls, overflows, elapsed):
    curl_v = subprocess.run(["curl", "--version"], capture_output=True,
                            text=True).stdout.split("\n")[0].split()[:2]
    burrowd_v = subprocess.run([harness.BURROWD, "-V"], capture_output=True,
                               text=True).stdout.split()[-1]
    print("Burrow benchmark, %s, %s %s, %d CPUs, load before %s, %s"
          % (time.strftime("%Y-%m-%d %H:%M"), platform.system(),
             platform.release(), os.cpu_count(), LOAD, " ".join(curl_v)))
    print("burrowd %s from %s; vsftpd 3.0.3 and Pure-FTPd 1.0.50 (Debian 12)"
          % (burrowd_v, os.path.normpath(harness.BUILDDIR)))
    print("median of %d runs (min-max); ratio = burrowd / peer, above 1 "
          "means burrowd is faster" % args.runs)
    print("transfer rates are over the data phase: size / (time_total - "
          "time_pretransfer)")
    fmt = "%-27s %-10s %19s %19s %19s %8s %8s"
    head = fmt % ("measure", "unit", "burrowd", "vsftpd", "pure-ftpd",
                  "/vsftpd", "/pure")
    print()
    print(head)
    print("-" * len(head))
    for label, unit, values, _, _ in rows:
        med = {n: statistics.median(values[n]) for n in NAMES}
        print(fmt % (label, unit, cell(values["burrowd"]),
                     cell(values["vsftpd"]), cell(values["pure-ftpd"]),
                     "%.2f" % (med["burrowd"] / med["vsftpd"]),
                     "%.2f" % (med["burrowd"] / med["pure-ftpd"])))
    if walls:
        print(fmt % ("(d) wall time", "s",
                     *("%.3f" % statistics.median(walls[n]) for n in NAMES),
                     "", ""))
        print(fmt % ("(d) listen queue overflows", "all runs",
                     *(str(overflows[n]) for n in NAMES), "", ""))
    curl_rows = [r for r in rows if r[3] is not None]
    if curl_rows:
        print()
        print("as curl reports it (%{speed_download} / %{speed_upload}, "
              "the whole transfer with login and setup):")
        for label, unit, _, curls, _ in curl_rows:
            med = {n: statistics.median(curls[n]) for n in NAMES}
            print(fmt % (label, unit, cell(curls["burrowd"]),
                         cell(curls["vsftpd"]), cell(curls["pure-ftpd"]),
                         "%.2f" % (med["burrowd"] / med["vsftpd"]),
                         "%.2f" % (med["burrowd"] / med["pure-ftpd"])))
        print()
        print("time before the data phase (curl's %{time_pretransfer}: "
              "connect, TLS, login, setup), every run:")
        for label, _, _, _, pres in curl_rows:
            print(fmt % (label, "s", *(" ".join("%.2f" % x for x in pres[n])
                                       for n in NAMES), "", ""))
    print()
    print("total run time %.0f s" % elapsed)


if __name__ == "__main__":
    sys.exit(main())
