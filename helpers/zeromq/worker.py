"""One broker worker, a process of its own: a REP socket connected to the broker's back end.

Run as `python -m helpers.zeromq.worker BACKEND NAME [--work-ms MS]`. Each reply is
[NAME, b"Stop saying: " + request], so clients can see which worker answered them.
"""
import argparse
import time

import zmq

MAX_MESSAGE = 1024 * 1024  # the course's limit: a bigger message drops its sender instead of filling memory


def busy(ms):
    """Keep one core busy for ms milliseconds (the work a request costs)."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def serve(backend, name, work_ms=0.0):
    """Connect to the broker and answer requests until the process is stopped."""
    context = zmq.Context()
    rep = context.socket(zmq.REP)
    rep.setsockopt(zmq.LINGER, 0)
    rep.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    rep.connect(backend)
    me = name.encode()
    try:
        while True:
            frames = rep.recv_multipart()
            busy(work_ms)
            rep.send_multipart([me] + [b"Stop saying: " + frame for frame in frames])
    finally:
        rep.close(linger=0)
        context.term()


def main(argv=None):
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", help="the broker's back-end endpoint (workers connect there)")
    parser.add_argument("name", help="this worker's name, the first frame of every reply")
    parser.add_argument("--work-ms", type=float, default=0.0, help="CPU time each request costs")
    args = parser.parse_args(argv)
    try:
        serve(args.backend, args.name, args.work_ms)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
