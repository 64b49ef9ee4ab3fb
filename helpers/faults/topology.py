"""Topology doesn't change: a name -> address book (like a hosts file or DNS) and clients that do or do not re-read it."""
import json
import socket
import threading

from helpers.core.errors import ServiceError, describe
from helpers.core.folders import private_folder

TIMEOUT = 1.0


class Directory:
    """Names and the address each one has now, in a JSON file that every client reads."""

    def __init__(self):
        self.path = private_folder("dis-names-") / "names.json"
        self.path.write_text("{}")
        self._lock = threading.Lock()

    def publish(self, name, service):
        """Record the address where `name` can be reached now."""
        with self._lock:
            names = json.loads(self.path.read_text())
            names[name] = list(service.address[:2])
            self.path.write_text(json.dumps(names))

    def lookup(self, name):
        """The (host, port) that `name` has now; KeyError if nobody published it."""
        return tuple(json.loads(self.path.read_text())[name])


def echo_once(address, payload, timeout=TIMEOUT):
    """Send payload to an echo service on a new connection and return what comes back."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            return b"".join(iter(lambda: sock.recv(65536), b""))
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None


class PinnedClient:
    """Looks the name up once, when made, and uses that address for ever."""

    def __init__(self, directory, name):
        self.address = directory.lookup(name)

    def ask(self, payload):
        return echo_once(self.address, payload)


class ResolvingClient:
    """Keeps the address it looked up, but on a failed connection looks the name up again and retries once."""

    def __init__(self, directory, name):
        self.directory, self.name = directory, name
        self.address, self.lookups = directory.lookup(name), 1

    def ask(self, payload):
        try:
            return echo_once(self.address, payload)
        except ServiceError:
            self.address, self.lookups = self.directory.lookup(self.name), self.lookups + 1
            return echo_once(self.address, payload)
