"""Two more request consoles: one that switches between TCP and UDP, and netcat for raw bytes."""
import html
import selectors
import socket

import ipywidgets as w

from helpers.core import registry
from helpers.core.client import ask, udp_ask
from helpers.core.errors import ServiceError, describe
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


def talk(address, data, timeout=2.0, quiet=0.5):
    """Like netcat: connect, send data, collect what comes back until the server closes or goes quiet.

    Waits up to `timeout` s for a first byte, then stops after `quiet` s without new bytes.
    """
    address = tuple(address)
    replies, wait = [], timeout
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(data)
            with selectors.DefaultSelector() as sel:
                sel.register(sock, selectors.EVENT_READ)
                while sel.select(wait):
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    replies.append(chunk)
                    wait = quiet
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    if not replies:
        raise ServiceError(f"{address[0]}:{address[1]} sent nothing back within {timeout:g} s "
                           "(is it waiting for more? an HTTP request ends with an empty line)")
    return b"".join(replies)


def visible(data, limit=4000):
    """Bytes as text with \\r and \\n shown, one line per line."""
    text = data[:limit].decode("utf-8", errors="backslashreplace")
    text = text.replace("\r", "\\r").replace("\n", "\\n\n")
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
        if address not in [a for _, a in choices]:
            choices.append((f"{address[0]}:{address[1]}", address))
        self.service = w.Dropdown(options=choices, value=address, description="connect to")
        self.service.observe(lambda change: self.use(change["new"]), names="value")
        self.crlf = w.Checkbox(value=True, description="end lines with \\r\\n (HTTP, SMTP and Redis expect it)",
                               indent=False)
        self.children = (self.service, self.crlf, *self.children)

    def use(self, address):
        """Talk to another address from now on."""
        self.address = tuple(address)
        self.target.value = f"to {address[0]}:{address[1]}"

    def encode(self):
        text = self.text.value
        return (text.replace("\r\n", "\n").replace("\n", "\r\n") if self.crlf.value else text).encode()

    def render(self, answer):
        return ("<pre style='margin:0;max-height:20em;overflow:auto'>"
                f"{html.escape(visible(answer))}</pre>")


def protocol_console(tcp_address, udp_address, **options):
    """A console that sends the same text over TCP or UDP."""
    return ProtocolConsole(tcp_address, udp_address, **options)


def netcat(address=None, **options):
    """A raw TCP console (like the `nc` program) for a running course service."""
    return NetcatConsole(address, **options)
