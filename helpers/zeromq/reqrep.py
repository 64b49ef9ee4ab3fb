"""Request-reply (notebook 04): the chapter's REP server, a REQ client that never hangs, many clients at once."""
import socket as os_socket
import threading
import time

import zmq

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.zeromq.base import ZmqServer, address_of, socket


def stop_saying(frames):
    """The chapter's reply: b"Stop saying: " + the request (every frame answered, in order)."""
    if len(frames) == 1:  # the usual request, answered without building a comprehension
        return [b"Stop saying: " + frames[0]]
    return [b"Stop saying: " + frame for frame in frames]


_reserved = {}  # port -> a socket bound to it, not listening: connecting is refused, and no other program can bind it


def reserve_port():
    """A port on 127.0.0.1 where nothing listens yet, held until a RepServer of this process starts on it.

    The OS picks it (binding port 0, so no other program can have it) and it is not listening, so a
    client that connects there is refused until the server takes the very same socket.
    """
    held = os_socket.socket(os_socket.AF_INET, os_socket.SOCK_STREAM)
    held.bind((HOST, 0))
    port = held.getsockname()[1]
    _reserved[port] = held
    return port


class RepServer(ZmqServer):
    """The chapter's REP server (example 17-5) as a course service; port=0 lets the OS pick."""

    def __init__(self, name="zmq-rep", port=0, transport="tcp", handle=stop_saying):
        super().__init__(name, zmq.REP, handle, transport)
        self.port = port

    @property
    def banner(self):
        """The endpoint a REQ connects to (printed by `python -m helpers serve zmq-rep`)."""
        return f"endpoint (clients connect a REQ here): {self.endpoint}"

    def _start(self):
        if not self.port:
            return super()._start()
        self.sock = socket(self.socket_kind)
        self.endpoint = f"tcp://{HOST}:{self.port}"
        held = _reserved.pop(self.port, None)
        if held is not None:  # a port from reserve_port(): ZeroMQ takes the socket that already holds it
            held.listen(64)
            self.sock.setsockopt(zmq.USE_FD, held.detach())
        self.sock.bind(self.endpoint)
        self.address = address_of(self.endpoint)
        self._start_thread(self._loop, "zmq")


def rep_server(name="zmq-rep", port=0, transport="tcp"):
    """An unstarted chapter server (call .start(), or use serve("zmq-rep"))."""
    return RepServer(name, port, transport)


def zmq_ask(endpoint, frames, timeout=2.0, kind=zmq.REQ):
    """Send frames (bytes or a list of bytes) on a fresh REQ (or DEALER) socket; return the reply frames.

    The socket is closed afterwards, whatever happened, so a lost request never blocks the next one.
    A DEALER gets the empty delimiter frame a REQ would add, and returns the reply with it.
    Raises ServiceError with one line when no reply comes within timeout seconds.
    """
    frames = [frames] if isinstance(frames, bytes) else list(frames)
    sock = socket(kind, timeout_ms=int(timeout * 1000))
    try:
        sock.connect(endpoint)
        sock.send_multipart(([b""] if kind == zmq.DEALER else []) + frames)
        return sock.recv_multipart()
    except zmq.Again:
        raise ServiceError(f"no reply from {endpoint} within {timeout:g} s "
                           "(is the server running? the socket was closed and is not reused)") from None
    except zmq.ZMQError as error:
        raise ServiceError(f"{endpoint}: {error}") from None
    finally:
        sock.close(linger=0)


def many_clients(endpoint, clients=5, requests=3, timeout=2.0):
    """clients threads, each with its own REQ socket, send requests in turn; returns (client, request, reply frames)."""
    heard, lock = [], threading.Lock()

    def client(n):
        sock = socket(zmq.REQ, timeout_ms=int(timeout * 1000))
        sock.connect(endpoint)
        try:
            for k in range(requests):
                sock.send(f"client {n} message #{k + 1}".encode())
                reply = sock.recv_multipart()
                with lock:
                    heard.append((n, k + 1, reply))
        except zmq.Again:
            with lock:
                heard.append((n, 0, [b"no reply within the timeout"]))
        finally:
            sock.close(linger=0)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(1, clients + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 1)
    return sorted(heard)


def bind_again(endpoint):
    """Try to bind a second socket on an endpoint that is in use; return the ZMQError it raises."""
    sock = socket(zmq.REP)
    try:
        sock.bind(endpoint)
    except zmq.ZMQError as error:
        return error
    finally:
        sock.close(linger=0)
    return None


def round_trip_us(endpoint, rounds=200, message=b"hello"):
    """Microseconds for each of `rounds` request-reply exchanges on one REQ socket."""
    sock = socket(zmq.REQ)
    sock.connect(endpoint)
    samples = []
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            sock.send(message)
            sock.recv()
            samples.append((time.perf_counter() - start) * 1e6)
    finally:
        sock.close(linger=0)
    return samples
