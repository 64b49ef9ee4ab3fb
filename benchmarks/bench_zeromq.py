"""ZeroMQ: request-reply round trips per transport, the course's server against plain pyzmq, broker throughput."""
import contextlib
import os
import statistics
import threading
import time

import zmq

from helpers.zeromq.base import bind, socket
from helpers.zeromq.broker import WORK_MS, requests_per_second
from helpers.zeromq.pipeline import measure_speedup
from helpers.zeromq.reqrep import RepServer, round_trip_us

ROUNDS = 3000
BLOCKS, BLOCK_ROUNDS = 40, 500  # the strict comparison: alternating blocks of exchanges, the median of each side


def rtt_samples(transport, rounds=ROUNDS):
    """Microseconds for each request and reply to the course's REP server over transport."""
    with RepServer(f"bench-rep-{transport}", transport=transport) as server:
        return round_trip_us(server.endpoint, rounds)


def rtt_us(transport, turns=5, rounds=1000):
    """Best median microseconds for one request and reply to the course's REP server over transport, on one CPU."""
    with one_cpu():
        return min(statistics.median(rtt_samples(transport, rounds)) for _ in range(turns))


@contextlib.contextmanager
def one_cpu():
    """Run every thread of this process on one CPU for a while (Linux), so round trips stop jumping between modes.

    Unpinned on a small machine a round trip is ~35 or ~85 µs depending on where the scheduler puts the
    client, the server and ZeroMQ's I/O threads; on one CPU both sides are measured alike. Elsewhere a no-op.
    """
    if not hasattr(os, "sched_setaffinity") or not os.path.isdir("/proc/self/task"):
        yield
        return
    saved, cpu = {}, {min(os.sched_getaffinity(0))}
    for tid in map(int, os.listdir("/proc/self/task")):
        with contextlib.suppress(OSError):  # a thread may end meanwhile
            saved[tid] = os.sched_getaffinity(tid)
            os.sched_setaffinity(tid, cpu)
    try:
        yield
    finally:
        for tid, cpus in saved.items():
            with contextlib.suppress(OSError):  # a thread may have ended meanwhile
                os.sched_setaffinity(tid, cpus)


def exchanges_us(sock, rounds):
    """Median microseconds of `rounds` request-reply exchanges on a connected REQ socket."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        sock.send(b"hello")
        sock.recv()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def course_and_raw_us(blocks=BLOCKS, rounds=BLOCK_ROUNDS):
    """Medians over blocks of the course's tcp REP and of a plain pyzmq REP loop, both up at once, blocks alternating.

    Both servers and both clients are sockets with the course's options, each pair in a context of its own,
    so the loops are the only difference; everything runs on one CPU, so both are measured alike.
    """
    course, raw, plain = [], [], zmq.Context()
    total = (blocks + 1) * rounds  # every request the plain loop will answer, the warm-up block included

    def serve(rep):
        with contextlib.suppress(zmq.Again):  # its client gave up: the loop ends instead of blocking for ever
            for _ in range(total):
                rep.send(b"Stop saying: " + rep.recv())

    with one_cpu(), RepServer("bench-rep-strict") as server:
        rep = socket(zmq.REP, ctx=plain)
        endpoint = bind(rep)
        thread = threading.Thread(target=serve, args=(rep,), daemon=True)
        thread.start()
        ask_course, ask_raw = socket(zmq.REQ), socket(zmq.REQ, ctx=plain)
        ask_course.connect(server.endpoint)
        ask_raw.connect(endpoint)
        try:
            exchanges_us(ask_course, rounds), exchanges_us(ask_raw, rounds)  # warm-up
            for n in range(blocks):
                first, second = (ask_course, ask_raw) if n % 2 == 0 else (ask_raw, ask_course)
                times = {first: exchanges_us(first, rounds), second: exchanges_us(second, rounds)}
                course.append(times[ask_course])
                raw.append(times[ask_raw])
        finally:
            ask_course.close(linger=0)
            ask_raw.close(linger=0)
            thread.join(5)
            rep.close(linger=0)
            plain.term()
    return statistics.median(course), statistics.median(raw)


def run(results):
    """The ZeroMQ numbers for benchmarks/results.json (broker: 8 clients, WORK_MS of CPU per request)."""
    tcp, raw = course_and_raw_us()
    return {
        "rtt_zmq_tcp_us": round(tcp, 1),
        "rtt_zmq_ipc_us": round(rtt_us("ipc"), 1),
        "rtt_zmq_inproc_us": round(rtt_us("inproc"), 1),
        "rtt_raw_zmq_us": round(raw, 1),
        "rtt_zmq_ratio": round(tcp / raw, 2),
        "broker_rps_1_worker": round(requests_per_second(1, work_ms=WORK_MS)),
        "broker_rps_4_workers": round(requests_per_second(4, work_ms=WORK_MS)),
        "pipeline_speedup_2_workers": round(measure_speedup(2), 2),
    }


if __name__ == "__main__":
    print(run({}))
