"""Small widgets: a request console that sends a message and shows the reply and round-trip time."""
import html
import time
from dataclasses import dataclass

import ipywidgets as w

from helpers.core.client import ask, udp_ask
from helpers.core.errors import ServiceError


def show_bytes(data, limit=200):
    """A short printable form of bytes for a widget."""
    text = repr(bytes(data[:limit]))
    return text + (f" ... ({len(data)} bytes)" if len(data) > limit else "")


def show_ends(data, limit=100):
    """A printable form of bytes that keeps both ends of a long message (where protocols put their markers)."""
    data = bytes(data)
    if len(data) <= limit:
        return repr(data)
    half = limit // 2
    return f"{data[:half]!r} ... {data[-half:]!r} ({len(data)} bytes)"


@dataclass
class Exchange:
    """One line of a console's history: over which protocol, what went out, what came back, how fast."""

    via: str
    message: bytes
    reply: bytes
    ms: float


class RequestConsole(w.VBox):
    """Text box + Send (or Enter): the reply and round-trip time appear below; errors show as one line."""

    def __init__(self, address, send=ask, timeout=2.0, placeholder="type a message", keep=5,
                 value="Hello, space!", multiline=False):
        self.address, self.send, self.timeout, self.keep = tuple(address), send, timeout, keep
        text_box = w.Textarea if multiline else w.Text
        self.text = text_box(value=value, placeholder=placeholder, layout=w.Layout(width="320px"))
        self.text.on_msg(self._on_text_event)
        self.button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.reply = w.HTML("<i>no reply yet</i>").add_class("dis-reply")
        self.rtt = w.Label("")
        self.history = w.HTML("")
        self.recent = []
        self.button.on_click(lambda _: self.submit())
        self.target = w.Label(f"to {self.address[0]}:{self.address[1]}")
        super().__init__([w.HBox([self.text, self.button, self.target]), w.HBox([self.reply, self.rtt]),
                          self.history])

    @property
    def exchanges(self):
        """(message, reply, ms) of the last `keep` exchanges, oldest first."""
        return [(e.message, e.reply, e.ms) for e in self.recent]

    @property
    def via(self):
        """The protocol the next message goes over, as the history names it."""
        return "UDP" if self.send is udp_ask else "TCP"

    def _on_text_event(self, _, content, buffers):
        if content.get("event") == "submit":  # the browser's one-line text box sends this on Enter
            self.submit()

    def encode(self):
        """The bytes to send for what the text box holds."""
        return self.text.value.encode()

    def render(self, answer):
        """The reply as HTML."""
        return f"reply: <code>{html.escape(show_bytes(answer))}</code>"

    def exchange(self, message):
        """Send message; return (reply, ms until the reply, the timing as a line of text)."""
        start = time.perf_counter()
        answer = self.send(self.address, message, timeout=self.timeout)
        ms = (time.perf_counter() - start) * 1000
        return answer, ms, f"round trip {ms:.2f} ms"

    def submit(self):
        """Send the text box's message once and show what came back."""
        message = self.encode()
        self.button.disabled = True
        self.reply.value = (f"<i>sending {len(message)} bytes to {self.address[0]}:{self.address[1]}&hellip; "
                            f"(waiting up to {self.timeout:g} s)</i>")
        self.rtt.value = ""
        try:
            answer, ms, timing = self.exchange(message)
        except ServiceError as error:
            self.reply.value = f"<span style='color:#b00'>&#9888; {html.escape(str(error))}</span>"
            return None
        finally:
            self.button.disabled = False
        self.reply.value = self.render(answer)
        self.rtt.value = timing
        self.recent = (self.recent + [Exchange(self.via, message, answer, ms)])[-self.keep:]
        rows = "".join(f"<tr><td>{html.escape(e.via)}</td><td><code>{html.escape(show_ends(e.message, 60))}</code></td>"
                       f"<td>&rarr;</td><td><code>{html.escape(show_ends(e.reply))}</code></td>"
                       f"<td>{e.ms:.2f} ms</td></tr>" for e in reversed(self.recent))
        self.history.value = f"<table style='font-size:85%'>{rows}</table>"
        return answer


def request_console(address, **options):
    """A RequestConsole for the server at address (TCP by default; pass send=udp_ask for UDP)."""
    return RequestConsole(address, **options)
