"""e2e_proxy: the PROXY protocol on the control port (proxy_protocol):
a trusted balancer's v1 and v2 headers, LOCAL, a malformed or missing
header, a header from an untrusted address, max_per_ip on the client's
address, and passive data through the balancer with and without
proxy_protocol.data."""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, test, run, read_reply, wait_until  # noqa: E402

BALANCER = "127.0.0.10"
SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(src, sport=40000, dst="127.0.0.1", dport=21):
    return ("PROXY TCP4 %s %s %d %d\r\n" % (src, dst, sport, dport)).encode()


def v2(src, sport=40000, dst="127.0.0.1", dport=21, local=False):
    addrs = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!HH", sport, dport)
    return SIG + bytes([0x20 if local else 0x21, 0x11]) + \
        struct.pack("!H", len(addrs)) + addrs


class Conn:
    def __init__(self, port, source):
        self.sock = socket.create_connection(("127.0.0.1", port), 10,
                                             source_address=(source, 0))
        self.file = self.sock.makefile("rb")

    def send(self, b):
        self.sock.sendall(b)

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\r\n")
        return read_reply(self.file)

    def reply(self):
        return read_reply(self.file)

    def close(self):
        self.file.close()
        self.sock.close()


def proxied_server(**conf):
    c = {"proxy_protocol": {"trusted": [BALANCER, "10.9.0.0/16"],
                            "timeout": 2}, "max_per_ip": 0}
    c.update(conf)
    return Server(users={"harry": "pw"}, **c)


def pasv_port(r):
    nums = r[r.index("(") + 1:r.index(")")].split(",")
    return int(nums[4]) * 256 + int(nums[5])


@test
def v1_header_gives_the_client_address():
    with proxied_server() as srv:
        c = Conn(srv.port, BALANCER)
        c.send(v1("127.0.0.7"))
        assert c.reply().startswith("220")
        assert c.cmd("USER harry").startswith("331")
        assert c.cmd("PASS pw").startswith("230")
        # PORT to the client's address is allowed, to the balancer's not.
        assert c.cmd("PORT 127,0,0,7,200,1").startswith("200")
        assert c.cmd("PORT 127,0,0,10,200,1").startswith("501")
        c.cmd("QUIT")
        c.close()
        assert wait_until(lambda: "client 127.0.0.7 (PROXY v1)" in srv.log())
        assert "127.0.0.7: login harry" in srv.log()


@test
def v2_header_with_commands_in_the_same_packet():
    with proxied_server() as srv:
        c = Conn(srv.port, BALANCER)
        # What follows the header stays for the FTP layer.
        c.send(v2("127.0.0.8") + b"USER harry\r\n")
        assert c.reply().startswith("220")
        assert c.reply().startswith("331")
        assert c.cmd("PASS pw").startswith("230")
        c.close()
        assert wait_until(lambda: "client 127.0.0.8 (PROXY v2)" in srv.log())


@test
def header_sent_a_byte_at_a_time():
    with proxied_server() as srv:
        c = Conn(srv.port, BALANCER)
        for b in v2("127.0.0.9"):
            c.send(bytes([b]))
            time.sleep(0.005)
        assert c.reply().startswith("220")
        c.close()


@test
def v2_local_keeps_the_balancer_address():
    with proxied_server() as srv:
        c = Conn(srv.port, BALANCER)
        c.send(v2("0.0.0.0", local=True))
        assert c.reply().startswith("220")
        assert c.cmd("QUIT").startswith("221")
        c.close()
        assert wait_until(lambda: "PROXY LOCAL" in srv.log())


@test
def malformed_header_refused():
    with proxied_server() as srv:
        c = Conn(srv.port, BALANCER)
        c.send(b"PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n")
        try:
            assert c.reply() == ""     # closed, no 220
        except ConnectionResetError:
            pass                       # closed with the line unread
        c.close()
        assert wait_until(lambda: "malformed PROXY header" in srv.log())


@test
def missing_header_refused_after_the_timeout():
    with proxied_server() as srv:
        c = Conn(srv.port, BALANCER)
        t = time.monotonic()
        assert c.reply() == ""    # no 220 before a header
        assert 1.5 < time.monotonic() - t < 8
        c.close()
        assert wait_until(lambda: "no PROXY header within 2" in srv.log())


@test
def header_from_untrusted_address_refused():
    with proxied_server() as srv:
        c = Conn(srv.port, "127.0.0.1")
        assert c.reply().startswith("220")
        c.send(v1("10.1.2.3"))
        assert c.reply().startswith("421")
        assert c.reply() == ""
        c.close()
        assert wait_until(lambda: "not in proxy_protocol.trusted" in
                          srv.log())


@test
def max_per_ip_counts_the_client():
    with proxied_server(max_per_ip=1) as srv:
        a = Conn(srv.port, BALANCER)
        a.send(v1("127.0.0.21"))
        assert a.reply().startswith("220")
        b = Conn(srv.port, BALANCER)
        b.send(v1("127.0.0.22"))
        assert b.reply().startswith("220")
        c = Conn(srv.port, BALANCER)
        c.send(v1("127.0.0.21"))
        assert c.reply().startswith("421")
        for x in (a, b, c):
            x.close()


def login_through(srv, client):
    c = Conn(srv.port, BALANCER)
    c.send(v2(client))
    assert c.reply().startswith("220")
    assert c.cmd("USER harry").startswith("331")
    assert c.cmd("PASS pw").startswith("230")
    return c


def fetch(c, port, source, header=b""):
    open_ = socket.create_connection(("127.0.0.1", port), 10,
                                     source_address=(source, 0))
    if header:
        open_.sendall(header)
    r = c.cmd("LIST")
    data = b""
    if r.startswith("150"):
        while True:
            chunk = open_.recv(65536)
            if not chunk:
                break
            data += chunk
        r = c.reply()
    open_.close()
    return r, data


@test
def passive_data_through_the_balancer():
    with proxied_server() as srv:
        with open(os.path.join(srv.home("harry"), "f"), "w") as f:
            f.write("x")
        c = login_through(srv, "127.0.0.31")
        r, data = fetch(c, pasv_port(c.cmd("PASV")), BALANCER)
        assert r.startswith("226") and b" f" in data, (r, data)
        # Straight from the client's address too.
        r, data = fetch(c, pasv_port(c.cmd("PASV")), "127.0.0.31")
        assert r.startswith("226"), r
        c.close()


@test
def passive_data_with_proxy_headers():
    with proxied_server(proxy_protocol={"trusted": [BALANCER],
                                        "timeout": 2, "data": True},
                        data_timeout=2) as srv:
        with open(os.path.join(srv.home("harry"), "f"), "w") as f:
            f.write("x")
        c = login_through(srv, "127.0.0.32")
        port = pasv_port(c.cmd("PASV"))
        r, data = fetch(c, port, BALANCER, v2("127.0.0.32", dport=port))
        assert r.startswith("226") and b" f" in data, (r, data)
        # A header naming another client is refused.
        port = pasv_port(c.cmd("PASV"))
        r, data = fetch(c, port, BALANCER, v2("127.0.0.33", dport=port))
        assert r.startswith("425"), r
        c.close()
        assert "names another client" in srv.log()


run()
