"""Redis pub-sub (notebook 06): the chapter's cats and hats, a subscriber that survives bad input, the output-buffer limit."""
import random
import socket
import time
from dataclasses import dataclass, field

from helpers.pubsub.show import describe
from helpers.servers.redis import resp

CATS = ["siamese", "persian", "maine coon", "norwegian forest"]
HATS = ["stovepipe", "bowler", "tam-o-shanter", "fedora"]


def cats_and_hats(count, seed=None):
    """count random (cat, hat) pairs, the chapter's topics and messages; a seed makes them repeatable."""
    pick = random.Random(seed)
    return [(pick.choice(CATS), pick.choice(HATS)) for _ in range(count)]


def publish_cats(conn, count=10, seed=None):
    """The chapter's publisher: PUBLISH count random hats on cat channels; prints each with its receivers."""
    for cat, hat in cats_and_hats(count, seed):
        receivers = conn.publish(cat, hat)  # how many subscribers Redis handed it to
        print(f"Publish: {cat} wears a {hat}  (to {receivers} subscriber{'s' * (receivers != 1)})")


def receive(sub, timeout=0.5, limit=None):
    """Messages a redis-py PubSub has waiting, as (channel, text) pairs, until none comes for timeout s.

    Payloads that are not UTF-8, or huge, come back as a one-line description instead of crashing.
    """
    got = []
    while limit is None or len(got) < limit:
        msg = sub.get_message(timeout=timeout)
        if msg is None:
            break
        if msg["type"] in ("message", "pmessage"):
            got.append((describe(msg["channel"]), describe(msg["data"])))
    return got


class RawSubscriber:
    """A subscriber on a bare socket with a small receive buffer, that reads only when told to.

    It shows what Redis does for a subscriber that does not keep up: the messages wait in Redis,
    in that subscriber's output buffer (see `output_buffer()`), up to a limit.
    """

    def __init__(self, server, channel, name="slow-sub", rcvbuf=65536, timeout=2.0):
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect: a small TCP window
        self.sock.settimeout(timeout)
        self.sock.connect(server.address)
        self.sock.sendall(server.auth_line + resp("CLIENT", "SETNAME", name) + resp("SUBSCRIBE", channel))
        self.data = b""
        self._read_until(lambda: self.data.startswith(b"-") or self.data.endswith(b":1\r\n"))  # +OK +OK, subscribed
        if self.data.startswith(b"-"):
            self.close()
            raise ConnectionError(f"redis-server refused the subscriber: {self.data.decode(errors='replace').strip()}")
        self.data = b""

    def _read_until(self, done, timeout=2.0):
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis-server closed the connection")
            self.data += chunk

    def read_all(self, quiet=0.3):
        """Read what has arrived until nothing comes for `quiet` s; returns (bytes read, closed by server)."""
        self.sock.settimeout(quiet)
        try:
            while chunk := self.sock.recv(1 << 20):
                self.data += chunk
            return len(self.data), True
        except TimeoutError:
            return len(self.data), False
        except ConnectionResetError:
            return len(self.data), True

    def messages(self):
        """How many whole pub-sub messages were read so far."""
        return self.data.count(b"$7\r\nmessage\r\n")

    def close(self):
        self.sock.close()


def output_buffer(conn, name):
    """Bytes waiting in Redis for the client called name (CLIENT LIST's omem), or None once it is gone."""
    for client in conn.client_list():
        if client.get("name") == name:
            return int(client["omem"])
    return None


@dataclass
class SlowSubscriberRun:
    """What happened to a subscriber that never read while messages were published."""

    limit: str
    message_bytes: int
    published: int = 0
    buffered: list = field(default_factory=list)  # (messages published so far, bytes waiting in Redis)
    cut_after: int = None  # PUBLISH returned 0 from this message on: Redis had dropped the subscriber
    received: int = 0  # messages the subscriber read afterwards
    closed: bool = False  # the server closed its connection

    def __repr__(self):
        cut = f"disconnected after {self.cut_after}" if self.cut_after else "still connected"
        return (f"<SlowSubscriberRun limit {self.limit}: {self.published} published, {cut}, "
                f"{self.received} received, connection {'closed' if self.closed else 'open'}>")


def slow_subscriber(server, limit="256kb", count=1000, message_bytes=10_000, every=10):
    """Publish count messages to a subscriber that does not read, with Redis' pubsub buffer limit set to limit.

    Restores the server's limit afterwards. limit=None keeps the server's own (32 MB by default). The learner's
    user may not CONFIG SET (it could make Redis write files anywhere): the course's own user changes the limit.
    """
    conn, course = server.client(), server.course_client()
    before = conn.config_get("client-output-buffer-limit")["client-output-buffer-limit"]
    run = SlowSubscriberRun(limit or "default", message_bytes)
    sub = RawSubscriber(server, "news")
    try:
        if limit:
            course.config_set("client-output-buffer-limit", f"pubsub {limit} 0 0")  # hard limit, no soft one
        payload = b"x" * message_bytes
        for n in range(1, count + 1):
            if conn.publish("news", payload) == 0 and run.cut_after is None:
                run.cut_after = n - 1
            if n % every == 0:
                run.buffered.append((n, output_buffer(conn, sub.name) or 0))
            run.published = n
        _, run.closed = sub.read_all()
        run.received = sub.messages()
    finally:
        course.config_set("client-output-buffer-limit", before)
        course.close()
        sub.close()
        conn.close()
    return run


def plot_buffer(*runs):
    """A matplotlib figure: bytes waiting in Redis for a subscriber that does not read, one line per run."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    plt.close(fig)  # the notebook shows the returned figure once
    for run in runs:
        sent, waiting = zip(*run.buffered) if run.buffered else ((), ())
        line, = ax.plot(sent, [b / 1024 for b in waiting], label=f"limit {run.limit}")
        if run.cut_after:
            ax.axvline(run.cut_after, color=line.get_color(), linestyle=":",
                       label=f"limit {run.limit}: Redis drops the subscriber")
    ax.set(xlabel="messages published", ylabel="KiB waiting in Redis",
           title=f"a subscriber that does not read ({runs[0].message_bytes:,}-byte messages)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
