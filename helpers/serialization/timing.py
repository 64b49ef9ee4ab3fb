"""How big and how fast: one format's encoded size and its encode and decode times, measured as timeit does."""
import statistics
import timeit
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    """One format on one value: bytes encoded, median microseconds to encode and to decode."""

    format: str
    size: int
    encode_us: float
    decode_us: float


def calibrated(func, min_run_s=0.01):
    """(timer, number): a timeit.Timer for func() and how many calls make one run last min_run_s (a warm-up too)."""
    timer = timeit.Timer(func)  # timeit switches the garbage collector off while it times
    number = 1
    while (took := timer.timeit(number)) < min_run_s:
        number = max(number * 2, int(number * min_run_s / max(took, 1e-9) * 1.1))
    return timer, number


def time_us(func, runs=7, min_run_s=0.01):
    """Median microseconds per call of func(): `runs` runs, each of enough calls to last min_run_s (timeit's way)."""
    timer, number = calibrated(func, min_run_s)
    return statistics.median(timer.repeat(runs, number)) / number * 1e6


def checked(codec, value):
    """codec's bytes for value, after checking that decoding them gives value back."""
    data = codec.encode(value)
    if codec.decode(data) != value:
        raise ValueError(f"{codec.name}: decoding did not give back the value that was encoded")
    return data


def measure(codec, value, runs=7, min_run_s=0.01):
    """Encode value once (checking the round trip gives it back), then time encode and decode."""
    return measure_all({codec.name: codec}, value, runs, min_run_s)[0]


def measure_all(codecs, value, runs=7, min_run_s=0.01, progress=None):
    """measure() every codec of {name: Codec} on value; progress(done, total, name) is called before each.

    The runs are taken in turns, one of each timer per round, so that a busy moment on a shared machine
    slows every format alike instead of one of them: the order of the formats holds under load.
    """
    timers = []  # (codec, size, [(timer, number, times)] for encode and decode)
    for done, codec in enumerate(codecs.values()):
        if progress is not None:
            progress(done, len(codecs), codec.name)
        data = checked(codec, value)
        steps = (lambda c=codec: c.encode(value)), (lambda c=codec, d=data: c.decode(d))
        timers.append((codec, len(data), [(*calibrated(step, min_run_s), []) for step in steps]))
    for _ in range(runs):
        for _, _, steps in timers:
            for timer, number, times in steps:
                times.append(timer.timeit(number) / number)
    return [Measurement(codec.name, size, *(statistics.median(times) * 1e6 for _, _, times in steps))
            for codec, size, steps in timers]
