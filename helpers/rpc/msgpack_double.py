"""MessagePack-RPC (examples 17-15 and 17-16) without msgpack-rpc-python: the same messages over ZeroMQ REQ/REP."""
import importlib.metadata
import itertools

import msgpack
import zmq

from helpers.core.errors import ServiceError
from helpers.rpc.client import TIMEOUT, RpcClient, RpcFault
from helpers.rpc.double import DRAIN, MAX_BODY, double, too_big
from helpers.zeromq.base import ZmqServer, address_of, bind, socket

REQUEST, RESPONSE = 0, 1  # the spec's message types: [0, msgid, method, params] and [1, msgid, error, result]
METHODS = {"double": double}

# What pip said on 2026-11-29 when asked for the chapter's library beside the tornado Jupyter needs
# (`pip install --dry-run msgpack-rpc-python==0.4.1 "tornado>=6.2"`; tests/rpc/test_msgpack_rpc_refusal.py asks again)
REFUSAL = """\
ERROR: Cannot install msgpack-rpc-python==0.4.1 and tornado>=6.2 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested tornado>=6.2
    msgpack-rpc-python 0.4.1 depends on tornado<5 and >=3"""


def tornado_needs(packages=("jupyter_server", "ipykernel")):
    """{package: its tornado requirement} for the installed Jupyter parts, and the tornado installed."""
    needs = {name: next(r for r in importlib.metadata.requires(name) if r.startswith("tornado") and "extra" not in r)
             for name in packages}
    return dict(needs, installed=f"tornado=={importlib.metadata.version('tornado')}")


def answer(body):
    """The MessagePack-RPC response (bytes) to one request (bytes); every failure is an error response."""
    if len(body) > MAX_BODY:
        return msgpack.packb([RESPONSE, None, too_big(len(body)), None])
    try:
        kind, msgid, name, params = msgpack.unpackb(body)
        if kind != REQUEST or not isinstance(name, str) or not isinstance(params, list):
            raise ValueError("expected [0, msgid, method, [params]]")
    except (ValueError, TypeError) as error:  # not MessagePack, or not a request
        why = str(error) or f"not MessagePack ({type(error).__name__})"
        return msgpack.packb([RESPONSE, None, f"malformed request: {why}", None])
    if name not in METHODS:
        return msgpack.packb([RESPONSE, msgid, f"no method {name!r}", None])
    try:
        return msgpack.packb([RESPONSE, msgid, None, METHODS[name](*params)])
    except (TypeError, OverflowError) as error:  # wrong arguments, or a result MessagePack cannot hold
        return msgpack.packb([RESPONSE, msgid, f"{type(error).__name__}: {error}", None])


class MsgpackRpcServer(ZmqServer):
    """A REP socket answering MessagePack-RPC requests (accepts up to 16 MiB, so a big request gets an error back)."""

    kind = "zmq thread"
    label = "MessagePack-RPC"

    def __init__(self, name="msgpack-rpc", port=0):
        super().__init__(name, zmq.REP, lambda frames: [answer(b"".join(frames))])
        self.port = port

    def _start(self):
        self.sock = socket(zmq.REP, max_message=DRAIN)
        if self.port:
            self.endpoint = f"tcp://127.0.0.1:{self.port}"
            self.sock.bind(self.endpoint)
        else:
            self.endpoint = bind(self.sock)
        self.address = address_of(self.endpoint)
        self._start_thread(self._loop, "zmq")

    def client(self, timeout=TIMEOUT):
        """A client that records the wire."""
        return MsgpackRpcClient(self, timeout)


def decoded(frame, limit=80):
    """A frame's MessagePack content as short text ('' if it is not MessagePack)."""
    try:
        text = repr(msgpack.unpackb(frame))
    except (ValueError, TypeError):
        return ""
    return text if len(text) <= limit else text[:limit] + "..."


class MsgpackRpcClient(RpcClient):
    """MessagePack-RPC over a REQ socket; a socket that timed out is closed and a new one made (REQ is stuck then)."""

    protocol = "MessagePack-RPC"

    def __init__(self, server, timeout=TIMEOUT):
        super().__init__(server, timeout)
        self.ids, self.sock = itertools.count(1), None

    def _call(self, method, args):
        return self._send(msgpack.packb([REQUEST, next(self.ids), method, list(args)]))

    def _send(self, body):
        if self.sock is None:
            self.sock = socket(zmq.REQ, timeout_ms=int(self.timeout * 1000), max_message=MAX_BODY)
            self.sock.connect(self.server.endpoint)
        self.last.sent = [(f"ZeroMQ frame {decoded(body)}".strip(), body)]
        try:
            self.sock.send(body)
            reply = self.sock.recv()
        except zmq.ZMQError as error:
            self.close()
            why = f"no reply within {self.timeout:g} s" if isinstance(error, zmq.Again) else str(error)
            raise ServiceError(f"{self.server.endpoint}: {why}") from None
        self.last.received = [(f"ZeroMQ frame {decoded(reply)}".strip(), reply)]
        try:
            _, _, error, result = msgpack.unpackb(reply)
        except (ValueError, TypeError):
            raise ServiceError(f"{self.server.endpoint}: the reply is not a MessagePack-RPC response") from None
        if error is not None:
            raise RpcFault(f"MessagePack-RPC error: {error}")
        return result

    def close(self):
        if self.sock is not None:
            self.sock.close(linger=0)
            self.sock = None
