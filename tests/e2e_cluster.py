"""e2e_cluster: two burrowd nodes on one shared home folder behind a real
HAProxy (haproxy -db) that sends PROXY v2 on the control port and routes
each node's passive range to it: logins, listings, uploads and downloads
through the balancer with ftplib and curl, the clients' real address in
the nodes' logs, health checks (v2 LOCAL), and a header from an untrusted
address refused. Skips if haproxy is not installed.

The PostgreSQL parts of issue 14 (shared users, quotas, sessions) are not
implemented yet, so both nodes read the same users file here."""
import ftplib
import io
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, test, run, free_port, wait_until  # noqa: E402

HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
BALANCER = "127.0.0.10"      # the address HAProxy connects to nodes from
CLIENT = "127.0.0.5"         # the clients' address
NODES = ("127.0.0.2", "127.0.0.3")


def free_range(n=100, tries=50):
    """A run of n ports free on 127.0.0.1 now (bounded tries)."""
    for _ in range(tries):
        low = random.randrange(20000, 32000, 100)
        socks = []
        try:
            for p in range(low, low + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return low
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free range of %d ports" % n)


class Cluster:
    def __init__(self, **conf):
        self.port = free_port()
        self.nodes = []
        home = None
        base = free_range()
        for i, addr in enumerate(NODES):
            low = base + i * 50
            c = {"listen": addr, "port": self.port,
                 "pasv_ports": [low, low + 49], "pasv_address": "127.0.0.1",
                 "proxy_protocol": {"trusted": [BALANCER]}, "max_per_ip": 2}
            c.update(conf)
            if home is not None:
                c["home_root"] = home
            srv = Server(users={"harry": "pw"}, **c)
            srv.port = self.port     # both nodes on one port, two addresses
            home = home or srv.home_root
            self.nodes.append(srv)
        self.home = home
        self.dir = tempfile.mkdtemp(prefix="burrow-haproxy-")
        lines = ["global", "  maxconn 256", "defaults", "  mode tcp",
                 "  timeout connect 5s", "  timeout client 30s",
                 "  timeout server 30s",
                 "frontend ctl", "  bind 127.0.0.1:%d" % self.port,
                 "  default_backend nodes", "backend nodes",
                 "  balance roundrobin"]
        for i, srv in enumerate(self.nodes):
            lines.append("  server n%d %s:%d send-proxy-v2 source %s check "
                         "check-send-proxy inter 500ms" % (
                             i, NODES[i], self.port, BALANCER))
        for i, srv in enumerate(self.nodes):
            lo, hi = srv.conf["pasv_ports"]
            lines += ["frontend pasv%d" % i,
                      "  bind 127.0.0.1:%d-%d" % (lo, hi),
                      "  default_backend pasv%d" % i,
                      "backend pasv%d" % i,
                      "  server n%d %s source %s" % (i, NODES[i], BALANCER)]
        self.cfg = os.path.join(self.dir, "haproxy.cfg")
        with open(self.cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def __enter__(self):
        for srv in self.nodes:
            srv.start()
        self.logf = open(os.path.join(self.dir, "haproxy.log"), "wb")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", self.cfg],
                                     stdout=self.logf, stderr=self.logf)

        def up():
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2,
                                         source_address=(CLIENT, 0)).close()
                return True
            except OSError:
                return False
        if not wait_until(up, 10):
            self.logf.flush()
            with open(os.path.join(self.dir, "haproxy.log"), "rb") as f:
                raise AssertionError("haproxy did not start: %s" % f.read())
        return self

    def __exit__(self, *exc):
        try:
            if self.proc is not None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            self.logf.close()
        finally:
            for srv in self.nodes:
                srv.__exit__(*exc)
            shutil.rmtree(self.dir, ignore_errors=True)

    def ftp(self):
        f = ftplib.FTP(source_address=(CLIENT, 0))
        f.connect("127.0.0.1", self.port, timeout=10)
        f.login("harry", "pw")
        return f


def skip_without_haproxy():
    if HAPROXY is None:
        print("1..0 # SKIP haproxy is not installed "
              "(apt-get install haproxy)")
        sys.exit(0)


@test
def ftplib_through_the_balancer_reaches_both_nodes():
    with Cluster() as cl:
        data = os.urandom(200000)
        for i in range(4):    # round robin: two sessions on each node
            f = cl.ftp()
            f.storbinary("STOR f%d" % i, io.BytesIO(data))
            out = io.BytesIO()
            f.retrbinary("RETR f%d" % i, out.write)
            assert out.getvalue() == data
            assert "f0" in f.nlst()
            f.quit()
        for srv in cl.nodes:
            assert wait_until(lambda: "%s: login harry" % CLIENT in
                              srv.log()), srv.log()
        assert sorted(os.listdir(os.path.join(cl.home, "harry"))) == \
            ["f0", "f1", "f2", "f3"]


@test
def curl_through_the_balancer():
    with Cluster() as cl:
        with open(os.path.join(cl.home, "harry", "hello"), "w") as f:
            f.write("hello\n")
        for _ in range(2):
            out = subprocess.run(
                ["curl", "-sS", "--max-time", "20", "--interface", CLIENT,
                 "ftp://harry:pw@127.0.0.1:%d/hello" % cl.port],
                capture_output=True, timeout=30)
            assert out.returncode == 0 and out.stdout == b"hello\n", out


@test
def health_checks_are_local():
    with Cluster() as cl:
        for srv in cl.nodes:
            assert wait_until(lambda: "PROXY LOCAL" in srv.log(), 10)


@test
def max_per_ip_counts_the_client_across_the_balancer():
    with Cluster(max_per_ip=1) as cl:
        # Both nodes in service first, or HAProxy sends all to one.
        for srv in cl.nodes:
            assert wait_until(lambda: "PROXY LOCAL" in srv.log(), 10)
        # One client, three sessions, two nodes, one session a node per
        # address: at most two can be served, and the rest get 421 (the
        # balancer's own address is never what is counted).
        ok, refused = [], 0
        for _ in range(3):
            try:
                ok.append(cl.ftp())
            except ftplib.error_temp as e:
                assert str(e).startswith("421"), e
                refused += 1
        assert 1 <= len(ok) <= 2 and refused >= 1, (len(ok), refused)
        for f in ok:
            f.quit()


@test
def untrusted_header_refused():
    with Cluster() as cl:
        srv = cl.nodes[0]
        s = socket.create_connection((NODES[0], srv.port), 5,
                                     source_address=(CLIENT, 0))
        fl = s.makefile("rb")
        assert fl.readline().startswith(b"220")
        s.sendall(b"PROXY TCP4 10.1.1.1 10.2.2.2 1 2\r\n")
        assert fl.readline().startswith(b"421")
        s.close()


skip_without_haproxy()
run()
