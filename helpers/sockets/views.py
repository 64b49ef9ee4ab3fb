"""Pictures of bytes on the move: what each recv() returned, framings side by side, clients on a timeline."""
import html

import ipywidgets as w

COLORS = ["#8ecae6", "#ffb703", "#90be6d", "#f28482", "#cdb4db", "#f6bd60", "#84a59d", "#bde0fe"]


def _size(n):
    return f"{n / 1024:.0f} KiB" if n >= 10240 else f"{n} B"


def recv_view(chunks, sent=None):
    """An HTML strip with one coloured block per recv() call: small data as text, big data as bars.

    `sent` (optional) is the list of pieces the client passed to send(), drawn above for comparison.
    """
    rows = [_strip("send()", sent)] if sent is not None else []
    rows.append(_strip("recv()", chunks))
    total = sum(map(len, chunks))
    title = f"<b>{len(chunks)} recv() call{'s' * (len(chunks) != 1)} returned {total} bytes</b>"
    return w.HTML(title + "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>")


def _strip(label, pieces):
    total = sum(map(len, pieces)) or 1
    small = total <= 160
    blocks = []
    for i, piece in enumerate(pieces):
        color = COLORS[i % len(COLORS)]
        if small:
            inner = html.escape(repr(bytes(piece))[2:-1])
            style = f"background:{color};padding:2px 0;font-family:monospace;white-space:pre"
        else:
            inner = _size(len(piece)) if len(piece) / total > 0.06 else ""
            style = (f"background:{color};display:inline-block;width:{100 * len(piece) / total:.2f}%;"
                     "min-width:3px;height:1.5em;line-height:1.5em;vertical-align:top;"  # tiny recv()s stay visible
                     "text-align:center;font-size:75%;overflow:hidden;border-right:1px solid white")
        blocks.append(f"<span title='{label} #{i + 1}: {len(piece)} bytes' style='{style}'>{inner}</span>")
    width = "" if small else "width:600px;"
    return (f"<tr><td style='padding-right:8px'><code>{label}</code></td>"
            f"<td style='{width}white-space:nowrap'>{''.join(blocks)}</td></tr>")


def framing_view(messages, framings):
    """A table: each message as each framing puts it on the wire (or why it cannot), and the totals."""
    head = "<tr><th>message</th>" + "".join(f"<th>{html.escape(f.name)}</th>" for f in framings) + "</tr>"
    totals = [0] * len(framings)
    rows = []
    for message in messages:
        cells = []
        for i, framing in enumerate(framings):
            try:
                wire = framing.encode(message)
                totals[i] += len(wire)
                cells.append(f"<code style='white-space:pre'>{html.escape(repr(wire))}</code>")  # keep padding
            except ValueError as error:
                cells.append(f"<span style='color:#b00'>&#10007; {html.escape(str(error))}</span>")
        rows.append(f"<tr><td><code>{html.escape(repr(message))}</code></td><td>" + "</td><td>".join(cells)
                    + "</td></tr>")
    payload = sum(map(len, messages))
    rows.append(f"<tr><td><b>bytes on the wire</b> (payload {payload})</td>"
                + "".join(f"<td><b>{t}</b></td>" for t in totals) + "</tr>")
    return w.HTML("<table style='text-align:left'>" + head + "".join(rows) + "</table>")


def timeline_view(exchanges, title=""):
    """A matplotlib figure: one row per client, a bar from each request sent to its reply (the dot)."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    clients = sorted({e.client for e in exchanges})
    end = max((e.answered for e in exchanges), default=0.001) * 1000
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(clients) + 1.3))
    for e in exchanges:
        if e.error:
            ax.plot(e.answered * 1000, e.client, "rx", markersize=10)
            continue
        color = COLORS[e.message % len(COLORS)]
        width = max((e.answered - e.sent) * 1000, end / 300)  # keep instant replies visible
        ax.barh(e.client, width, left=e.sent * 1000, height=0.5, color=color, edgecolor="black", linewidth=0.5,
                label=f"message {e.message + 1}")
        ax.plot(e.answered * 1000, e.client, "o", color="black", markersize=3)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_yticks(clients, [f"client {c}" for c in clients])
    ax.set_ylim(max(clients, default=0) + 0.6, -0.6)
    ax.set_xlim(0, end * 1.03)
    ax.set_xlabel("milliseconds since the clients started: bar = waiting for the reply, dot = reply")
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)  # the notebook shows the returned figure once
    return fig
