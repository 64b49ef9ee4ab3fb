"""What every course API server holds and shares, whatever framework serves it: data, keys, limits, errors."""
import threading
from collections import Counter

from helpers.web.catalogue import Catalogue
from helpers.web.keys import Keys

MAX_BODY = 64 * 1024  # a POST body over this is refused with 413 (a satellite is ~150 bytes)
DRAIN = 16 * 1024 * 1024  # an oversized body up to this is read and thrown away, so its client can read the 413


class Api:
    """One server's satellites and keys, plus the state of its demonstration endpoints."""

    def __init__(self):
        self.catalogue = Catalogue()
        self.keys = Keys()
        self.layout = 1  # the HTML page's layout: 2 after redesign()
        self._calls = Counter()
        self._lock = threading.Lock()

    def flaky(self, token, fail):
        """Count a call to the flaky endpoint under token; True while it should still fail."""
        with self._lock:
            self._calls[token] += 1
            return self._calls[token] <= fail, self._calls[token]


def validation_detail(error, where):
    """A pydantic ValidationError as FastAPI reports it: [{type, loc: [where, field...], msg}]."""
    return [{"type": e["type"], "loc": [where, *e["loc"]], "msg": e["msg"]} for e in error.errors(include_url=False)]


def not_found(number):
    """The 404 detail for a satellite number nobody has."""
    return f"no satellite with catalogue number {number}"


def too_big(size):
    """The 413 detail for a body of size bytes."""
    return f"request body of {size:,} bytes is over the {MAX_BODY // 1024} KiB limit"
