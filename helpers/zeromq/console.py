"""A ZeroMQ console: pick REQ or DEALER and a running zmq service, send frames, see the reply frames and round trip."""
import html
import time

import ipywidgets as widgets
import zmq

from helpers.core import registry
from helpers.core.errors import ServiceError
from helpers.widgets.request_console import RequestConsole, show_bytes, show_ends
from helpers.zeromq.base import address_of
from helpers.zeromq.reqrep import zmq_ask

KINDS = {"REQ": zmq.REQ, "DEALER": zmq.DEALER}


def zmq_endpoints():
    """(label, endpoint) of every running service that has a ZeroMQ endpoint."""
    return [(f"{s.name}  {s.endpoint}", s.endpoint) for s in registry.running() if getattr(s, "endpoint", None)]


class ZmqConsole(RequestConsole):
    """One frame per line of the text box; the reply's frames are listed with the round-trip time."""

    def __init__(self, endpoint=None, timeout=2.0):
        choices = zmq_endpoints() or [(endpoint or "(no zmq service running)", endpoint)]
        endpoint = endpoint or choices[0][1]
        super().__init__(address_of(endpoint or "tcp://none:0"), send=self._ask, timeout=timeout, multiline=True,
                         value="message #1", placeholder="one frame per line")
        self.kind = widgets.ToggleButtons(options=list(KINDS), value="REQ", style={"button_width": "auto"})
        self.endpoint = widgets.Dropdown(options=choices, value=endpoint, layout=widgets.Layout(width="360px"))
        self.endpoint.observe(lambda change: setattr(self.target, "value", ""), "value")
        self.sent, self.frames, self.shown = [], [], []  # shown: (socket type, frames sent, reply frames, ms)
        self.target.value = ""
        self.children = (widgets.HBox([self.kind, self.endpoint]),) + tuple(self.children)
        self.add_class("dis-zmq-console")

    @property
    def via(self):
        return self.kind.value

    def _ask(self, _address, message, timeout):
        """Send the lines of message as frames; return the reply frames joined for the history line."""
        self.sent = [line.encode() for line in message.decode().split("\n")]
        self.frames = zmq_ask(self.endpoint.value, self.sent, timeout, KINDS[self.kind.value])
        return b" | ".join(self.frames)

    def exchange(self, message):
        """Send message; return (reply, ms, the timing line)."""
        if not self.endpoint.value:
            raise ServiceError("no ZeroMQ service is running: start one (serve('zmq-rep')) and make a new console")
        start = time.perf_counter()
        answer = self._ask(None, message, self.timeout)
        ms = (time.perf_counter() - start) * 1000
        return answer, ms, f"round trip {ms:.2f} ms ({len(self.frames)} frames, new {self.kind.value} socket)"

    def render(self, answer):
        """The reply frames, one per line."""
        rows = "".join(f"<li><code>{html.escape(show_bytes(f))}</code></li>" for f in self.frames)
        return f"reply frames:<ol start='0' style='margin:0'>{rows}</ol>"

    def submit(self):
        """Send once; the history lists each message's frames one per line, not as one bytes literal."""
        answer = super().submit()
        if answer is not None:
            sent = [b""] + self.sent if self.kind.value == "DEALER" else self.sent  # the delimiter put in for you
            self.shown = (self.shown + [(self.kind.value, sent, self.frames, self.recent[-1].ms)])[-self.keep:]
            self.history.value = history_table(self.shown)
        return answer


def frame_lines(frames):
    """Frames as HTML, one per line, numbered from 0 as ZeroMQ counts them."""
    return "<br>".join(f"{n}: <code>{html.escape(show_ends(frame, 60))}</code>" for n, frame in enumerate(frames))


def history_table(log):
    """The last exchanges, newest first: socket type, frames sent, reply frames, round trip."""
    rows = "".join(f"<tr style='vertical-align:top'><td>{kind}</td><td>{frame_lines(sent)}</td><td>&rarr;</td>"
                   f"<td>{frame_lines(reply)}</td><td>{ms:.2f} ms</td></tr>" for kind, sent, reply, ms in reversed(log))
    return f"<table style='font-size:85%'>{rows}</table>"


def zmq_console(endpoint=None, timeout=2.0):
    """A ZeroMQ console on endpoint (default: the first running zmq service)."""
    return ZmqConsole(endpoint, timeout)
