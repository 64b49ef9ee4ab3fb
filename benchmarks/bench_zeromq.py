"""ZeroMQ: request-reply round trips per transport, the course's server against plain pyzmq, broker throughput."""
import statistics
import threading
import time

import zmq

from helpers.zeromq.broker import WORK_MS, requests_per_second
from helpers.zeromq.pipeline import measure_speedup
from helpers.zeromq.reqrep import RepServer, round_trip_us

ROUNDS = 3000


def rtt_us(transport, rounds=ROUNDS):
    """Median microseconds for one request and reply to the course's REP server over transport."""
    with RepServer(f"bench-rep-{transport}", transport=transport) as server:
        return statistics.median(round_trip_us(server.endpoint, rounds))


def rtt_raw_us(rounds=ROUNDS):
    """The same exchange with nothing but pyzmq: a REP loop in a thread, a REQ client, over tcp."""
    context = zmq.Context()
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
    context.destroy(linger=0)
    return statistics.median(samples)


def run(results):
    """The ZeroMQ numbers for benchmarks/results.json (broker: 8 clients, WORK_MS of CPU per request)."""
    tcp, raw = rtt_us("tcp"), rtt_raw_us()
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
