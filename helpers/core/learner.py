"""Your functions as the course runs them: each in a thread the course can end, what each thread printed kept."""
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from helpers.servers.function import end_thread

MAX_LINES = 1000  # a watched thread that prints more than this has the rest ignored


def said(error):
    """An exception in a few words: its type, and its message if it has one."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class LearnerCall:
    """Your function(*args) in a daemon thread the course can end: what it returned or raised, and when."""

    def __init__(self, name, function, *args, prefix=""):
        self.name, self.function, self.args = name, function, args
        self.value = self.error = self.returned_at = None  # error: the exception it raised
        self.ended = False  # the course ended it (SystemExit in its thread)
        self.thread = threading.Thread(target=self._run, name=prefix + name, daemon=True)

    @property
    def alive(self):
        return self.thread.is_alive()

    @property
    def failure(self):
        """The error it raised, in a few words; "" if none."""
        return "" if self.error is None else said(self.error)

    def start(self):
        self.thread.start()
        return self

    def done(self):
        """True once it was started and has returned or raised."""
        return self.thread.ident is not None and not self.alive

    def wait(self, until):
        """Wait until the monotonic time `until` at the most; True if it has ended."""
        self.thread.join(timeout=max(0.0, until - time.monotonic()))
        return not self.alive

    def end(self, within=1.0):
        """End it if it still runs: SystemExit in its thread, raised again until it ends or `within` s pass."""
        return end_thread(self.thread, within=within)

    def result(self, timeout):
        """What it returned; its error raised here; TimeoutError if it is still running after timeout s."""
        self.thread.join(timeout)
        if self.alive:
            raise TimeoutError(f"{self.name} is still running after {timeout:g} s")
        if self.error is not None:
            raise self.error
        return self.value

    def _run(self):
        try:
            self.value = self.function(*self.args)
            self.returned_at = time.monotonic()
        except SystemExit:
            self.ended = True
        except BaseException as error:  # kept for the report instead of printing from a thread
            self.error = error
            traceback.clear_frames(error.__traceback__)  # let go of its frames: they may hold a bound socket


@dataclass
class Line:
    """One line a watched thread printed, and when (monotonic clock, and wall clock)."""

    text: str
    at: float
    wall: datetime


class ThreadLines:
    """Stands in for sys.stdout: what the watched threads print is kept as timed lines, the rest passes through."""

    def __init__(self, passthrough, threads=(), limit=MAX_LINES):
        self.passthrough, self.limit = passthrough, limit
        self.lines, self._partial = {}, {}
        for thread in threads:
            self.watch(thread)

    def watch(self, thread):
        """Keep what thread prints from now on, in the list returned."""
        self._partial.setdefault(thread, "")
        return self.lines.setdefault(thread, [])

    def text(self, thread):
        """What thread printed, as it printed it (within the limit)."""
        return "\n".join([line.text for line in self.lines.get(thread, [])] + [self._partial.get(thread, "")])

    def write(self, text):
        thread = threading.current_thread()
        if thread not in self.lines:
            return self.passthrough.write(text)
        *done, self._partial[thread] = (self._partial[thread] + str(text)).split("\n")
        kept = self.lines[thread]
        room = len(done) if self.limit is None else max(0, self.limit - len(kept))
        for line in done[:room]:
            kept.append(Line(line, time.monotonic(), datetime.now()))
        return len(text)

    def flush(self):
        self.passthrough.flush()

    def __getattr__(self, name):  # encoding, isatty, fileno...: those of the real stdout
        return getattr(self.passthrough, name)


@contextmanager
def printed_by(*threads, limit=MAX_LINES):
    """`with printed_by(thread, ...) as printed:` keeps what those threads (and any it watches later) print."""
    original = sys.stdout
    printed = sys.stdout = ThreadLines(original, threads, limit)
    try:
        yield printed
    finally:
        sys.stdout = original
