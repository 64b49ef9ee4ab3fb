"""Two more request consoles: one that switches between TCP and UDP, and netcat for raw bytes."""
import html
import selectors
import socket
import time
import weakref
from dataclasses import dataclass

import ipywidgets as w

from helpers.core import registry
from helpers.core.client import ask, udp_ask
from helpers.core.errors import ServiceError, describe
from helpers.widgets.hints import nothing_back, protocol_at, reply_hint
from helpers.widgets.request_console import RequestConsole


class ProtocolConsole(RequestConsole):
    """A request console with a TCP / UDP toggle: each protocol talks to its own server."""

    def __init__(self, tcp_address, udp_address, **options):
        self.addresses = {"TCP": tuple(tcp_address), "UDP": tuple(udp_address)}
        super().__init__(tcp_address, send=ask, **options)
        self.protocol = w.ToggleButtons(options=["TCP", "UDP"], value="TCP")
        self.protocol.observe(lambda change: self.use(change["new"]), names="value")
        self.children = (self.protocol, *self.children)
        self.use("TCP")

    def use(self, protocol):
        """Send with `ask` over TCP, or `udp_ask` over UDP, from now on."""
        self.address = self.addresses[protocol]
        self.send = ask if protocol == "TCP" else udp_ask
        self.target.value = f"over {protocol} to {self.address[0]}:{self.address[1]}"


@dataclass
class Conversation:
    """What talk() saw: the reply, when its first byte came, and whether the server closed or went quiet."""

    reply: bytes
    first_byte_ms: float
    closed: bool
    quiet: float


def converse(address, data, timeout=2.0, quiet=0.5, protocol=None):
    """Like netcat: connect, send data, collect what comes back until the server closes or goes quiet.

    Waits up to `timeout` s for a first byte, then stops after `quiet` s without new bytes.
    A server that says nothing gets a hint that fits its protocol (looked up from its address).
    """
    address, data = tuple(address), bytes(data)
    replies, wait, first, closed = [], timeout, None, False
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            start = time.perf_counter()
            sock.sendall(data)
            with selectors.DefaultSelector() as sel:
                sel.register(sock, selectors.EVENT_READ)
                while sel.select(wait):
                    try:
                        chunk = sock.recv(65536)
                    except ConnectionResetError:
                        chunk = b""
                    if not chunk:
                        closed = True
                        break
                    if first is None:
                        first = (time.perf_counter() - start) * 1000
                    replies.append(chunk)
                    wait = quiet
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    if not replies:
        raise ServiceError(nothing_back(address, data, closed, timeout, protocol))
    return Conversation(b"".join(replies), first, closed, quiet)


def talk(address, data, timeout=2.0, quiet=0.5):
    """Like netcat: connect, send data, return what comes back until the server closes or goes quiet.

    Waits up to `timeout` s for a first byte, then stops after `quiet` s without new bytes.
    """
    return converse(address, data, timeout, quiet).reply


def visible(data, limit=4000):
    """Bytes as text with \\r, \\n and NUL (^@) shown, one line per line."""
    text = data[:limit].decode("utf-8", errors="backslashreplace")
    text = text.replace("\r", "\\r").replace("\n", "\\n\n").replace("\x00", "^@")  # NUL as terminals show it
    return text + (f"\n... ({len(data)} bytes in all)" if len(data) > limit else "")


def tcp_services():
    """(label, address) of every running service that speaks TCP."""
    return [(f"{s.name}  {s.address[0]}:{s.address[1]}", tuple(s.address))
            for s in registry.running() if "udp" not in s.kind]


class NetcatConsole(RequestConsole):
    """netcat in a notebook: raw lines go out over a new TCP connection, the raw reply bytes come back."""

    def __init__(self, address=None, timeout=2.0, value="HEAD / HTTP/1.1\nHost: 127.0.0.1\n\n"):
        choices = tcp_services()
        if address is None and not choices:
            raise ServiceError("no TCP service is running: start one first, e.g. serve('http')")
        address = tuple(address) if address is not None else choices[0][1]
        super().__init__(address, send=talk, timeout=timeout, value=value, multiline=True,
                         placeholder="raw lines to send")
        self.outside = None if address in [a for _, a in choices] else address  # not a course service
        self.service = w.Dropdown(description="connect to")
        self._listing = False
        self.service.observe(self._picked, names="value")
        self.crlf = w.Checkbox(value=True, indent=False, layout=w.Layout(width="auto"),
                               description="end every line, the last one too, with \\r\\n "
                                           "(HTTP, SMTP and Redis expect it); type ^@ for a NUL byte (STOMP)")
        self.children = (self.service, self.crlf, *self.children)
        self.list_services()
        me = weakref.ref(self)
        registry.on_change(lambda: me() and me().list_services())

    def list_services(self):
        """Offer the TCP services running now; keep talking to the same address even if it stopped."""
        choices = tcp_services()
        if self.outside and self.outside not in [a for _, a in choices]:
            choices.append((f"{self.outside[0]}:{self.outside[1]}", self.outside))
        self._listing = True
        try:
            with self.service.hold_sync():
                self.service.options = choices
                self.service.value = self.address if self.address in [a for _, a in choices] else None
        finally:
            self._listing = False
        self.use(self.address)

    def _picked(self, change):
        if not self._listing and change["new"] is not None:
            self.use(change["new"])

    def use(self, address):
        """Talk to another address from now on."""
        self.address = tuple(address)
        stopped = "" if self.address in [a for _, a in self.service.options] else " (stopped: pick a running service)"
        self.target.value = f"to {address[0]}:{address[1]}{stopped}"

    @property
    def via(self):
        protocol = protocol_at(self.address)
        return f"TCP, {protocol}" if protocol else "TCP"

    def encode(self):
        """The text as bytes; every line ends, the last one too, as pressing Enter in nc would end it; ^@ is a NUL."""
        text = self.text.value.replace("\r\n", "\n")
        if text and not text.endswith("\n"):
            text += "\n"
        text = text.replace("\n", "\r\n") if self.crlf.value else text
        return text.replace("^@", "\x00").encode()  # ^@ is how terminals write the NUL byte STOMP frames end with

    def exchange(self, message):
        """Send message; the time reported is to the first reply byte, not the quiet wait after it."""
        seen = converse(self.address, message, timeout=self.timeout)
        ended = ("the server then closed the connection" if seen.closed else
                 f"then {seen.quiet * 1000:.0f} ms of quiet ended the reply (the server kept the connection open)")
        timing = f"round trip {seen.first_byte_ms:.2f} ms to the first reply byte; {ended}"
        return seen.reply, seen.first_byte_ms, timing

    def render(self, answer):
        hint = reply_hint(protocol_at(self.address), answer)
        return ("<pre style='margin:0;max-height:20em;overflow:auto'>"
                f"{html.escape(visible(answer))}</pre>" + (f"<i>hint: {html.escape(hint)}</i>" if hint else ""))


def protocol_console(tcp_address, udp_address, **options):
    """A console that sends the same text over TCP or UDP."""
    return ProtocolConsole(tcp_address, udp_address, **options)


def netcat(address=None, **options):
    """A raw TCP console (like the `nc` program) for a running course service."""
    return NetcatConsole(address, **options)
