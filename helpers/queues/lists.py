"""Redis lists as a queue (notebook 07): put items at one end, take them from the other, describe odd ones in a line."""
import redis

HUGE = 64 * 1024  # items longer than this are described by their size, never shown
SHOWN = 40  # characters of an item shown in a line


def describe(item):
    """An item as one short line of text: itself if it is short UTF-8 text, else what it is."""
    if item is None:
        return "nothing"
    if isinstance(item, str):
        item = item.encode()
    if len(item) > HUGE:
        return f"<a huge item: {len(item):,} bytes>"
    try:
        text = item.decode()
    except UnicodeDecodeError:
        return f"<{len(item)} bytes that are not UTF-8: {item[:12]!r}>"
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def as_text(item):
    """The item as text, or None if it is not UTF-8 text (or is huge)."""
    if isinstance(item, str):
        return item
    if item is None or len(item) > HUGE:
        return None
    try:
        return item.decode()
    except UnicodeDecodeError:
        return None


def fill(r, queue, items):
    """RPUSH items onto the list `queue` (a fresh one); returns its length."""
    r.delete(queue)
    return r.rpush(queue, *items)


def take(r, queue, timeout=1.0):
    """BLPOP one item from `queue`, waiting at most timeout s: the item, or None when none came."""
    got = r.blpop(queue, timeout=timeout)
    return None if got is None else got[1]


def take_all(r, queue, timeout=0.3):
    """Take items with blocking pops until none comes for timeout s; the list of them, described."""
    taken = []
    while (item := take(r, queue, timeout)) is not None:
        taken.append(describe(item))
    return taken


def is_gone(error):
    """True for the errors a client gets when its redis-server stopped or went away."""
    return isinstance(error, (redis.ConnectionError, redis.TimeoutError, OSError))


def commands_during(server, action):
    """Run action() and count the commands the redis-server processed meanwhile: (its result, the count)."""
    server.refresh_stats()
    before = server.stats.messages
    result = action()
    server.refresh_stats()
    return result, server.stats.messages - before


def connect(server, timeout=2.0):
    """A client for the course's background workers: bytes as stored, a timeout, no retries (a server that
    went away is reported at once, in one line)."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return server.client(decode_responses=False, timeout=timeout, retry=Retry(NoBackoff(), 0))
