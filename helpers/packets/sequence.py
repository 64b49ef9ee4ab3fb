"""Sequence diagrams of captured exchanges: packets become arrows between a client and a server lane."""
from dataclasses import dataclass

import matplotlib.pyplot as plt
from scapy.all import IP, TCP, UDP

FLAG_NAMES = {"S": "SYN", "A": "ACK", "P": "PSH", "F": "FIN", "R": "RST", "U": "URG", "E": "ECE", "C": "CWR"}
ORDER = "SFRPAUEC"  # how the flags are listed: SYN, FIN, RST, PSH, ACK...


@dataclass
class Arrow:
    """One packet in a sequence diagram."""

    number: int  # 1 for the first packet
    time_ms: float  # since the first packet
    sender: str  # "client" or "server"
    flags: str  # "SYN", "SYN ACK", "PSH ACK", ... or "UDP"
    seq: int = None  # relative: 0 for each side's SYN
    ack: int = None  # relative to the other side's first sequence number; None without the ACK flag
    length: int = 0  # payload bytes

    @property
    def text(self):
        """The label written on the arrow."""
        if self.flags == "UDP":
            return f"UDP datagram, {self.length} bytes"
        parts = [self.flags, f"seq={self.seq}"] + ([f"ack={self.ack}"] if self.ack is not None else [])
        return " ".join(parts) + (f" len={self.length}" if self.length else "")


def flag_names(flags):
    """TCP flags as words, e.g. 'SA' -> 'SYN ACK'."""
    return " ".join(FLAG_NAMES[f] for f in ORDER if f in str(flags))


def arrows(packets):
    """Turn the packets of one exchange into Arrows; the client is whoever sent the first packet."""
    packets = list(packets)
    if not packets:
        return []
    layer = TCP if TCP in packets[0] else UDP
    client_port = packets[0][layer].sport
    start, first_seq, result = float(packets[0].time), {}, []
    for number, packet in enumerate(packets, 1):
        segment = packet[layer]
        sender = "client" if segment.sport == client_port else "server"
        arrow = Arrow(number, (float(packet.time) - start) * 1000, sender, "UDP", length=len(segment.payload))
        if layer is TCP:
            first_seq.setdefault(sender, segment.seq)
            other = "server" if sender == "client" else "client"
            arrow.flags = flag_names(segment.flags)
            arrow.seq = (segment.seq - first_seq[sender]) % 2**32
            if "A" in segment.flags and other in first_seq:
                arrow.ack = (segment.ack - first_seq[other]) % 2**32
            arrow.length = packet[IP].len - 4 * packet[IP].ihl - 4 * segment.dataofs  # padding excluded
        result.append(arrow)
    return result


def draw_sequence(capture, ax=None, title=None, rows=None):
    """Draw one capture as a sequence diagram: client lane left, server lane right, time going down."""
    steps = arrows(capture)
    rows = max(rows or 0, len(steps))
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 0.5 * rows + 1.2))
        plt.close(fig)  # Jupyter shows the returned figure; closing stops it showing a second time
    ax.set_xlim(-0.45, 1.3)
    ax.set_ylim(rows + 0.5, -0.6)
    ax.axis("off")
    for x, lane in ((0, "client"), (1, "server")):
        ax.plot([x, x], [-0.1, rows + 0.4], color="#555", lw=2)
        ax.text(x, -0.2, lane, ha="center", va="bottom", fontsize=11, weight="bold")
    for row, step in enumerate(steps, 1):
        x0, x1 = (0, 1) if step.sender == "client" else (1, 0)
        colour = "#0b6bcb" if step.length else ("#b42318" if "FIN" in step.flags or "RST" in step.flags
                                                else "#1a7f37" if "SYN" in step.flags else "#444")
        ax.annotate("", xy=(x1, row + 0.1), xytext=(x0, row - 0.1),
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.6, shrinkA=0, shrinkB=0))
        ax.text(0.5, row - 0.16, step.text, ha="center", va="bottom", fontsize=8.5, color=colour)
        ax.text(-0.06, row, f"#{step.number}  +{step.time_ms:.3f} ms", ha="right", va="center",
                fontsize=8, color="#555")
    live = getattr(capture, "live", None)
    tag = "" if live is None else ("LIVE" if live else "RECORDED") + f" · {capture.source} · "
    missing = getattr(capture, "problems", None)
    tag = "INCOMPLETE, packets missing · " + tag if missing else tag
    ax.set_title(title or f"{tag}{len(steps)} packets", fontsize=10,
                 color="#b42318" if missing else "#1a7f37" if live else "#9a6700" if live is False else "black")
    return ax.figure


def draw_sequences(*captures, titles=None):
    """Several captures side by side (e.g. the UDP and the TCP exchange of one message)."""
    rows = max(len(c) for c in captures)
    fig, axes = plt.subplots(1, len(captures), figsize=(6.5 * len(captures), 0.5 * rows + 1.2), squeeze=False)
    plt.close(fig)  # Jupyter shows the returned figure; closing stops it showing a second time
    for i, (capture, ax) in enumerate(zip(captures, axes[0])):
        draw_sequence(capture, ax=ax, rows=rows)
        if titles:
            ax.set_title(f"{titles[i]}\n{ax.get_title()}", fontsize=10, color=ax.title.get_color())
    fig.tight_layout()
    return fig
