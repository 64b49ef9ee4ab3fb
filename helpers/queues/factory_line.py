"""The live chocolate factory: a conveyor and one or two workers (Lucy, then Ethel) on a Redis list, in threads."""
import random
import threading
import time
from collections import Counter, deque
from datetime import datetime

from helpers.core.service import Service
from helpers.queues.lists import as_text, connect, describe, is_gone

CHOCOLATES = ["praline", "dark", "milk", "truffle", "caramel", "white", "nougat", "marzipan", "hazelnut"]
POLL = 0.2  # a worker's blocking pop waits at most this long, then looks whether it should stop
HISTORY = 30.0  # seconds of backlog kept for the chart
SAMPLE = 0.1  # the backlog is read this often
ODDS = 5  # lines kept about items on the belt that were not pieces


class FactoryLine(Service):
    """A conveyor that RPUSHes numbered pieces at `speed` per second, and workers that BLPOP them and take
    `seconds` each. Counts who handled what; a piece handled twice would show in `.twice`."""

    kind = "threads"

    def __init__(self, server, name="chocolate-factory", belt="factory-belt", speed=2.0, seconds=0.5):
        super().__init__(name)
        self.server, self.belt, self.speed, self.seconds = server, belt, speed, seconds
        self.counts, self.twice, self.log, self.error = Counter(), 0, deque(maxlen=6), ""
        self.odd = ""  # one line about the last item on the belt that was not a piece
        self.odds = deque(maxlen=ODDS)  # one line about each of the last items that were not pieces
        self.backlog = deque()  # (time since start, pieces on the belt)
        self._threads, self._workers, self._stopping = {}, {}, threading.Event()
        self._stopping.set()  # not started yet

    @property
    def where(self):
        return ", ".join(self._threads) if self.running else ""

    @property
    def workers(self):
        """The names of the workers at the belt now."""
        return [name for name, stop in self._workers.items() if not stop.is_set()]

    def _start(self):
        self.address, self._stopping = self.server.address, threading.Event()
        self.counts, self.twice, self.error, self.odd, self._seen, self._next = Counter(), 0, "", "", set(), 1
        self.log.clear()
        self.odds.clear()
        self.backlog.clear()
        self._threads, self._workers = {}, {}
        self._began = time.monotonic()
        self._client = connect(self.server)
        self._client.delete(self.belt)
        self._spawn("conveyor", self._convey)
        self._spawn("sampler", self._sample)
        self.add_worker("Lucy")

    def _spawn(self, role, target, *args):
        thread = threading.Thread(target=target, args=args, name=f"{self.name}-{role}", daemon=True)
        self._threads[role] = thread
        thread.start()

    def add_worker(self, name):
        """Put a worker called name at the belt (Ethel, say); she takes pieces with BLPOP, as Lucy does."""
        if name not in self.workers and not self._stopping.is_set():
            self._workers[name] = stop = threading.Event()
            self._spawn(name, self._work, name, stop)

    def remove_worker(self, name):
        """Send the worker away once she has finished the piece in her hands."""
        if name in self._workers:
            self._workers[name].set()

    def _convey(self):
        r = connect(self.server)
        while not self._stopping.is_set():
            piece = f"{self._next}:{random.choice(CHOCOLATES)}"
            if not self._guard("conveyor", lambda: r.rpush(self.belt, piece)):
                break
            self._next += 1
            self._stopping.wait(1 / max(self.speed, 0.01))  # the slider may change it at any time
        r.close()

    def _work(self, name, stop):
        r = connect(self.server, timeout=POLL + 2)
        while not (stop.is_set() or self._stopping.is_set()):
            got = self._guard(name, lambda: r.blpop(self.belt, timeout=POLL))
            if got is False:
                break
            if got is not None:
                self._handle(name, got[1], r)
                self._stopping.wait(self.seconds)  # handling the piece
        r.close()

    def _handle(self, name, item, r):
        """Count a piece (once!) and log one line; an item that is not a piece is reported, and skipped."""
        text = as_text(item)
        number, _, kind = (text or "").partition(":")
        left = self._guard(name, lambda: r.llen(self.belt))
        left = "?" if left is False else left
        if not number.isdigit():
            self.odd = f"{datetime.now():%H:%M:%S} {name} put aside an item that is not a piece: {describe(item)}"
            self.odds.append(self.odd)
            self.log.append(self.odd)
            self.counts["odd items"] += 1
            return
        self.twice += number in self._seen
        self._seen.add(number)
        self.counts[name] += 1
        self.log.append(f"{datetime.now():%H:%M:%S} {name} takes {kind} #{number}, {left} left on the belt")

    def _guard(self, who, action):
        """action(), or False (with one line in .error) when the redis-server went away or failed."""
        try:
            return action()
        except Exception as error:
            if not self._stopping.is_set():
                why = "the redis-server went away" if is_gone(error) else type(error).__name__
                self.error = f"{who}: {why} ({str(error).splitlines()[0][:80] if str(error) else ''})"
            return False

    def _sample(self):
        r = connect(self.server)
        while not self._stopping.wait(SAMPLE):
            left = self._guard("belt", lambda: r.llen(self.belt))
            if left is False:
                break
            now = time.monotonic() - self._began
            self.backlog.append((now, left))
            while self.backlog and self.backlog[0][0] < now - HISTORY:
                self.backlog.popleft()
        r.close()

    @property
    def handled(self):
        """Pieces handled by all workers together."""
        return sum(n for who, n in self.counts.items() if who != "odd items")

    def _stop(self):
        self._stopping.set()
        for thread in self._threads.values():
            thread.join(timeout=POLL + 1)
        self._client.close()


def factory_line(server, speed=2.0, seconds=0.5, name="chocolate-factory"):
    """Start the live factory on server (a running redis-server): a conveyor and Lucy; returns it."""
    return FactoryLine(server, name=name, speed=speed, seconds=seconds).start()
