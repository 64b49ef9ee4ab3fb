"""What every course RPC client shares: call a method, send raw bytes, remember the last exchange, fail in one line."""
import time
from dataclasses import dataclass, field

from helpers.core.errors import ServiceError

TIMEOUT = 2.0  # seconds any course RPC client waits for a reply


class RpcFault(ServiceError):
    """The server answered with its protocol's own error (XML-RPC Fault, JSON-RPC error, gRPC status, ...)."""


@dataclass
class Exchange:
    """One call as it crossed the wire: (label, bytes) parts out and back, round trip (ms), other notes."""

    sent: list = field(default_factory=list)
    received: list = field(default_factory=list)
    ms: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def sizes(self):
        """(bytes sent, bytes received), counting the parts caught."""
        return tuple(sum(len(data) for _, data in parts) for parts in (self.sent, self.received))


class RpcClient:
    """A client of one course RPC server: call(method, *args), double(num), send(raw bytes); .last is the exchange."""

    protocol = ""
    double_name = "double"  # what the protocol calls the method (gRPC and Twirp: "Double")

    def __init__(self, server, timeout=TIMEOUT):
        self.server, self.timeout = server, timeout
        self.last = Exchange()

    def call(self, method, *args):
        """Call method(*args) remotely and return its result; RpcFault if the server answers with an error."""
        self.last = Exchange()
        start = time.perf_counter()
        try:
            return self._call(method, args)
        finally:
            self.last.ms = (time.perf_counter() - start) * 1000

    def send(self, body):
        """Send body (bytes) as one request, exactly as given, and decode the reply as call() would."""
        self.last = Exchange()
        start = time.perf_counter()
        try:
            return self._send(body)
        finally:
            self.last.ms = (time.perf_counter() - start) * 1000

    def double(self, num):
        """The chapter's call: double(num) on the server."""
        return self.call(self.double_name, num)

    def _call(self, method, args):
        raise NotImplementedError

    def _send(self, body):
        raise NotImplementedError

    def close(self):
        """Close the connection (safe to call twice)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
