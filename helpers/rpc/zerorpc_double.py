"""zerorpc (examples 17-17 and 17-18) without gevent in the kernel: its server in a child, its wire format here."""
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import msgpack
import zmq

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.core.process import ProcessService, first_line, run_to_end, spawn
from helpers.rpc.client import TIMEOUT, RpcClient, RpcFault
from helpers.rpc.double import MAX_BODY
from helpers.zeromq.base import address_of, socket

CHILD = Path(__file__).with_name("zerorpc_child.py")  # the only file that imports zerorpc, run as its own program
HEARTBEATS = ("_zpc_hb", "_zpc_more")  # zerorpc's keep-alive and flow-control events, not answers


class ZerorpcServer(ProcessService):
    """Example 17-17 in a child process (zerorpc and gevent live there); it prints its endpoint when bound."""

    kind = "zerorpc process"
    label = "zerorpc"

    def __init__(self, name="zerorpc", port=0):
        super().__init__(name)
        self.port, self.endpoint = port, None

    def command(self):
        return [sys.executable, str(CHILD), "serve", str(self.port)]

    def _start(self):
        self.process = spawn(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = first_line(self.process, self.name, time.monotonic() + self.start_timeout).decode().strip()
        if not line.startswith(f"tcp://{HOST}:"):
            self._kill()
            raise ServiceError(f"{self.name} exited at start: it printed {line[:80]!r} instead of its endpoint")
        self.endpoint, self.address = line, address_of(line)

    def client(self, timeout=TIMEOUT):
        """A client that speaks zerorpc's wire format with pyzmq and msgpack (no gevent), recording the wire."""
        return ZerorpcClient(self, timeout)


def event(name, args, message_id=None):
    """A zerorpc event as bytes: MessagePack of [header, name, args]."""
    return msgpack.packb([{"message_id": message_id or uuid.uuid4().hex, "v": 3}, name, list(args)])


def decoded(frame, limit=110):
    """A frame as short text: a zerorpc event's name and args first, then its header ('' if not MessagePack)."""
    try:
        content = msgpack.unpackb(frame) if frame else None
    except (ValueError, TypeError):
        return ""
    if isinstance(content, list) and len(content) == 3 and isinstance(content[0], dict):
        text = f"event {content[1]!r} {content[2]!r}, header {content[0]!r}"
    else:
        text = "" if content is None else repr(content)
    return text if len(text) <= limit else text[:limit] + "..."


class ZerorpcClient(RpcClient):
    """zerorpc's protocol by hand: a DEALER socket sends [b"", event]; the answer is an OK or ERR event."""

    protocol = "zerorpc"

    def __init__(self, server, timeout=TIMEOUT):
        super().__init__(server, timeout)
        self.sock = None

    def _call(self, method, args):
        return self._send(event(method, args))

    def _send(self, body):
        if self.sock is None:
            self.sock = socket(zmq.DEALER, timeout_ms=int(self.timeout * 1000), max_message=MAX_BODY)
            self.sock.connect(self.server.endpoint)
        self.last.sent = [("ZeroMQ frame (empty delimiter)", b""), (f"ZeroMQ frame {decoded(body)}".strip(), body)]
        deadline = time.monotonic() + self.timeout
        try:
            self.sock.send_multipart([b"", body])
            while True:  # skip heartbeats: the server sends one every 5 s while a call runs
                frames = self.sock.recv_multipart()
                self.last.received += [(f"ZeroMQ frame {decoded(f)}".strip(), f) for f in frames]
                _, name, args = msgpack.unpackb(frames[-1])  # header, name, args
                if name not in HEARTBEATS or time.monotonic() > deadline:
                    break
        except zmq.ZMQError as error:
            self.close()  # a late answer must not be taken for the next call's
            why = f"no reply within {self.timeout:g} s" if isinstance(error, zmq.Again) else str(error)
            raise ServiceError(f"{self.server.endpoint}: {why}") from None
        except (ValueError, TypeError):
            raise ServiceError(f"{self.server.endpoint}: the reply is not a zerorpc event") from None
        if name == "ERR":
            error_name, message = args[:2]
            raise RpcFault(f"zerorpc ERR {error_name}: {message}")
        if name != "OK":
            raise ServiceError(f"{self.server.endpoint}: unexpected {name!r} event")
        return args[0]

    def close(self):
        if self.sock is not None:
            self.sock.close(linger=0)
            self.sock = None


def run_child(args, timeout):
    """Run zerorpc_child.py with args; return its stdout lines (ServiceError with its last error line if it fails)."""
    return run_to_end([sys.executable, str(CHILD), *args], "the zerorpc client", timeout).decode().splitlines()


def chapter_client(server, num=7, count=0, timeout=20.0):
    """Example 17-18 in a child process against server: (what it printed, median µs of count more calls, or None)."""
    lines = run_child(["call", server.endpoint, str(num), str(count)], timeout)
    return lines[0], float(lines[1]) if count else None


def gevent_in(module, timeout=20.0):
    """How many gevent modules importing module loads, asked of a fresh Python (not this one)."""
    code = f"import sys, {module}; print(sum(m == 'gevent' or m.startswith('gevent.') for m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode:
        raise ServiceError(f"python -c 'import {module}' failed: {proc.stderr.strip().splitlines()[-1]}")
    return int(proc.stdout)


def clients_compared(server, count=300):
    """The two ways the course could call zerorpc, measured: {way: (number, unit)}, medians per call and the
    child's start-up."""
    start = time.perf_counter()
    chapter_client(server, 7, count=0)
    startup_ms = (time.perf_counter() - start) * 1000
    _, child_us = chapter_client(server, 7, count=count)
    times = []
    with server.client() as client:
        for n in range(count // 10):  # a few calls to warm up, not counted
            client.double(n)
        for n in range(count):
            client.double(n)
            times.append(client.last.ms * 1000)
    return {"zerorpc.Client in a child process": (round(child_us, 1), "µs per call (median)"),
            "pyzmq + msgpack in the kernel": (round(statistics.median(times), 1), "µs per call (median)"),
            "starting a child client": (round(startup_ms, 1), "ms")}
