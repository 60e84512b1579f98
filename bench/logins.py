"""
bench/logins.py: a login flood against burrowd. N clients (Python threads,
raw sockets) connect at once, each sends USER and PASS and waits for 230,
then QUITs; the wait of each client is from the common start to its 230.
Prints wall time, median and worst wait, with the password cache on and
off, several rounds each, medians. burrowd's users have PBKDF2 at the
default 200,000 rounds (or --rounds). It measures; it never asserts.

  python3 bench/logins.py [--clients 256] [--rounds 200000] [--runs 3]
"""
import argparse
import os
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import harness  # noqa: E402


def reply(f):
    line = f.readline().decode(errors="replace")
    code = line[:3]
    while len(line) >= 4 and line[3] == "-":
        line = f.readline().decode(errors="replace")
        if line[:3] == code and line[3:4] == " ":
            break
    return line


def flood(port, clients, users):
    barrier = threading.Barrier(clients + 1)
    waits, errors = [None] * clients, []

    def one(i):
        user = users[i % len(users)]
        try:
            barrier.wait(30)
            t0 = time.monotonic()
            s = socket.create_connection(("127.0.0.1", port), 120)
            f = s.makefile("rb")
            r = reply(f)
            while r.startswith("120"):
                r = reply(f)
            assert r.startswith("220"), r
            s.sendall(b"USER %s\r\n" % user.encode())
            assert reply(f).startswith("331")
            s.sendall(b"PASS pw\r\n")
            r = reply(f)
            assert r.startswith("230"), r
            waits[i] = time.monotonic() - t0
            s.sendall(b"QUIT\r\n")
            reply(f)
            s.close()
        except Exception as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=one, args=(i,), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait(30)
    t0 = time.monotonic()
    for t in threads:
        t.join(300)
    wall = time.monotonic() - t0
    if errors:
        raise RuntimeError("%d failures, first: %s" % (len(errors), errors[0]))
    return wall, statistics.median(waits), max(waits)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=200000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users", type=int, default=1,
                    help="distinct users the clients log in as")
    args = ap.parse_args()
    names = ["u%d" % i for i in range(args.users)]
    rows = []
    for cache in (False, True):
        srv = harness.Server(users={n: "pw" for n in names},
                             max_clients=args.clients, max_per_ip=0,
                             queue_length=args.clients, queue_timeout=300,
                             login_timeout=300, password_cache=cache)
        with open(os.path.join(srv.dir, "users.conf"), "w") as f:
            f.write("users = (\n" + ",\n".join(
                '  { name = "%s"; password = "%s"; }'
                % (n, harness.pbkdf2_hash("pw", args.rounds))
                for n in names) + "\n);\n")
        srv.start()
        try:
            res = [flood(srv.port, args.clients, names)
                   for _ in range(args.runs)]
        finally:
            srv.__exit__(None, None, None)
        rows.append((cache, res))
    print("burrowd login flood, %s, %d CPUs, load before %s"
          % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(),
             " ".join("%.2f" % x for x in os.getloadavg())))
    print("%d clients at once, %d user(s), PBKDF2 %d rounds, median of %d "
          "runs (min-max)" % (args.clients, args.users, args.rounds,
                              args.runs))
    print("%-16s %20s %20s %20s" % ("password_cache", "wall s",
                                    "median wait s", "worst wait s"))
    for cache, res in rows:
        cells = []
        for k in range(3):
            v = [r[k] for r in res]
            cells.append("%.2f (%.2f-%.2f)" % (statistics.median(v), min(v),
                                                max(v)))
        print("%-16s %20s %20s %20s" % ("on" if cache else "off", *cells))


main()
