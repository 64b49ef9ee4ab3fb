"""Per-service counters (messages, bytes, clients) that widgets read."""
import threading
from dataclasses import dataclass, field


@dataclass
class Stats:
    """Counters a server bumps as it works; safe to update from many threads."""

    messages: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    clients: int = 0
    errors: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts):
        """Add to one or more counters, e.g. add(messages=1, bytes_in=5)."""
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def message(self, bytes_in, bytes_out):
        """Count one message handled (the fast path of servers that answer each request)."""
        with self._lock:
            self.messages += 1
            self.bytes_in += bytes_in
            self.bytes_out += bytes_out

    def as_dict(self):
        """A plain snapshot of the counters."""
        with self._lock:
            return {k: getattr(self, k) for k in ("messages", "bytes_in", "bytes_out", "clients", "errors")}
