"""Notebook 04's broker widget: sliders for clients and workers, live requests per worker, requests per second."""
import html
import threading
import time

import ipywidgets as widgets

from helpers.core.errors import ServiceError
from helpers.zeromq.broker import load

BAR = 30  # characters in a full bar
REFRESH = 0.25  # seconds between two chart updates sent to the page


def bar_chart(counts):
    """{worker: requests} as text bars scaled to the largest count, as HTML."""
    top = max(counts.values(), default=0) or 1
    lines = [f"{html.escape(name):>4} {'█' * round(BAR * n / top):<{BAR}} {n}" for name, n in sorted(counts.items())]
    return "<pre style='margin:0'>" + ("\n".join(lines) or "(no worker)") + "</pre>"


def count(n, noun):
    """'1 client', '2 clients'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


class BrokerView(widgets.VBox):
    """N client threads -> the broker -> M worker processes; every slider move starts a new run of `seconds`."""

    def __init__(self, hub, clients=4, seconds=2.0, max_clients=8, max_workers=4):
        self.hub, self.seconds = hub, seconds
        self.clients = widgets.IntSlider(clients, min=1, max=max_clients, description="clients N",
                                         continuous_update=False)
        self.workers = widgets.IntSlider(len(hub.workers) or 1, min=1, max=max_workers, description="workers M",
                                         continuous_update=False)
        self.button = widgets.Button(description="Run again", icon="play")
        self.rate = widgets.Label("").add_class("dis-broker-rate")
        self.chart = widgets.HTML("").add_class("dis-broker-chart")
        self._stop, self._thread = threading.Event(), None
        self.clients.observe(lambda _: self.restart(), "value")
        self.workers.observe(lambda _: self.restart(), "value")
        self.button.on_click(lambda _: self.restart())
        super().__init__([widgets.HBox([self.clients, self.workers, self.button]), self.rate,
                          widgets.HTML("<b>requests handled per worker</b> (this run)"), self.chart])
        self.add_class("dis-broker")

    def restart(self):
        """End the run that is going, set the number of workers, start a new run in the background."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._stop = threading.Event()
        try:
            self.hub.set_workers(self.workers.value)
        except ServiceError as error:
            self.rate.value = f"error: {error}"
            return
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name="broker-view", daemon=True)
        self._thread.start()

    def run(self, stop):
        """One run: clients send for `seconds` while the chart and the counter follow the broker's counts."""
        before, start, result = dict(self.hub.handled), time.monotonic(), []
        clients, seconds = self.clients.value, self.seconds  # this run's, whatever the sliders do meanwhile
        runner = threading.Thread(target=self.load, args=(stop, clients, seconds, result), daemon=True)
        runner.start()
        while runner.is_alive():
            runner.join(REFRESH)
            elapsed = time.monotonic() - start
            cut = stop.is_set() and elapsed < seconds
            state = "running" if runner.is_alive() else "stopped early: a new run starts" if cut else "done"
            try:
                self.show(before, elapsed, clients, result, state)
            except Exception as error:  # the label must never stay at "running" after a run has ended
                result.append(error)
        errors = [r for r in result if isinstance(r, Exception)]
        if errors:
            self.rate.value = f"error: {type(errors[0]).__name__}: {errors[0]}"

    def load(self, stop, clients, seconds, result):
        """The clients' run; its (answered, lost), or the error that ended it, goes into result."""
        try:
            result.append(load(self.hub.endpoint, clients, seconds, stop=stop))
        except Exception as error:
            result.append(error)

    def show(self, before, elapsed, clients, result, state):
        """Chart and counter for the requests handled since `before`, with the run's state."""
        counts = {w: self.hub.handled.get(w, 0) - before.get(w, 0) for w in self.hub.workers}
        total = sum(counts.values())
        lost = f", {result[0][1]} lost" if result and isinstance(result[0], tuple) and result[0][1] else ""
        self.rate.value = (f"{total / max(elapsed, 1e-9):,.0f} requests/s: {total} replies in {elapsed:.1f} s "
                           f"from {count(clients, 'client')} to {count(len(counts), 'worker')}{lost} ({state})")
        self.chart.value = bar_chart(counts)


def broker_view(hub, clients=4, seconds=2.0):
    """The broker widget for a running broker service; it starts a first run at once."""
    view = BrokerView(hub, clients, seconds)
    view.restart()
    return view
