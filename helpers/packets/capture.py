"""Capture one exchange of the course's own traffic on loopback, or show its recorded trace."""
import html
import os
import socket
import struct
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from scapy.all import IP, TCP, UDP, AsyncSniffer, PacketList, conf, rdpcap

from helpers.packets.capture_check import FORCE_OFF, capture_allowed
from helpers.core.client import ask, udp_ask

TRACES = Path(__file__).resolve().parents[2] / "data"  # recorded by `python -m helpers.packets.record_traces`
MESSAGE = b"Hello, space!"
SETTLE = 20.0  # most seconds to wait for the last packets after the client returns: a whole exchange ends it at once
FRAME = 2**17  # loopback frames reach 64 KiB + headers: read whole ones (scapy reads at most 65535 bytes)
BUFFER = 32 * 2**20  # the capture socket's kernel buffer: room for a fast 10 MB transfer
PACKET_STATISTICS = 6  # Linux getsockopt(SOL_PACKET, ...): (packets seen, packets dropped) since last asked


@dataclass
class Capture:
    """The packets of one exchange, and whether they were captured live or read from a recording."""

    packets: PacketList
    live: bool
    source: str
    reply: bytes = None
    port: int = None
    note: str = ""
    proto: str = field(default="tcp")
    problems: list = field(default_factory=list)  # why the capture is not the whole exchange, if it is not

    @property
    def whole(self):
        """True when every packet of the exchange is here."""
        return not self.problems

    @property
    def label(self):
        """LIVE or RECORDED, and where the packets come from."""
        return f"LIVE capture on {self.source}" if self.live else f"RECORDED trace {self.source}"

    def __len__(self):
        return len(self.packets)

    def __iter__(self):
        return iter(self.packets)

    def __getitem__(self, index):
        return self.packets[index]

    def __repr__(self):
        return f"<Capture {self.label}: {len(self)} packets>"

    def _repr_html_(self):
        rows = "".join(f"<tr><td>{i + 1}</td><td><code>{html.escape(p.summary())}</code></td></tr>"
                       for i, p in enumerate(self.packets))
        warning = (f"<div style='color:#b42318'><b>Incomplete:</b> {html.escape('; '.join(self.problems))}</div>"
                   if self.problems else "")
        return f"{badge(self)} <b>{len(self)} packets</b>{warning}<table style='font-size:85%'>{rows}</table>"


def badge(capture):
    """A coloured LIVE / RECORDED label for a capture, as HTML."""
    colour = "#1a7f37" if capture.live else "#9a6700"
    return (f"<span class='dis-badge' style='background:{colour};color:white;padding:2px 8px;"
            f"border-radius:10px;font-weight:bold'>{html.escape(capture.label)}</span>")


def involves(port, proto="tcp"):
    """An lfilter: keep the TCP (or UDP) packets to or from port (works without libpcap)."""
    layer = TCP if proto == "tcp" else UDP
    return lambda p: layer in p and port in (p[layer].sport, p[layer].dport)


def complete(packets, port, proto="tcp"):
    """True once the exchange is over: UDP when the reply came back; TCP after the last FIN's ACK (or a RST)."""
    if proto == "udp":
        return any(p[UDP].sport == port for p in packets)
    fin_end = {}  # side -> the sequence number just after its FIN
    for p in packets:
        tcp = p[TCP]
        side = "server" if tcp.sport == port else "client"
        if "R" in tcp.flags:
            return True
        if "F" in tcp.flags:
            fin_end[side] = tcp.seq + len(tcp.payload) + 1
        other = "client" if side == "server" else "server"
        if len(fin_end) == 2 and "A" in tcp.flags and tcp.ack == fin_end.get(other) and "F" not in tcp.flags:
            return True
    return False


def audit(packets, port, proto="tcp", dropped=0):
    """What the captured packets miss of one exchange, as short phrases (none when it is whole)."""
    problems = gaps(packets, port, proto)
    if problems and dropped:  # the socket sees all loopback traffic: drops matter only when ours are missing
        problems.append(f"the kernel dropped {dropped} loopback packets during the capture")
    return problems


def gaps(packets, port, proto="tcp"):
    """What is missing from the packets of one exchange, judged by the packets themselves."""
    problems = []
    if proto == "udp":
        return problems + ([] if complete(packets, port, proto) else ["the reply was not seen"])
    cut = sum(1 for p in packets if IP in p and len(p[IP]) < p[IP].len)
    problems += [f"{cut} packets were cut short"] if cut else []
    syn = {("server" if p[TCP].sport == port else "client"): p[TCP].seq for p in packets if "S" in p[TCP].flags}
    if len(syn) < 2:
        return problems + ["the handshake was not seen"]
    for side, other in (("client", "server"), ("server", "client")):
        got = set()  # relative positions of the bytes seen, as (start, end) ranges
        for p in packets:
            tcp = p[TCP]
            if (tcp.sport == port) == (side == "server") and len(tcp.payload):
                start = (tcp.seq - syn[side] - 1) % 2**32
                got.add((start, start + len(tcp.payload)))
        seen = covered(got)
        acked = max(((p[TCP].ack - syn[side] - 1) % 2**32 for p in packets
                     if (p[TCP].sport == port) == (other == "server") and "A" in p[TCP].flags), default=0)
        sent = max([end for _, end in got] + [acked - any("F" in p[TCP].flags for p in packets
                                                         if (p[TCP].sport == port) == (side == "server"))])
        if seen < sent:
            problems.append(f"{sent - seen:,} of the {sent:,} bytes the {side} sent are missing")
    if not complete(packets, port, proto):
        problems.append("the end of the connection was not seen")
    return problems


def covered(ranges):
    """How many bytes a set of (start, end) ranges covers."""
    total, reach = 0, 0
    for start, end in sorted(ranges):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def whole_frames_socket(opened):
    """A factory for scapy's loopback socket that reads whole 64 KiB frames into a big buffer (appended to opened)."""
    def make(**kwargs):
        sock = conf.L2socket(**kwargs)
        if sys.platform == "linux":
            try:  # root may go past the system's cap on buffer sizes
                sock.ins.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), BUFFER)
            except OSError:
                sock.ins.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
        recv = sock.recv
        sock.recv = lambda x=FRAME, **kw: recv(max(x, FRAME), **kw)
        opened.append(sock)
        return sock
    return make


def drops(sock):
    """Packets the kernel dropped on this capture socket since it was last asked (0 where it cannot say)."""
    try:
        return struct.unpack("II", sock.ins.getsockopt(263, PACKET_STATISTICS, 8))[1]  # 263: SOL_PACKET
    except (OSError, AttributeError, struct.error):
        return 0


def sniff_exchange(exchange, port, proto="tcp", settle=SETTLE, problems=None):
    """Run exchange() while sniffing loopback for traffic on port; return (packets, what exchange returned).

    What the capture missed, if anything, is appended to problems. Raises PermissionError where
    capture is not allowed.
    """
    started, done, seen, opened = threading.Event(), threading.Event(), [], []

    def keep(packet):
        seen.append(packet)
        if complete(seen, port, proto):
            done.set()

    sniffer = AsyncSniffer(iface=conf.loopback_name, L2socket=whole_frames_socket(opened),  # one copy on lo
                           lfilter=involves(port, proto), prn=keep, store=False,
                           started_callback=started.set)
    sniffer.start()  # returns before the capture is ready: wait for started_callback
    while not started.wait(0.01):
        if not sniffer.thread.is_alive():  # it could not even open its socket
            raise sniffer.exception or PermissionError("capture did not start")
    if opened:
        drops(opened[0])  # reading the counter resets it: what came before is not ours
    dropped = 0
    try:
        result = exchange()
        done.wait(settle)
        dropped = drops(opened[0]) if opened else 0
    finally:
        sniffer.stop()  # without rights scapy raises PermissionError here, at the latest
    packets = PacketList(seen, "Captured")
    if problems is not None:
        problems += audit(packets, port, proto, dropped)
    return packets, result


def recorded(name):
    """The recorded trace data/NAME.pcap as a Capture (reading pcap files needs no special rights)."""
    path = TRACES / f"{name}.pcap"
    if not path.exists():
        raise FileNotFoundError(f"no recorded trace {path}: run `make traces` (as root) to record it")
    packets = rdpcap(str(path))
    layer = UDP if UDP in packets[0] else TCP
    return Capture(packets, live=False, source=f"data/{path.name}", port=packets[0][layer].dport,
                   proto=layer.__name__.lower())


def why_not_live():
    """One line: why this kernel shows recorded traces."""
    if os.environ.get(FORCE_OFF, "").lower() == "off":
        return f"live capture is switched off ({FORCE_OFF}=off)"
    return "live capture is not allowed here (it needs root or CAP_NET_RAW)"


def capture(exchange, port, trace, proto="tcp", settle=SETTLE):
    """Capture exactly the exchange exchange() makes with the server on port.

    Where capture is not allowed the exchange still runs, and the packets are the recorded
    trace data/TRACE.pcap of the same exchange, labelled as recorded.
    """
    replies = []

    def once():
        replies.append(exchange())
        return replies[-1]

    if capture_allowed():
        try:
            problems = []
            packets, reply = sniff_exchange(once, port, proto, settle, problems)
            shown = Capture(packets, live=True, source=conf.loopback_name, reply=reply, port=port, proto=proto,
                            problems=problems)
            if problems:
                print(f"incomplete capture ({'; '.join(problems)}): the packets shown are not the whole exchange")
            return shown
        except PermissionError:  # scapy may only find out at stop(): the exchange has then run already
            pass
    shown = recorded(trace)
    shown.reply, shown.note = replies[-1] if replies else exchange(), why_not_live()
    print(f"{shown.note}: showing the recorded trace {shown.source} of the same exchange")
    return shown


def capture_udp(address, data=MESSAGE, timeout=2.0):
    """Send one datagram to a UDP server and capture the exchange (request and reply)."""
    return capture(lambda: udp_ask(address, data, timeout), address[1], "udp_exchange", proto="udp")


def capture_tcp(address, data=MESSAGE, timeout=2.0):
    """Send data over one TCP connection (helpers.ask) and capture the whole connection."""
    return capture(lambda: ask(address, data, timeout), address[1], "tcp_exchange")


def http_head(host="127.0.0.1"):
    """The raw bytes of an HTTP HEAD request for the home page, as you would type them into nc."""
    return f"HEAD / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


def capture_http(address, request=None, timeout=2.0):
    """Send a raw HTTP request (HEAD / by default) over TCP and capture the whole connection."""
    request = request or http_head(f"{address[0]}:{address[1]}")
    return capture(lambda: ask(address, request, timeout), address[1], "http_exchange")
