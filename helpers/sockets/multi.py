"""Many clients at once: one at a time, a thread per client, or one thread with selectors.

All three serve the same little protocol: length-prefixed messages, and the reply to each
message is answer(message) (by default the message in capitals).
"""
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field

from helpers.sockets.framing import LengthPrefix, recv_message, send_message
from helpers.core.ports import HOST
from helpers.core.service import ThreadService
from helpers.servers.tcp import TcpServer

OUTBOX_LIMIT = 1024 * 1024  # stop reading from a client while this many reply bytes wait for it


def shout(message):
    """The demo service: the reply is the message in capitals."""
    return message.upper()


def framed_handle(answer=shout, framing=LengthPrefix):
    """A TcpServer handle: for each framed message, send back framed answer(message), until the client closes."""
    def handle(conn, service):
        frames = framing()
        while (message := recv_message(conn, frames)) is not None:
            reply = answer(message)
            service.stats.add(messages=1, bytes_in=len(message), bytes_out=len(reply))
            send_message(conn, reply, frames)
    return handle


def one_at_a_time_server(name="shout-one", port=0, answer=shout):
    """Like the chapter's server in a loop: the next client waits until the current one hangs up.

    (The OS still accepts waiting clients; a lock lets only one of them be served at a time.
    A client silent for 2 s is dropped so the queue moves on.)
    """
    handle, turn = framed_handle(answer), threading.Lock()

    def one_at_a_time(conn, service):
        with turn:
            handle(conn, service)
    return TcpServer(name, one_at_a_time, port=port, idle_timeout=2.0, protocol="length-prefixed")


def threaded_server(name="shout-threads", port=0, answer=shout):
    """A thread per client: a slow or silent client only holds up its own thread."""
    return TcpServer(name, framed_handle(answer), port=port, protocol="length-prefixed")


@dataclass
class _Client:
    """What the selector server remembers about one connection."""

    framing: LengthPrefix
    outbox: bytearray = field(default_factory=bytearray)
    closing: bool = False  # the client sent EOF: finish sending replies, then close


class SelectorServer(ThreadService):
    """One thread serves every client: the selector says which sockets can be read or written now."""

    kind = "tcp selectors"
    protocol = "length-prefixed"  # what the raw console's hints assume this server speaks

    def __init__(self, name="shout-selectors", answer=shout, port=0, framing=LengthPrefix):
        super().__init__(name)
        self.answer, self.port, self.framing = answer, port, framing


    def _start(self):
        self._listener = socket.create_server((HOST, self.port), backlog=128)
        self._listener.setblocking(False)
        self.address = self._listener.getsockname()
        self._start_thread(self._loop, "selector")

    def _loop(self):
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ, "accept")
            sel.register(self._wake_r, selectors.EVENT_READ, "wake")
            try:
                while True:
                    for key, mask in sel.select():
                        if key.data == "wake":
                            return
                        if key.data == "accept":
                            self._accept(sel)
                        else:
                            self._serve(sel, key.fileobj, key.data, mask)
            finally:
                for key in list(sel.get_map().values()):
                    if isinstance(key.data, _Client):
                        key.fileobj.close()

    def _accept(self, sel):
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        conn.setblocking(False)
        sel.register(conn, selectors.EVENT_READ, _Client(self.framing()))
        self.stats.add(clients=1)

    def _serve(self, sel, conn, client, mask):
        try:
            if mask & selectors.EVENT_READ:
                self._read(conn, client)
            if mask & selectors.EVENT_WRITE and client.outbox:
                del client.outbox[:conn.send(client.outbox)]
        except (OSError, ValueError):  # vanished or misbehaving client: drop it, keep serving
            self.stats.add(errors=1)
            client.closing, client.outbox = True, bytearray()
        reading = not client.closing and len(client.outbox) < OUTBOX_LIMIT
        events = (selectors.EVENT_READ if reading else 0) | (selectors.EVENT_WRITE if client.outbox else 0)
        if events:
            sel.modify(conn, events, client)
        else:
            sel.unregister(conn)
            conn.close()

    def _read(self, conn, client):
        chunk = conn.recv(65536)
        if not chunk:
            client.closing = True
            return
        for message in client.framing.feed(chunk):
            reply = self.answer(message)
            client.outbox += client.framing.encode(reply)
            self.stats.add(messages=1, bytes_in=len(message), bytes_out=len(reply))

    def _stop(self):
        self._stop_thread()
        self._listener.close()


def selector_server(name="shout-selectors", port=0, answer=shout):
    """One thread and a selector for every client."""
    return SelectorServer(name, answer=answer, port=port)


@dataclass
class Exchange:
    """One request-reply of talk_at_once: who, which message, when sent and answered (s from the start)."""

    client: int
    message: int
    sent: float
    answered: float
    reply: bytes = b""
    error: str = ""


def talk_at_once(address, clients=4, messages=3, pause=0.1, timeout=5.0):
    """Start `clients` client threads together; each sends `messages` framed messages, `pause` s apart.

    Returns every Exchange, in the order they were answered.
    """
    exchanges, lock = [], threading.Lock()
    ready = threading.Barrier(clients + 1)
    start = [0.0]

    def one_client(number):
        ready.wait()
        try:
            with socket.create_connection(address, timeout=timeout) as sock:
                frames = LengthPrefix()
                for i in range(messages):
                    sent = time.perf_counter() - start[0]
                    send_message(sock, f"client {number} message {i}".encode(), frames)
                    reply = recv_message(sock, frames)
                    if reply is None:
                        raise ConnectionError("the server closed the connection")
                    done = Exchange(number, i, sent, time.perf_counter() - start[0], reply)
                    with lock:
                        exchanges.append(done)
                    if pause:
                        time.sleep(pause)
        except OSError as error:
            with lock:
                exchanges.append(Exchange(number, -1, 0.0, time.perf_counter() - start[0], error=str(error)))

    threads = [threading.Thread(target=one_client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start[0] = time.perf_counter()
    ready.wait()
    for thread in threads:
        thread.join()
    return sorted(exchanges, key=lambda e: e.answered)
