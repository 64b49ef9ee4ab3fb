"""Side by side: the same messages through Redis pub-sub, ZeroMQ PUB/SUB, NATS, STOMP and RabbitMQ."""
import statistics
import struct
import threading
import time

import zmq

from helpers.brokers import nats, rabbitmq, stomp
from helpers.pubsub.zmq_pubsub import wait_for_subscribers, xpub_socket
from helpers.zeromq.base import socket

REDIS_GUARANTEES = {
    "delivery": "at most once: only to subscribers connected right now",
    "ordering": "kept per channel",
    "persistence": "none for pub-sub (Redis Streams keep messages: notebook 06)",
    "who holds the queue": "nobody; a slow subscriber's backlog sits in its output buffer",
}
ZMQ_GUARANTEES = {
    "delivery": "at most once: a late or slow subscriber misses messages (high-water mark)",
    "ordering": "kept per publisher",
    "persistence": "none: there is no broker",
    "who holds the queue": "the two sockets' own buffers, in each program",
}
COLORS = {"Redis": "#c44e52", "ZeroMQ": "#4c72b0", "NATS": "#55a868", "STOMP": "#8172b3", "RabbitMQ": "#dd8452"}


def _stamped(size):
    """A message maker: 8 bytes of send time (ns), padded to size bytes."""
    padding = b"x" * max(0, size - 8)
    return lambda: struct.pack("!q", time.perf_counter_ns()) + padding


def _result(stamps, arrivals, start, count):
    """messages per second, median one-way latency (µs) and messages lost, from send stamps and arrival times."""
    got = len(arrivals)
    if not got:
        return dict(msgs_s=0, latency_us=None, lost=count)
    latency = statistics.median(a - s for s, a in zip(stamps, arrivals)) / 1000
    return dict(msgs_s=round(got / (max(arrivals[-1] - start, 1) / 1e9)), latency_us=round(latency, 1), lost=count - got)


def redis_rate(server, count=1000, size=100, timeout=10.0):
    """One publisher, one subscriber on a Redis channel of the course's redis-server (same shape as the brokers)."""
    sub = server.client(decode_responses=False).pubsub()
    sub.subscribe("compare")
    sub.get_message(timeout=2)  # the subscription is confirmed: from here on the channel reaches us
    conn, make = server.client(decode_responses=False), _stamped(size)
    stamps, arrivals, deadline = [], [], time.monotonic() + timeout

    def publish():
        pipe = conn.pipeline(transaction=False)
        for n in range(count):
            pipe.publish("compare", make())
            if n % 100 == 99:
                pipe.execute()
        pipe.execute()

    start = time.perf_counter_ns()
    sender = threading.Thread(target=publish, name="compare-redis", daemon=True)
    sender.start()
    while len(arrivals) < count and time.monotonic() < deadline:
        msg = sub.get_message(timeout=max(0.0, deadline - time.monotonic()))
        if msg is not None and msg["type"] == "message":
            arrivals.append(time.perf_counter_ns())
            stamps.append(struct.unpack_from("!q", msg["data"])[0])
    sender.join(max(0.0, deadline - time.monotonic()) + 1)  # it still reads PUBLISH's replies: close after it
    sub.close()
    conn.close()
    return _result(stamps, arrivals, start, count)


def zmq_rate(server=None, count=1000, size=100, timeout=10.0):
    """One XPUB publisher thread to one SUB socket over tcp; no broker, so `server` is unused."""
    pub, endpoint = xpub_socket(hwm=count)
    sub = socket(zmq.SUB, timeout_ms=int(timeout * 1000))
    sub.setsockopt(zmq.RCVHWM, count)
    sub.connect(endpoint)
    sub.subscribe(b"")
    make, stamps, arrivals = _stamped(size), [], []
    try:
        wait_for_subscribers(pub, 1)  # no slow joiner: the publisher waits for the subscription
        start = time.perf_counter_ns()
        sender = threading.Thread(target=lambda: [pub.send(make()) for _ in range(count)], daemon=True)
        sender.start()
        while len(arrivals) < count:
            try:
                data = sub.recv()
            except zmq.Again:
                break
            arrivals.append(time.perf_counter_ns())
            stamps.append(struct.unpack_from("!q", data)[0])
        sender.join(timeout)
    finally:
        sub.close(linger=0)
        pub.close(linger=0)
    return _result(stamps, arrivals, start, count)


BROKERS = {  # name -> (rate function, what it promises)
    "Redis": (redis_rate, REDIS_GUARANTEES),
    "ZeroMQ": (zmq_rate, ZMQ_GUARANTEES),
    "NATS": (nats.pubsub_rate, nats.guarantees),
    "STOMP": (stomp.pubsub_rate, stomp.guarantees),
    "RabbitMQ": (rabbitmq.pubsub_rate, rabbitmq.guarantees),
}


def compare(servers, count=1000, size=100, progress=None):
    """Send the same count messages of size bytes through each {name: server} (None for ZeroMQ): one row each.

    A broker that is not running (None where a server is needed) gets a row that says so.
    """
    rows = []
    for n, (name, server) in enumerate(servers.items()):
        if progress:
            progress(n / len(servers), f"{name}: {count:,} messages of {size} bytes")
        rate, promises = BROKERS[name]
        if server is None and name != "ZeroMQ":
            rows.append(dict(broker=name, msgs_s=None, latency_us=None, lost=None, note="not running here", **promises))
            continue
        rows.append(dict(broker=name, **rate(server, count=count, size=size), note="", **promises))
    if progress:
        measured = sum(r["msgs_s"] is not None for r in rows)
        progress(1.0, f"{measured} measured, {count:,} messages of {size} bytes each")
    return rows


def comparison_table(rows):
    """The rows as a pandas-free HTML table (numbers right-aligned, guarantees in words)."""
    from IPython.display import HTML

    heads = ["broker", "messages/s", "median latency (µs)", "lost", "delivery", "ordering", "persistence",
             "who holds the queue"]

    def cells(row):
        if row["msgs_s"] is None:
            numbers = [row["note"], "", ""]
        else:
            numbers = [f"{row['msgs_s']:,.0f}", f"{row['latency_us']:,.0f}" if row["latency_us"] else "-",
                       f"{row['lost']:,}"]
        words = [row[k] for k in ("delivery", "ordering", "persistence", "who holds the queue")]
        return [row["broker"], *numbers, *words]

    def align(i):  # numbers right, words left; headings over them alike (JupyterLab puts all on the right)
        return f"style='text-align:{'right' if 0 < i < 4 else 'left'}'"

    head = "".join(f"<th {align(i)}>{h}</th>" for i, h in enumerate(heads))
    body = "".join("<tr>" + "".join(f"<td {align(i)}>{c}</td>" for i, c in enumerate(cells(r))) + "</tr>"
                   for r in rows)
    return HTML(f"<table class='broker-comparison'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def plot_comparison(rows, title=None):
    """Two bar charts: messages per second (higher is better) and median latency (lower is better)."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    measured = [r for r in rows if r["msgs_s"] is not None]
    names = [r["broker"] for r in measured]
    colors = [COLORS.get(n, "gray") for n in names]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    plt.close(fig)  # the notebook shows the returned figure once
    bars = left.bar(names, [r["msgs_s"] for r in measured], color=colors)
    left.bar_label(bars, labels=[f"{r['msgs_s'] / 1000:,.1f}k" for r in measured], fontsize=8)
    left.set(title="throughput: messages per second (higher is better)", ylabel="messages / s")
    bars = right.bar(names, [(r["latency_us"] or 0) / 1000 for r in measured], color=colors)
    right.bar_label(bars, labels=[f"{(r['latency_us'] or 0) / 1000:,.1f} ms" for r in measured], fontsize=8)
    right.set(title="median one-way latency in a burst (lower is better)", ylabel="ms")
    left.yaxis.set_major_formatter("{x:,.0f}")  # 600,000 rather than 600000
    for ax in (left, right):
        ax.tick_params(axis="x", labelsize=9)
        ax.margins(y=0.15)
    missing = [r["broker"] for r in rows if r["msgs_s"] is None]
    fig.suptitle(title or ("the same messages through each broker, one publisher and one subscriber"
                           + (f" ({', '.join(missing)} not running here)" if missing else "")), fontsize=10)
    fig.tight_layout()
    return fig
