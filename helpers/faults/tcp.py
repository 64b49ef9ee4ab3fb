"""A fault-injecting TCP proxy, the small cousin of Toxiproxy: clients connect to it, it connects to the
target and relays the bytes both ways, adding latency, a bandwidth cap, stalls, resets, tiny segments and
corrupted bytes as its settings say, while traffic flows.

Why asyncio rather than threads: every connection of every proxy shares one event loop in one background
thread, a chunk waiting out its latency is a timer (not a sleeping thread), and stop() closes every socket
from one place. With no fault set, a chunk is written on as soon as it is read (one hop, no queue); with
faults, each direction keeps a queue of chunks stamped with their arrival time, and a sender task sends
each at arrival + latency (never before the chunk in front of it, so the stream is never reordered),
paced by a token bucket. When a queue or the receiver's buffer is full the proxy stops reading, so TCP's
own flow control slows the sender down.
"""
import asyncio
import random
import socket
import struct
import time
from collections import deque

from helpers.core.ports import HOST
from helpers.faults.loop import LoopService
from helpers.faults.settings import Faults, FaultStats, TwoWays

QUEUE = 16  # chunks waiting per direction before the proxy stops reading (TCP's own back-pressure does the rest)
KEEP = 65536  # bytes of each direction the proxy keeps for captured()
CONNECT_S = 5.0  # longest wait for the target to accept
TICK = 0.02  # seconds between two looks at a stall that may have been lifted
UP, DOWN = "up", "down"  # client -> target, target -> client


def address_of(target):
    """(host, port) of a service, an address tuple, or a 'tcp://host:port' endpoint."""
    if isinstance(target, str):
        host, _, port = target.removeprefix("tcp://").rpartition(":")
        return host, int(port)
    if isinstance(target, (tuple, list)):
        return tuple(target[:2])
    return tuple(target.address[:2])


def reset_socket(transport):
    """Make closing this connection send RST instead of FIN (SO_LINGER on, 0 seconds): the peer's next call fails."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass


def corrupt(chunk, rate, rng):
    """Flip one bit in about `rate` of the bytes; returns (bytes, how many were changed)."""
    data, changed = bytearray(chunk), 0
    i = int(rng.expovariate(rate)) if rate else len(data)
    while i < len(data):
        data[i] ^= 1 << rng.randrange(8)
        changed += 1
        i += 1 + int(rng.expovariate(rate))
    return bytes(data), changed


def quiet(now):
    """True when no fault is set that would change, delay or hold a chunk."""
    return not (now.latency_ms or now.jitter_ms or now.bandwidth_kb_s or now.split_bytes or now.corrupt_rate
                or now.stall or now.reset_after is not None)


class Bucket:
    """A token bucket: waiting for n bytes lets them through at `rate` bytes/s on average, with a small burst."""

    def __init__(self):
        self.tokens, self.at = 0.0, time.monotonic()

    async def take(self, n, rate):
        """Wait until n bytes may go at `rate` bytes/s (0 means no cap)."""
        if not rate:
            return
        burst = max(rate * 0.05, 1.0)  # up to 50 ms of sending at once: a wake-up that comes late catches up
        now = time.monotonic()
        self.tokens = min(burst, self.tokens + (now - self.at) * rate) - n
        self.at = now
        if self.tokens < 0:
            await asyncio.sleep(-self.tokens / rate)


class Side(asyncio.Protocol):
    """One of a connection's two sockets: what it receives feeds `pipe`; `writable` is clear while its buffer is full."""

    def __init__(self, conn):
        self.conn, self.transport, self.pipe, self.feeds = conn, None, None, None
        self.writable = asyncio.Event()  # set once connected (a chunk for a side not yet connected waits for it)

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")  # small pieces must leave as small segments, at once
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.writable.set()

    def data_received(self, data):
        self.pipe.feed(data)

    def eof_received(self):
        self.pipe.feed_eof()
        return True  # keep the other half open: the answer may still be on its way

    def pause_writing(self):
        self.writable.clear()
        self.feeds.throttle()

    def resume_writing(self):
        self.writable.set()
        self.feeds.throttle()

    def connection_lost(self, exc):
        self.conn.lost(exc)


def write(side, data):
    """Write unless that socket is already closing (asyncio warns on stderr after a few such writes)."""
    if side.transport is not None and not side.transport.is_closing():
        side.transport.write(data)


class Pipe:
    """One direction of one connection: chunks from src go to dst, straight on or through the fault queue."""

    def __init__(self, proxy, conn, src, dst, faults, direction):
        self.proxy, self.conn, self.src, self.dst, self.faults, self.direction = proxy, conn, src, dst, faults, direction
        src.pipe, dst.feeds = self, self
        self.queue, self.task, self.reading, self.done = deque(), None, True, False
        self.due, self.sent, self.bucket = 0.0, 0, Bucket()

    def feed(self, chunk):
        """A chunk arrived from src."""
        self.proxy.stats.relayed(self.direction == UP, len(chunk))
        now = self.faults.now()
        if now.record:
            self.proxy._keep(self.direction, chunk)
        if self.task is None and quiet(now) and self.dst.writable.is_set():  # nothing in the way: straight on
            write(self.dst, chunk)
            self.sent += len(chunk)
            return
        self.queue.append((time.monotonic(), chunk))
        self.throttle()
        if self.task is None:
            self.task = asyncio.ensure_future(self._send())
            self.conn.tasks.add(self.task)

    def feed_eof(self):
        """src closed its sending side: pass the half-close on after what is queued."""
        if self.task is None:
            self._eof()
        else:
            self.queue.append((None, b""))

    def throttle(self):
        """Read from src only while the queue is short and dst's buffer has room."""
        should = len(self.queue) < QUEUE and self.dst.writable.is_set()
        if should != self.reading and self.src.transport is not None and not self.src.transport.is_closing():
            (self.src.transport.resume_reading if should else self.src.transport.pause_reading)()
            self.reading = should

    def _eof(self):
        transport = self.dst.transport
        if transport is not None and not transport.is_closing() and transport.can_write_eof():
            transport.write_eof()
        self.done = True
        self.conn.pipe_done()

    async def _send(self):
        try:
            while self.queue:
                arrived, chunk = self.queue.popleft()
                self.throttle()
                if arrived is None:
                    return self._eof()
                await self._one(arrived, chunk)
        except ConnectionError:
            self.conn.abort()
        finally:
            self.conn.tasks.discard(self.task)
            self.task = None

    async def _one(self, arrived, chunk):
        """Delay, hold, reset, corrupt and split one chunk, as the faults say now."""
        faults, stats, now = self.faults, self.proxy.stats, self.faults.now()
        delay = max(0.0, now.latency_ms + self.proxy.rng.uniform(-now.jitter_ms, now.jitter_ms)) / 1000
        self.due = max(self.due, arrived + delay)  # never before the chunk in front: the stream keeps its order
        if self.due > time.monotonic():
            stats.add(delayed=1)
            await asyncio.sleep(self.due - time.monotonic())
        if faults.stall:  # a blackhole: hold everything until the stall is lifted
            stats.add(stalled=1)
            while faults.stall:
                await asyncio.sleep(TICK)
        now = faults.now()
        if now.reset_after is not None and self.sent + len(chunk) > now.reset_after and faults.take_reset():
            await self._write(chunk[:max(0, now.reset_after - self.sent)], now)
            stats.add(resets=1)
            self.conn.reset()
            raise ConnectionResetError(f"reset by the proxy after {now.reset_after} bytes {self.direction}")
        if now.corrupt_rate:
            chunk, changed = corrupt(chunk, now.corrupt_rate, self.proxy.rng)
            stats.add(corrupted=changed)
        await self._write(chunk, now)
        self.sent += len(chunk)

    async def _write(self, chunk, now):
        """Send chunk in pieces of split_bytes (if set), each let through by the bucket and dst's buffer."""
        rate = now.bandwidth_kb_s * 1000
        size = now.split_bytes or (max(1024, int(rate * 0.01)) if rate else len(chunk) or 1)
        for start in range(0, len(chunk), size):
            piece = chunk[start:start + size]
            await self.bucket.take(len(piece), rate)
            await self.dst.writable.wait()
            if now.split_bytes:
                self.proxy.stats.add(pieces=1)
            write(self.dst, piece)
            if now.split_bytes and now.split_gap_ms:
                await asyncio.sleep(now.split_gap_ms / 1000)  # each piece its own segment, and its own recv()


class Connection:
    """One client's two sockets (to the client, to the target), the two pipes between them, and their tasks."""

    def __init__(self, proxy):
        self.proxy, self.client, self.server = proxy, Side(self), Side(self)
        self.pipes, self.tasks, self.ended = [], set(), False

    def sides(self):
        return [s for s in (self.client, self.server) if s.transport is not None]

    def accepted(self):
        """Called with the client's socket ready: connect to the target, then start relaying."""
        self.client.transport.pause_reading()  # nothing to relay to yet
        self.pipes = [Pipe(self.proxy, self, self.client, self.server, self.proxy.up, UP),
                      Pipe(self.proxy, self, self.server, self.client, self.proxy.down, DOWN)]
        task = asyncio.ensure_future(self._connect())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _connect(self):
        address = address_of(self.proxy.target)
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.create_connection(lambda: self.server, *address), CONNECT_S)
        except (OSError, asyncio.TimeoutError):
            self.proxy.stats.add(errors=1)  # nothing answers at the target: the client's connection is closed
            return self.close()
        if self.ended:
            return self.server.transport.abort()
        self.client.transport.resume_reading()

    def pipe_done(self):
        if all(p.done for p in self.pipes):
            self.close()

    def lost(self, exc):
        if exc is not None and not self.ended:
            self.proxy.stats.add(lost=1)  # a vanished or reset peer
        self.abort() if exc is not None else self.close()

    def _end(self, how):
        self.ended = True
        for side in self.sides():
            getattr(side.transport, how)()
        for task in list(self.tasks):
            if task is not asyncio.current_task():
                task.cancel()
        self.proxy.connections.discard(self)

    def close(self):
        """Close both sockets after what is already written (FIN)."""
        self._end("close")

    def abort(self):
        """Close both sockets at once, dropping what is unsent."""
        self._end("abort")

    def reset(self):
        """Close both sockets with RST."""
        for side in self.sides():
            reset_socket(side.transport)
        self.abort()


class Front(Side):
    """The side facing the client: made by the listening server for each connection it accepts."""

    def __init__(self, proxy):
        conn = Connection(proxy)
        super().__init__(conn)
        conn.client = self
        proxy.connections.add(conn)
        proxy.stats.add(clients=1)

    def connection_made(self, transport):
        super().connection_made(transport)
        self.conn.accepted()


class TcpProxy(TwoWays, LoopService):
    """Listens on 127.0.0.1 (an OS-chosen port) and relays every connection to `target`, with faults.

    `proxy.up` and `proxy.down` hold each direction's Faults; `proxy.set(...)` changes both at once.
    """

    kind = "faults proxy"

    def __init__(self, target, name="faults", seed=None, **faults):
        super().__init__(name)
        self.target = target  # may change while running: the next connection goes to the new one
        self.stats = FaultStats()
        self.up, self.down = Faults(), Faults()
        self.set(**faults)
        self.rng = random.Random(seed)
        self.connections = set()
        self._seen = {UP: bytearray(), DOWN: bytearray()}

    # --- the settings -------------------------------------------------------------------------------------------

    def reset_all(self):
        """Reset every open connection (RST to both sides), dropping what they hold; returns how many there were."""
        return self.call(self._reset_all()) if self.running else 0

    async def _reset_all(self):
        connections = list(self.connections)
        for conn in connections:
            conn.reset()
        return len(connections)

    def captured(self, direction=UP):
        """The last bytes the proxy relayed in one direction ('up': client to target, 'down': back)."""
        return bytes(self._seen[direction][-KEEP:])

    def forget(self):
        """Empty what captured() returns."""
        for seen in self._seen.values():
            seen.clear()

    def _keep(self, direction, chunk):
        seen = self._seen[direction]
        seen += chunk
        if len(seen) > 2 * KEEP:
            del seen[:-KEEP]

    @property
    def url(self):
        """http://127.0.0.1:<port>, for a web service behind the proxy."""
        return f"http://{self.address[0]}:{self.address[1]}"

    @property
    def endpoint(self):
        """tcp://127.0.0.1:<port>, for a ZeroMQ service behind the proxy."""
        return f"tcp://{self.address[0]}:{self.address[1]}"

    @property
    def banner(self):
        host, port = address_of(self.target)
        return f"relays to {host}:{port}"

    # --- the loop's side ---------------------------------------------------------------------------------------

    async def _open(self):
        self._server = await self._loop.create_server(lambda: Front(self), HOST, 0, backlog=64)
        self.address = self._server.sockets[0].getsockname()[:2]

    async def _close(self):
        self._server.close()
        tasks = [t for c in list(self.connections) for t in c.tasks]
        for conn in list(self.connections):
            conn.abort()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()


def tcp_proxy(target, name="faults", **faults):
    """A started proxy in front of target (a service, (host, port) or 'tcp://host:port'), with faults set."""
    return TcpProxy(target, name=name, **faults).start()
