"""e2e_cluster: two burrowd nodes on one shared home folder behind a real
HAProxy (haproxy -db) that sends PROXY v2 on the control port and routes
each node's passive range to it: logins, listings, uploads and downloads
through the balancer with ftplib and curl, and with lftp, curl and
burrow --batch over FTP and FTPS alike, the clients' real address in
the nodes' logs, health checks (v2 LOCAL), and a header from an untrusted
address refused. Skips if haproxy is not installed.

Most cases share a users file between the nodes; the last ones run both on
the PostgreSQL backend (a real PostgreSQL from tests/pg.py, skipped if it
is not installed): a user added with burrow-passwd logs in through the
balancer on either node at once, a password change applies on both, two
sessions of one user landing on the two nodes race uploads past the quota
(the total stays within it and the recorded usage equals the disk), and
max_sessions_per_user counts both nodes' sessions; a node killed with
SIGKILL in the middle of an upload: the client reconnects through the
balancer to the other node and resumes, and the dead node's reservation
and session come back when their lease expires."""
import ftplib
import io
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Server, test, run, wait_until,  # noqa: E402
                     PASSWD, RawClient, raw_upload, BUILDDIR)
import pg as pgmod  # noqa: E402

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
        # Below the ephemeral range: the nodes' own connections (to
        # PostgreSQL, say) cannot take the port before HAProxy binds it.
        self.port = free_range(1)
        self.nodes = []
        home = None
        for _ in range(10):
            base = free_range()
            if not base <= self.port < base + 100:
                break
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

    def ftp(self, password="pw"):
        f = ftplib.FTP(source_address=(CLIENT, 0))
        f.connect("127.0.0.1", self.port, timeout=10)
        f.login("harry", password)
        return f

    def raw(self):
        """A RawClient through the balancer, greeting read."""
        c = RawClient(self.port, source=CLIENT)
        c.expect(None, 220)
        return c

    def wait_both_up(self):
        """Both nodes in service, or HAProxy sends all to one."""
        for srv in self.nodes:
            assert wait_until(lambda: "PROXY LOCAL" in srv.log(), 10)


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
def every_client_over_ftp_and_ftps_through_the_balancer():
    """lftp, curl and burrow --batch through HAProxy, over FTP and over
    FTPS (explicit TLS, protected data): folders made, files sent and
    fetched, renamed, listed; each result checked on the shared home.
    Their several connections go round robin to both nodes."""
    with Cluster(tls={}) as cl:
        cl.wait_both_up()
        h = os.path.join(cl.home, "harry")
        work = tempfile.mkdtemp(prefix="burrow-cluster-")
        data = os.urandom(300000)
        with open(os.path.join(work, "up.bin"), "wb") as f:
            f.write(data)

        def same(path):
            with open(path, "rb") as f:
                return f.read() == data

        def call(cmd, env=None):
            p = subprocess.run(cmd, cwd=work, capture_output=True,
                               timeout=60, env=env, stdin=subprocess.DEVNULL)
            assert p.returncode == 0, (cmd, p)
            return p.stdout.decode(errors="replace")
        try:
            for tls in (False, True):
                t = "s" if tls else "p"
                # lftp
                call(["lftp", "-c",
                      "set net:max-retries 1; set net:timeout 10; "
                      "set cmd:fail-exit yes; set xfer:clobber yes; "
                      "set net:socket-bind-ipv4 %s; %s"
                      "open -u harry,pw ftp://127.0.0.1:%d; mkdir l%s; "
                      "put up.bin -o l%s/up.bin; get l%s/up.bin -o "
                      "back-l%s.bin; mv l%s/up.bin l%s/moved.bin; ls l%s" % (
                          CLIENT, "set ftp:ssl-force yes; "
                          "set ftp:ssl-protect-data yes; "
                          "set ssl:verify-certificate no; " if tls else
                          "set ftp:ssl-allow no; ", cl.port,
                          t, t, t, t, t, t, t)])
                assert same(os.path.join(h, "l" + t, "moved.bin"))
                assert same(os.path.join(work, "back-l%s.bin" % t))
                # curl
                base = "ftp://harry:pw@127.0.0.1:%d/" % cl.port
                tlsargs = ["--ssl-reqd", "-k"] if tls else []
                call(["curl", "-sS", "--max-time", "30", "--interface",
                      CLIENT, "--ftp-create-dirs", "-T", "up.bin",
                      base + "c%s/up.bin" % t] + tlsargs)
                call(["curl", "-sS", "--max-time", "30", "--interface",
                      CLIENT, "-o", "back-c%s.bin" % t,
                      base + "c%s/up.bin" % t] + tlsargs)
                listing = call(["curl", "-sS", "--max-time", "30",
                                "--interface", CLIENT, "-l",
                                base + "c%s/" % t] + tlsargs)
                assert "up.bin" in listing, listing
                assert same(os.path.join(h, "c" + t, "up.bin"))
                assert same(os.path.join(work, "back-c%s.bin" % t))
                # burrow --batch (a certificate seen first is pinned:
                # both nodes have the same)
                p = subprocess.run(
                    [os.path.join(BUILDDIR, "burrow"), "--batch",
                     "%s://harry@127.0.0.1:%d/" % ("ftps" if tls else "ftp",
                                                    cl.port)],
                    cwd=work, capture_output=True, timeout=60,
                    env=dict(os.environ, HOME=work, BURROW_PASSWORD="pw"),
                    input=("mkdir b%s\nput up.bin b%s/up.bin\nget b%s/up.bin "
                           "back-b%s.bin\nrename b%s/up.bin b%s/moved.bin\n"
                           "ls b%s\n" % ((t,) * 7)).encode())
                out = p.stdout.decode(errors="replace")
                assert p.returncode == 0, p
                assert out.count("verified by SHA-256") == 2, out
                assert "moved.bin" in out, out
                assert same(os.path.join(h, "b" + t, "moved.bin"))
                assert same(os.path.join(work, "back-b%s.bin" % t))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for srv in cl.nodes:
            log = srv.log()
            assert "login harry" in log, log
            assert "TLS on the control connection" in log, log


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


_pg = None


def database():
    """A fresh database with the tables on this run's PostgreSQL."""
    global _pg
    if pgmod.bindir() is None or pgmod.psql_path() is None:
        return None
    if _pg is None:
        _pg = pgmod.Postgres().start()
    return _pg, _pg.new_database()


def pg_cluster(lease=5, **conf):
    """A Cluster on the PostgreSQL backend, or None without PostgreSQL."""
    got = database()
    if got is None:
        print("# PostgreSQL is not installed: skipped")
        return None
    pg, db = got
    conf.update({"users_backend": "postgresql",
                 "postgresql": {"conninfo": pg.conninfo(db),
                                "lease": lease}})
    cl = Cluster(**conf)
    cl.pg, cl.db = pg, db
    burrow_passwd(cl, "init-db")
    return cl


def burrow_passwd(cl, *args, password=None):
    out = subprocess.run(
        [PASSWD, "-c", cl.nodes[0].conf_path] + list(args) +
        (["--stdin"] if password is not None else []),
        input=(password + "\n").encode() if password is not None else None,
        capture_output=True, timeout=30,
        env=dict(os.environ, BURROW_PBKDF2_ITERATIONS="1000"))
    assert out.returncode == 0, (args, out)
    return out


@test
def postgresql_accounts_through_the_balancer():
    cl = pg_cluster()
    if cl is None:
        return
    with cl:
        cl.wait_both_up()
        burrow_passwd(cl, "add", "harry", password="pw")
        # At once, no signal: round robin lands on both nodes.
        for _ in range(4):
            cl.ftp().quit()
        for srv in cl.nodes:
            assert "%s: login harry" % CLIENT in srv.log(), srv.log()
        burrow_passwd(cl, "passwd", "harry", password="new")
        for _ in range(4):
            try:
                cl.ftp("pw")
                raise AssertionError("the old password still works")
            except ftplib.error_perm as e:
                assert str(e).startswith("530"), e
            cl.ftp("new").quit()


@test
def postgresql_quota_race_through_the_balancer():
    cl = pg_cluster()
    if cl is None:
        return
    quota = 2 << 20
    data = os.urandom(1536 * 1024)
    with cl:
        cl.wait_both_up()
        burrow_passwd(cl, "add", "harry", "--quota", str(quota),
                      password="pw")
        cs = []
        for i in range(2):
            c = cl.raw()
            c.login("harry", "pw")
            c.expect("TYPE I", 200)
            cs.append(c)
        # Round robin: one session on each node.
        for srv in cl.nodes:
            assert "%s: login harry" % CLIENT in srv.log()
        replies = {}

        def up(c, name):
            replies[name] = raw_upload(c, "STOR", name, data, chunk=16384,
                                       pause=0.001)
        ts = [threading.Thread(target=up, args=(c, "f%d" % i))
              for i, c in enumerate(cs)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        assert not any(t.is_alive() for t in ts)
        assert "552" in [r[:3] for r in replies.values()], replies
        home = os.path.join(cl.home, "harry")
        total = sum(os.path.getsize(os.path.join(home, f))
                    for f in os.listdir(home))
        assert quota - 512 * 1024 < total <= quota, (total, replies)
        assert wait_until(lambda: cl.pg.sql(
            cl.db, "SELECT used FROM burrow_usage WHERE name = 'harry'")
            == str(total), 5)
        for c in cs:
            c.close()


@test
def postgresql_max_sessions_per_user_across_the_balancer():
    cl = pg_cluster(max_sessions_per_user=2)
    if cl is None:
        return
    with cl:
        cl.wait_both_up()
        burrow_passwd(cl, "add", "harry", password="pw")
        fs = [cl.ftp(), cl.ftp()]
        for srv in cl.nodes:        # one on each node
            assert "%s: login harry" % CLIENT in srv.log()
        for _ in range(2):          # whichever node it lands on
            try:
                cl.ftp()
                raise AssertionError("a third session was let in")
            except ftplib.error_temp as e:
                assert str(e).startswith("421 Too many sessions"), e
        fs[0].quit()
        assert wait_until(lambda: cl.pg.sql(
            cl.db, "SELECT count(*) FROM burrow_sessions") == "1", 5)
        fs.append(cl.ftp())
        for f in fs[1:]:
            f.quit()


@test
def postgresql_node_killed_mid_upload_client_resumes_on_the_other():
    cl = pg_cluster(lease=3)
    if cl is None:
        return
    data = os.urandom(1 << 20)
    with cl:
        cl.wait_both_up()
        burrow_passwd(cl, "add", "harry", "--quota", "10M", password="pw")
        home = os.path.join(cl.home, "harry")
        part = os.path.join(home, "part")
        c = cl.raw()
        c.login("harry", "pw")
        c.expect("TYPE I", 200)
        dead = [srv for srv in cl.nodes
                if "%s: login harry" % CLIENT in srv.log()][0]
        live = [srv for srv in cl.nodes if srv is not dead][0]
        d = c.pasv_data()
        assert c.cmd("STOR part").startswith(("125", "150"))
        d.sendall(data[:600000])
        assert wait_until(lambda: os.path.exists(part) and
                          os.path.getsize(part) == 600000, 10)
        time.sleep(1.2)     # a heartbeat: the lease says what it holds
        dead.proc.send_signal(signal.SIGKILL)
        dead.proc.wait(10)
        dead.proc = None
        dead.logf.close()
        d.close()
        c.close()

        # The client comes back through the balancer, which now sends it
        # to the node left, and resumes where the file ends.
        def again():
            try:
                f = cl.ftp()
            except (OSError, EOFError, ftplib.Error):
                return None
            return f
        f = wait_until(again, 20, 0.3)
        assert f, "no login through the balancer after the node died"
        assert "%s: login harry" % CLIENT in live.log()
        have = f.size("part")
        assert have == 600000, have
        f.voidcmd("TYPE I")
        f.storbinary("STOR part", io.BytesIO(data[have:]), rest=have)
        with open(part, "rb") as fp:
            assert fp.read() == data
        f.quit()
        # The dead node's reservation came back with its lease (at most
        # 3 s after its last renewal; the bound is for a busy machine).
        assert wait_until(lambda: cl.pg.sql(
            cl.db, "SELECT used FROM burrow_usage WHERE name = 'harry'")
            == str(len(data)), 30, 0.3), (
            len(data), cl.pg.sql(cl.db, "SELECT used FROM burrow_usage"),
            cl.pg.sql(cl.db, "SELECT id, reserved, expires, now() FROM "
                      "burrow_leases"), live.log()[-3000:])
        assert wait_until(lambda: cl.pg.sql(
            cl.db, "SELECT count(*) FROM burrow_leases") == "0", 5)
        assert wait_until(lambda: cl.pg.sql(
            cl.db, "SELECT count(*) FROM burrow_sessions") == "0", 10)


skip_without_haproxy()
try:
    run()
finally:
    if _pg is not None:
        _pg.__exit__(None, None, None)
