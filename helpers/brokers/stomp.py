"""STOMP: coilmq, a broker written in Python, run as a child process, and stomp.py clients.

On a shared machine every account reaches 127.0.0.1: the broker admits only a CONNECT frame with this start's
`login` (your account name) and `passcode` (made fresh per start and handed to the child on its stdin, never in
its command line); anything else gets an ERROR frame and the connection closes.
"""
import getpass
import hmac
import io
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

import stomp

from helpers.core.credentials import new_secret
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.core.process import ProcessService, end_process, first_line, spawn

MAX_FRAME = 1 << 20  # the course's broker refuses a frame over 1 MiB (real brokers all cap frames)
NUL = b"\x00"  # ends every STOMP frame; the spec and terminals write it ^@

guarantees = {
    "delivery": "topics: at most once; queues: to one consumer, redelivered if it leaves unacked",
    "ordering": "kept per destination and sender",
    "persistence": "none here (coilmq's in-memory store; it can use dbm or a database)",
    "who holds the queue": "the broker: /queue/ messages wait in coilmq until a consumer takes them",
}


def virtual_host():
    """The `host` header coilmq accepts in a STOMP 1.2 CONNECT: its machine's socket.getfqdn()."""
    return socket.getfqdn()


def _headers(version, host, login, passcode):
    """The header lines of a CONNECT frame: none in 1.0 but the login; 1.1 and 1.2 name version and host."""
    lines = [] if version == "1.0" else [f"accept-version:{version}", f"host:{host or virtual_host()}"]
    if login is not None:
        lines += [f"login:{login}", f"passcode:{passcode}"]
    return "".join(line + "\n" for line in lines)


def connect_frame(version="1.2", host=None, login=None, passcode=None):
    """A CONNECT frame as bytes (1.2 needs the broker's virtual host; 1.0 has no header but the login)."""
    return f"CONNECT\n{_headers(version, host, login, passcode)}\n".encode() + NUL


def typed_connect(host=None, login=None, passcode=None):
    """A CONNECT frame as you would type it in netcat: ^@ stands for the NUL byte that ends it."""
    return f"CONNECT\n{_headers('1.2', host, login, passcode)}\n^@"


def stomp_console(server):
    """The raw TCP console (helpers.netcat) holding this start's CONNECT frame: tall and wide enough for every line
    of it, and the round-trip line under the reply, where it wraps instead of being cut off."""
    import ipywidgets as w  # widgets only in the kernel, not in the broker's own process

    from helpers.widgets.consoles import netcat
    console = netcat(server.address, value=server.typed_connect())
    lines = console.text.value.splitlines()
    console.text.rows = len(lines) + 1
    console.text.layout.width = f"{max(len(line) for line in lines) + 8}ch"
    timing = w.HTML("").add_class("dis-rtt")  # a Label never wraps: a long line would end in "..."
    for box in console.children:
        if console.rtt in getattr(box, "children", ()):
            box.children = tuple(timing if child is console.rtt else child for child in box.children)
            box.layout.flex_flow = "column"
    console.rtt = timing
    return console


def frame_text(data):
    """Frames as readable text: each NUL shown as ^@ and a line break after it."""
    return data.decode("utf-8", errors="backslashreplace").replace("\x00", "^@\n").rstrip("\n")


def handshake(address, frame=None, timeout=1.0):
    """Send a CONNECT frame (a 1.2 one by default) over a new connection and return the broker's first frame."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(frame or connect_frame())
        reply = b""
        while NUL not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("the broker closed the connection")
            reply += chunk
        return reply[:reply.index(NUL) + 1]


def account_name():
    """This account's login name (the broker's login: who you are is no secret, the passcode is)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # an account without a name, as in some containers
        return "learner"


class StompServer(ProcessService):
    """coilmq's broker in a child Python process on 127.0.0.1; it prints its port once, then stays silent."""

    kind = "stomp process"
    protocol = "stomp"

    def __init__(self, name="stomp", port=0):
        super().__init__(name)
        self.port = port
        self.login, self.passcode = account_name(), None

    @property
    def credentials(self):
        """This start's login and passcode, as keyword arguments for connect_frame() and connect()."""
        return {"login": self.login, "passcode": self.passcode}

    @property
    def banner(self):
        """What a terminal user needs to connect (`python -m helpers serve stomp`)."""
        return (f"STOMP clients connect to {self.address[0]}:{self.address[1]}  (STOMP 1.2: send "
                f"host:{virtual_host()}, login:{self.login} and passcode:{self.passcode}, made for this start)")

    def connect_frame(self, version="1.2", host=None):
        """A CONNECT frame with this start's login and passcode."""
        return connect_frame(version, host, **self.credentials)

    def typed_connect(self, host=None):
        """The CONNECT frame to type in the raw console, login and passcode included."""
        return typed_connect(host, **self.credentials)

    def command(self):
        return [sys.executable, "-m", "helpers.brokers.stomp", str(self.port)]  # no secret here: `ps` shows it

    def ready(self):
        try:
            return handshake(self.address, self.connect_frame(), timeout=0.5).startswith(b"CONNECTED\n")
        except (OSError, ValueError):
            return False

    def _start(self):
        self.passcode = new_secret()
        self.process = spawn(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:  # the credentials go through a pipe only this process and the child hold
            self.process.stdin.write(f"{self.login} {self.passcode}\n".encode())
            self.process.stdin.close()
        except OSError:
            pass  # it exited already: _announced_port says why
        deadline = time.monotonic() + self.start_timeout
        try:
            self.address = (HOST, self._announced_port(deadline))
            while not self.ready():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise ServiceError(f"{self.name} did not answer a STOMP CONNECT within {self.start_timeout:g} s")
                time.sleep(0.005)
        except BaseException:
            self._kill()
            raise

    def _announced_port(self, deadline):
        """The port the child prints on its first line (it binds port 0 itself, so no race for a free port)."""
        line = first_line(self.process, self.name, deadline)
        if not line.strip().isdigit():
            self._kill()
            raise ServiceError(f"{self.name} exited at start: it printed {line[:80]!r} instead of its port")
        return int(line)

    def _kill(self):
        if self.process.poll() is None:
            self.process.terminate()
        end_process(self.process, 0.8)

    def client(self, name="course", timeout=2.0, listener=None):
        """A connected stomp.py client (STOMP 1.2, the right host header and this start's login and passcode, no
        reconnecting, every wait bounded)."""
        return connect(self.address, name, timeout, listener, **self.credentials)


def stomp_server(name="stomp", port=0):
    """A fresh coilmq broker; start() returns it, srv.client() connects a stomp.py client."""
    return StompServer(name, port=port)


class _Waiter(stomp.ConnectionListener):
    """Turns stomp.py's callbacks into events we can wait on with a deadline."""

    def __init__(self):
        self.connected, self.receipts, self.error = threading.Event(), {}, None

    def on_connected(self, frame):
        self.connected.set()

    def on_error(self, frame):
        self.error = frame.headers.get("message", frame.body)
        self.connected.set()
        for event in self.receipts.values():
            event.set()

    def on_receipt(self, frame):
        self.receipts.setdefault(frame.headers.get("receipt-id"), threading.Event()).set()

    def on_disconnected(self):
        self.connected.set()
        for event in self.receipts.values():
            event.set()


def connect(address, name="course", timeout=2.0, listener=None, login=None, passcode=None):
    """A stomp.py Connection12 to address, logged in with login and passcode, CONNECTED within timeout or
    ServiceError."""
    conn = stomp.Connection12([tuple(address)], vhost=virtual_host(), timeout=timeout,
                              reconnect_attempts_max=1, heartbeats=(0, 0))
    conn.waiter = _Waiter()
    conn.set_listener("waiter", conn.waiter)
    if listener is not None:
        conn.set_listener(name, listener)
    try:
        conn.connect(login, passcode, wait=False, headers={"client-id": name})
    except stomp.exception.ConnectFailedException:
        raise ServiceError(f"no STOMP broker answers at {address[0]}:{address[1]}") from None
    if not conn.waiter.connected.wait(timeout) or not conn.is_connected() or conn.waiter.error:
        close(conn)
        raise ServiceError(f"STOMP CONNECT refused or unanswered: {conn.waiter.error or 'no CONNECTED frame'}")
    return conn


def subscribe(conn, destination, name, ack="auto", timeout=2.0):
    """SUBSCRIBE and return once the broker confirms it with a RECEIPT (so no message sent after is missed)."""
    receipt = uuid.uuid4().hex
    event = conn.waiter.receipts.setdefault(receipt, threading.Event())
    conn.subscribe(destination, id=name, ack=ack, headers={"receipt": receipt})
    if not event.wait(timeout) or conn.waiter.error:
        why = conn.waiter.error or "no RECEIPT"
        raise ServiceError(f"the STOMP broker did not confirm the subscription within {timeout:g} s: {why}")


def close(conn, timeout=1.0):
    """Disconnect politely, but never wait longer than timeout (stomp.py itself would wait forever)."""
    done = threading.Thread(target=_disconnect, args=(conn,), daemon=True)
    done.start()
    done.join(timeout)
    if done.is_alive():
        conn.transport.disconnect_socket()
        done.join(timeout)


def _disconnect(conn):
    try:
        conn.disconnect()
    except Exception:  # already gone: nothing left to close politely
        conn.transport.disconnect_socket()


class Inbox(stomp.ConnectionListener):
    """A stomp.py listener that keeps every MESSAGE body (and ACKs it when given the connection to ack on)."""

    def __init__(self, expected=1, conn=None):
        self.bodies, self.times, self.conn = [], [], conn
        self.expected, self.done = expected, threading.Event()

    def on_message(self, frame):
        self.times.append(time.perf_counter_ns())
        self.bodies.append(frame.body)
        if self.conn is not None:  # coilmq's 1.2 ACK wants the subscription as id, plus the message-id
            self.conn.send_frame("ACK", {"id": frame.headers["subscription"],
                                         "message-id": frame.headers["message-id"]})
        if len(self.bodies) >= self.expected:
            self.done.set()

    def wait(self, count=1, timeout=1.0):
        """The bodies, once at least count have arrived or timeout seconds have passed."""
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return list(self.bodies)


def pubsub_rate(server, count=1000, size=100, timeout=10.0):
    """One publisher, one subscriber on a STOMP topic: messages per second, median one-way latency (µs), lost.

    The publisher sends the whole burst as fast as it can, so the latency includes the wait behind earlier messages.
    """
    got = Inbox(count)
    sub = server.client("subscriber", timeout, listener=got)
    pub = None
    try:
        subscribe(sub, "/topic/bench", "bench", timeout=timeout)
        pub = server.client("publisher", timeout)
        padding = "x" * max(0, size - 20)
        start = time.perf_counter_ns()
        for _ in range(count):
            pub.send("/topic/bench", f"{time.perf_counter_ns():020d}{padding}")
        got.done.wait(timeout)
    finally:
        for conn in (pub, sub):
            if conn is not None:
                close(conn)
    latencies = [arrived - int(body[:20]) for body, arrived in zip(got.bodies, got.times)]
    seconds = max(got.times[-1] - start, 1) / 1e9 if got.times else 1.0
    latency = round(statistics.median(latencies) / 1000, 1) if latencies else None
    return dict(msgs_s=round(len(latencies) / seconds), latency_us=latency, lost=count - len(latencies))


def queue_round(server, items, consumers=2, timeout=10.0):
    """Hand items (JSON values) to `consumers` competing consumers of one STOMP queue: {consumer: [items]}.

    Each consumer acks every message (ack: client), so the broker hands it one at a time.
    """
    items, names = list(items), [f"consumer-{n + 1}" for n in range(consumers)]
    got, conns, producer = {}, [], None
    try:
        for name in names:
            got[name] = Inbox(len(items))
            conns.append(server.client(name, timeout, listener=got[name]))
            got[name].conn = conns[-1]
            subscribe(conns[-1], "/queue/work", name, ack="client", timeout=timeout)
        producer = server.client("producer", timeout)
        for item in items:
            producer.send("/queue/work", json.dumps(item))
        deadline = time.monotonic() + timeout
        while sum(len(c.bodies) for c in got.values()) < len(items) and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        for conn in [producer, *conns]:
            if conn is not None:
                close(conn)
    return {name: [json.loads(body) for body in got[name].bodies] for name in names}


def fan_out(server, count=3, subscribers=3, destination="/topic/news", timeout=5.0):
    """Send count messages to destination with `subscribers` listening: {subscriber: [bodies it got]}.

    A /topic/ gives every subscriber every message; a /queue/ gives each message to one of them.
    """
    names = [f"subscriber-{n + 1}" for n in range(subscribers)]
    got, conns = {name: Inbox(count) for name in names}, []
    try:
        for name in names:
            conns.append(server.client(name, timeout, listener=got[name]))
            subscribe(conns[-1], destination, name, timeout=timeout)
        conns.append(server.client("sender", timeout))
        for n in range(count):
            conns[-1].send(destination, f"message {n + 1}")
        deadline = time.monotonic() + timeout
        while sum(len(c.bodies) for c in got.values()) < count * (1 if "/queue/" in destination else subscribers):
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
    finally:
        for conn in conns:
            close(conn)
    return {name: list(got[name].bodies) for name in names}


def raw_round(server, body="hello, STOMP", destination="/topic/raw", timeout=2.0):
    """One message through the broker over plain sockets: (what the sender wrote, what the subscriber read)."""
    send = (f"SEND\ndestination:{destination}\ncontent-type:text/plain\n"
            f"content-length:{len(body.encode())}\n\n{body}").encode() + NUL
    with socket.create_connection(server.address, timeout=timeout) as sub, \
            socket.create_connection(server.address, timeout=timeout) as pub:
        for sock in (sub, pub):
            sock.sendall(server.connect_frame())
            _read_frame(sock)
        sub.sendall(f"SUBSCRIBE\nid:0\ndestination:{destination}\nreceipt:ok\n\n".encode() + NUL)
        _read_frame(sub)  # the RECEIPT: the subscription is in place
        pub.sendall(send)
        return send, _read_frame(sub)


def _read_frame(sock):
    """Bytes up to and including the next NUL (frames here are small and come one at a time)."""
    data = b""
    while not data.endswith(NUL):
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        data += chunk
    return data


# --- the broker side: runs in the child process (`python -m helpers.brokers.stomp PORT`) ---------------

class BadFrame(ValueError):
    """A frame the broker will not take: too large, or not ending where its content-length says."""


def split_frames(pending, limit=MAX_FRAME):
    """Remove the complete frames from the front of the bytearray pending and return them (NUL included).

    coilmq 1.1's own reader drops the connection when a frame arrives in two pieces without a
    content-length, and keeps every byte a connection ever sent; this reader waits for whole frames.
    """
    frames = []
    while True:
        start = len(pending) - len(pending.lstrip(b"\r\n"))  # end-of-lines between frames are heart-beats
        del pending[:start]
        ends = [(pending.find(mark), len(mark)) for mark in (b"\n\n", b"\n\r\n")]
        ends = [end for end in ends if end[0] >= 0]
        if not ends:
            if len(pending) > limit:
                raise BadFrame(f"headers longer than {limit:,} bytes")
            return frames
        head_end, mark = min(ends)
        length = re.search(rb"\ncontent-length:[ \t]*(\d+)", pending[:head_end])
        body = head_end + mark
        if length:
            end = body + int(length[1])
            if end > limit:
                raise BadFrame(f"frame larger than {limit:,} bytes")
            if len(pending) <= end:
                return frames
            if pending[end] != 0:
                raise BadFrame("no NUL where content-length says the frame ends")
        else:
            end = pending.find(NUL, body)
            if end < 0:
                if len(pending) > limit:
                    raise BadFrame(f"frame larger than {limit:,} bytes")
                return frames
        frames.append(bytes(pending[:end + 1]))
        del pending[:end + 1]


def owner_only(login, passcode):
    """A coilmq authenticator that admits only this login with this passcode (compared in constant time)."""
    from coilmq.auth import Authenticator

    class OwnerOnly(Authenticator):
        def authenticate(self, given_login, given_passcode):
            right = hmac.compare_digest(str(given_passcode or "").encode(), passcode.encode())
            return right and given_login == login

    return OwnerOnly()


def serve(port, login, passcode):
    """Run coilmq's broker on 127.0.0.1:port for one login and passcode, print the port it got, then serve
    quietly until killed."""
    import logging
    import os
    from datetime import datetime

    from coilmq.queue import QueueManager
    from coilmq.server.socket_server import StompRequestHandler, ThreadedStompServer
    from coilmq.store.memory import MemoryQueue
    from coilmq.topic import TopicManager
    from coilmq.util.frames import ErrorFrame, Frame

    logging.disable(logging.CRITICAL)  # its log would have nowhere to go

    class Handler(StompRequestHandler):
        admitted = hang_up = False

        def send_frame(self, frame):
            """Send a frame; an ERROR before CONNECTED (a wrong login, say) ends the connection, as STOMP says."""
            super().send_frame(frame)
            self.admitted = self.admitted or frame.cmd == "CONNECTED"
            self.hang_up = self.hang_up or (frame.cmd == "ERROR" and not self.admitted)

        def iter_frames(self):
            pending = bytearray()
            while not self.server.shutdown_requested.is_set():
                try:
                    data = self.request.recv(65536)
                except (socket.timeout, TimeoutError):
                    continue
                except OSError:
                    return
                if not data:
                    return
                self.last_data = datetime.now()
                pending += data
                try:
                    frames = [Frame.from_buffer(io.BytesIO(raw)) for raw in split_frames(pending)]
                except Exception as error:  # too large, or not STOMP: say so in an ERROR frame, then hang up
                    self.refuse(error)
                    return
                for frame in frames:
                    yield frame
                    if self.hang_up:
                        self.linger()
                        return

        def refuse(self, error):
            """Send an ERROR frame, then hang up."""
            try:
                self.send_frame(ErrorFrame("malformed frame", f"{type(error).__name__}: {error}"))
            except OSError:
                return
            self.linger()

        def linger(self):
            """Close our side, then read and drop what still comes (up to 2 s) so the ERROR is not lost in a reset."""
            try:
                self.request.shutdown(socket.SHUT_WR)
                self.request.settimeout(0.5)
                deadline = time.monotonic() + 2
                while time.monotonic() < deadline and self.request.recv(65536):
                    pass
            except OSError:
                pass

    class Server(ThreadedStompServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            """A client's trouble ends only its own connection; never print a traceback."""

    server = Server((HOST, port), Handler, queue_manager=QueueManager(store=MemoryQueue()),
                    topic_manager=TopicManager(), authenticator=owner_only(login, passcode))
    print(server.server_address[1], flush=True)
    quiet = os.open(os.devnull, os.O_WRONLY)  # nobody reads our output after the port line
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    server.serve_forever()


if __name__ == "__main__":
    given = sys.stdin.readline().split()  # "login passcode" from the parent: never in argv, which `ps` shows
    if len(given) != 2:
        sys.exit("helpers.brokers.stomp expects a line 'LOGIN PASSCODE' on its stdin")
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0, *given)
