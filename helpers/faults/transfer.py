"""Bandwidth is infinite / transport cost is zero: timing transfers and requests through the proxy."""
import socket
import statistics
import threading
import time
import timeit

from helpers.core.errors import ServiceError, describe


def echo_ms(address, payload, timeout=30.0, median_of=1):
    """Milliseconds to send payload to an echo service and read all of it back (the send runs beside the reads).

    With median_of=N: one round trip to warm up (a first call pays for setting up), then the median of N.
    """
    if median_of > 1:
        echo_ms(address, payload, timeout)
        return statistics.median(echo_ms(address, payload, timeout) for _ in range(median_of))
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


def codec_costs(codec, value, repeat=7, number=200):
    """(bytes, encode µs, decode µs) of one value: each the median of `repeat` runs of `number` calls, warmed up."""
    data = codec.encode(value)
    codec.decode(data)  # both warmed up once
    times = [statistics.median(timeit.repeat(call, repeat=repeat, number=number)) / number * 1e6
             for call in (lambda: codec.encode(value), lambda: codec.decode(data))]
    return len(data), *times


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
