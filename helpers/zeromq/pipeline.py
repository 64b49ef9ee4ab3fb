"""The ventilator (notebook 05): PUSH tasks to a pool of PULL worker processes; they PUSH results to a sink."""
import subprocess
import sys
import time
from dataclasses import dataclass, field

import zmq
from zmq.utils.monitor import recv_monitor_message

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn
from helpers.zeromq.base import START_TIMEOUT, bind, socket

LIMIT = 30_000  # each task counts the primes below this: about 30 ms of one core


@dataclass
class Run:
    """What one run of the pipeline did: results by task id, counts by worker, what went missing."""

    workers: int
    tasks: int
    seconds: float = 0.0  # from the first task sent to the last result received
    started: float = 0.0
    results: dict = field(default_factory=dict)  # task id -> result (each task once)
    per_worker: dict = field(default_factory=dict)  # worker name -> results it sent
    duplicates: int = 0  # results for a task that had one already (after a re-send)
    resent: list = field(default_factory=list)  # the task ids sent again, one list per round

    @property
    def missing(self):
        """The task ids whose result never reached the sink."""
        return sorted(set(range(self.tasks)) - set(self.results))

    def __repr__(self):
        lost = f", {len(self.missing)} missing" if self.missing else ""
        workers = f"{self.workers} worker{'s' * (self.workers > 1)}"
        return f"<Run {len(self.results)}/{self.tasks} tasks with {workers} in {self.seconds:.2f} s{lost}>"


def start_workers(count, tasks_at, results_at, die_after=None):
    """Spawn count worker processes (w1, w2, ...); with die_after, w1 crashes after that many tasks."""
    procs = []
    for n in range(1, count + 1):
        argv = [sys.executable, "-m", "helpers.zeromq.pipeline_worker", tasks_at, results_at, f"w{n}"]
        if die_after is not None and n == 1:
            argv += ["--die-after", str(die_after)]
        procs.append(spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    return procs


def stop_workers(procs):
    """Stop every worker process and wait for it."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        end_process(proc)


def handshakes(ventilator):
    """Watch the ventilator's connections: open this before the workers start, or a quick one is never seen."""
    return ventilator.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)


def wait_connected(ventilator, monitor, procs, timeout=START_TIMEOUT):
    """Return once every worker has connected to the ventilator (else PUSH would deal all tasks to the first)."""
    connected, deadline = 0, time.monotonic() + timeout
    try:
        while connected < len(procs):
            for proc in procs:
                if proc.poll() is not None:
                    error = proc.stderr.read().decode(errors="replace").strip().splitlines()
                    raise ServiceError(f"a worker exited at start: {error[-1] if error else 'no message'}")
            if time.monotonic() > deadline:
                raise ServiceError(f"only {connected} of {len(procs)} workers connected within {timeout:g} s")
            if monitor.poll(100):
                connected += recv_monitor_message(monitor)["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED
    finally:
        ventilator.disable_monitor()
        monitor.close(linger=0)


def send_tasks(ventilator, ids, limit):
    """PUSH one task per id; returns how many went out (none can go while no worker is connected)."""
    for n, task_id in enumerate(ids):
        try:
            ventilator.send_multipart([str(task_id).encode(), str(limit).encode()])
        except zmq.Again:
            return n
    return len(ids)


def collect(sink, run, patience, progress=None):
    """Receive results until every task has one, or none came for `patience` s (the rest are lost)."""
    while run.missing and sink.poll(int(patience * 1000)):
        name, task_id, value = sink.recv_multipart()
        task = int(task_id)
        if task in run.results:
            run.duplicates += 1
            continue
        run.results[task] = int(value)
        run.seconds = time.perf_counter() - run.started
        run.per_worker[name.decode()] = run.per_worker.get(name.decode(), 0) + 1
        if progress is not None:
            progress(run)


def run_pipeline(workers=2, tasks=40, limit=LIMIT, die_after=None, resend=False, patience=1.0, rounds=3,
                 progress=None):
    """Ventilate `tasks` tasks to `workers` fresh worker processes and gather the results at the sink.

    die_after=N makes worker w1 crash when its task N+1 arrives. resend=True: when results stop coming,
    the ventilator sends the missing task ids again (up to `rounds` times). progress(run) is called per result.
    """
    ventilator, sink = socket(zmq.PUSH), socket(zmq.PULL)
    tasks_at, results_at = bind(ventilator, "tcp", "ventilator"), bind(sink, "tcp", "sink")
    monitor = handshakes(ventilator)
    procs = start_workers(workers, tasks_at, results_at, die_after)
    run = Run(workers, tasks)
    try:
        wait_connected(ventilator, monitor, procs)
        run.started = time.perf_counter()
        send_tasks(ventilator, range(tasks), limit)
        collect(sink, run, patience, progress)
        for _ in range(rounds if resend else 0):
            if not run.missing:
                break
            run.resent.append(run.missing)
            send_tasks(ventilator, run.missing, limit)
            collect(sink, run, patience, progress)
    finally:
        stop_workers(procs)
        ventilator.close(linger=0)
        sink.close(linger=0)
    return run


def measure_speedup(workers, tasks=60, limit=LIMIT):
    """Time with 1 worker divided by time with `workers` workers, on the same CPU-bound tasks."""
    one = run_pipeline(1, tasks, limit)
    many = run_pipeline(workers, tasks, limit)
    if one.missing or many.missing:
        raise ServiceError(f"tasks went missing while measuring: {one!r}, {many!r}")
    return one.seconds / many.seconds
