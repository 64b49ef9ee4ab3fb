"""What every ZeroMQ helper shares: one context per kernel, sockets that never linger, OS-chosen endpoints."""
import atexit
import itertools
import os
import tempfile
import threading
import uuid

import zmq

from helpers.core import registry
from helpers.core.ports import HOST
from helpers.core.service import ThreadService

MAX_MESSAGE = 1024 * 1024  # the course's sockets drop a peer that sends more in one message (no memory blow-up)
TIMEOUT_MS = 2000  # every send and receive gives up after this, so no cell ever hangs
WAKE_MS = 100  # how often a thread blocked in a receive with a timeout checks whether it should stop
_context, _lock, _ipc_dir, _count = None, threading.Lock(), None, itertools.count()
START_TIMEOUT = 30.0  # seconds for the workers to start and connect (a machine busy with many kernels is slow)


def context():
    """The course's own ZeroMQ context (not the shared zmq.Context.instance(): ending ours ends only ours)."""
    global _context
    with _lock:
        if _context is None:
            _context = zmq.Context()
            atexit.register(_close_at_exit)
        return _context


def _close_at_exit():
    """Stop the course's servers first, then end the context (so no thread is left on a dead socket)."""
    registry.stop_all()
    ender = threading.Thread(target=_context.destroy, kwargs={"linger": 0}, daemon=True)
    ender.start()
    ender.join(2)  # never let a stuck socket hold the interpreter's exit


def socket(kind, timeout_ms=TIMEOUT_MS, max_message=MAX_MESSAGE, ctx=None):
    """A new socket of kind (zmq.REQ, zmq.REP, ...) with linger 0, timeouts and a message size limit
    (in the course's context, or in ctx)."""
    sock = (ctx or context()).socket(kind)
    sock.setsockopt(zmq.LINGER, 0)  # closing never waits for unsent messages
    sock.setsockopt(zmq.RCVTIMEO, timeout_ms)
    sock.setsockopt(zmq.SNDTIMEO, timeout_ms)
    sock.setsockopt(zmq.MAXMSGSIZE, max_message)
    return sock


def ipc_available():
    """True where ipc:// endpoints work (not on Windows)."""
    return zmq.has("ipc")


def _ipc_folder():
    """A private folder for ipc socket files, short enough for Linux's 107-byte limit; one per user, reused."""
    global _ipc_dir
    with _lock:
        if _ipc_dir is None:
            folder = os.path.join(tempfile.gettempdir(), f"dis-zmq-{os.getuid()}")
            os.makedirs(folder, mode=0o700, exist_ok=True)
            if os.stat(folder).st_uid != os.getuid():
                raise OSError(f"{folder} belongs to another user")
            _ipc_dir = folder
        return _ipc_dir


def bind(sock, transport="tcp", name="s"):
    """Bind sock on a fresh endpoint of the transport (tcp on 127.0.0.1 with an OS-chosen port) and return it."""
    if transport == "tcp":
        port = sock.bind_to_random_port(f"tcp://{HOST}")
        return f"tcp://{HOST}:{port}"
    if transport == "ipc":
        if not ipc_available():
            raise OSError("ipc:// endpoints are not available on this system")
        endpoint = f"ipc://{_ipc_folder()}/{os.getpid()}-{next(_count)}.ipc"  # ZeroMQ removes it on close
    elif transport == "inproc":
        endpoint = f"inproc://{name}-{uuid.uuid4().hex[:8]}"
    else:
        raise ValueError(f"unknown transport {transport!r}: use tcp, ipc or inproc")
    sock.bind(endpoint)
    return endpoint


def address_of(endpoint):
    """(host, port) for a tcp endpoint, (endpoint, None) for ipc and inproc."""
    if endpoint.startswith("tcp://"):
        host, port = endpoint[6:].rsplit(":", 1)
        return host, int(port)
    return endpoint, None


class ZmqServer(ThreadService):
    """A ZeroMQ socket served by a background thread: handle(frames) returns the reply frames (or None)."""

    kind = "zmq thread"

    def __init__(self, name, kind, handle, transport="tcp"):
        super().__init__(name)
        self.socket_kind, self.handle, self.transport = kind, handle, transport
        self.endpoint = None

    def _start(self):
        self.sock = socket(self.socket_kind)
        self.endpoint = bind(self.sock, self.transport, self.name)
        self.address = address_of(self.endpoint)
        self._start_thread(self._loop, "zmq")

    def _start_thread(self, target, role):
        """Also bind a private inproc endpoint on the same socket, where stop() sends this start's secret token."""
        self._token = os.urandom(16)
        self._stop_endpoint = f"inproc://stop-{uuid.uuid4().hex}"
        self.sock.bind(self._stop_endpoint)
        self._thread = threading.Thread(target=target, name=f"{self.name}-{role}", daemon=True)
        self._thread.start()

    def _stop_thread(self):
        """Send the token to the serving thread through the socket it blocks on, and wait for it to end."""
        waker = self.sock.context.socket(zmq.REQ)
        waker.setsockopt(zmq.LINGER, 0)
        waker.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
        try:
            waker.connect(self._stop_endpoint)
            waker.send(self._token)
        except zmq.ZMQError:
            pass  # the socket is gone already: the thread has ended
        finally:
            self._thread.join(timeout=1)
            waker.close()

    def _loop(self):
        # A blocking receive without a timeout: no wake-ups while idle and nothing but the request on
        # the request path; stop() ends it with the token, the one request that is not answered.
        sock, handle, stats, token = self.sock, self.handle, self.stats, self._token
        sock.setsockopt(zmq.RCVTIMEO, -1)
        recv, send = sock.recv, sock.send
        while True:
            try:
                frame = recv(0, False)  # a Frame says whether more parts follow (cheaper than asking the socket)
                first = frame.bytes
                frames = [first]
                size = len(first)
                while frame.more:
                    frame = recv(0, False)
                    frames.append(frame.bytes)
                    size += len(frames[-1])
            except zmq.ZMQError:
                return
            if first == token and len(frames) == 1:
                return
            try:
                reply = handle(frames)
            except Exception as error:  # a broken handler answers with an error instead of killing the server
                stats.add(errors=1)
                reply = [f"error: {type(error).__name__}: {error}".encode()]
            # only this thread counts messages and bytes, so no lock is needed for them
            stats.messages += 1
            stats.bytes_in += size
            if reply is None:
                continue
            try:
                if len(reply) == 1:
                    stats.bytes_out += len(reply[0])
                    send(reply[0])
                else:
                    stats.bytes_out += sum(map(len, reply))
                    sock.send_multipart(reply)
            except zmq.ZMQError:
                stats.add(errors=1)

    def _stop(self):
        self._stop_thread()
        self.sock.close(linger=0)
        forget(self.endpoint)


def forget(endpoint):
    """Remove an ipc endpoint's socket file (ZeroMQ leaves it behind)."""
    if endpoint and endpoint.startswith("ipc://"):
        try:
            os.unlink(endpoint[6:])
        except OSError:
            pass
