"""The RPC explorer: pick a protocol, type n, call double(n), see the bytes out and back, and the round trip."""
import html

import ipywidgets as w

from helpers.core.errors import ServiceError
from helpers.rpc.client import TIMEOUT, RpcFault
from helpers.rpc.wire import show_parts


def number(text):
    """What the box holds, as the call's argument: an int, a float, or (to see each protocol's type error) the text."""
    text = text.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def pre(text):
    """Text as a scrolling <pre> block."""
    return f"<pre style='margin:2px 0;max-height:18em;overflow:auto;font-size:12px'>{html.escape(text)}</pre>"


def line(text, colour):
    """One line of HTML in a colour."""
    return f"<span style='color:{colour}'>{html.escape(' '.join(str(text).split()))}</span>"


class RpcExplorer(w.VBox):
    """Protocol + n + Call: the reply (or the protocol's error, in one line), the round trip, and the wire."""

    def __init__(self, servers, timeout=TIMEOUT):
        self.timeout, self.clients, self.result = timeout, {}, None
        self.protocol = w.Dropdown(options=[(s.label, s) for s in servers], description="protocol",
                                   layout=w.Layout(width="320px")).add_class("dis-rpc-protocol")
        self.number = w.Text(value="7", description="n", placeholder="a number, or some text",
                             layout=w.Layout(width="220px")).add_class("dis-rpc-n")
        self.button = w.Button(description="Call double(n)", button_style="primary",
                               icon="exchange").add_class("dis-rpc-call")
        self.button.on_click(lambda _: self.call())
        self.number.on_msg(lambda _, content, buffers: self.call() if content.get("event") == "submit" else None)
        self.reply = w.HTML("<i>pick a protocol, type n, press Call</i>").add_class("dis-rpc-reply")
        self.wire = w.HTML("").add_class("dis-rpc-wire")
        super().__init__([w.HBox([self.protocol, self.number, self.button]), self.reply, self.wire])
        self.add_class("dis-rpc-explorer")

    def client(self, server):
        """The explorer's client of server (kept between calls; a new one after the server moved)."""
        key = (id(server), tuple(server.address or ()))
        if key not in self.clients:
            self.clients[key] = server.client(self.timeout)
        return self.clients[key]

    def call(self):
        """Call double(n) once over the chosen protocol and show the exchange; returns the result (None on an error)."""
        server, arg = self.protocol.value, number(self.number.value)
        self.button.disabled, self.result = True, None
        client = self.client(server)
        try:
            self.result = client.double(arg)
            shown = line(f"double({arg!r}) = {self.result!r}", "#1a7f37")
        except RpcFault as error:  # the server answered, with its protocol's own error
            shown = line(f"the server answered with an error: {error}", "#9a6700")
        except ServiceError as error:  # no answer: nothing listening, a timeout, or refused before sending
            shown = line(f"⚠ {error}", "#b00")
        finally:
            self.button.disabled = False
        last = client.last
        out, back = last.sizes
        self.reply.value = (f"<b>{html.escape(server.label)}</b> &nbsp; {shown} &nbsp; "
                            f"<span class='dis-rpc-time'>round trip {last.ms:.2f} ms, {out:,} bytes out, "
                            f"{back:,} bytes back</span>")
        self.wire.value = (f"<b>sent</b>{pre(show_parts(last.sent) or '(nothing)')}"
                           f"<b>received</b>{pre(show_parts(last.received) or '(nothing)')}"
                           + (pre("\n".join(last.notes)) if last.notes else ""))
        return self.result

    def close_clients(self):
        """Close every client the explorer opened."""
        for client in self.clients.values():
            client.close()
        self.clients.clear()


def rpc_explorer(servers, timeout=TIMEOUT):
    """An RPC explorer over running course RPC servers (XML-RPC, JSON-RPC, MessagePack-RPC, zerorpc, gRPC, Twirp)."""
    return RpcExplorer(servers, timeout)
