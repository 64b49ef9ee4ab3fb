"""TCP servers in a background thread: one thread per client, stopped in well under a second."""
import selectors
import socket
import threading
import time

from helpers.core.ports import HOST
from helpers.core.service import ThreadService


class TcpServer(ThreadService):
    """Serve each client with handle(conn, service) in its own thread on 127.0.0.1."""

    kind = "tcp thread"

    def __init__(self, name, handle, port=0, idle_timeout=30.0, protocol=""):
        super().__init__(name)
        self.handle = handle
        self.protocol = protocol  # e.g. "echo": what the raw console's hints assume this server speaks
        self.port = port
        self.idle_timeout = idle_timeout
        self._clients = {}  # connection -> the thread serving it
        self._lock = threading.Lock()


    def _start(self):
        self._listener = socket.create_server((HOST, self.port), backlog=64)
        self.address = self._listener.getsockname()
        self._start_thread(self._accept_loop, "accept")

    def _accept_loop(self):
        with selectors.DefaultSelector() as sel:
            sel.register(self._listener, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        conn, peer = self._listener.accept()
                    except OSError:
                        continue
                    conn.settimeout(self.idle_timeout)
                    thread = threading.Thread(target=self._serve_client, args=(conn,), daemon=True,
                                              name=f"{self.name}-client-{peer[1]}")
                    with self._lock:
                        self._clients[conn] = thread
                    thread.start()

    def _serve_client(self, conn):
        self.stats.add(clients=1)
        try:
            self.handle(conn, self)
        except (OSError, ValueError):  # vanished, silent or misbehaving client: drop it, keep serving
            self.stats.add(errors=1)
        finally:
            with self._lock:
                self._clients.pop(conn, None)
            conn.close()

    def _stop(self):
        self._stop_thread()
        self._listener.close()
        with self._lock:
            clients = dict(self._clients)
        for conn in clients:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # wakes the client's thread out of recv()
            except OSError:
                pass
        deadline = time.monotonic() + 0.5
        for thread in clients.values():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def echo(conn, service):
    """Send back every byte the client sends until it closes its side."""
    got_any = False
    while chunk := conn.recv(65536):
        service.stats.add(bytes_in=len(chunk), bytes_out=len(chunk))
        conn.sendall(chunk)
        got_any = True
    if got_any:
        service.stats.add(messages=1)


def echo_server(name="echo", port=0):
    """A TCP echo server: the reply is exactly what you sent."""
    return TcpServer(name, echo, port=port, protocol="echo")
