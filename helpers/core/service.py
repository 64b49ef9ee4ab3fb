"""The lifecycle every background server shares: start when ready, stop promptly, `with` works."""
import socket
import threading
import time

from helpers.core import registry
from helpers.core.stats import Stats


class Service:
    """A background server with a name, a real address and counters.

    Subclasses fill in `_start()` (return only once the server can serve) and `_stop()`.
    """

    kind = "service"

    def __init__(self, name):
        self.name = name
        self.address = None
        self.stats = Stats()
        self.started_at = None
        self.replaced_by = None  # the newer service that took this one's name, if any

    @property
    def running(self):
        """True between a successful start() and stop()."""
        return self.started_at is not None

    @property
    def where(self):
        """The thread name or process id that does the serving."""
        return ""

    @property
    def uptime(self):
        """Seconds since start(), or 0 when stopped."""
        return time.monotonic() - self.started_at if self.running else 0.0

    def start(self):
        """Start serving; returns self once clients can connect."""
        if not self.running:
            old = registry.get(self.name)
            if old is not None:  # a re-run cell replaces the old server of that name
                old.replaced_by = self
                old.stop()
                print(f"{self.name}: the {self.name} that was running is stopped; this new one replaces it")
            self._start()
            self.started_at = time.monotonic()
            registry.add(self)
        return self

    def stop(self):
        """Stop serving and free the port; safe to call twice."""
        if self.running:
            self.started_at = None
            try:
                self._stop()
            finally:
                registry.discard(self)

    def _start(self):
        raise NotImplementedError

    def _stop(self):
        raise NotImplementedError

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        state = f"{self.address[0]}:{self.address[1]}" if self.running else "stopped"
        return f"<{type(self).__name__} {self.name!r} {state}>"


class ThreadService(Service):
    """A service served by a background thread that stop() wakes through a socket pair."""

    kind = "thread"

    @property
    def where(self):
        return self._thread.name if self.running else ""

    def _start_thread(self, target, role):
        """Run target in a daemon thread; it should also watch self._wake_r and return when it is readable."""
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=target, name=f"{self.name}-{role}", daemon=True)
        self._thread.start()

    def _stop_thread(self):
        """Wake the thread, wait for it to end, close the socket pair."""
        self._wake_w.send(b"x")
        self._thread.join(timeout=1)
        self._wake_r.close()
        self._wake_w.close()


class ClosesConnections:
    """A threaded socketserver mix-in that can close its open connections (else a handler serves a keep-alive client on)."""

    def __init__(self, *args, **kwargs):
        self.connections, self._connections_lock = set(), threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Shut every open connection down: its handler's next read ends, and so does its thread."""
        with self._connections_lock:
            for request in self.connections:
                try:
                    request.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class SocketServerService(ThreadService):
    """A service around a threaded socketserver with ClosesConnections: subclasses build it in _make()."""

    def _make(self):
        raise NotImplementedError

    def _start(self):
        self._httpd = self._make()
        self.address = self._httpd.server_address[:2]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{self.name}-serve", daemon=True)
        self._thread.start()

    def _stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()  # a client with a kept-alive connection gets no more answers
        self._thread.join(timeout=1)
