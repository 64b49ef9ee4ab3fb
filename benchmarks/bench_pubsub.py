"""Publish-subscribe: messages per second from one publisher to one subscriber (Redis, ZeroMQ), and the viewer's intake."""
import threading
import time

import zmq

from helpers.pubsub.viewer import StreamViewer, ZmqSource
from helpers.pubsub.zmq_pubsub import wait_for_subscribers, xpub_socket
from helpers.servers.redis import redis_server
from helpers.zeromq.base import socket

COUNT = 100_000
BODY = b"x" * 100  # every figure here uses 100-byte messages


def redis_msgs_s(count=COUNT):
    """One publisher thread (pipelined PUBLISH) to one subscriber on the course's redis-server."""
    with redis_server("bench-pubsub-redis") as server:
        sub = server.client(decode_responses=False).pubsub()
        sub.subscribe("bench")
        sub.get_message(timeout=2)
        conn = server.client(decode_responses=False)

        def publish():
            pipe = conn.pipeline(transaction=False)
            for n in range(count):
                pipe.publish("bench", BODY)
                if n % 1000 == 999:
                    pipe.execute()
            pipe.execute()

        start, got = time.perf_counter(), 0
        threading.Thread(target=publish, daemon=True).start()
        while got < count and sub.get_message(timeout=5) is not None:
            got += 1
        seconds = time.perf_counter() - start
        sub.close()
    return got / seconds


def zmq_msgs_s(count=COUNT):
    """One XPUB publisher thread to one SUB socket over tcp, queues large enough that none is dropped."""
    pub, endpoint = xpub_socket(hwm=count)
    sub = socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, count)
    sub.connect(endpoint)
    sub.subscribe(b"")
    wait_for_subscribers(pub, 1)

    def publish():
        for _ in range(count):
            pub.send_multipart([b"bench", BODY])

    start, got = time.perf_counter(), 0
    threading.Thread(target=publish, daemon=True).start()
    while got < count and sub.poll(5000):
        sub.recv_multipart()
        got += 1
    seconds = time.perf_counter() - start
    pub.close()
    sub.close()
    return got / seconds


def viewer_ingest_msgs_s(rate=60_000, seconds=4.0):
    """Messages per second the stream viewer takes in, view live, from its publisher asked for `rate`."""
    view = StreamViewer(ZmqSource(), name="bench-viewer", rate=rate).start()
    try:
        time.sleep(1.0)  # the publisher settles at its rate
        count, start = sum(view.counts.values()), time.perf_counter()
        time.sleep(seconds)
        return (sum(view.counts.values()) - count) / (time.perf_counter() - start), view.refreshes
    finally:
        view.stop()


def run(results):
    """The publish-subscribe numbers for benchmarks/results.json."""
    ingest, _ = viewer_ingest_msgs_s()
    return {
        "pubsub_redis_msgs_s": round(redis_msgs_s()),
        "pubsub_zmq_msgs_s": round(zmq_msgs_s()),
        "viewer_ingest_msgs_s": round(ingest),
    }


if __name__ == "__main__":
    print(run({}))
