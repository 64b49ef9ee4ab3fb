"""ZeroMQ: request-reply round trips per transport, the course's server against plain pyzmq, broker throughput."""
import contextlib
import os
import statistics
import threading
import time

import zmq

from helpers.zeromq.broker import WORK_MS, requests_per_second
from helpers.zeromq.pipeline import measure_speedup
from helpers.zeromq.reqrep import RepServer, round_trip_us

ROUNDS = 3000


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
    saved = {int(tid): os.sched_getaffinity(int(tid)) for tid in os.listdir("/proc/self/task")}
    cpu = {min(os.sched_getaffinity(0))}
    for tid in saved:
        os.sched_setaffinity(tid, cpu)
    try:
        yield
    finally:
        for tid, cpus in saved.items():
            with contextlib.suppress(OSError):  # a thread may have ended meanwhile
                os.sched_setaffinity(tid, cpus)


def course_and_raw_us(turns=5, rounds=1000):
    """Best median of the course's tcp REP and of plain pyzmq, alternating turns on one CPU (timeit's best-of rule)."""
    course, raw, context = [], [], zmq.Context()  # one plain context for every raw turn, as the course keeps one
    with one_cpu():
        for _ in range(turns):
            course.append(statistics.median(rtt_samples("tcp", rounds)))
            raw.append(statistics.median(raw_samples(context, rounds)))
    context.destroy(linger=0)
    return min(course), min(raw)


def raw_samples(context, rounds=ROUNDS):
    """The same exchange with nothing but pyzmq (a REP loop in a thread, a REQ client, over tcp): microseconds each."""
    rep, req = context.socket(zmq.REP), context.socket(zmq.REQ)
    endpoint = f"tcp://127.0.0.1:{rep.bind_to_random_port('tcp://127.0.0.1')}"

    def serve():
        for _ in range(rounds):
            rep.send(b"Stop saying: " + rep.recv())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    req.connect(endpoint)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        req.send(b"hello")
        req.recv()
        samples.append((time.perf_counter() - start) * 1e6)
    thread.join(5)
    rep.close(linger=0)
    req.close(linger=0)
    return samples


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
