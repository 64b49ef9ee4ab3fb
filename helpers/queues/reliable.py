"""A worker that dies holding an item: lost with BLPOP, kept with BLMOVE to a processing list, then recovered."""
import time
from dataclasses import dataclass, field

HEARTBEAT_MS = 500  # a worker's "I am alive" key lives this long unless the worker renews it


@dataclass
class WorkerRun:
    """What one worker did: the items it finished, and the item it held when it died (if it died)."""

    name: str
    handled: list = field(default_factory=list)
    died_holding: str | None = None

    def __str__(self):
        died = f", died holding {self.died_holding!r}" if self.died_holding is not None else ""
        return f"{self.name} handled {len(self.handled)}: {', '.join(self.handled) or 'nothing'}{died}"


def processing_list(queue, name):
    """The list where worker `name` keeps the item it is working on."""
    return f"{queue}:processing:{name}"


def heartbeat_key(queue, name):
    """The key that says worker `name` is alive; it expires HEARTBEAT_MS after the worker last renewed it."""
    return f"{queue}:alive:{name}"


def fragile_worker(r, queue, name="w1", die_at=None, timeout=0.3):
    """Take items with BLPOP until the queue stays empty for timeout s; with die_at=n, die holding the n-th item."""
    run = WorkerRun(name)
    while (got := r.blpop(queue, timeout=timeout)) is not None:
        if die_at is not None and len(run.handled) + 1 == die_at:
            run.died_holding = got[1]  # a crash here: only this worker's memory held the item
            return run
        run.handled.append(got[1])
    return run


def reliable_worker(r, queue, name="w1", die_at=None, timeout=0.3):
    """Take items with BLMOVE into this worker's processing list and LREM each once done; die_at as above."""
    run, processing, alive = WorkerRun(name), processing_list(queue, name), heartbeat_key(queue, name)
    while True:
        r.set(alive, "yes", px=HEARTBEAT_MS)  # renewed before each item: a dead worker's key lapses
        item = r.blmove(queue, processing, timeout, "LEFT", "RIGHT")
        if item is None:
            break
        if die_at is not None and len(run.handled) + 1 == die_at:
            run.died_holding = item  # a crash here: the item is still in Redis, in the processing list
            return run
        run.handled.append(item)
        r.lrem(processing, 1, item)  # done: only now does the item leave Redis
    r.delete(alive)
    return run


def lapsed(r, queue, name):
    """True once worker `name` has stopped renewing its heartbeat (it died, or finished)."""
    return not r.exists(heartbeat_key(queue, name))


def wait_until_lapsed(r, queue, name, timeout=2 * HEARTBEAT_MS / 1000):
    """Wait until worker `name`'s heartbeat lapsed (at most timeout s); seconds waited."""
    started = time.monotonic()
    while not lapsed(r, queue, name) and time.monotonic() - started < timeout:
        time.sleep(0.02)
    return time.monotonic() - started


def recover(r, queue):
    """Move items back to the front of queue from processing lists whose worker's heartbeat lapsed; the items moved."""
    moved = []
    for processing in sorted(r.scan_iter(match=processing_list(queue, "*"))):
        name = (processing.decode() if isinstance(processing, bytes) else processing).rsplit(":", 1)[-1]
        if lapsed(r, queue, name):
            while (item := r.lmove(processing, queue, "RIGHT", "LEFT")) is not None:
                moved.append(item)
    return moved


def whereabouts(r, queue, items, runs):
    """Where each of items is now: finished by a worker, still queued, held in a processing list, or lost."""
    places = {item: "LOST: nowhere" for item in items}
    for run in runs:
        places.update({item: f"finished by {run.name}" for item in run.handled})
    for processing in r.scan_iter(match=processing_list(queue, "*")):
        name = (processing.decode() if isinstance(processing, bytes) else processing).rsplit(":", 1)[-1]
        places.update({item: f"in {name}'s processing list" for item in r.lrange(processing, 0, -1)})
    places.update({item: "still in the queue" for item in r.lrange(queue, 0, -1)})
    return places
