"""
wan: many files and one big file over a distant link, burrow beside lftp.
It measures; it never asserts. Run it through bench/run.sh --wan (see
bench/README.md).

One burrowd on 127.0.0.1 behind bench/delayproxy.py on 127.0.0.2, which
adds DELAY each way (20 ms: a 40 ms round trip), makes a new connection
reach the server 1.5 round trips after the client connects, as a TCP
handshake would, and lets a connection have WINDOW bytes in flight each
way (1 MiB: a connection moves at most 50 MiB/s). Every client talks to
the proxy, the data connections too (pasv_address points at it).

  (a) a folder of 200 files of 16 KiB: burrow `get` with 1 and 4
      connections (--parallel), lftp `mirror --parallel=1` and `=4`
  (b) a folder of 1000 files of 4 KiB, the same
  (c) the same folders uploaded: burrow `put`, lftp `mirror -R`
  (d) one big file (256 MiB): burrow `get` with 1 connection and with 4
      (in ranges), lftp `get` and `pget -n 4`

Wall time of the whole command, medians over the runs, with the ratio
lftp / burrow (above 1: burrow is faster). burrow verifies every file
with HASH (SHA-256); lftp does not.
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import harness  # noqa: E402

PROXY = os.path.join(HERE, "delayproxy.py")
USER, PASSWORD = "bench", "bench-pw"
FAR = "127.0.0.2"
MIB = 1 << 20


class Failed(Exception):
    pass


class Link:
    """burrowd, and the delay proxy in front of it."""

    def __init__(self, delay, window, big_mib):
        self.srv = harness.Server(users={USER: PASSWORD}, listen="127.0.0.1",
                                  pasv_address=FAR, max_clients=32,
                                  idle_timeout=300, data_timeout=60)
        self.home = self.srv.home(USER)
        self.make_files(big_mib)
        self.srv.start()
        lo, hi = self.srv.conf["pasv_ports"]
        self.port = self.srv.port
        self.proxy = subprocess.Popen(
            [sys.executable, PROXY, "--listen", FAR, "--target", "127.0.0.1",
             "--delay", str(delay), "--window", str(window),
             "--ports", str(self.port), "--ports", "%d-%d" % (lo, hi)],
            stdout=subprocess.PIPE)
        if self.proxy.stdout.readline().strip() != b"ready":
            raise RuntimeError("the delay proxy did not start")

    def make_files(self, big_mib):
        for name, n, size in (("f200", 200, 16 << 10), ("f1000", 1000, 4 << 10)):
            d = os.path.join(self.home, name)
            os.makedirs(d)
            for i in range(n):
                with open(os.path.join(d, "file%04d" % i), "wb") as f:
                    f.write(os.urandom(size))
        with open(os.path.join(self.home, "big"), "wb") as f:
            for _ in range(big_mib):
                f.write(os.urandom(MIB))

    def stop(self):
        self.proxy.terminate()
        self.proxy.wait(10)
        self.srv.__exit__(None, None, None)


def run(cmd, cwd, stdin=None, env=None, timeout=900):
    t = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, input=stdin, env=env,
                       capture_output=True, timeout=timeout)
    el = time.monotonic() - t
    if p.returncode != 0:
        raise Failed("%s: rc %d: %s" % (cmd[0], p.returncode,
                     (p.stderr or p.stdout).decode(errors="replace")[-300:]))
    return el


def burrow(link, script, cwd, args):
    env = dict(os.environ, HOME=cwd, BURROW_PASSWORD=PASSWORD)
    url = "ftp://%s@%s:%d/" % (USER, FAR, link.port)
    return run([os.environ.get("BURROW", os.path.join(harness.BUILDDIR,
                "burrow")), "--batch"] + args + [url], cwd,
               stdin=script.encode(), env=env)


def lftp(link, script, cwd):
    env = dict(os.environ, HOME=cwd)
    pre = ("set cmd:fail-exit yes; set ftp:ssl-allow no; "
           "set net:max-retries 2; set net:reconnect-interval-base 1; "
           "set xfer:clobber yes; open -u %s,%s -p %d %s; "
           % (USER, PASSWORD, link.port, FAR))
    return run(["lftp", "-c", pre + script], cwd, env=env)


def same_tree(a, b):
    for root, _, files in os.walk(a):
        for n in files:
            p = os.path.join(root, n)
            q = os.path.join(b, os.path.relpath(p, a))
            with open(p, "rb") as f, open(q, "rb") as g:
                if f.read() != g.read():
                    raise Failed("%s differs" % q)


CASES = {
    "a": [("burrow (1)", "f200", "get", ["--parallel", "1"]),
          ("burrow (4)", "f200", "get", ["--parallel", "4"]),
          ("lftp mirror --parallel=1", "f200", "mirror", 1),
          ("lftp mirror --parallel=4", "f200", "mirror", 4)],
    "b": [("burrow (1)", "f1000", "get", ["--parallel", "1"]),
          ("burrow (4)", "f1000", "get", ["--parallel", "4"]),
          ("lftp mirror --parallel=1", "f1000", "mirror", 1),
          ("lftp mirror --parallel=4", "f1000", "mirror", 4)],
    "c": [("burrow (1)", "f200", "put", ["--parallel", "1"]),
          ("burrow (4)", "f200", "put", ["--parallel", "4"]),
          ("lftp mirror -R --parallel=1", "f200", "mirror -R", 1),
          ("lftp mirror -R --parallel=4", "f200", "mirror -R", 4)],
    "d": [("burrow (1)", "big", "get", ["--parallel", "1"]),
          ("burrow (4), in ranges", "big", "get", ["--parallel", "4"]),
          ("lftp get", "big", "lget", 1),
          ("lftp pget -n 4", "big", "pget", 4)],
}
TITLES = {"a": "(a) 200 x 16 KiB, download", "b": "(b) 1000 x 4 KiB, download",
          "c": "(c) 200 x 16 KiB, upload", "d": "(d) one big file, download"}


def one(link, case):
    label, name, verb, arg = case
    work = tempfile.mkdtemp(prefix="burrow-wan-")
    try:
        src = os.path.join(link.home, name)
        if verb == "put":
            up = "up%d" % os.getpid()
            shutil.copytree(src, os.path.join(work, up))
            el = burrow(link, "put %s\n" % up, work, arg)
            same_tree(os.path.join(work, up), os.path.join(link.home, up))
            shutil.rmtree(os.path.join(link.home, up))
            return el
        if verb == "mirror -R":
            up = "up%d" % os.getpid()
            shutil.copytree(src, os.path.join(work, up))
            el = lftp(link, "mirror -R --parallel=%d %s %s" % (arg, up, up),
                      work)
            same_tree(os.path.join(work, up), os.path.join(link.home, up))
            shutil.rmtree(os.path.join(link.home, up))
            return el
        if verb == "get":
            el = burrow(link, "get %s\n" % name, work, arg)
        elif verb == "mirror":
            el = lftp(link, "mirror --parallel=%d %s %s" % (arg, name, name),
                      work)
        elif verb == "lget":
            el = lftp(link, "get %s" % name, work)
        else:
            el = lftp(link, "pget -n %d %s" % (arg, name), work)
        dst = os.path.join(work, name)
        if os.path.isdir(src):
            same_tree(src, dst)
        elif os.path.getsize(dst) != os.path.getsize(src):
            raise Failed("%s: wrong size" % dst)
        return el
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--delay", type=float, default=0.020)
    ap.add_argument("--window", type=int, default=MIB)
    ap.add_argument("--big-mib", type=int, default=256)
    ap.add_argument("--only", default="abcd")
    a = ap.parse_args()
    print("wan: %s, %d CPUs, load %s; delay %.0f ms each way, window %d KiB,"
          " %d runs, medians" % (platform.node(), os.cpu_count(),
                                 " ".join("%.2f" % x for x in os.getloadavg()),
                                 a.delay * 1000, a.window >> 10, a.runs))
    link = Link(a.delay, a.window, a.big_mib if "d" in a.only else 1)
    try:
        for key in a.only:
            cases = CASES[key]
            times = {c[0]: [] for c in cases}
            errors = {}
            for _ in range(a.runs):
                for c in cases:    # round robin: a slow spell hits all
                    if c[0] in errors:
                        continue
                    try:
                        times[c[0]].append(one(link, c))
                    except (Failed, subprocess.TimeoutExpired) as e:
                        errors[c[0]] = str(e)
            print("\n" + TITLES[key] + (" (%d MiB)" % a.big_mib
                                        if key == "d" else ""))
            med = {k: statistics.median(v) for k, v in times.items() if v}
            for c in cases:
                k = c[0]
                if k in errors:
                    print("  %-30s failed: %s" % (k, errors[k]))
                    continue
                runs = " ".join("%.2f" % x for x in times[k])
                print("  %-30s %7.2f s   (%s)" % (k, med[k], runs))
            pairs = [(cases[0][0], cases[2][0]), (cases[1][0], cases[3][0])]
            if key == "d":
                pairs = [(cases[0][0], cases[2][0]),
                         (cases[1][0], cases[3][0]),
                         (cases[1][0], cases[0][0])]
            for b, l in pairs:
                if b in med and l in med:
                    print("  %-52s %7.2fx" % ("%s vs %s" % (b, l),
                                             med[l] / med[b]))
    finally:
        link.stop()


if __name__ == "__main__":
    main()
