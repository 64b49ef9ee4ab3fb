"""What the 17.4 checker watches: a redis-py client that notes its commands."""
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


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
