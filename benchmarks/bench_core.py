"""Start/stop times of the course services, and the helpers' TCP client against a raw socket."""
import socket
import statistics
import time

from helpers import ask, serve, stop_all

STARTS = 20
ROUND_TRIPS = 2000
MESSAGE = b"Hey!"


def median_ms(action, times=STARTS):
    """Median wall time of action() in milliseconds."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def raw_round_trip(address):
    """What ask() does, written with a bare socket: connect, send, close our side, read to the end."""
    with socket.create_connection(address, timeout=2) as sock:
        sock.sendall(MESSAGE)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass


def round_trips_us(address):
    """Median round trip (µs) of raw sockets and of ask(), interleaved so both see the same machine."""
    raw, helper = [], []
    for _ in range(ROUND_TRIPS):
        for samples, call in ((raw, lambda: raw_round_trip(address)), (helper, lambda: ask(address, MESSAGE))):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(raw), statistics.median(helper)


def run(results):
    """Measure and return the lifecycle keys."""
    out = {"start_echo_ms": median_ms(lambda: serve("echo")),
           "start_redis_ms": median_ms(lambda: serve("redis"))}
    stops = []
    for _ in range(STARTS):
        server = serve("echo", as_name="stopping")
        started = time.perf_counter()
        server.stop()
        stops.append((time.perf_counter() - started) * 1000)
    out["stop_echo_ms"] = statistics.median(stops)
    raw, helper = round_trips_us(serve("echo").address)
    out.update(rtt_raw_tcp_us=raw, rtt_helpers_tcp_us=helper, rtt_ratio=helper / raw)
    stop_all()
    return out
