"""Fault settings that any thread may change while traffic flows, and the counters of what the proxy did."""
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from helpers.core.stats import Stats

TCP_DEFAULTS = dict(latency_ms=0.0, jitter_ms=0.0, bandwidth_kb_s=0.0, split_bytes=0, split_gap_ms=1.0,
                    corrupt_rate=0.0, stall=False, reset_after=None, reset_times=None, record=True)
UDP_DEFAULTS = dict(latency_ms=0.0, loss_rate=0.0, duplicate_rate=0.0, reorder_rate=0.0)
RATES = ("corrupt_rate", "loss_rate", "duplicate_rate", "reorder_rate")


class Faults:
    """One direction's faults (0, False or None means off); set() takes effect on the next chunk."""

    def __init__(self, defaults=TCP_DEFAULTS, **values):
        self._defaults, self._lock = dict(defaults), threading.Lock()
        self._values = dict(defaults)
        self._now = SimpleNamespace(**self._values)  # replaced whole on every change, never changed in place
        self.set(**values)

    def set(self, **values):
        """Change some settings, e.g. set(latency_ms=50, jitter_ms=10); unknown names or bad values raise ValueError."""
        for name, value in values.items():
            if name not in self._defaults:
                raise ValueError(f"no fault called {name!r}; the faults are: {', '.join(self._defaults)}")
            if name in RATES and not 0 <= value <= 1:
                raise ValueError(f"{name} is a probability between 0 and 1, not {value}")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"{name} cannot be negative ({value})")
        with self._lock:
            self._values.update(values)
            self._now = SimpleNamespace(**self._values)

    def clear(self):
        """Every fault off."""
        with self._lock:
            self._values = dict(self._defaults)
            self._now = SimpleNamespace(**self._values)

    def now(self):
        """A consistent snapshot of the settings, read as attributes (cheap: the relay asks for every chunk)."""
        return self._now

    def take_reset(self):
        """True if one more connection may be reset (reset_times counts down; None means every connection)."""
        with self._lock:
            times = self._values["reset_times"]
            if times is None:
                return True
            if times <= 0:
                return False
            self._values["reset_times"] = times - 1
            self._now = SimpleNamespace(**self._values)
            return True

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.now().__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self):
        on = {k: v for k, v in self.now().__dict__.items() if v != self._defaults[k]}
        return f"<Faults {on or 'none'}>"


@dataclass
class FaultStats(Stats):
    """The course's counters (clients, bytes, chunks as messages, errors) plus one per fault the proxy applied, and
    `lost`: connections that ended with a reset or a vanished peer (often on purpose here, so not an error)."""

    lost: int = 0
    delayed: int = 0
    pieces: int = 0
    corrupted: int = 0
    resets: int = 0
    stalled: int = 0
    dropped: int = 0
    duplicated: int = 0
    reordered: int = 0

    def relayed(self, up, size):
        """Count one chunk relayed up (client to server) or down."""
        with self._lock:
            self.messages += 1
            if up:
                self.bytes_in += size
            else:
                self.bytes_out += size

    def as_dict(self):
        """A plain snapshot of every counter."""
        with self._lock:
            return {k: getattr(self, k) for k in self.__dataclass_fields__ if not k.startswith("_")}


class TwoWays:
    """A relay with `up` (client to target) and `down` Faults: set() and clear() act on both directions."""

    def set(self, **faults):
        """Set faults in both directions, e.g. set(latency_ms=50): each way, so a round trip grows by 100 ms."""
        self.up.set(**faults)
        self.down.set(**faults)

    def clear(self):
        """Every fault off, both directions."""
        self.up.clear()
        self.down.clear()
