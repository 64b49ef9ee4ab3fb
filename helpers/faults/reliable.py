"""The network is reliable: a counter service, clients with timeouts, retries with backoff, idempotency keys."""
import random
import socket
import threading
import time

from helpers.core.errors import ServiceError, describe
from helpers.servers.tcp import TcpServer

TIMEOUT = 1.0


class Counter:
    """A running total; each ADD with a key already seen returns the earlier answer instead of adding again."""

    def __init__(self):
        self.total, self.answers, self.lock = 0, {}, threading.Lock()

    def add(self, amount, key=None):
        with self.lock:
            if key is not None and key in self.answers:
                return self.answers[key]
            self.total += amount
            if key is not None:
                self.answers[key] = self.total
            return self.total


def serve_counter(conn, service):
    """Lines 'ADD <n> [key]' answer the new total; 'TOTAL' answers it without changing it."""
    with conn.makefile("rwb", buffering=0) as stream:
        for line in stream:
            words = line.decode("ascii", "replace").split()
            if words[:1] == ["ADD"] and len(words) in (2, 3):
                answer = service.counter.add(int(words[1]), words[2] if len(words) == 3 else None)
            elif words == ["TOTAL"]:
                answer = service.counter.total
            else:
                answer = "ERR expected ADD <n> [key] or TOTAL"
            service.stats.message(len(line), len(str(answer)) + 1)
            stream.write(f"{answer}\n".encode())


def counter_server(name="counter"):
    """A TCP service holding one running total (not started)."""
    server = TcpServer(name, serve_counter, protocol="counter")
    server.counter = Counter()
    return server


def ask_counter(address, line, timeout=TIMEOUT):
    """Send one line on a new connection and return the answer as an int; failures raise one ServiceError line."""
    address = tuple(address.address if hasattr(address, "address") else address)
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(line.encode() + b"\n")
            with sock.makefile("rb") as stream:
                answer = stream.readline()
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    if not answer.endswith(b"\n"):
        raise ServiceError(f"{address[0]}:{address[1]} closed the connection before replying")
    return int(answer)


def add(address, amount=1, key=None, timeout=TIMEOUT):
    """ADD amount (with an idempotency key if given); returns the new total."""
    return ask_counter(address, f"ADD {amount}" + (f" {key}" if key else ""), timeout)


def retry(call, tries=5, first_wait=0.05, factor=2.0, log=None):
    """call() until it works, waiting first_wait, then factor times longer each time (with jitter).

    Each failure is appended to log (a list) as one line; the last failure is raised after `tries`.
    """
    wait = first_wait
    for attempt in range(1, tries + 1):
        try:
            return call()
        except ServiceError as error:
            if log is not None:
                log.append(f"attempt {attempt}: {error}")
            if attempt == tries:
                raise
            time.sleep(wait * random.uniform(0.5, 1.5))
            wait *= factor
