"""The ROUTER/DEALER broker of figure 17-1: REQ clients -> ROUTER | DEALER -> REP workers in processes."""
import subprocess
import sys
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.core.process import end_process, spawn
from helpers.core.service import ThreadService
from helpers.zeromq.base import START_TIMEOUT, address_of, bind, socket

WORK_MS = 2.0  # CPU time each request costs a worker, so that more workers (on more cores) add capacity
EVENTS = zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED


class Broker(ThreadService):
    """A ROUTER front end for clients, a DEALER back end for workers, and the worker processes it runs."""

    kind = "zmq broker"

    def __init__(self, name="zmq-broker", workers=2, port=0, work_ms=WORK_MS):
        super().__init__(name)
        self.port, self.work_ms, self.wanted = port, work_ms, workers
        self.procs, self.handled, self.connected = [], {}, 0
        self.endpoint = self.back_endpoint = None

    @property
    def banner(self):
        """The two endpoints, one line each (printed by `python -m helpers serve zmq-broker`)."""
        return (f"front (clients connect a REQ here): {self.endpoint}\n"
                f"back (workers connect a REP here): {self.back_endpoint}")

    def _start(self):
        self.front, self.back = socket(zmq.ROUTER), socket(zmq.DEALER)
        if self.port:
            self.endpoint = f"tcp://{HOST}:{self.port}"
            self.front.bind(self.endpoint)
        else:
            self.endpoint = bind(self.front, "tcp", "front")
        self.back_endpoint = bind(self.back, "tcp", "back")
        self.address = address_of(self.endpoint)
        self.monitor = self.back.get_monitor_socket(EVENTS)
        self.procs, self.handled, self.connected = [], {}, 0
        self._start_thread(self._loop, "broker")
        try:
            self.set_workers(self.wanted)
        except ServiceError:
            self._stop()
            raise

    def _loop(self):
        poller = zmq.Poller()
        for sock in (self.front, self.back, self.monitor, self._wake_r):
            poller.register(sock, zmq.POLLIN)
        while True:
            poller.modify(self.front, zmq.POLLIN if self.connected else 0)  # no worker yet: requests wait
            ready = dict(poller.poll())
            if self._wake_r.fileno() in ready or self._wake_r in ready:
                return
            if self.monitor in ready:
                event = recv_monitor_message(self.monitor)["event"]
                self.connected += 1 if event == zmq.EVENT_HANDSHAKE_SUCCEEDED else -1
            if self.front in ready:
                self._forward(self.front, self.back)
            if self.back in ready:
                self._forward(self.back, self.front)

    def _forward(self, source, target, burst=100):
        """Pass up to burst waiting messages on, envelope and all."""
        for _ in range(burst):
            try:
                frames = source.recv_multipart(zmq.NOBLOCK)
            except zmq.ZMQError:
                return
            if source is self.back:
                self._count(frames)
            else:
                self.stats.add(messages=1, bytes_in=sum(map(len, frames)))
            try:
                target.send_multipart(frames, zmq.NOBLOCK)  # a ROUTER drops a reply whose client is gone
            except zmq.ZMQError:
                self.stats.add(errors=1)

    def _count(self, frames):
        """Note which worker answered: the frame after the empty delimiter."""
        if b"" in frames[:-1]:
            worker = frames[frames.index(b"") + 1].decode(errors="replace")
            self.handled[worker] = self.handled.get(worker, 0) + 1
        self.stats.add(bytes_out=sum(map(len, frames)))

    def set_workers(self, count, timeout=START_TIMEOUT):
        """Start or stop worker processes until count run, and wait until they are connected."""
        self.wanted = count
        while len(self.procs) > count:
            _end(self.procs.pop())
        names = {p.name for p in self.procs}
        while len(self.procs) < count:
            name = next(f"w{n}" for n in range(1, 1000) if f"w{n}" not in names)
            names.add(name)
            argv = [sys.executable, "-m", "helpers.zeromq.worker", self.back_endpoint, name,
                    "--work-ms", str(self.work_ms)]
            proc = spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            proc.name = name
            self.procs.append(proc)
        self._wait_connected(timeout)

    def _wait_connected(self, timeout):
        deadline = time.monotonic() + timeout
        while self.connected != len(self.procs):
            for proc in self.procs:
                if proc.poll() is not None:
                    error = proc.stderr.read().decode(errors="replace").strip().splitlines()
                    raise ServiceError(f"worker {proc.name} exited: {error[-1] if error else 'no message'}")
            if time.monotonic() > deadline:
                raise ServiceError(f"{self.connected} of {len(self.procs)} workers connected within {timeout:g} s")
            time.sleep(0.01)

    def kill_worker(self, name):
        """Kill one worker process at once (SIGKILL), as a crash would; requests it holds are lost."""
        proc = next(p for p in self.procs if p.name == name)
        self.procs.remove(proc)
        proc.kill()
        proc.wait()
        proc.stderr.close()

    @property
    def workers(self):
        """The names of the running workers."""
        return [p.name for p in self.procs]

    def _stop(self):
        for proc in self.procs:
            _end(proc)
        self.procs = []
        self._stop_thread()
        self.back.disable_monitor()
        for sock in (self.monitor, self.front, self.back):
            sock.close(linger=0)


def _end(proc):
    """Stop a worker process and wait for it."""
    proc.terminate()
    end_process(proc)


def broker(name="zmq-broker", port=0, workers=2, work_ms=WORK_MS):
    """An unstarted broker with `workers` worker processes (call .start(), or use serve("zmq-broker"))."""
    return Broker(name, workers, port, work_ms)


def load(endpoint, clients=4, seconds=2.0, timeout=2.0, stop=None, until=None):
    """clients REQ threads send requests as fast as replies come, for seconds; returns (answered, lost).

    A request with no reply within timeout counts as lost, and its socket is replaced. Given until (a function
    returning a time.monotonic() deadline), they send until that deadline instead, which may move later.
    """
    counts, lock = [0, 0], threading.Lock()
    deadline = time.monotonic() + seconds
    until = until or (lambda: deadline)
    stop = stop or threading.Event()

    def client(n):
        sock, k = None, 0
        while time.monotonic() < until() and not stop.is_set():
            if sock is None:
                sock = socket(zmq.REQ, timeout_ms=int(timeout * 1000))
                sock.connect(endpoint)
            k += 1
            try:
                sock.send(f"client {n} request {k}".encode())
                sock.recv_multipart()
                outcome = 0
            except zmq.Again:
                sock.close(linger=0)
                sock, outcome = None, 1
            with lock:
                counts[outcome] += 1
        if sock is not None:
            sock.close(linger=0)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(1, clients + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():  # each request times out, so each thread ends soon after the deadline
            thread.join(max(0.0, until() - time.monotonic()) + timeout + 1)
    return counts[0], counts[1]


def requests_per_second(workers, clients=8, seconds=2.0, work_ms=WORK_MS):
    """Replies per second through a fresh broker with `workers` worker processes."""
    with Broker("bench-broker", workers, work_ms=work_ms) as b:
        answered, _ = load(b.endpoint, clients, seconds)
    return answered / seconds
