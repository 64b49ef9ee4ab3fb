"""Bandwidth is infinite / transport cost is zero: timing transfers and requests through the proxy."""
import socket
import statistics
import threading
import time

from helpers.core.errors import ServiceError, describe


def echo_ms(address, payload, timeout=30.0):
    """Milliseconds to send payload to an echo service and read all of it back (the send runs beside the reads)."""
    address = tuple(getattr(address, "address", address))
    start, got = time.perf_counter(), 0
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sender = threading.Thread(target=sock.sendall, args=(payload,), daemon=True)
            sender.start()
            while got < len(payload):
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed early")
                got += len(chunk)
            sender.join(timeout)
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    return (time.perf_counter() - start) * 1000


def read_exactly(sock, size):
    """Read size bytes, however they are split; ConnectionError if the peer closes first."""
    got = 0
    while got < size:
        chunk = sock.recv(size - got)
        if not chunk:
            raise ConnectionError("closed before the whole reply came")
        got += len(chunk)


def one_connection_us(address, count=200, size=32, timeout=2.0):
    """Median µs per small request on one connection kept open."""
    address = tuple(getattr(address, "address", address))
    times = []
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            start = time.perf_counter()
            sock.sendall(b"x" * size)
            read_exactly(sock, size)
            times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def new_connection_us(address, count=200, size=32, timeout=2.0):
    """Median µs per small request that opens (and closes) a connection of its own."""
    address = tuple(getattr(address, "address", address))
    times = []
    for _ in range(count):
        start = time.perf_counter()
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(b"x" * size)
            read_exactly(sock, size)
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)
