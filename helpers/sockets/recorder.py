"""A TCP server that records what each recv() call returned: TCP carries a stream, not messages."""
import queue
import time

from helpers.core.errors import ServiceError
from helpers.servers.tcp import TcpServer


class RecvRecorder(TcpServer):
    """Reads each client to the end with recv(bufsize) and keeps the chunks, one list per connection.

    `delay` makes the server slow to start reading, so bytes pile up in its receive buffer first.
    """

    kind = "tcp recorder"

    def __init__(self, name="recorder", port=0, bufsize=1024 * 1024, delay=0.2):
        super().__init__(name, self.record, port=port, idle_timeout=5.0)
        self.bufsize, self.delay = bufsize, delay
        self.finished = queue.Queue()  # one list of chunks per connection, in the order they ended

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
        try:
            return self.finished.get(timeout=timeout)
        except queue.Empty:
            raise ServiceError(f"no connection to {self.name} finished within {timeout:g} s "
                               "(did the client close its socket?)") from None


def recv_recorder(name="recorder", port=0, bufsize=1024 * 1024, delay=0.2):
    """Start a RecvRecorder and return it."""
    return RecvRecorder(name, port=port, bufsize=bufsize, delay=delay).start()
