"""The ventilator of notebook 05 as a MapReduce engine: map tasks out to worker processes, then reduce tasks.

The workers get data only (a file's path, partial counts, as JSON) and run nothing they are sent; but whoever
connects to the ventilator takes a share of the tasks (the learner's data) and whoever connects to the sink can
send false results. So both are ipc:// files in the learner's private folder (0700), where no other account reaches."""
import json
import subprocess
import sys
from dataclasses import dataclass, field

import zmq
from tqdm.auto import tqdm

from helpers.core.errors import ServiceError
from helpers.core.process import spawn
from helpers.zeromq import bind, ipc_available, socket
from helpers.zeromq.pipeline import handshakes, stop_workers, wait_connected


@dataclass
class Job:
    """What a MapReduce run over the pipeline did: the result, and which worker did how many tasks."""

    result: dict = field(default_factory=dict)
    per_worker: dict = field(default_factory=dict)  # worker name -> tasks it did

    def __repr__(self):
        counted = sum(self.result.values())
        return f"<Job {len(self.result)} keys, {counted:,} counted; tasks per worker {self.per_worker}>"


def start_workers(count, tasks_at, results_at):
    """Spawn count MapReduce worker processes (w1, w2, ...) connected to the ventilator and the sink."""
    return [spawn([sys.executable, "-m", "helpers.bigdata.zmq_worker", tasks_at, results_at, f"w{n}"],
                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for n in range(1, count + 1)]


def run_phase(ventilator, sink, kind, payloads, job, timeout, progress):
    """Send one task per payload, then gather one answer per task (in task order); ServiceError if one is late."""
    for task_id, payload in enumerate(payloads):
        ventilator.send_multipart([kind.encode(), str(task_id).encode(), json.dumps(payload).encode()])
    answers = {}
    with tqdm(total=len(payloads), desc=kind, unit=" tasks", disable=not progress) as bar:
        while len(answers) < len(payloads):
            if not sink.poll(int(timeout * 1000)):
                raise ServiceError(f"no {kind} result within {timeout:g} s ({len(answers)} of {len(payloads)} came)")
            name, task_id, answer = sink.recv_multipart()
            answers[int(task_id)] = json.loads(answer)
            job.per_worker[name.decode()] = job.per_worker.get(name.decode(), 0) + 1
            bar.update()
    return [answers[n] for n in range(len(payloads))]


def zmq_mapreduce(files, workers=2, partitions=3, timeout=30.0, progress=True):
    """Map every file, then reduce every partition, on `workers` fresh worker processes fed by a PUSH ventilator."""
    ventilator, sink = socket(zmq.PUSH), socket(zmq.PULL, max_message=16 * 1024 * 1024)
    transport = "ipc" if ipc_available() else "tcp"  # tcp on 127.0.0.1 only where there is no ipc (Windows)
    tasks_at, results_at = bind(ventilator, transport), bind(sink, transport)
    monitor = handshakes(ventilator)
    procs, job = start_workers(workers, tasks_at, results_at), Job()
    try:
        wait_connected(ventilator, monitor, procs)  # else PUSH would deal every task to the first worker to connect
        mapped = run_phase(ventilator, sink, "map", [{"path": str(f), "partitions": partitions} for f in files],
                           job, timeout, progress)
        reduced = run_phase(ventilator, sink, "reduce", [[m[p] for m in mapped] for p in range(partitions)],
                            job, timeout, progress)
    finally:
        stop_workers(procs)
        ventilator.close(linger=0)
        sink.close(linger=0)
    for counts in reduced:
        job.result.update(counts)
    return job
