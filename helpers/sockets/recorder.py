"""A TCP server that records what each recv() call returned: TCP carries a stream, not messages."""
import queue
import time

from helpers.core.errors import ServiceError
from helpers.servers.tcp import TcpServer

GRACE = 1.0  # seconds a just-closed connection gets to reach the server before chunks() says none came


class RecvRecorder(TcpServer):
    """Reads each client to the end with recv(bufsize) and keeps the chunks, one list per connection.

    `delay` makes the server slow to start reading, so bytes pile up in its receive buffer first.
    """

    kind = "tcp recorder"

    def __init__(self, name="recorder", port=0, bufsize=1024 * 1024, delay=0.2):
        super().__init__(name, self.record, port=port, idle_timeout=5.0)
        self.bufsize, self.delay = bufsize, delay
        self.finished = queue.Queue()  # one list of chunks per connection, in the order they ended
        self.taken = 0  # connections whose chunks were handed out

    def record(self, conn, service):
        """The handle: sleep `delay`, then recv() until the client closes, noting every chunk."""
        time.sleep(self.delay)
        chunks = []
        while chunk := conn.recv(self.bufsize):
            chunks.append(chunk)
        self.stats.add(messages=1, bytes_in=sum(map(len, chunks)))
        self.finished.put(chunks)

    def chunks(self, timeout=5.0):
        """What each recv() returned for the next connection to finish (waits for it)."""
        begun = time.monotonic()
        while True:
            try:
                found = self.finished.get(timeout=0.05)
                self.taken += 1
                return found
            except queue.Empty:
                pass
            if not self.running:
                newer = " (a newer recorder took its name: use the one recv_recorder() returned last)"
                raise ServiceError(f"{self.name} is stopped{newer if self.replaced_by else ''}")
            waited = time.monotonic() - begun
            if self.stats.clients <= self.taken and waited >= min(GRACE, timeout):
                raise ServiceError(f"no new connection reached {self.name} since the last chunks(): "
                                   "connect, send and close first, then call chunks()")
            if waited >= timeout:
                raise ServiceError(f"a connection to {self.name} is still open after {timeout:g} s "
                                   "(did the client close its socket?)")


def recv_recorder(name="recorder", port=0, bufsize=1024 * 1024, delay=0.2):
    """Start a RecvRecorder and return it."""
    return RecvRecorder(name, port=port, bufsize=bufsize, delay=delay).start()
