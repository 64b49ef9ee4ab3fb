"""Small widgets: a request console that sends a message and shows the reply and round-trip time."""
import html
import time

import ipywidgets as w

from helpers.core.client import ask
from helpers.core.errors import ServiceError


def show_bytes(data, limit=200):
    """A short printable form of bytes for a widget."""
    text = repr(bytes(data[:limit]))
    return text + (f" ... ({len(data)} bytes)" if len(data) > limit else "")


class RequestConsole(w.VBox):
    """Text box + Send: the reply and round-trip time appear below; errors show as one line."""

    def __init__(self, address, send=ask, timeout=2.0, placeholder="type a message", keep=5,
                 value="Hello, space!", multiline=False):
        self.address, self.send, self.timeout, self.keep = tuple(address), send, timeout, keep
        text_box = w.Textarea if multiline else w.Text
        self.text = text_box(value=value, placeholder=placeholder, layout=w.Layout(width="320px"))
        self.button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.reply = w.HTML("<i>no reply yet</i>").add_class("dis-reply")
        self.rtt = w.Label("")
        self.history = w.HTML("")
        self.exchanges = []
        self.button.on_click(lambda _: self.submit())
        self.target = w.Label(f"to {self.address[0]}:{self.address[1]}")
        super().__init__([w.HBox([self.text, self.button, self.target]), w.HBox([self.reply, self.rtt]),
                          self.history])

    def encode(self):
        """The bytes to send for what the text box holds."""
        return self.text.value.encode()

    def render(self, answer):
        """The reply as HTML."""
        return f"reply: <code>{html.escape(show_bytes(answer))}</code>"

    def submit(self):
        """Send the text box's message once and show what came back."""
        message = self.encode()
        start = time.perf_counter()
        try:
            answer = self.send(self.address, message, timeout=self.timeout)
        except ServiceError as error:
            self.reply.value = f"<span style='color:#b00'>&#9888; {html.escape(str(error))}</span>"
            self.rtt.value = ""
            return None
        ms = (time.perf_counter() - start) * 1000
        self.reply.value = self.render(answer)
        self.rtt.value = f"round trip {ms:.2f} ms"
        self.exchanges = (self.exchanges + [(message, answer, ms)])[-self.keep:]
        rows = "".join(f"<tr><td><code>{html.escape(show_bytes(m, 40))}</code></td><td>&rarr;</td>"
                       f"<td><code>{html.escape(show_bytes(a, 40))}</code></td><td>{t:.2f} ms</td></tr>"
                       for m, a, t in reversed(self.exchanges))
        self.history.value = f"<table style='font-size:85%'>{rows}</table>"
        return answer


def request_console(address, **options):
    """A RequestConsole for the server at address (TCP by default; pass send=udp_ask for UDP)."""
    return RequestConsole(address, **options)
