#!/usr/bin/env python3
"""
delayproxy: a distant link on loopback, for the WAN benchmark (bench/wan.py).

Forwards TCP ports from LISTEN_ADDR to the same ports on TARGET_ADDR and
makes every connection behave as if the two were DELAY seconds apart each
way:

  - a new connection reaches the server 1.5 round trips after the client
    connected (the SYN, the SYN-ACK and the ACK of a real handshake), so a
    server's accept() and its first bytes happen when they would;
  - every chunk of data, either way, is delivered DELAY after it was read;
  - at most WINDOW bytes are in flight per connection and direction (a
    TCP window): one connection moves at most WINDOW / DELAY bytes a
    second, as on a real long link, so that several connections can be
    faster than one.

Ports: the FTP control port and the server's passive range (pasv_ports),
with the server's pasv_address set to LISTEN_ADDR; clients that use the
control connection's address for data (burrow, lftp, curl do) work with
any pasv_address.

    delayproxy.py --listen 127.0.0.2 --target 127.0.0.1 --delay 0.02 \\
        --ports 2121 --ports 30000-30099
"""
import argparse
import asyncio
import collections
import signal
import sys

CHUNK = 256 * 1024


class Pipe:
    """One direction of one connection: read, hold DELAY, write."""

    def __init__(self, delay, window):
        self.delay = delay
        self.window = window
        self.queue = collections.deque()     # (due, bytes or None at EOF)
        self.inflight = 0
        self.more = asyncio.Event()          # something queued
        self.room = asyncio.Event()          # inflight below window
        self.room.set()

    async def pump_in(self, reader):
        loop = asyncio.get_running_loop()
        try:
            while True:
                await self.room.wait()
                data = await reader.read(CHUNK)
                self.queue.append((loop.time() + self.delay, data or None))
                self.more.set()
                if not data:
                    return
                self.inflight += len(data)
                if self.inflight >= self.window:
                    self.room.clear()
        except (ConnectionError, OSError):
            self.queue.append((loop.time() + self.delay, None))
            self.more.set()

    async def pump_out(self, writer):
        loop = asyncio.get_running_loop()
        try:
            while True:
                while not self.queue:
                    self.more.clear()
                    await self.more.wait()
                due, data = self.queue[0]
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.queue.popleft()
                if data is None:
                    if writer.can_write_eof():
                        writer.write_eof()
                    await writer.drain()
                    return
                writer.write(data)
                await writer.drain()
                self.inflight -= len(data)
                if self.inflight < self.window:
                    self.room.set()
        except (ConnectionError, OSError):
            return


async def serve(cr, cw, target, port, delay, window):
    t0 = asyncio.get_running_loop().time()
    up = Pipe(delay, window)
    down = Pipe(delay, window)
    tin = asyncio.ensure_future(up.pump_in(cr))
    try:
        # The handshake: the server sees the connection 1.5 round trips on.
        await asyncio.sleep(max(0.0, t0 + 3 * delay -
                                asyncio.get_running_loop().time()))
        sr, sw = await asyncio.open_connection(target, port)
    except OSError:
        tin.cancel()
        cw.close()
        return
    tasks = [tin, asyncio.ensure_future(up.pump_out(sw)),
             asyncio.ensure_future(down.pump_in(sr)),
             asyncio.ensure_future(down.pump_out(cw))]
    try:
        await asyncio.gather(*tasks, return_exceptions=True)
    except asyncio.CancelledError:
        pass
    for w in (sw, cw):
        try:
            w.close()
        except OSError:
            pass


def port_list(specs):
    out = []
    for s in specs:
        lo, _, hi = s.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


async def main(a):
    servers = []
    for p in port_list(a.ports):
        servers.append(await asyncio.start_server(
            lambda r, w, p=p: serve(r, w, a.target, p, a.delay, a.window),
            a.listen, p, reuse_address=True, backlog=64))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Connections cut at exit are no news.
    loop.set_exception_handler(lambda loop, ctx: None)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", default="127.0.0.2")
    ap.add_argument("--target", default="127.0.0.1")
    ap.add_argument("--delay", type=float, default=0.020,
                    help="seconds each way (default 0.020)")
    ap.add_argument("--window", type=int, default=1 << 20,
                    help="bytes in flight per connection and direction "
                    "(default 1 MiB)")
    ap.add_argument("--ports", action="append", required=True,
                    help="a port or a range LOW-HIGH (repeatable)")
    try:
        asyncio.run(main(ap.parse_args()))
    except KeyboardInterrupt:
        sys.exit(0)
