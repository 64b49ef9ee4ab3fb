"""The chocolate factory widget: belt speed, handling time, the backlog drawn live, and Ethel on a button."""
import html
import threading
import time

import ipywidgets as widgets

from helpers.queues.factory_line import HISTORY, factory_line

REFRESH = 0.1  # the page is redrawn at most ~10 times a second
WIDTH, HEIGHT = 520, 140


def backlog_svg(samples, width=WIDTH, height=HEIGHT, span=HISTORY):
    """The backlog over the last `span` seconds, as an SVG line chart (pieces on the belt against time)."""
    if not samples:
        return f"<svg width='{width}' height='{height}'><text x='10' y='20'>no samples yet</text></svg>"
    end = samples[-1][0]
    span = min(span, max(10.0, end - samples[0][0]))  # a young factory fills the width too
    top = max(4, max(n for _, n in samples))
    x = lambda t: 40 + (width - 50) * (1 - (end - t) / span)  # noqa: E731 (two small scales)
    y = lambda n: height - 20 - (height - 35) * n / top  # noqa: E731
    points = " ".join(f"{x(t):.1f},{y(n):.1f}" for t, n in samples)
    grid = "".join(f"<line x1='40' x2='{width - 10}' y1='{y(v):.1f}' y2='{y(v):.1f}' stroke='#ddd'/>"
                   f"<text x='34' y='{y(v) + 4:.1f}' text-anchor='end' font-size='10'>{v}</text>"
                   for v in sorted({0, top // 2, top}))
    return (f"<svg width='{width}' height='{height}' style='font-family:sans-serif'>{grid}"
            f"<polyline points='{points}' fill='none' stroke='#b5651d' stroke-width='2'/>"
            f"<text x='40' y='{height - 4}' font-size='10'>{span:.0f} s ago</text>"
            f"<text x='{width - 10}' y='{height - 4}' font-size='10' text-anchor='end'>now: {samples[-1][1]} "
            f"on the belt</text></svg>")


def counts_html(line):
    """Per-worker counts, odd items, and whether any piece was handled twice, as HTML."""
    rows = [f"<b>{html.escape(who)}</b>: {n}" for who, n in sorted(line.counts.items())]
    twice = "no piece handled twice" if not line.twice else f"<b style='color:#c00'>{line.twice} handled twice</b>"
    return (f"pieces handled: {line.handled} ({', '.join(rows) or 'none yet'}); "
            f"on the belt {line.backlog[-1][1] if line.backlog else 0}; {twice}"
            + "".join(f"<br><span style='color:#c60'>{html.escape(odd)}</span>" for odd in list(line.odds)[-3:]))


class FactoryView(widgets.VBox):
    """Sliders for the belt and for Lucy, the backlog chart, counts per worker, a log, Ethel and Stop buttons."""

    def __init__(self, line):
        self.line = line
        self.speed = widgets.FloatSlider(line.speed, min=0.5, max=10, step=0.5, description="belt speed",
                                         style={"description_width": "110px"}, readout_format=".1f")
        self.seconds = widgets.FloatSlider(line.seconds, min=0.1, max=1.5, step=0.1, description="handling (s)",
                                           style={"description_width": "110px"}, readout_format=".1f")
        self.ethel = widgets.Button(description="Bring in Ethel", icon="user-plus", layout={"width": "180px"})
        self.stop = widgets.Button(description="Stop", icon="stop", button_style="warning", layout={"width": "120px"})
        self.chart = widgets.HTML(backlog_svg([])).add_class("dis-factory-backlog")
        self.counts = widgets.HTML("").add_class("dis-factory-counts")
        self.lines = widgets.HTML("").add_class("dis-factory-log")
        self.status = widgets.Label("").add_class("dis-factory-status")
        self.speed.observe(lambda change: setattr(self.line, "speed", change["new"]), "value")
        self.seconds.observe(lambda change: setattr(self.line, "seconds", change["new"]), "value")
        self.ethel.on_click(lambda _: self.toggle_ethel())
        self.stop.on_click(lambda _: self.toggle_running())
        super().__init__([widgets.HBox([self.speed, widgets.Label("pieces a second")]),
                          widgets.HBox([self.seconds, widgets.Label("per piece, for each worker")]),
                          widgets.HBox([self.ethel, self.stop]), widgets.HTML("<b>backlog</b> (pieces on the belt)"),
                          self.chart, self.counts, self.lines, self.status])
        self.add_class("dis-factory")
        self._watch()

    def toggle_ethel(self):
        """Ethel joins Lucy at the belt, or leaves it (the button)."""
        self.set_ethel("Ethel" not in self.line.workers)

    def set_ethel(self, present=True):
        """Bring Ethel in (present=True) or send her away; nothing changes if she already is where asked."""
        if present:
            self.line.add_worker("Ethel")
        else:
            self.line.remove_worker("Ethel")
        here = "Ethel" in self.line.workers
        self.ethel.description = "Send Ethel away" if here else "Bring in Ethel"
        self.ethel.icon = "user-minus" if here else "user-plus"

    def toggle_running(self):
        """Stop the factory, or start a fresh one."""
        if self.line.running:
            self.line.stop()
        else:
            self.line.speed, self.line.seconds = self.speed.value, self.seconds.value
            self.line.start()
            self.ethel.description, self.ethel.icon = "Bring in Ethel", "user-plus"
            self._watch()

    def _watch(self):
        threading.Thread(target=self._refresh, name=f"{self.line.name}-view", daemon=True).start()

    def _refresh(self):
        """Redraw from a background thread, at most ~10 times a second, until the factory stops."""
        while self.line.running:
            self.show()
            time.sleep(REFRESH)
        self.show()

    def show(self):
        """Put the factory's current state on the page (only by assigning widget values)."""
        line = self.line
        self.chart.value = backlog_svg(list(line.backlog))
        self.counts.value = counts_html(line)
        self.lines.value = "<pre style='margin:0'>" + html.escape("\n".join(list(line.log)[-4:])) + "</pre>"
        workers = " and ".join(line.workers) or "nobody"
        state = f"running: {workers} at the belt" if line.running else "stopped: press Start for a fresh belt"
        self.status.value = line.error or state
        self.stop.description, self.stop.icon = ("Stop", "stop") if line.running else ("Start", "play")
        self.ethel.disabled = not line.running


def factory_view(server, speed=2.0, seconds=0.5):
    """The live chocolate factory on server (the course's redis-server): a conveyor, Lucy, and Ethel on call."""
    return FactoryView(factory_line(server, speed=speed, seconds=seconds))
