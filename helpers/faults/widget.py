"""The proxy's control panel: sliders for each fault, live counters, and a round-trip chart that follows them.

The sliders also follow the proxy: after code calls proxy.set(...) or clear(), they show its settings (the larger
of the two directions' values, since a slider sets both).
"""
import html
import socket
import threading
import time
from collections import deque

import ipywidgets as widgets

PROBE = b"ping-16-bytes.\r\n"
POINTS = 60  # round trips kept on the chart
WIDTH, HEIGHT = 420, 120
SLIDERS = [  # (setting, label, widget maker)
    ("latency_ms", "latency ms", lambda: widgets.IntSlider(0, min=0, max=300, step=10)),
    ("jitter_ms", "jitter ms", lambda: widgets.IntSlider(0, min=0, max=100, step=5)),
    ("bandwidth_kb_s", "cap kB/s", lambda: widgets.IntSlider(0, min=0, max=2000, step=50)),
    ("split_bytes", "split bytes", lambda: widgets.IntSlider(0, min=0, max=64)),
    ("corrupt_rate", "corrupt", lambda: widgets.FloatSlider(0, min=0, max=0.05, step=0.001, readout_format=".3f")),
]


class EchoProbe:
    """Times one small round trip through the proxy to an echo server; reconnects after any failure."""

    def __init__(self, address, timeout=1.0):
        self.address, self.timeout, self.sock = address, timeout, None

    def __call__(self):
        """Milliseconds for one round trip, or None if it failed or took longer than the timeout."""
        try:
            if self.sock is None:
                self.sock = socket.create_connection(self.address, timeout=self.timeout)
            start, got = time.perf_counter(), b""
            self.sock.sendall(PROBE)
            while len(got) < len(PROBE):
                chunk = self.sock.recv(len(PROBE) - len(got))
                if not chunk:
                    raise ConnectionError("closed")
                got += chunk
            return (time.perf_counter() - start) * 1000
        except OSError:
            self.close()  # a late reply must not be read as the next one's
            return None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def chart(values):
    """An SVG line of round-trip times in ms (None: no reply), scaled to the largest."""
    top = max([v for v in values if v is not None] + [5.0]) * 1.2
    step = WIDTH / max(POINTS - 1, 1)
    points = " ".join(f"{i * step:.0f},{HEIGHT - v / top * HEIGHT:.0f}" for i, v in enumerate(values) if v is not None)
    lost = "".join(f"<circle cx='{i * step:.0f}' cy='4' r='3' fill='#c33'/>" for i, v in enumerate(values) if v is None)
    return (f"<svg width='{WIDTH}' height='{HEIGHT + 16}' style='background:#fafafa;border:1px solid #ddd'>"
            f"<polyline class='dis-faults-line' points='{points}' fill='none' stroke='#1f77b4' stroke-width='2'/>"
            f"{lost}<text x='4' y='{HEIGHT + 12}' font-size='11'>0 ms</text>"
            f"<text x='4' y='14' font-size='11'>{top:.0f} ms</text></svg>")


def counters(stats):
    """The proxy's counters as a row of HTML cells that wraps on a narrow page."""
    cells = "".join(f"<div style='padding:0 8px'><b>{html.escape(k)}</b><br>{v:,}</div>" for k, v in stats.items())
    return f"<div style='display:flex;flex-wrap:wrap;gap:4px'>{cells}</div>"


class FaultPanel(widgets.VBox):
    """Sliders that change the proxy's faults (both directions) while a probe measures round trips through it."""

    def __init__(self, proxy, probe=None, interval=0.25):
        self.proxy, self.interval = proxy, interval
        self.probe = probe or EchoProbe(proxy.address)
        self.values = deque(maxlen=POINTS)
        self.sliders = {}
        for name, label, make in SLIDERS:
            slider = make()
            slider.description = label
            slider.add_class(f"dis-faults-{name}")
            slider.observe(lambda change, name=name: self._apply(name, change["new"]), "value")
            self.sliders[name] = slider
        self.stall = widgets.Checkbox(False, description="stall (blackhole)").add_class("dis-faults-stall")
        self.stall.observe(lambda change: self._apply("stall", change["new"]), "value")
        self._following, self._seen, self._lock = None, None, threading.Lock()
        reset = widgets.Button(description="Reset connections", icon="bolt", layout=widgets.Layout(width="auto"))
        reset.on_click(lambda _: self.proxy.reset_all())
        self.rtt = widgets.Label("round trip: measuring...").add_class("dis-faults-rtt")
        self.chart = widgets.HTML(chart([])).add_class("dis-faults-chart")
        self.counters = widgets.HTML("").add_class("dis-faults-counters")
        self._done = threading.Event()
        super().__init__([widgets.HBox([widgets.VBox(list(self.sliders.values())[:3]),
                                        widgets.VBox(list(self.sliders.values())[3:] + [self.stall, reset])]),
                          self.rtt, self.chart, self.counters])
        self.add_class("dis-faults")
        old = getattr(proxy, "panel", None)
        if old is not None:
            old.close()  # one panel per proxy: a re-run cell replaces it
        proxy.panel = self
        threading.Thread(target=self._measure, name=f"{proxy.name}-panel", daemon=True).start()

    def _apply(self, name, value):
        """A control moved: set that fault both ways, unless the move is the panel following the proxy."""
        if self._following == threading.get_ident():
            return
        with self._lock:  # never between _follow's look at the proxy and its update of the controls
            self.proxy.set(**{name: value})
            self._seen = self._wanted()  # the controls show this already: nothing to follow

    def _wanted(self):
        """What the controls should show for the proxy's settings (the larger of the two directions)."""
        up, down = self.proxy.up.now(), self.proxy.down.now()
        return {name: max(getattr(up, name) or 0, getattr(down, name) or 0) for name in [*self.sliders, "stall"]}

    def _follow(self):
        """Show the proxy's settings on the controls when code changed them (set(), clear()) since the last look."""
        with self._lock:
            wanted = self._wanted()
            if wanted == self._seen:
                return
            self._seen, self._following = wanted, threading.get_ident()
            try:
                for name, slider in self.sliders.items():
                    slider.value = type(slider.value)(wanted[name])
                self.stall.value = bool(wanted["stall"])
            finally:
                self._following = None

    def _measure(self):
        while not self._done.is_set() and self.proxy.running:
            self._follow()
            rtt = self.probe()
            self.values.append(rtt)
            self.rtt.value = f"round trip: {rtt:.1f} ms" if rtt is not None else "round trip: no reply within 1 s"
            self.chart.value = chart(list(self.values))
            self.counters.value = counters(self.proxy.stats.as_dict())
            self._done.wait(self.interval)
        self.probe.close()
        if not self.proxy.running:
            self.rtt.value = "round trip: the proxy is stopped"

    def close(self):
        self._done.set()
        super().close()


def fault_panel(proxy, probe=None):
    """The panel for a running proxy in front of an echo server (or any probe() returning ms or None)."""
    return FaultPanel(proxy, probe)
