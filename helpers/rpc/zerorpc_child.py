"""zerorpc's server (example 17-17) and client (example 17-18) as a program of their own.

zerorpc runs on gevent, which must never be imported into a Jupyter kernel, so the course runs this file in a
child process:

    python zerorpc_child.py serve [PORT]                 prints its endpoint, then serves double()
    python zerorpc_child.py call ENDPOINT NUM [COUNT]    the chapter's client; then the median round trip of COUNT calls

It imports nothing from the course's helpers (that would load every topic's libraries just to start).
"""
import logging
import os
import statistics
import sys
import time
import uuid

import zerorpc
import zmq
from zerorpc.events import Event

MAX_BODY = 1024 * 1024  # as helpers/rpc/double.py
DRAIN = 16 * 1024 * 1024
_unpack = Event.unpack


class RPC:
    """The chapter's service class."""

    def double(self, num):
        if isinstance(num, bool) or not isinstance(num, (int, float)):
            raise TypeError(f"double() needs a number, not {type(num).__name__}")
        return 2 * num


def malformed(why):
    """What a message that is not a zerorpc event is turned into: a call that fails, saying why."""
    raise ValueError(why)


def checked_unpack(blob):
    """zerorpc's Event.unpack, except that a message that is not a proper event becomes a call to _malformed(why)."""
    # zerorpc itself logs such a message and drops it, and its caller waits in vain; this way it gets an ERR event
    try:
        if len(blob) > MAX_BODY:
            raise ValueError(f"request of {len(blob):,} bytes is over the 1 MiB limit")
        event = _unpack(blob)
        if "message_id" not in event.header or not isinstance(event.args, (list, tuple)):
            raise ValueError("expected [{message_id, v}, name, [args]]")
        return event
    except Exception as error:  # noqa: BLE001 (anything at all: the message came from outside)
        why = str(error) or f"not MessagePack ({type(error).__name__})"
        return Event("_malformed", [f"malformed request: {why}"], None, {"message_id": uuid.uuid4().hex, "v": 3})


def serve(port=0):
    """Example 17-17 on 127.0.0.1 (never 0.0.0.0), a port the OS picks, with bad messages answered."""
    logging.getLogger("zerorpc").setLevel(logging.CRITICAL)  # it logs a traceback for every failed call
    Event.unpack = staticmethod(checked_unpack)
    server = zerorpc.Server({"double": RPC().double, "_malformed": malformed})  # "_": not listed
    server._events.setsockopt(zmq.MAXMSGSIZE, DRAIN)  # larger messages: ZeroMQ drops the sender
    server.bind(f"tcp://127.0.0.1:{port or '*'}")
    print(server._events._socket.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # from now on nothing may fill the pipe the parent stops reading
    server.run()


def call(endpoint, num, count=0):
    """Example 17-18 (with a timeout); then count more calls, timed."""
    client = zerorpc.Client(timeout=5)
    client.connect(endpoint)
    result = client.double(num)
    print("Double", num, "is", result, flush=True)
    times = []
    for n in range(count):
        start = time.perf_counter()
        client.double(n)
        times.append(time.perf_counter() - start)
    if times:
        print(f"{statistics.median(times) * 1e6:.1f}", flush=True)
    client.close()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    else:
        call(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
