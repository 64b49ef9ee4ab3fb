"""NATS in the notebook (awaited on the kernel's loop): subject wildcards, queue-group split, late joiners."""
import asyncio

import nats.errors

from helpers.brokers.nats import _queue_round, settle

SUBJECTS = ["space", "space.cats", "space.hats", "space.cats.persian", "space.hats.red.big", "earth.cats"]
PATTERNS = ("space.*", "space.>")


async def _drain(sub):
    """Every message already waiting in a subscription (call after settle(conn): they have all arrived)."""
    got = []
    while True:
        try:
            got.append(await sub.next_msg(timeout=0.05))
        except nats.errors.TimeoutError:
            return got


async def wildcard_matches(conn, patterns=PATTERNS, subjects=SUBJECTS):
    """{pattern: set of subjects it received}, after one message to each subject."""
    subs = {pattern: await conn.subscribe(pattern) for pattern in patterns}
    for subject in subjects:
        await conn.publish(subject, subject.encode())
    await settle(conn)  # our own last message comes back after every message the server routed to us
    matches = {pattern: {msg.subject for msg in await _drain(sub)} for pattern, sub in subs.items()}
    for sub in subs.values():
        await sub.unsubscribe()
    return matches


async def wildcard_table(conn, patterns=PATTERNS, subjects=SUBJECTS):
    """Print which subjects each pattern received (✓) after one message to each subject."""
    matches = await wildcard_matches(conn, patterns, subjects)
    first, cols = max(map(len, subjects)) + 2, [max(len(p) + 3, 10) for p in patterns]
    print("subject".ljust(first) + "".join(p.center(w) for p, w in zip(patterns, cols)))
    for subject in subjects:
        marks = [("✓" if subject in matches[p] else "·").center(w) for p, w in zip(patterns, cols)]
        print(subject.ljust(first) + "".join(marks))


async def queue_split(server, members=3, count=300, timeout=10.0):
    """Send count jobs to a queue group of `members` connections: {member: jobs it got}."""
    got = await _queue_round(server, list(range(count)), members, timeout)
    return {name: len(jobs) for name, jobs in got.items()}


def plot_split(split, title="one queue group: who got each job"):
    """A matplotlib bar chart of jobs per queue-group member."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    fig, ax = plt.subplots(figsize=(5.5, 3.0))
    plt.close(fig)  # the notebook shows the returned figure once
    bars = ax.bar(list(split), list(split.values()), color=["#4c72b0", "#dd8452", "#55a868", "#c44e52"][:len(split)])
    ax.bar_label(bars)
    total, even = sum(split.values()), sum(split.values()) / max(len(split), 1)
    ax.axhline(even, color="gray", linestyle="--", linewidth=1, label="an even share")
    ax.legend(loc="upper left", fontsize=8, frameon=False)  # above the bars: the y axis leaves room for it
    ax.set_ylim(0, max(split.values(), default=1) * 1.35 or 1)
    ax.set(ylabel="jobs", title=f"{title} ({total} jobs)")
    fig.tight_layout()
    return fig


async def _plain_nats_late(conn, count):
    """Publish count messages on core NATS, then subscribe: what the late subscriber sees before a marker."""
    for n in range(count):
        await conn.publish("late.plain", b"early %d" % n)
    await settle(conn)  # the server has handled all of them
    sub = await conn.subscribe("late.plain")
    await conn.publish("late.plain", b"marker")
    seen = []
    while (data := (await sub.next_msg(timeout=2)).data) != b"marker":
        seen.append(data)
    await sub.unsubscribe()
    return seen


async def _jetstream_late(conn, count):
    """Publish count messages into a stream, then subscribe: the stream replays them all."""
    js = conn.jetstream(timeout=2)
    await js.add_stream(name="LATE", subjects=["late.js"])
    await js.purge_stream("LATE")
    for n in range(count):
        await js.publish("late.js", b"early %d" % n)
    sub = await js.subscribe("late.js", ordered_consumer=True)
    seen = [(await sub.next_msg(timeout=2)).data for _ in range(count)]
    await sub.unsubscribe()
    return seen


def _redis_late(client, count):
    """Publish count messages on a Redis channel, then subscribe: what arrives before a marker."""
    for n in range(count):
        client.publish("late", b"early %d" % n)
    sub = client.pubsub()
    sub.subscribe("late")
    if sub.get_message(timeout=2) is None:  # the confirmation: from here on, the channel reaches us
        raise TimeoutError("Redis did not confirm the subscription within 2 s")
    client.publish("late", b"marker")
    seen = []
    while (msg := sub.get_message(timeout=2)) is not None:
        data = msg["data"] if isinstance(msg["data"], bytes) else str(msg["data"]).encode()
        if data == b"marker":
            break
        seen.append(data)
    sub.close()
    return seen


async def late_joiners(conn, redis_client=None, count=5):
    """Publish count messages, THEN subscribe, on JetStream, core NATS and (given a client) Redis; print a table."""
    seen = {"JetStream stream": await _jetstream_late(conn, count), "plain NATS": await _plain_nats_late(conn, count)}
    if redis_client is not None:
        seen["Redis pub-sub"] = await asyncio.to_thread(_redis_late, redis_client, count)
    print(f"{'':18}{'sent before joining':>21}{'late subscriber got':>21}")
    for who, got in seen.items():
        print(f"{who:18}{count:>21}{len(got):>21}")
    return seen

