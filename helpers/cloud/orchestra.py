"""Orchestration in miniature: notebook 04's broker and workers, kept at N replicas under a steady load.

A supervisor does what Kubernetes's controllers do for pods: it notices a worker that died and starts
another (failover), and it starts or stops workers when the wanted count changes (scaling). The broker
spreads requests over whoever is connected (load balancing). Throughput is sampled four times a second.
"""
import os
import select
import signal
import threading
import time

import psutil

from helpers.core.errors import ServiceError
from helpers.core.service import ThreadService
from helpers.zeromq.broker import load

EVERY = 0.25  # seconds between two samples


class Supervisor(ThreadService):
    """Keeps `replicas` workers behind a running broker, keeps clients sending, and records throughput."""

    kind = "supervisor"

    def __init__(self, hub, name="supervisor", clients=4, seconds=15.0):
        super().__init__(name)
        self.hub, self.clients, self.seconds = hub, clients, seconds
        self.replicas = len(hub.workers)
        self.samples, self.events, self.listeners = [], [], []

    def _start(self):
        self.address = self.hub.address
        self.samples, self.events, self.t0 = [], [], time.monotonic()
        self._halt, self._load, self._lock, self._until = threading.Event(), None, threading.Lock(), 0.0
        self.send_load(self.seconds)
        self._start_thread(self._loop, "loop")

    def send_load(self, seconds=15.0):
        """Let `clients` client threads send requests for the next seconds (then the workers rest)."""
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)
            if self._load is None:
                self._load = threading.Thread(target=self._send, name=f"{self.name}-clients", daemon=True)
                self._load.start()

    @property
    def sending(self):
        """True while the clients send (until the load's deadline passes)."""
        return self._load is not None

    def _send(self):
        """Run the clients until the load's deadline passes (a later send_load moves it) or the supervisor stops."""
        while True:
            with self._lock:
                if self._halt.is_set() or time.monotonic() >= self._until:
                    self._load = None
                    return
            load(self.hub.endpoint, self.clients, 0.0, 1.0, self._halt, until=lambda: self._until)

    def _loop(self):
        before, last = sum(self.hub.handled.values()), time.monotonic()
        while not select.select([self._wake_r], [], [], EVERY)[0]:
            now, total = time.monotonic(), sum(self.hub.handled.values())
            alive = sum(proc.poll() is None for proc in self.hub.procs)
            self.samples.append((now - self.t0, (total - before) / (now - last), alive))
            before, last = total, now
            for listener in list(self.listeners):
                try:
                    listener(self)
                except Exception as error:  # a broken view must not stop failover: drop it, say so once
                    self.listeners.remove(listener)
                    self.note(f"a view stopped: {type(error).__name__}: {error}")
            self.reconcile()

    def reconcile(self):
        """Replace the workers that died, then start or stop workers until `replicas` run."""
        if not self.hub.running:  # its broker was stopped (or replaced by a re-run cell)
            return
        for proc in [p for p in self.hub.procs if p.poll() is not None]:
            self.hub.procs.remove(proc)
            proc.stderr.close()
            self.note(f"{proc.name} died: replaced")
        if len(self.hub.procs) != self.replicas:
            try:
                self.hub.set_workers(self.replicas)
            except ServiceError as error:
                self.note(f"could not start a worker: {error}")

    def note(self, text):
        """Record an event at the current time (it is drawn on the chart)."""
        self.events.append((time.monotonic() - self.t0, text))

    def crash(self, name=None):
        """Kill a worker at once (SIGKILL, as a crash would), without telling the broker or this supervisor."""
        proc = next((p for p in self.hub.procs if name in (None, p.name)), None)
        if proc is None:
            return None
        for process in [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]:
            os.kill(process.pid, signal.SIGKILL)  # a worker started from a thread sits behind a watchdog
        self.note(f"{proc.name} crashed")
        return proc.name

    def scale(self, replicas):
        """Ask for a number of workers; the supervisor's next round starts or stops them."""
        self.note(f"scaled {self.replicas} -> {replicas}")
        self.replicas = replicas

    def _stop(self):
        self._halt.set()
        self._stop_thread()
        sending = self._load
        if sending is not None:
            sending.join(3)


def scenario(team, steady=2.0):
    """Steady load, then a crash, then one more worker: returns the samples and events to plot."""
    time.sleep(steady)
    team.crash(team.hub.workers[0])
    time.sleep(steady)
    team.scale(team.replicas + 1)
    time.sleep(steady)
    return list(team.samples), list(team.events)


def plot_timeline(samples, events, ax=None):
    """Requests per second over time, the number of workers beneath, and each event as a labelled line."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.2))
    samples = list(samples)  # one copy: a live series may still grow while it is drawn
    times = [t for t, _, _ in samples]
    ax.plot(times, [r for _, r, _ in samples], color="tab:blue")
    ax.set(xlabel="seconds", ylabel="requests per second", ylim=(0, None))
    workers = ax.twinx()
    workers.step(times, [w for _, _, w in samples], where="post", color="tab:gray", alpha=0.6)
    top = max(w for _, _, w in samples) + 1
    workers.set(ylabel="workers running (grey)", ylim=(0, top), yticks=range(top + 1))
    for t, text in events:
        ax.axvline(t, color="tab:red", linestyle=":")
        ax.annotate(text, (t, ax.get_ylim()[1] * 0.9), rotation=90, ha="right", va="top", fontsize=8)
    return ax
