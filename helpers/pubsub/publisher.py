"""The stream viewer's publisher, a process of its own: cats and hats at a rate read from stdin, to Redis or ZeroMQ.

`python -m helpers.pubsub.publisher redis HOST PORT` or `... zmq`: it prints `ready` (zmq: `ready ENDPOINT`),
then publishes; each line on stdin is a new rate in messages per second; it ends when stdin closes.
Redis' password comes in the environment variable REDISCLI_AUTH (as for redis-cli), never in the arguments.
"""
import os
import random
import selectors
import sys
import time

SIZE = 100  # bytes in every message body
TICK = 0.01  # seconds between two batches
PASSWORD = "REDISCLI_AUTH"  # the environment variable that brings Redis' password


def bodies(seed=None):
    """Endless (cat, body) pairs: a random cat and a numbered hat, the body padded to SIZE bytes."""
    from helpers.pubsub.redis_channels import CATS, HATS

    pick, n = random.Random(seed), 0
    while True:
        n += 1
        yield pick.choice(CATS).encode(), f"{pick.choice(HATS)} #{n}".ljust(SIZE).encode()


def redis_sender(host, port):
    """send(batch) that PUBLISHes a batch of (cat, body) in one round trip."""
    import redis

    conn = redis.Redis(host, int(port), password=os.environ.get(PASSWORD), socket_timeout=5, socket_connect_timeout=5)
    conn.ping()

    def send(batch):
        pipe = conn.pipeline(transaction=False)
        for cat, body in batch:
            pipe.publish(cat, body)
        pipe.execute()
    return send, "ready"


def zmq_sender():
    """send(batch) on a PUB socket bound to a fresh endpoint (a PUB drops what a full subscriber cannot take)."""
    from helpers.zeromq.base import bind, socket
    import zmq

    pub = socket(zmq.PUB)
    endpoint = bind(pub)

    def send(batch):
        for cat, body in batch:
            pub.send_multipart([cat, body])
    return send, f"ready {endpoint}"


def run(send, rate, lines=sys.stdin):
    """Publish at rate messages per second; a line read from lines sets a new rate; return at end of input."""
    source, selector = bodies(), selectors.DefaultSelector()
    selector.register(lines, selectors.EVENT_READ)
    start, sent = time.monotonic(), 0
    while True:
        for _ in selector.select(TICK):
            line = lines.readline()
            if not line:
                return
            rate, start, sent = max(0, int(float(line))), time.monotonic(), 0
        due = min(int(rate * (time.monotonic() - start)) - sent, max(1, rate // 20))  # no burst after a stall
        if due > 0:
            send([next(source) for _ in range(due)])
            sent += due
        if sent >= rate * 2:  # start counting again now and then, so a changed rate settles at once
            start, sent = time.monotonic(), 0


def main(argv):
    send, ready = redis_sender(*argv[1:3]) if argv[0] == "redis" else zmq_sender()
    print(ready, flush=True)
    try:
        run(send, 0)
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    except Exception as error:  # one line for the viewer's status, then a clean end
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # skip the interpreter's teardown, which can wait on ZeroMQ
