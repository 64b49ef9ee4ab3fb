"""The stream viewer (notebook 06): topics to tick, a publish-rate slider, counters, a rate chart and a live log.

One widget, two sources (a Redis channel subscriber, a ZeroMQ SUB socket). A background thread takes the
messages; the page is refreshed at most 10 times a second, so the kernel stays free for other cells.
"""
import collections
import html
import os
import select
import subprocess
import sys
import time

import ipywidgets as w
import zmq

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn
from helpers.core.service import ThreadService
from helpers.pubsub.publisher import PASSWORD
from helpers.pubsub.redis_channels import CATS
from helpers.pubsub.show import describe, is_bad
from helpers.zeromq.base import address_of, socket

REFRESH = 0.1  # seconds between two updates of the page, at most
BATCH = 2000  # messages taken in one go before looking at the clock again
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


class RedisSource:
    """Messages from Redis channels, through a redis-py PubSub (bytes in, so bad UTF-8 cannot crash it)."""

    kind = "redis channels"

    def __init__(self, server):
        self.server, self.address, self.endpoint = server, server.address, None
        self.pubsub = None

    def publisher_args(self):
        return ["redis", self.address[0], str(self.address[1])]

    def publisher_env(self):
        """The password goes to the publisher in its environment (only its owner may read it), not its arguments."""
        return {PASSWORD: self.server.password}

    def open(self, ready_line):
        conn = self.server.client(decode_responses=False, timeout=5)
        self.pubsub = conn.pubsub()

    def change(self, subscribe, topic):
        (self.pubsub.subscribe if subscribe else self.pubsub.unsubscribe)(topic)

    def receive(self, timeout):
        """A list of (topic, payload) pairs: waits up to timeout for the first, then takes what is already there."""
        got, wait = [], timeout
        while len(got) < BATCH:
            msg = self.pubsub.get_message(timeout=wait) if self.pubsub.subscribed else time.sleep(wait)
            if msg is None:
                return got
            if msg["type"] == "message":
                got.append((msg["channel"], msg["data"]))
            wait = 0
        return got

    def close(self):
        if self.pubsub is not None:
            self.pubsub.close()


class ZmqSource:
    """Messages from a ZeroMQ SUB socket: [topic, body] frames; it may also connect to more publishers."""

    kind = "zmq SUB"
    max_message = 64 * 1024 * 1024  # larger than the course's usual 1 MB: a huge message is shown, not cut off

    def __init__(self, connect=()):
        self.extra, self.sub, self.endpoint, self.address = list(connect), None, None, None

    def publisher_args(self):
        return ["zmq"]

    def publisher_env(self):
        return {}

    def open(self, ready_line):
        self.endpoint = ready_line.split()[1]
        self.address = address_of(self.endpoint)
        self.sub = socket(zmq.SUB, max_message=self.max_message)
        for endpoint in [self.endpoint, *self.extra]:
            self.sub.connect(endpoint)

    def change(self, subscribe, topic):
        self.sub.setsockopt(zmq.SUBSCRIBE if subscribe else zmq.UNSUBSCRIBE, topic.encode())

    def receive(self, timeout):
        got = []
        if self.sub.poll(int(timeout * 1000)):
            while len(got) < BATCH:
                try:
                    frames = self.sub.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                if len(frames) == 2:
                    got.append((frames[0], frames[1]))
                else:
                    got.append((frames[0], f"<bad message: {len(frames)} frames, expected 2 (topic, body)>"))
        return got

    def close(self):
        if self.sub is not None:
            self.sub.close(linger=0)


class StreamViewer(ThreadService):
    """A live view of a pub-sub stream, fed by a publisher process the viewer starts and stops."""

    kind = "stream viewer"

    def __init__(self, source, name="stream-viewer", topics=CATS, rate=20, last=12):
        super().__init__(name)
        self.source, self.topics = source, list(topics)
        self.counts = collections.Counter()  # messages per topic
        self.bad = 0  # messages that were not UTF-8, huge or malformed
        self.problems = collections.deque(maxlen=20)  # the lines that reported them
        self.log = collections.deque(maxlen=last)
        self.history = collections.deque(maxlen=60)  # (time, total so far) every half second: the chart
        self.refreshes, self._pending, self.publisher = 0, collections.deque(), None
        self._build(rate)

    # --- the page -------------------------------------------------------------
    def _build(self, rate):
        self.boxes = {t: w.Checkbox(True, description=t, indent=False, layout=w.Layout(width="150px"))
                      for t in self.topics}
        for topic, box in self.boxes.items():
            box.observe(lambda change, t=topic: self._pending.append((change["new"], t)), "value")
        self.rate = w.IntSlider(rate, min=0, max=30_000, step=10, description="msgs/s",
                                continuous_update=False, layout=w.Layout(width="420px"))
        self.rate.observe(lambda change: self.set_rate(change["new"]), "value")
        self.button = w.Button(description="Stop", icon="stop", button_style="danger")
        self.button.on_click(lambda _: self.stop())
        self.status = w.Label("starting").add_class("dis-stream-status")
        self.counters = w.HTML("").add_class("dis-stream-counts")
        self.chart = w.HTML("").add_class("dis-stream-chart")
        self.lines = w.HTML("").add_class("dis-stream-log")
        self.widget = w.VBox([
            w.HTML(f"<b>{html.escape(self.source.kind)}</b>: tick a topic to subscribe, untick to unsubscribe"),
            w.HBox(list(self.boxes.values())).add_class("dis-stream-topics"),
            w.HBox([self.rate, self.button]), self.status,
            w.HBox([self.counters, self.chart]), w.HTML("<b>last messages</b>"), self.lines,
        ]).add_class("dis-stream-viewer")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    # --- the lifecycle --------------------------------------------------------
    def _start(self):
        argv = [sys.executable, "-m", "helpers.pubsub.publisher", *self.source.publisher_args()]
        self.publisher = spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **self.source.publisher_env()})
        try:
            ready = self._read_ready()
            self.source.open(ready)
            self.address = self.source.address
            self.endpoint = self.source.endpoint
            for topic, box in self.boxes.items():
                if box.value:
                    self._pending.append((True, topic))
        except Exception:
            self._end_publisher()
            self.source.close()
            raise
        self._start_thread(self._loop, "viewer")
        self.set_rate(self.rate.value)

    def _read_ready(self, timeout=10.0):
        if not select.select([self.publisher.stdout], [], [], timeout)[0]:
            raise ServiceError(f"{self.name}: the publisher did not start within {timeout:g} s")
        line = self.publisher.stdout.readline()
        if not line.startswith("ready"):
            error = self.publisher.stderr.read().strip().splitlines()
            raise ServiceError(f"{self.name}: the publisher failed: {error[-1] if error else 'no message'}")
        return line

    def set_rate(self, rate):
        """Ask the publisher for rate messages per second."""
        if self.publisher is not None and self.publisher.poll() is None:
            try:
                self.publisher.stdin.write(f"{int(rate)}\n")
                self.publisher.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
        if self.rate.value != rate:
            self.rate.value = rate

    def _stop(self):
        self._stop_thread()
        self._end_publisher()
        self.source.close()
        self.status.value = f"stopped: {sum(self.counts.values()):,} messages, {self.bad} bad"
        self.button.disabled = True

    def _end_publisher(self):
        proc, self.publisher = self.publisher, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # end of input: the publisher ends by itself
        except OSError:
            pass
        end_process(proc)

    # --- the background thread --------------------------------------------------
    def _loop(self):
        shown = 0.0
        while not select.select([self._wake_r], [], [], 0)[0]:
            try:
                while self._pending:
                    self.source.change(*self._pending.popleft())
                batch = self.source.receive(REFRESH / 2)
            except Exception as error:  # the server went away: one line, then stop reading
                self.status.value = f"error: {type(error).__name__}: {error}"
                return
            self._take(batch)
            if time.monotonic() - shown >= REFRESH:
                shown = time.monotonic()
                self.refresh()

    def _take(self, batch):
        for topic, payload in batch:
            name = describe(topic)
            text = describe(payload.rstrip(b" ")) if isinstance(payload, bytes) else payload
            self.counts[name] += 1
            if is_bad(text):
                self.bad += 1
                self.problems.append(f"{name}: {text}")
            self.log.append(f"{name}: {text}")
        if batch:
            self.stats.add(messages=len(batch), bytes_in=sum(len(t) + len(p) for t, p in batch))

    def refresh(self):
        """Put the counters, the chart and the log on the page (called by the thread, at most every REFRESH s)."""
        self.refreshes += 1
        now, total = time.monotonic(), sum(self.counts.values())
        if not self.history or now - self.history[-1][0] >= 0.5:
            self.history.append((now, total))
        rate = rate_of(self.history)
        self.status.value = (f"{total:,} messages, {rate:,.0f}/s now" + (f", {self.bad} bad, last: {self.problems[-1]}" if self.bad else "")
                             + ("" if self.publisher and self.publisher.poll() is None else " (publisher ended)"))
        self.counters.value = counts_table(self.counts, self.topics)
        self.chart.value = rate_chart(self.history)
        self.lines.value = ("<pre style='margin:0;font-size:11px'>" + html.escape("\n".join(self.log))
                            + "</pre>")


def rate_of(history):
    """Messages per second over the last two samples of (time, total)."""
    if len(history) < 2:
        return 0.0
    (t0, n0), (t1, n1) = history[-2], history[-1]
    return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0


def counts_table(counts, topics):
    """Per-topic counters as a small HTML table (topics that were not asked for, too)."""
    names = list(topics) + sorted(set(counts) - set(topics))
    rows = "".join(f"<tr><td>{html.escape(n)}</td><td style='text-align:right'>{counts[n]:,}</td></tr>"
                   for n in names)
    return f"<table style='margin-right:24px'><tr><th>topic</th><th>messages</th></tr>{rows}</table>"


def nice_top(value):
    """The smallest 1, 2 or 5 times a power of ten that is at least value: the top of a chart's scale."""
    step = 1
    while step * 10 <= value:
        step *= 10
    return next(top for top in (step, 2 * step, 5 * step, 10 * step) if top >= value)


def rate_chart(history, width=320, height=110):
    """An SVG line of messages per second over the last half minute, on a scale from 0 to a round number."""
    rates = [(t1, (n1 - n0) / (t1 - t0)) for (t0, n0), (t1, n1) in zip(history, list(history)[1:]) if t1 > t0]
    top = nice_top(max([r for _, r in rates] + [1.0]))
    if rates:
        end = rates[-1][0]
        points = " ".join(f"{width - (end - t) * width / 30:.1f},{height - 14 - r * (height - 24) / top:.1f}"
                          for t, r in rates)
    else:
        points = ""
    return (f"<svg width='{width}' height='{height}' style='background:#fafafa;border:1px solid #ddd'>"
            f"<line x1='0' x2='{width}' y1='10' y2='10' stroke='#ddd' stroke-dasharray='3,3'/>"
            f"<polyline fill='none' stroke='{COLORS[0]}' stroke-width='2' points='{points}'/>"
            f"<text x='4' y='22' font-size='11'>scale: dashed line = {top:,} msgs/s</text>"
            f"<text x='4' y='{height - 3}' font-size='11'>last 30 s</text></svg>")


def stream_viewer(source, name="stream-viewer", rate=20, topics=CATS):
    """Start a viewer on source (RedisSource(server) or ZmqSource()) with its own publisher; display it."""
    return StreamViewer(source, name, topics, rate).start()
