"""Every RPC style side by side: the same bad calls to each, bytes per call, and round trips measured in one run."""
import html
import statistics

import matplotlib.pyplot as plt
from IPython.display import HTML

from helpers.core.errors import ServiceError

GARBAGE = b"\xc1{oops<"  # not XML, not JSON, not MessagePack, and a protobuf cut short
BAD_CALLS = {  # what each row of the table sends; a client's double_name is what its protocol calls double
    "unknown method": lambda c: c.call("triple" if c.double_name == "double" else "Triple", 7),
    "wrong type": lambda c: c.double("seven"),
    "malformed body": lambda c: c.send(GARBAGE),
    "10 MB body": lambda c: c.send(b"x" * (10 * 1024 * 1024)),
}


def outcome(attempt, client):
    """What one attempt got back, as one line."""
    try:
        return f"answered {attempt(client)!r}"
    except ServiceError as error:
        return " ".join(str(error).split())


def bad_calls(servers, short=110):
    """An HTML table: each bad call to each server, the error that came back, and whether double(7) still works."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in [*BAD_CALLS, "then double(7)"])
    rows = []
    for server in servers:
        with server.client(timeout=5) as client:
            cells = [outcome(attempt, client) for attempt in BAD_CALLS.values()]
            cells.append(outcome(lambda c: c.double(7), client))
        cut = [c if len(c) <= short else c[:short] + "…" for c in cells]
        rows.append(f"<tr><td><b>{html.escape(server.label)}</b></td>"
                    + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in cut) + "</tr>")
    return HTML(f"<table style='font-size:12px'><tr><th>protocol</th>{head}</tr>{''.join(rows)}</table>")


def wire_sizes(servers, num=7):
    """{protocol: (bytes out, bytes back)} for one double(num), counted on the wire as each client sends it."""
    sizes = {}
    for server in servers:
        with server.client() as client:
            client.double(num)
            sizes[server.label] = client.last.sizes
    return sizes


def round_trips(servers, count=300, warmup=30):
    """{protocol: median microseconds of double(n)}, each over one connection kept open, all in this one run."""
    found = {}
    for server in servers:
        with server.client() as client:
            for n in range(warmup):
                client.double(n)
            times = []
            for n in range(count):
                client.double(n)
                times.append(client.last.ms * 1000)
        found[server.label] = statistics.median(times)
    return found


def plot_round_trips(rtts, title="double(n): median round trip on 127.0.0.1"):
    """A bar chart of {label: microseconds}; returns the figure."""
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(rtts)))
    labels, values = list(rtts), list(rtts.values())
    bars = ax.barh(labels, values, color="#4c72b0")
    ax.bar_label(bars, labels=[f"{v:,.0f} µs" for v in values], padding=4)
    ax.set_xlim(right=max(values) * 1.25)
    ax.invert_yaxis()
    ax.set_xlabel("microseconds per call (median)")
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)
    return fig
