"""
bench/logins.py: a login flood. N clients (Python threads, raw sockets)
connect at once, each sends USER and PASS and waits for 230, then QUITs;
the wait of each client is from the common start to its 230. Run against

  (a) burrowd, password_cache off, and (b) on: its users have PBKDF2 at
      the default 200,000 rounds (or --rounds);
  (c) vsftpd: PAM, the system account's /etc/shadow hash as chpasswd
      writes it by default (yescrypt on Debian 12);
  (d) Pure-FTPd: PureDB, the hash `pure-pw useradd` writes by default
      (argon2id),

each configured to let all N in at once (tests/peers.py, usual_hash and
max_clients). A client that does not get its 230 (a refused connection,
a 421, any other reply, a timeout) is a failure, shown with its reply.
Prints wall time (common start to the last QUIT of a client that got
in), median and worst wait of those clients, and failures, per run and as
medians over the runs, with ratios peer / burrowd. The rounds go
round-robin over the servers, all running at once, idle but the one
measured. It measures; it never asserts.

  python3 bench/logins.py [--clients 256] [--rounds 200000] [--runs 3]
                          [--users 1] [--only abcd] [--timeout 1800]
                          [--greeting-timeout 60]
"""
import argparse
import collections
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import harness  # noqa: E402
import peers  # noqa: E402
from bench import listen_overflows  # noqa: E402

LOAD = " ".join("%.2f" % x for x in os.getloadavg())


class Unexpected(Exception):
    """A reply other than the one the client waits for."""


def reply(f):
    line = f.readline().decode(errors="replace")
    code = line[:3]
    while len(line) >= 4 and line[3] == "-":
        line = f.readline().decode(errors="replace")
        if line[:3] == code and line[3:4] == " ":
            break
    return line


def check(r, code, what):
    """Raises Unexpected unless the reply r has code."""
    if not r.startswith(code):
        raise Unexpected("%s: %s" % (what, r.strip() or "connection closed"))


def flood(target, clients, timeout, greeting_timeout):
    """clients sessions at once against target; returns (wall time to the
    last QUIT of a client that got in, the waits of those clients, the
    failures' reasons). A client is given greeting_timeout seconds from
    connecting to its greeting (or between two 120s) and all of them
    timeout seconds from the start."""
    barrier = threading.Barrier(clients + 1)
    waits, failures = [None] * clients, [None] * clients
    ends = [None] * clients
    # What each client waits for, said if it is still waiting at the end.
    stage = ["to start"] * clients

    def one(i):
        user = target.users[i % len(target.users)]
        try:
            barrier.wait(30)
            t0 = time.monotonic()
            stage[i] = "to connect"
            with socket.create_connection(("127.0.0.1", target.port),
                                          timeout) as s, \
                    s.makefile("rb") as f:
                stage[i] = "for the greeting"
                s.settimeout(greeting_timeout)
                r = reply(f)
                # burrowd queues a client beyond its workers with a 120
                # first.
                while r.startswith("120"):
                    r = reply(f)
                check(r, "220", "greeting")
                s.settimeout(max(1.0, t0 + timeout - time.monotonic()))
                stage[i] = "for USER's reply"
                s.sendall(b"USER %s\r\n" % user.encode())
                check(reply(f), "331", "USER")
                stage[i] = "for PASS's reply"
                s.sendall(b"PASS %s\r\n" % target.password.encode())
                check(reply(f), "230", "PASS")
                waits[i] = time.monotonic() - t0
                s.sendall(b"QUIT\r\n")
                reply(f)
                ends[i] = time.monotonic()
        except Unexpected as e:
            failures[i] = str(e)
        except socket.timeout:
            failures[i] = "timed out waiting %s" % stage[i]
        except Exception as e:
            failures[i] = repr(e)

    threads = [threading.Thread(target=one, args=(i,), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait(30)
    t0 = time.monotonic()
    deadline = t0 + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    done = [e for e in ends if e is not None]
    wall = max(done) - t0 if done else None
    for i, t in enumerate(threads):
        if t.is_alive():
            failures[i] = "still waiting %s after %d s" % (stage[i],
                                                            timeout)
    return (wall, [w for w in waits if w is not None],
            [r for r in failures if r is not None])


def descendants(pid):
    """How many processes descend from pid (vsftpd's sessions leave its
    process group with setsid, not its tree)."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces.
        children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
    n, todo = 0, list(children[pid])
    while todo:
        n += 1
        todo.extend(children[todo.pop()])
    return n


class Target:
    """One running server as the flood sees it."""

    def __init__(self, key, name, server, port, users, password, hashed):
        self.key, self.name, self.server = key, name, server
        self.port, self.users, self.password = port, users, password
        self.hash = scheme(hashed)
        self.idle = None

    def settle(self):
        """Waits until the sessions of the last run are gone: the peers
        fork a process per session and count those still exiting against
        their max_clients. burrowd serves sessions on threads. The first
        call, before any run, counts the idle server's processes."""
        if isinstance(self.server, harness.Server):
            return
        pid = self.server.proc.pid
        if self.idle is None:
            self.idle = descendants(pid)
        harness.wait_until(lambda: descendants(pid) <= self.idle, 30, 0.1)

    def stop(self):
        if isinstance(self.server, harness.Server):
            self.server.__exit__(None, None, None)
        else:
            self.server.close()


def scheme(hashed):
    """A stored hash's scheme and cost, without its salt and digest."""
    parts = hashed.split("$")
    if hashed.startswith("$pbkdf2-sha256$"):
        return "PBKDF2-SHA256 %s" % parts[2]
    if hashed.startswith("$y$"):
        return "yescrypt %s" % parts[2]
    if hashed.startswith("$argon2"):
        return "%s %s" % (parts[1], parts[3].replace(",", " "))
    if hashed.startswith("$6$"):
        return "SHA-512 crypt" + (" " + parts[2] if "rounds=" in parts[2]
                                  else "")
    if hashed.startswith(("$2a$", "$2b$", "$2y$")):
        return "bcrypt %s" % parts[2]
    return "$".join(parts[:2]) + "$"


def start_burrowd(key, cache, clients, rounds, names):
    srv = harness.Server(users={n: "pw" for n in names},
                         max_clients=clients, max_per_ip=0,
                         queue_length=clients, queue_timeout=300,
                         login_timeout=300, password_cache=cache)
    hashes = [harness.pbkdf2_hash("pw", rounds) for _ in names]
    with open(os.path.join(srv.dir, "users.conf"), "w") as f:
        f.write("users = (\n" + ",\n".join(
            '  { name = "%s"; password = "%s"; }' % (n, h)
            for n, h in zip(names, hashes)) + "\n);\n")
    srv.start()
    return Target(key, "burrowd, cache %s" % ("on" if cache else "off"),
                  srv, srv.port, names, "pw", hashes[0])


def start_peer(key, cls, clients):
    p = cls(verbose=False, max_clients=clients, usual_hash=True)
    p.start()
    return Target(key, p.name, p, p.port, [p.user], p.password,
                  p.stored_hash())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--clients", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=200000,
                    help="PBKDF2 rounds of burrowd's users (default 200000, "
                    "burrow-passwd's)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users", type=int, default=1,
                    help="distinct burrowd users the clients log in as (the "
                    "peers have one)")
    ap.add_argument("--only", default="abcd",
                    help="which servers: a burrowd without the cache, b "
                    "with it, c vsftpd, d Pure-FTPd (default abcd)")
    ap.add_argument("--timeout", type=int, default=1800,
                    help="bound on each flood, in seconds (default 1800)")
    ap.add_argument("--greeting-timeout", type=int, default=60,
                    help="bound on a client's wait for the greeting once "
                    "connected (default 60)")
    args = ap.parse_args()

    t_start = time.monotonic()
    names = ["u%d" % i for i in range(args.users)]
    targets = []
    try:
        if "a" in args.only:
            targets.append(start_burrowd("a", False, args.clients,
                                         args.rounds, names))
        if "b" in args.only:
            targets.append(start_burrowd("b", True, args.clients,
                                         args.rounds, names))
        if "c" in args.only:
            targets.append(start_peer("c", peers.Vsftpd, args.clients))
        if "d" in args.only:
            targets.append(start_peer("d", peers.PureFtpd, args.clients))
        # {key: [(wall, waits, failures, listen overflows)]}
        results = {t.key: [] for t in targets}
        for run in range(args.runs):
            for t in targets:
                # No session of an earlier run may still be exiting, of any
                # server: the peers' would take CPU from this one's.
                for other in targets:
                    other.settle()
                before = listen_overflows()
                wall, waits, failures = flood(t, args.clients, args.timeout,
                                              args.greeting_timeout)
                results[t.key].append((wall, waits, failures,
                                       listen_overflows() - before))
                print("  run %d, %s: %s s, %d failures (%.0f s so far)"
                      % (run + 1, t.name, num(wall), len(failures),
                         time.monotonic() - t_start),
                      file=sys.stderr, flush=True)
        print_table(args, targets, results, time.monotonic() - t_start)
    except peers.PeerUnavailable as e:
        print("logins: a peer server cannot run here: %s" % e,
              file=sys.stderr)
        return 2
    finally:
        for t in targets:
            try:
                t.stop()
            except Exception as e:
                print("stopping %s: %s" % (t.name, e), file=sys.stderr)
    return 0


def figures(res):
    """[(wall, median wait, worst wait)] of each run; None where no client
    got in."""
    return [(wall, statistics.median(waits) if waits else None,
             max(waits) if waits else None)
            for wall, waits, _, _ in res]


def medians(res):
    """The medians over the runs of wall, median wait and worst wait."""
    cols = [[v for v in col if v is not None] for col in zip(*figures(res))]
    return [statistics.median(c) if c else None for c in cols]


def decimals(v):
    return 2 if v < 10 else 1 if v < 100 else 0


def cell(values):
    """"median (min-max)" with as many decimals as the size calls for."""
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    med = statistics.median(values)
    d = decimals(med)
    return "%.*f (%.*f-%.*f)" % (d, med, d, min(values), d, max(values))


def num(v):
    return "-" if v is None else "%.*f" % (decimals(v), v)


def print_table(args, targets, results, elapsed):
    burrowd_v = subprocess.run([harness.BURROWD, "-V"], capture_output=True,
                               text=True).stdout.split()[-1]
    print("Login flood, %s, %s %s, %d CPUs, load before %s, after %s"
          % (time.strftime("%Y-%m-%d %H:%M"), platform.system(),
             platform.release(), os.cpu_count(), LOAD,
             " ".join("%.2f" % x for x in os.getloadavg())))
    print("burrowd %s from %s; vsftpd 3.0.3 and Pure-FTPd 1.0.50 (Debian 12)"
          % (burrowd_v, os.path.normpath(harness.BUILDDIR)))
    print("%d clients at once, each: connect, USER, PASS, 230, QUIT; wait = "
          "common start to its 230" % args.clients)
    print("every run, then median of %d runs (min-max); waits of the clients "
          "that got in" % args.runs)
    fmt = "%-18s %-26s %6s %17s %17s %17s %9s %9s"
    head = fmt % ("server", "hash", "run", "wall s", "median wait s",
                  "worst wait s", "failures", "overflows")
    print()
    print(head)
    print("-" * len(head))
    for t in targets:
        res = results[t.key]
        figs = figures(res)
        for i, ((wall, med, worst), r) in enumerate(zip(figs, res)):
            print(fmt % (t.name if i == 0 else "", t.hash if i == 0 else "",
                         i + 1, num(wall), num(med), num(worst), len(r[2]),
                         r[3]))
        print(fmt % ("", "", "median", *(cell([f[k] for f in figs])
                                         for k in range(3)),
                     "%d/%d" % (sum(len(r[2]) for r in res),
                                args.clients * len(res)),
                     sum(r[3] for r in res)))
    by_key = {t.key: t for t in targets}
    mine = [by_key[k] for k in "ab" if k in by_key]
    theirs = [by_key[k] for k in "cd" if k in by_key]
    if mine and theirs:
        print()
        print("ratio = peer / burrowd of the medians, above 1 means burrowd "
              "is faster")
        print("(of the clients that got in: a peer's failed ones are not "
              "in its figures)")
        rfmt = "%-34s %12s %14s %13s %14s"
        print(rfmt % ("", "wall", "median wait", "worst wait",
                      "peer failures"))
        for p in theirs:
            failed = "%d/%d" % (sum(len(r[2]) for r in results[p.key]),
                                args.clients * len(results[p.key]))
            for b in mine:
                print(rfmt % ("%s / %s" % (p.name, b.name),
                              *("-" if x is None or not y else "%.2f" % (x / y)
                                for x, y in zip(medians(results[p.key]),
                                                medians(results[b.key]))),
                              failed))
    failed = [(t, i, r[2]) for t in targets
              for i, r in enumerate(results[t.key]) if r[2]]
    if failed:
        print()
        print("failures (count x reply or error):")
        for t, i, reasons in failed:
            for reason, n in collections.Counter(reasons).most_common():
                print("  %s, run %d: %d x %s" % (t.name, i + 1, n, reason))
    print()
    print("overflows: the kernel's ListenOverflows during the run "
          "(SYNs dropped on a full listen queue, system-wide)")
    print("total run time %.0f s" % elapsed)


if __name__ == "__main__":
    sys.exit(main())
