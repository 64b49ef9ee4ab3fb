"""Notebook 09's widgets (a DNS lookup box, a small mail client) and the packets of a DNS lookup or FTP login."""
import html
import smtplib
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w

from helpers.core.errors import ServiceError
from helpers.services import dns, ftp, mail

RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA"]
TIMEOUT = 2.0  # seconds a widget waits for a server at most: a click never holds the kernel for long
TRACES = Path(__file__).resolve().parents[2] / "data"


def red(text):
    """One line of error, in red, as HTML."""
    return f"<span style='color:#b00'>&#9888; {html.escape(str(text))}</span>"


def _on_enter(text_box, action):
    """Run action() when Enter is pressed in a one-line text box (the browser sends a 'submit' event)."""
    text_box.on_msg(lambda _, content, buffers: action() if content.get("event") == "submit" else None)


# --- the packets of one DNS lookup ------------------------------------------------------------------------------

@dataclass
class Built:
    """Packets rebuilt from bytes a client kept (not a capture): what the inspector needs to label them."""

    packets: list
    label: str = "BUILT from the bytes dnspython sent and received (no capture, so no IP or UDP headers)"
    live: bool = False
    problems: list = field(default_factory=list)

    def __len__(self):
        return len(self.packets)

    def __iter__(self):
        return iter(self.packets)

    def __getitem__(self, index):
        return self.packets[index]


def reply_packets(reply):
    """The query and the response of a dns.lookup Reply as scapy DNS layers, read from their raw bytes."""
    from scapy.layers.dns import DNS  # scapy loads only when packets are asked for
    return Built([DNS(reply.query), DNS(reply.response)], label=f"BUILT from the bytes dnspython sent and received "
                 f"(no capture, so no IP or {reply.transport.upper()} headers)")


def read_as_dns(port):
    """Have scapy dissect UDP to or from port as DNS, as it does port 53; returns a function that undoes it."""
    from scapy.layers.dns import DNS
    from scapy.layers.inet import UDP

    ours = [({"sport": port}, DNS), ({"dport": port}, DNS)]
    # first in the list: the client's random port may be one scapy knows for another protocol
    UDP.payload_guess = ours + [bond for bond in UDP.payload_guess if bond not in ours]

    def undo():
        UDP.payload_guess = [bond for bond in UDP.payload_guess if bond not in ours]
    return undo


def lookup_packets(server, name="www." + dns.ORIGIN, rtype="A"):
    """One lookup's query and response: captured live where allowed, else built from the bytes (one line says so)."""
    from helpers.packets.capture import Capture, conf, sniff_exchange, why_not_live
    from helpers.packets.capture_check import capture_allowed

    port = dns._address(server)[1]
    if capture_allowed():
        # the course's DNS port is not 53: without this, scapy shows the messages as Raw bytes. The inspector reads
        # the packets again at every click, so it stays until the server stops (for a bare address: for good).
        getattr(server, "at_stop", []).append(read_as_dns(port))
        try:
            problems = []
            packets, reply = sniff_exchange(lambda: dns.lookup(server, name, rtype), port, "udp", 2.0, problems)
            return Capture(packets, live=True, source=conf.loopback_name, reply=reply, port=port, proto="udp",
                           problems=problems)
        except PermissionError:
            pass
    print(f"{why_not_live()}: the two DNS messages below are built from the bytes dnspython sent and received")
    reply = dns.lookup(server, name, rtype)
    built = reply_packets(reply)
    built.reply = reply
    return built


def inspect_packets(packets, index=0):
    """Notebook 03's packet inspector (helpers.packets.inspect_packets); scapy loads at the first call, not before."""
    from helpers.packets.inspector import inspect_packets as inspector
    return inspector(packets, index)


# --- the DNS widget ----------------------------------------------------------------------------------------------

class DnsWidget(w.VBox):
    """Name + record type + UDP/TCP → the answer, status, TTL and time, and the two packets in the inspector."""

    def __init__(self, server, name="www.crappytaxidermy.com", timeout=TIMEOUT):
        self.server, self.timeout, self.reply = server, timeout, None
        self.name = w.Text(value=name, placeholder="a name, e.g. mail.crappytaxidermy.com",
                           layout=w.Layout(width="300px")).add_class("dis-dns-name")
        self.rtype = w.Dropdown(options=RECORD_TYPES, value="A", layout=w.Layout(width="90px")).add_class("dis-dns-type")
        self.transport = w.ToggleButtons(options=["UDP", "TCP"], value="UDP",
                                         style=w.ToggleButtonsStyle(button_width="60px"))
        self.button = w.Button(description="Look up", button_style="primary", icon="search")
        self.button.on_click(lambda _: self.look_up())
        _on_enter(self.name, self.look_up)
        host, port = dns._address(server)
        self.answer = w.HTML("<i>type a name, pick a record type, press Look up</i>").add_class("dis-dns-answer")
        self.packets = w.VBox()
        super().__init__([w.HBox([self.name, self.rtype, self.transport, self.button]),
                          w.HTML(f"<small>asks the course's DNS server at {host}:{port} "
                                 f"(the zone crappytaxidermy.com)</small>"),
                          self.answer, self.packets])
        self.add_class("dis-dns-widget")

    def look_up(self):
        """Ask the server once and show what came back; returns the Reply (None on an error)."""
        if not self.name.value.strip():
            self.answer.value = red("type a name first, e.g. www.crappytaxidermy.com")
            return None
        self.button.disabled = True
        try:
            reply = dns.lookup(self.server, self.name.value.strip(), self.rtype.value,
                               tcp=self.transport.value == "TCP", timeout=self.timeout)
        except ServiceError as error:
            self.answer.value = red(error)
            self._show_packets(None)
            return None
        finally:
            self.button.disabled = False
        self.reply = reply
        self.answer.value = self.render(reply)
        self._show_packets(reply)
        return reply

    def render(self, reply):
        """The answer section, status, TTL and time as HTML."""
        colour = "#1a7f37" if reply.status == "NOERROR" else "#9a6700"
        lines = "\n".join(reply.records) if reply.records else reply.error
        ttl = "-" if reply.ttl is None else f"{reply.ttl} s"
        return (f"<b>status</b> <span style='color:{colour};font-weight:bold'>{reply.status}</span> &nbsp; "
                f"<b>TTL</b> {ttl} &nbsp; <b>time</b> {reply.elapsed_us:.0f} µs over {reply.transport.upper()} "
                f"&nbsp; ({len(reply.query)} bytes out, {len(reply.response)} back)"
                f"<pre style='margin:4px 0'>{html.escape(lines)}</pre>")

    def _show_packets(self, reply):
        old = self.packets.children
        if reply is None:
            self.packets.children = []
        else:
            self.packets.children = [inspect_packets(reply_packets(reply), index=1)]
        for widget in old:
            widget.close()


def dns_widget(server):
    """A DNS lookup box for the course's DNS server (or any (host, port))."""
    return DnsWidget(server)


# --- the mail widget ---------------------------------------------------------------------------------------------

MAIL_ERRORS = (ServiceError, smtplib.SMTPException, OSError, ValueError)  # ValueError: a header with a line break


class MailWidget(w.VBox):
    """Compose and Send (SMTP), the inbox (IMAP) with Refresh, and the message picked in it opened below."""

    def __init__(self, server, timeout=TIMEOUT * 2):
        self.server, self.timeout = server, timeout
        wide = w.Layout(width="420px")
        self.to = w.Text(value="friend@example.org", description="To", layout=wide)
        self.subject = w.Text(value="Stuffed owl, slightly used", description="Subject", layout=wide)
        self.body = w.Textarea(value="Hi!\n\nStill interested in the owl?\n", description="Text",
                               layout=w.Layout(width="420px", height="90px"))
        self.send_button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.send_button.on_click(lambda _: self.send())
        self.status = w.HTML("").add_class("dis-mail-status")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        # width auto, not 100%: 100% plus the widget's margins stuck out past the right edge of the output
        self.inbox = w.Select(options=[], rows=6, layout=w.Layout(width="auto")).add_class("dis-mail-inbox")
        self.inbox.observe(lambda change: self.read(change["new"]), "value")
        self.message = w.HTML("<i>pick a message to open it</i>").add_class("dis-mail-message")
        host, smtp_port = mail._address(server, "smtp")
        imap_port = mail._address(server, "imap")[1]
        super().__init__([
            w.HTML(f"<b>compose</b> <small>(sent over SMTP to {host}:{smtp_port})</small>"),
            self.to, self.subject, self.body, w.HBox([self.send_button, self.status]),
            w.HBox([w.HTML(f"<b>inbox</b> <small>(read over IMAP from {host}:{imap_port})</small>"),
                    self.refresh_button]),
            self.inbox, self.message])
        self.add_class("dis-mail-widget")
        self.refresh()

    def send(self):
        """Send what the form holds; then refresh the inbox. Returns True if the server took it."""
        if "@" not in self.to.value:
            self.status.value = red("not sent: To needs an address, e.g. friend@example.org")
            return False
        self.send_button.disabled = True
        try:
            msg = mail.build_message(to=self.to.value.strip(), subject=self.subject.value, text=self.body.value)
            refused = mail.send(self.server, msg, timeout=self.timeout)
        except MAIL_ERRORS as error:
            why = error if isinstance(error, ServiceError) else f"{type(error).__name__}: {error}"
            self.status.value = red(f"not sent: {why}")
            return False
        finally:
            self.send_button.disabled = False
        self.status.value = (f"sent to {html.escape(self.to.value.strip())}" +
                             (f", refused: {html.escape(str(refused))}" if refused else ""))
        self.refresh()
        return True

    def refresh(self):
        """List the inbox again (newest last); keeps the message that was open, if it is still there."""
        try:
            rows = mail.inbox(self.server, timeout=self.timeout)
        except MAIL_ERRORS as error:
            self.message.value = red(f"cannot read the inbox: {error}")
            return []
        chosen = self.inbox.value
        options = [(f"{row['uid']} · {row['from'][:40]} · {row['subject'][:60]}", row["uid"]) for row in rows]
        with self.inbox.hold_trait_notifications():
            self.inbox.options = options
            self.inbox.value = chosen if chosen in [uid for _, uid in options] else None
        if not options:
            self.message.value = "<i>the inbox is empty: send a message</i>"
        return rows

    def read(self, uid):
        """Show the message with this IMAP uid: its headers, its text, and what is attached."""
        if uid is None:
            return None
        try:
            msg = mail.fetch(self.server, uid, timeout=self.timeout)
        except MAIL_ERRORS as error:
            self.message.value = red(f"cannot open message {uid}: {error}")
            return None
        self.message.value = message_html(msg)
        return msg


def message_html(msg):
    """An EmailMessage as HTML: From, To, Subject, Date, the text (plain preferred) and the attachments."""
    heads = "".join(f"<tr><td><b>{name}</b></td><td>{html.escape(mail._header(msg, name))}</td></tr>"
                    for name in ("From", "To", "Subject", "Date") if name != "Date" or mail._header(msg, name))
    body = msg.get_body(preferencelist=("plain", "html"))
    try:
        text = body.get_content() if body is not None else "(no text part)"
    except (LookupError, ValueError):  # an unknown charset, a broken encoding
        text = "(a text part this reader cannot decode)"
    attached = [f"{part.get_filename()} ({part.get_content_type()}, {len(part.get_payload(decode=True) or b'')} bytes)"
                for part in msg.iter_attachments()]
    extra = f"<div><b>attached:</b> {html.escape(', '.join(attached))}</div>" if attached else ""
    return (f"<table style='font-size:90%'>{heads}</table>"
            f"<pre style='margin:4px 0;max-height:16em;overflow:auto'>{html.escape(text)}</pre>{extra}")


def mail_widget(server):
    """A small mail client for the course's mail server: compose and send, the inbox, a message opened."""
    return MailWidget(server)


# --- FTP: the login on the wire ----------------------------------------------------------------------------------

def login_capture(server):
    """The packets of an FTP login (live, or the recorded trace); None, with one line and the transcript, if neither."""
    from helpers.packets.capture_check import capture_allowed
    if capture_allowed() or (TRACES / "ftp_login.pcap").exists():
        return ftp.capture_login(server)
    print("live capture is not allowed here and there is no recorded trace data/ftp_login.pcap: "
          "here is what the client sent and got on the control connection instead")
    print("\n".join(ftp.login_only(server)))
    return None
