"""Notebook 07's first widget: the same items sent to a queue (two workers) and to a channel (two subscribers)."""
import html
import threading
import time

import ipywidgets as widgets
import redis

from helpers.core.service import Service
from helpers.queues.lists import connect, describe, is_gone

QUEUE, CHANNEL = "demo-queue", "demo-channel"
REFRESH = 0.1  # the page is redrawn at most this often
POLL = 0.2  # how long a blocking pop or a subscriber waits before it looks at the stop flag
COLOURS = ["#e15759", "#f28e2b", "#edc948", "#59a14f", "#76b7b2",
           "#4e79a7", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


class ShareDemo(Service):
    """Two queue workers (BLPOP on a list) and two subscribers (on a channel), in threads, noting what they get."""

    kind = "threads"

    def __init__(self, server, name="queue-vs-pubsub"):
        super().__init__(name)
        self.server, self.got, self.error = server, {}, ""
        self._changed = threading.Event()

    @property
    def where(self):
        return f"{len(self._threads)} threads" if self.running else ""

    def _start(self):
        self.address, self._stopping, self.error = self.server.address, threading.Event(), ""
        self.got = {"worker A": [], "worker B": [], "subscriber A": [], "subscriber B": []}
        self._client = connect(self.server)
        self._client.delete(QUEUE)
        self._threads = []
        for who in ("worker A", "worker B"):
            self._spawn(self._work, who, connect(self.server, timeout=POLL + 2))
        for who in ("subscriber A", "subscriber B"):
            sub = connect(self.server).pubsub(ignore_subscribe_messages=True)
            sub.subscribe(CHANNEL)  # sent now: Redis has it before any publish from this notebook
            self._spawn(self._listen, who, sub)
        deadline = time.monotonic() + 2
        while self._client.pubsub_numsub(CHANNEL)[0][1] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # both subscriptions are in place before anything is published

    def _spawn(self, target, who, connection):
        thread = threading.Thread(target=target, args=(who, connection), name=f"{self.name}-{who}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self, who, r):
        while not self._stopping.is_set():
            try:
                item = r.blpop(QUEUE, timeout=POLL)
            except Exception as error:  # one line in the widget, and this worker ends
                self._fail(who, error)
                break
            if item is not None:
                self._note(who, item[1])
        r.close()

    def _listen(self, who, sub):
        while not self._stopping.is_set():
            try:
                message = sub.get_message(timeout=POLL)
            except Exception as error:
                self._fail(who, error)
                break
            if message is not None and message["type"] == "message":
                self._note(who, message["data"])
        sub.close()

    def _note(self, who, item):
        self.got[who].append(describe(item))
        self.stats.add(messages=1)
        self._changed.set()

    def _fail(self, who, error):
        if not self._stopping.is_set():
            gone = "the redis-server went away" if is_gone(error) else type(error).__name__
            self.error = f"{who}: {gone} ({str(error).splitlines()[0][:80]})"
            self._changed.set()

    def send(self, count=8, pause=0.05, timeout=5.0):
        """RPUSH item-1..item-count to the queue and PUBLISH each to the channel; wait for them; what each got."""
        for who in self.got:
            self.got[who].clear()
        for n in range(1, count + 1):
            self._client.rpush(QUEUE, f"item-{n}")
            self._client.publish(CHANNEL, f"item-{n}")
            time.sleep(pause)  # a little apart, so that the page can follow
        deadline = time.monotonic() + timeout
        while not self.complete(count) and time.monotonic() < deadline and not self.error:
            time.sleep(0.02)
        return {who: list(items) for who, items in self.got.items()}

    def complete(self, count):
        """True once the workers together took count items and each subscriber got count messages."""
        workers = len(self.got["worker A"]) + len(self.got["worker B"])
        return workers >= count and all(len(self.got[s]) >= count for s in ("subscriber A", "subscriber B"))

    def _stop(self):
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=POLL + 1)
        self._client.close()
        self._changed.set()


def chip(item):
    """One item drawn as a small coloured label."""
    number = item.rsplit("-", 1)[-1]
    colour = COLOURS[int(number) % len(COLOURS)] if number.isdigit() else "#999"
    return (f"<span style='background:{colour};color:#fff;border-radius:4px;padding:1px 6px;margin:1px;"
            f"font-family:monospace'>{html.escape(number if number.isdigit() else item)}</span>")


def table(got):
    """What each receiver got, one row each, as HTML."""
    rows = []
    for who, items in got.items():
        kind = "queue (RPUSH / BLPOP)" if who.startswith("worker") else "pub-sub (PUBLISH / SUBSCRIBE)"
        rows.append(f"<tr><td style='padding-right:12px'><b>{who}</b><br><small>{kind}</small></td>"
                    f"<td>{''.join(chip(i) for i in items) or '<i>nothing yet</i>'}</td>"
                    f"<td style='padding-left:12px'>{len(items)}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


class ShareView(widgets.VBox):
    """A Send button and, live, what each worker and each subscriber received."""

    def __init__(self, demo, count=8):
        self.demo, self.count = demo, count
        self.button = widgets.Button(description=f"Send {count} items", button_style="primary")
        self.table = widgets.HTML(table(demo.got)).add_class("dis-share-table")
        self.status = widgets.Label("press Send: each item goes to the queue and to the channel").add_class(
            "dis-share-status")
        self.button.on_click(lambda _: threading.Thread(target=self._send_items, name="queue-vs-pubsub-send",
                                                        daemon=True).start())
        super().__init__([self.button, self.table, self.status])
        self.add_class("dis-share")
        threading.Thread(target=self._refresh, name="queue-vs-pubsub-view", daemon=True).start()

    def _send_items(self):
        self.button.disabled = True
        try:
            got = self.demo.send(self.count)
            workers = len(got["worker A"]) + len(got["worker B"])
            self.status.value = (self.demo.error or f"the queue gave {workers} items out once each; "
                                 f"every subscriber got all {len(got['subscriber A'])}")
        except redis.RedisError as error:
            self.status.value = f"error: {str(error).splitlines()[0]}"
        finally:
            self.button.disabled = False

    def _refresh(self):
        while self.demo.running:
            if self.demo._changed.wait(timeout=1):
                self.demo._changed.clear()
                self.table.value = table(self.demo.got)
                if self.demo.error:
                    self.status.value = self.demo.error
                time.sleep(REFRESH)  # at most ~10 redraws a second
        self.status.value = self.demo.error or "stopped"


def queue_vs_pubsub(server, count=8):
    """Start the two workers and two subscribers on server (a running redis-server) and return the widget."""
    return ShareView(ShareDemo(server).start(), count)
