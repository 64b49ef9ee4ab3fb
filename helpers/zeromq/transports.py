"""The same REQ/REP over tcp, ipc and inproc: round trips measured and drawn side by side."""
import statistics

from helpers.zeromq.base import ipc_available
from helpers.zeromq.reqrep import RepServer, round_trip_us

TRANSPORTS = ("tcp", "ipc", "inproc")


def measure_transports(rounds=500):
    """{transport: round trips in microseconds} for the chapter's server on each transport (ipc: None if absent)."""
    found = {}
    for transport in TRANSPORTS:
        if transport == "ipc" and not ipc_available():
            print("ipc:// is not available on this system (it needs Unix domain sockets): skipped")
            found[transport] = None
            continue
        with RepServer(f"zmq-rep-{transport}", transport=transport) as server:
            found[transport] = round_trip_us(server.endpoint, rounds)
    return found


def summary(found):
    """One line per transport: the median round trip."""
    return "\n".join(f"{t:>6}: median {statistics.median(s):7.1f} µs" if s else f"{t:>6}: not available"
                     for t, s in found.items())


def plot_transports(found):
    """A box plot of the round trips, one box per transport that ran."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    ran = {t: s for t, s in found.items() if s}
    fig, ax = plt.subplots(figsize=(6, 3))
    plt.close(fig)  # the notebook shows the returned figure once
    ax.boxplot(list(ran.values()), showfliers=False)
    ax.set_xticks(range(1, len(ran) + 1), [f"{t}\n{statistics.median(s):.0f} µs" for t, s in ran.items()])
    ax.set_ylabel("round trip (µs)")
    ax.set_title("the same REQ/REP, three transports")
    fig.tight_layout()
    return fig
