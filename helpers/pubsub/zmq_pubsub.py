"""ZeroMQ PUB/SUB (notebook 06): the chapter's cats and hats, the slow joiner shown and fixed, high-water-mark drops."""
import threading
import time
from dataclasses import dataclass, field

import zmq

from zmq.utils.monitor import recv_monitor_message

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port, retry_port_clash
from helpers.pubsub.redis_channels import cats_and_hats
from helpers.pubsub.show import describe
from helpers.zeromq.base import bind, socket

JOIN_TIMEOUT = 5.0  # seconds a publisher waits for its subscribers before giving up


def publish_cats_zmq(pub, count=10, seed=None):
    """The chapter's ZeroMQ publisher: count [cat, hat] two-part messages, printed as they go."""
    for cat, hat in cats_and_hats(count, seed):
        print(f"Publish: {cat} wears a {hat}")
        pub.send_multipart([cat.encode(), hat.encode()])


def receive_zmq(sub, timeout=0.3, limit=None):
    """Messages waiting on a SUB socket as (topic, body) text pairs, until none comes for timeout s.

    A message that is not two frames, not UTF-8 or huge comes back described in one line.
    """
    got = []
    while (limit is None or len(got) < limit) and sub.poll(int(timeout * 1000)):
        frames = sub.recv_multipart()
        if len(frames) != 2:
            got.append((describe(frames[0]), f"<bad message: {len(frames)} frames, expected 2 (topic, body)>"))
        else:
            got.append((describe(frames[0]), describe(frames[1])))
    return got


def wait_for_subscribers(xpub, count, timeout=JOIN_TIMEOUT):
    """Return once an XPUB socket has seen count subscription notices (set XPUB_VERBOSE to count repeats)."""
    deadline, seen = time.monotonic() + timeout, 0
    while seen < count:
        left = deadline - time.monotonic()
        if left <= 0 or not xpub.poll(int(left * 1000)):
            raise ServiceError(f"only {seen} of {count} subscriptions arrived within {timeout:g} s")
        seen += xpub.recv()[:1] == b"\x01"  # b"\x01" + topic subscribes, b"\x00" + topic unsubscribes


def xpub_socket(hwm=None, buffer_bytes=None):
    """An XPUB socket (a PUB that also hands you its subscribers' subscriptions), bound; returns (socket, endpoint)."""
    xpub = socket(zmq.XPUB)
    xpub.setsockopt(zmq.XPUB_VERBOSE, 1)  # every subscription, even a topic someone already has
    if hwm is not None:  # options must be set before bind: each connection copies them when it is made
        xpub.setsockopt(zmq.SNDHWM, hwm)
    if buffer_bytes is not None:
        xpub.setsockopt(zmq.SNDBUF, buffer_bytes)
    return xpub, bind(xpub)


def joined_pair(topics):
    """A publisher and one subscriber to topics (bytes), returned only once every subscription has arrived."""
    pub, endpoint = xpub_socket()
    sub = socket(zmq.SUB)
    sub.connect(endpoint)
    for topic in topics:
        sub.subscribe(topic)
    try:
        wait_for_subscribers(pub, len(topics))
    except ServiceError:
        pub.close()
        sub.close()
        raise
    return pub, sub


@dataclass
class JoinRun:
    """One publisher sending numbered messages straight after a subscriber connected."""

    fixed: bool
    sent: int
    received: list = field(default_factory=list)  # the message numbers that arrived, in order

    @property
    def lost(self):
        """How many of the sent messages never arrived."""
        return self.sent - len(self.received)

    @property
    def label(self):
        return "with the fix" if self.fixed else "without the fix"

    def __repr__(self):
        first = self.received[0] if self.received else None
        return (f"<JoinRun {'with' if self.fixed else 'without'} the fix: {len(self.received)}/{self.sent} "
                f"received, {self.lost} lost, first received #{first}>")


def slow_joiner(fix=False, count=100, interval=0.001):
    """The chapter's order: the subscriber starts first, then the publisher binds and publishes count messages at once.

    Counts what arrives. fix=True publishes from an XPUB socket that first waits for the subscription.
    The subscriber connects before anything is bound, so the port cannot come from binding port 0: it is
    picked first, and the run starts again on another one if a program takes it meanwhile.
    """
    return retry_port_clash(lambda: _join_run(fix, count, interval))


def _join_run(fix, count, interval):
    endpoint, sub = f"tcp://{HOST}:{free_port()}", socket(zmq.SUB)
    sub.subscribe(b"n")
    connect_before_bind(sub, endpoint)
    pub = socket(zmq.XPUB if fix else zmq.PUB)
    try:
        pub.setsockopt(zmq.XPUB_VERBOSE, 1) if fix else None
        pub.bind(endpoint)
        if fix:
            wait_for_subscribers(pub, 1)
        for n in range(count):
            pub.send_multipart([b"n", str(n).encode()])
            time.sleep(interval)
        run = JoinRun(fix, count)
        while (not run.received or run.received[-1] < count - 1) and sub.poll(200):  # until the last, or silence
            run.received.append(int(sub.recv_multipart()[1]))
        return run
    finally:
        pub.close()
        sub.close()


def connect_before_bind(sub, endpoint, timeout=JOIN_TIMEOUT):
    """Connect sub to an endpoint nobody has bound yet; return once its first attempt failed (it retries in 0.1-0.2 s)."""
    monitor = sub.get_monitor_socket(zmq.EVENT_CONNECT_RETRIED)
    try:
        sub.connect(endpoint)
        if not monitor.poll(int(timeout * 1000)):
            raise ServiceError(f"the subscriber did not try {endpoint} within {timeout:g} s")
        recv_monitor_message(monitor)
    finally:
        sub.disable_monitor()
        monitor.close(linger=0)


def connect_early(sub, retry_ms=500):
    """Connect sub to a free port that nobody has bound yet, as the chapter's subscriber does when it starts first.

    Returns the endpoint once that first attempt has failed: ZeroMQ tries again only retry_ms to 2 * retry_ms later
    (RECONNECT_IVL; its default is 100 ms), long after a publisher that binds now has sent its first messages.
    """
    sub.setsockopt(zmq.RECONNECT_IVL, retry_ms)
    endpoint = f"tcp://{HOST}:{free_port()}"
    connect_before_bind(sub, endpoint)
    return endpoint


def plot_received(*runs, title="messages received against messages sent"):
    """A matplotlib figure: for each run, how many had arrived by each message sent (a JoinRun or HwmRun)."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    plt.close(fig)  # the notebook shows the returned figure once
    top = max(run.sent for run in runs)
    ax.plot([0, top], [0, top], color="lightgray", linestyle="--", label="every message")
    for run in runs:
        got, arrived = set(run.received), 0
        curve = []
        for n in range(run.sent):
            arrived += n in got
            curve.append(arrived)
        ax.plot(range(1, run.sent + 1), curve, label=f"{run.label}: {run.lost} lost")
    ax.set(xlabel="messages sent", ylabel="messages received", title=title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


@dataclass
class HwmRun:
    """A fast publisher and a slow subscriber: what the high-water mark let through."""

    hwm: int
    sent: int
    received: list = field(default_factory=list)

    @property
    def lost(self):
        """Messages the publisher dropped (the subscriber's queue was full)."""
        return self.sent - len(self.received)

    @property
    def label(self):
        return f"high-water mark {self.hwm}"

    def __repr__(self):
        return f"<HwmRun hwm {self.hwm}: {len(self.received)}/{self.sent} received, {self.lost} dropped>"


def hwm_drops(hwm=100, rate=20_000, seconds=0.5, work_s=0.0002, buffer_bytes=4096):
    """Publish 100-byte messages at `rate` msgs/s for `seconds` to a subscriber that spends work_s on each.

    Both queues are capped at hwm messages and the kernel's TCP buffers at buffer_bytes, so the drops show.
    """
    pub, endpoint = xpub_socket(hwm, buffer_bytes)
    sub = socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, hwm)
    sub.setsockopt(zmq.RCVBUF, buffer_bytes)
    run = HwmRun(hwm, 0)
    reader = threading.Thread(target=_slow_reader, args=(sub, run, work_s), name="hwm-reader", daemon=True)
    try:
        sub.connect(endpoint)
        sub.subscribe(b"")
        wait_for_subscribers(pub, 1)
        reader.start()
        batch, start = max(1, rate // 1000), time.perf_counter()
        while run.sent < rate * seconds:  # a batch every millisecond: a steady rate without a sleep per message
            for _ in range(batch):
                pub.send(b"%-100d" % run.sent)  # 100-byte messages
                run.sent += 1
            time.sleep(max(0.0, start + run.sent / rate - time.perf_counter()))
        reader.join(10)
    finally:
        pub.close()
        reader.join(1)
        sub.close()
    return run


def _slow_reader(sub, run, work_s):
    """Read until nothing comes for 0.3 s, spending work_s on each message."""
    while sub.poll(300):
        run.received.append(int(sub.recv()))
        time.sleep(work_s)
