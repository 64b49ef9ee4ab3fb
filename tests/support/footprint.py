"""The memory a notebook run costs: the peak proportional set size (PSS) of every process it starts, sampled."""
import threading
import uuid

import psutil

MARK = "DIS_FOOTPRINT_RUN"  # every process of one run inherits this variable, with the run's own value
MB = 2**20


class Footprint(threading.Thread):
    """Sample, every interval seconds until stop(), the summed PSS of the processes a run started.

    A run's processes are those that carry its mark (give the run's first process an environment with mark()),
    and their descendants (a program that clears its environment stays in). The run's first process (root, the
    driver standing in for the Jupyter server: pytest or nbconvert) is left out, so the number is the kernel
    and everything it starts. Reading another account's PSS needs root; `readable` says whether it worked."""

    def __init__(self, root=None, interval=0.5):
        super().__init__(daemon=True)
        self.token, self.root, self.interval = uuid.uuid4().hex, root, interval
        self.peak, self.at_peak, self.samples, self.readable = 0, [], 0, True
        self._marked, self._done = {}, threading.Event()

    def _is_marked(self, process):
        key = (process.pid, process.info["create_time"])
        if key not in self._marked:
            try:
                self._marked[key] = process.environ().get(MARK) == self.token
            except (psutil.Error, OSError):
                self._marked[key] = False
        return self._marked[key]

    def mark(self):
        """The environment entry that makes a process (and what it starts) part of this run."""
        return {MARK: self.token}

    def members(self):
        """The run's processes alive now, but its root."""
        found = {}
        for process in psutil.process_iter(["create_time"]):
            if self._is_marked(process):
                found[process.pid] = process
        for process in list(found.values()):
            try:
                found.update((child.pid, child) for child in process.children(recursive=True))
            except psutil.Error:
                pass
        found.pop(self.root, None)
        return list(found.values())

    def sample(self):
        """The summed PSS now, in bytes; keep it (and who was alive) if it is the peak."""
        total, alive = 0, []
        for process in self.members():
            try:
                memory = process.memory_full_info()
                pss = getattr(memory, "pss", memory.uss)  # macOS has no PSS: its unique set size instead
                alive.append((pss, process.name()))
            except psutil.AccessDenied:
                self.readable = False
                continue
            except psutil.Error:  # it ended while we looked
                continue
            total += pss
        self.samples += 1
        if total > self.peak:
            self.peak, self.at_peak = total, sorted(alive, reverse=True)
        return total

    def run(self):
        while not self._done.wait(self.interval):
            self.sample()

    @property
    def peak_mb(self):
        return self.peak / MB

    def stop(self):
        """Stop sampling (once started)."""
        self._done.set()
        if self.is_alive():
            self.join()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def who(at_peak, top=6):
    """The processes alive at the peak, heaviest first, as one line: 'python 180, java 310, ...' (MB)."""
    names = [f"{name} {pss / MB:.0f}" for pss, name in at_peak[:top]]
    more = len(at_peak) - top
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")
