"""A Dask worker killed in the middle of a job: the scheduler notices, re-runs what was lost, the job still ends."""
import os
import signal
import time
from dataclasses import dataclass

import psutil
from tqdm.auto import tqdm

from helpers.bigdata.dask_jobs import as_counts, is_page, slowly
from helpers.bigdata.logs import page_of
from helpers.core.errors import ServiceError


@dataclass
class Kill:
    """What happened: which worker died when, what it held, and the job's result all the same."""

    worker: str
    pid: int
    held: int  # results in the killed worker's memory: lost with it, so they are computed again
    running: int  # tasks it was running or had queued: sent to another worker
    seconds: float
    counts: dict

    def __repr__(self):
        return (f"<Kill pid {self.pid} ({self.worker}) mid-job: {self.held} results lost and {self.running} tasks "
                f"moved, re-run elsewhere; the job still finished in {self.seconds:.1f} s with "
                f"{sum(self.counts.values()):,} hits counted>")


def slow_pages(files, seconds=0.2):
    """The page count with a pause per partition."""
    import dask.bag as db  # here, not at the top: the notebook's imports stay quick
    lines = db.read_text([str(f) for f in files])
    return lines.map_partitions(slowly, seconds).map(page_of).filter(is_page).frequencies()


def pick_victim(client, timeout):
    """Wait until some worker holds finished results and is running more; return its address and what it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held, running = client.has_what(), client.processing()
        for worker in sorted(held):
            if held[worker] and running.get(worker):
                return worker, len(held[worker]), len(running[worker])
        time.sleep(0.02)
    raise ServiceError(f"no worker was in the middle of the job within {timeout:g} s (is the job too short?)")


def kill_worker_mid_job(cluster, files, seconds=0.2, timeout=60.0, progress=True):
    """Start the slow page count, SIGKILL one worker process while it works, and wait for the result anyway."""
    client, started = cluster.client, time.perf_counter()
    # a tqdm bar, not Dask's widget: that one is drawn by the kernel's event loop, which waits until this cell ends
    with tqdm(total=3, desc="kill a worker mid-job", unit=" steps", disable=not progress) as bar:
        future = client.compute(slow_pages(files, seconds))
        worker, held, running = pick_victim(client, timeout)
        bar.set_postfix_str(f"{worker} holds {held} results")
        bar.update()
        pid = client.run(os.getpid, workers=[worker])[worker]
        if pid not in {p.pid for p in psutil.Process().children(recursive=True)}:
            raise ServiceError(f"worker {worker} is not a process of this machine's cluster: stop it where it runs")
        os.kill(pid, signal.SIGKILL)  # no goodbye: the scheduler only sees its connection drop
        bar.set_postfix_str(f"pid {pid} killed, waiting for the job")
        bar.update()
        counts = as_counts(future.result(timeout=timeout))
        bar.set_postfix_str("finished")
        bar.update()
    return Kill(worker, pid, held, running, time.perf_counter() - started, counts)
