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


def time_us(func, runs=7, min_run_s=0.01):
    """Median microseconds per call of func(): `runs` runs, each of enough calls to last min_run_s (timeit's way)."""
    timer = timeit.Timer(func)  # timeit switches the garbage collector off while it times
    number = 1
    while (took := timer.timeit(number)) < min_run_s:
        number = max(number * 2, int(number * min_run_s / max(took, 1e-9) * 1.1))
    return statistics.median(timer.repeat(runs, number)) / number * 1e6


def measure(codec, value, runs=7, min_run_s=0.01):
    """Encode value once (checking the round trip gives it back), then time encode and decode."""
    data = codec.encode(value)
    if codec.decode(data) != value:
        raise ValueError(f"{codec.name}: decoding did not give back the value that was encoded")
    return Measurement(codec.name, len(data), time_us(lambda: codec.encode(value), runs, min_run_s),
                       time_us(lambda: codec.decode(data), runs, min_run_s))


def measure_all(codecs, value, runs=7, min_run_s=0.01, progress=None):
    """measure() every codec of {name: Codec} on value; progress(done, total, name) is called before each."""
    results = []
    for done, codec in enumerate(codecs.values()):
        if progress is not None:
            progress(done, len(codecs), codec.name)
        results.append(measure(codec, value, runs, min_run_s))
    return results
