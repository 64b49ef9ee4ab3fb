"""Orchestration in miniature: notebook 04's broker and workers, kept at N replicas under a steady load.

A supervisor does what Kubernetes's controllers do for pods: it notices a worker that died and starts
another (failover), and it starts or stops workers when the wanted count changes (scaling). The broker
spreads requests over whoever is connected (load balancing). Throughput is sampled four times a second, in a
thread of its own, so the samples (and the live view) go on while a new worker starts.
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
PATIENCE = 60.0  # seconds the scenario waits for a state (a busy machine starts a worker slowly)


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
        self._keeper = threading.Thread(target=self._keep, name=f"{self.name}-reconcile", daemon=True)
        self._keeper.start()

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
        """Sample throughput and workers, and refresh the views, until stopped."""
        before, last = sum(self.hub.handled.values()), time.monotonic()
        while not select.select([self._wake_r], [], [], EVERY)[0]:
            now, total = time.monotonic(), sum(self.hub.handled.values())
            alive = sum(proc.poll() is None for proc in list(self.hub.procs))
            self.samples.append((now - self.t0, (total - before) / (now - last), alive))
            before, last = total, now
            for listener in list(self.listeners):
                try:
                    listener(self)
                except Exception as error:  # a broken view must not stop failover: drop it, say so once
                    self.listeners.remove(listener)
                    self.note(f"a view stopped: {type(error).__name__}: {error}")

    def _keep(self):
        """Reconcile every EVERY seconds until stopped (starting a worker may take seconds: samples go on)."""
        while not self._halt.wait(EVERY):
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

    def now(self):
        """Seconds since the supervisor started (the time axis of samples and events)."""
        return time.monotonic() - self.t0

    def note(self, text):
        """Record an event at the current time (it is drawn on the chart)."""
        self.events.append((self.now(), text))

    def last(self, ending, since=0.0):
        """The time of the latest event after `since` whose text ends with `ending`; infinity if there is none."""
        return max((t for t, text in list(self.events) if t > since and text.endswith(ending)), default=float("inf"))

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
        self._keeper.join(3)
        sending = self._load
        if sending is not None:
            sending.join(3)


def scenario(team, steady=2.0, patience=PATIENCE):
    """Load on throughout: steady, a crash, its recovery, one more worker, each state recorded for `steady` seconds.

    Returns the samples and events to plot. Each step waits until a sample taken wholly after its event shows
    its state (requests answered, by the wanted number of workers), however long a busy machine takes, up to
    `patience` seconds; then it records `steady` seconds more.
    """
    wanted = team.replicas
    record(team, 0.0, lambda rate, workers: rate > 0, steady, patience, "no requests were answered")
    name, crashed = team.crash(team.hub.workers[0]), team.now()
    record(team, lambda: team.last("replaced", crashed), lambda rate, workers: rate > 0 and workers == wanted,
           steady, patience, f"{name} crashed, and no replacement answered")
    before = set(team.hub.workers)
    team.scale(wanted + 1)
    record(team, team.now(), lambda rate, workers: workers == wanted + 1 and rate > 0
           and any(team.hub.handled.get(w, 0) for w in set(team.hub.workers) - before),
           steady, patience, f"scaled to {wanted + 1}, and the new worker answered nothing")
    return list(team.samples), list(team.events)


def record(team, after, state, steady, patience, failure):
    """Keep the clients sending until a sample of the time after `after` (a time, or a function giving one)
    shows state(rate, workers), then for `steady` seconds more."""
    deadline, since = time.monotonic() + patience, after if callable(after) else lambda: after
    while not (len(team.samples) > 1 and team.samples[-2][0] >= since() and state(*team.samples[-1][1:])):
        team.send_load(steady + 2.0)  # the load lasts past the end of this step
        if time.monotonic() > deadline:
            raise ServiceError(f"{failure} within {patience:g} s")
        time.sleep(EVERY / 2)
    reached = team.now()
    while team.samples[-1][0] < reached + steady:
        team.send_load(steady + 2.0)
        time.sleep(EVERY / 2)


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
