"""Exercise 17.2's time service on ZeroMQ REQ/REP: your function run on a bound REP socket, and the course's own.

Your function gets a REP socket already bound to tcp://127.0.0.1 (on a port the OS picked); it loops:
recv() a request, send() a reply. Stopping ends the socket's private context, which makes the waiting
recv() raise zmq.ContextTerminated and so ends your loop.
"""
import threading
from datetime import datetime

import zmq

from helpers.core.ports import HOST
from helpers.core.service import ThreadService
from helpers.servers.function import end_thread
from helpers.zeromq.base import MAX_MESSAGE, TIMEOUT_MS, ZmqServer, address_of, socket


class ZmqFunctionServer(ThreadService):
    """Your `function(rep)` in a thread, on a REP socket of its own context, with the course lifecycle around it."""

    kind = "your zmq server"

    def __init__(self, name, function):
        super().__init__(name)
        self.function, self.endpoint = function, None
        self.error = None  # the exception your function stopped with, if any
        self.stuck = False  # True if it did not end when the course stopped it

    @property
    def alive(self):
        """True while your function is still running."""
        return self._thread.is_alive()

    def _start(self):
        self._context = zmq.Context()  # its own: ending it wakes a recv() that waits forever, and only that one
        self.sock = self._context.socket(zmq.REP)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)  # no RCVTIMEO: a server waits for requests as long as it runs
        self.sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
        self.endpoint = f"tcp://{HOST}:{self.sock.bind_to_random_port(f'tcp://{HOST}')}"
        self.address = address_of(self.endpoint)
        self.error, self._stopping = None, False
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-thread", daemon=True)
        self._thread.start()
        self._thread.join(timeout=0.05)  # a function that fails at once has failed by now

    def _run(self):
        try:
            self.function(self.sock)
        except Exception as error:  # kept for the checker's report instead of printing from a thread
            if not (self._stopping and isinstance(error, zmq.ContextTerminated)):
                self.error = error
        except SystemExit:
            pass  # the course ended a function that did not end when stopped
        finally:
            self.sock.close(linger=0)  # closed by the thread that used it, as ZeroMQ requires

    def _stop(self):
        self._stopping = True
        ending = threading.Thread(target=self._context.term, name=f"{self.name}-term", daemon=True)
        ending.start()  # term() makes recv() raise, then waits until the socket is closed
        self._thread.join(timeout=1)
        self.stuck = self._thread.is_alive()
        if self.stuck:  # it caught the error that should have ended it: end its thread for it
            end_thread(self._thread, within=1)
            ended = "its thread was ended" if not self._thread.is_alive() else "restart the kernel to end it"
            print(f"{self.name}: your function went on running after the course stopped it "
                  f"(does it catch errors around rep.recv()?); {ended}")
        ending.join(timeout=1)


def run_zmq_server(function, name="my-zmq-server"):
    """Start function(rep) in the background on a bound REP socket; returns the server (.endpoint, .stop())."""
    return ZmqFunctionServer(name, function).start()


def time_reply(frames):
    """The solution's answer: b"time" gets the current time in ISO 8601, anything else an error."""
    if frames == [b"time"]:
        return [datetime.now().isoformat().encode()]
    return [b"error: unknown request, send time"]


class ZmqTimeServer(ZmqServer):
    """Exercise 17.2's solution as a course service: a REP socket answering b"time"."""

    def __init__(self, name="zmq-time", port=0):
        super().__init__(name, zmq.REP, time_reply)
        self.port = port

    @property
    def banner(self):
        """The endpoint a REQ connects to (printed by `python -m helpers serve zmq-time`)."""
        return f"endpoint (clients connect a REQ here): {self.endpoint}"

    def _start(self):
        if not self.port:
            return super()._start()
        self.sock = socket(zmq.REP)
        self.endpoint = f"tcp://{HOST}:{self.port}"
        self.sock.bind(self.endpoint)
        self.address = address_of(self.endpoint)
        self._start_thread(self._loop, "zmq")


def zmq_time_server(name="zmq-time", port=0):
    """The time service of exercise 17.2 (unstarted; .start() it, then ask it at .endpoint)."""
    return ZmqTimeServer(name, port)


def zmq_ask(endpoint, request, timeout=1.5):
    """Send one request from a fresh REQ socket; the reply, or one line saying why there is none."""
    req = socket(zmq.REQ, timeout_ms=int(timeout * 1000))
    try:
        req.connect(endpoint)
        req.send(request)
        return req.recv()
    except zmq.Again:
        return f"no reply within {timeout:g} s from {endpoint}"
    except zmq.ZMQError as error:
        return f"{endpoint}: {error}"
    finally:
        req.close(linger=0)
