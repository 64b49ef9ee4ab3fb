"""What the 17.4 checker watches: a redis-py client that notes its commands, and the lines a thread prints."""
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

MAX_LINES = 1000  # a thread that prints more than this has the rest ignored


class RecordingRedis(redis.Redis):
    """A redis-py client that notes every command it sends, in .log: (sent, answered, NAME, arguments, reply)."""

    def __init__(self, host, port, password=None, timeout=5.0):
        super().__init__(host, port, password=password, decode_responses=True, socket_timeout=timeout,
                         socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 0))  # a stopped server ends a pop at once
        self.log = []

    def execute_command(self, *args, **options):
        sent = time.monotonic()
        reply = super().execute_command(*args, **options)
        self.log.append((sent, time.monotonic(), str(args[0]).upper(), args[1:], reply))
        return reply


@dataclass
class Line:
    """One line a watched thread printed, and when (monotonic clock, and wall clock)."""

    text: str
    at: float
    wall: datetime


class ThreadLines:
    """Stands in for sys.stdout: what the watched threads print is kept as timed lines, the rest passes through."""

    def __init__(self, passthrough, threads):
        self.passthrough = passthrough
        self.lines = {thread: [] for thread in threads}
        self._partial = {thread: "" for thread in threads}

    def write(self, text):
        thread = threading.current_thread()
        if thread not in self.lines:
            return self.passthrough.write(text)
        *done, self._partial[thread] = (self._partial[thread] + str(text)).split("\n")
        kept = self.lines[thread]
        for line in done[:max(0, MAX_LINES - len(kept))]:
            kept.append(Line(line, time.monotonic(), datetime.now()))
        return len(text)

    def flush(self):
        self.passthrough.flush()

    def __getattr__(self, name):  # encoding, isatty, fileno...: those of the real stdout
        return getattr(self.passthrough, name)


class printed_by:
    """`with printed_by(thread, ...) as lines:` keeps what those threads print (lines.lines[thread])."""

    def __init__(self, *threads):
        self.threads = threads

    def __enter__(self):
        self.original = sys.stdout
        self.capture = sys.stdout = ThreadLines(self.original, self.threads)
        return self.capture

    def __exit__(self, *exc):
        if sys.stdout is self.capture:
            sys.stdout = self.original
