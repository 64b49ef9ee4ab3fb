"""API keys and per-key rate limits, as real providers hand them out: 401, 403 and 429 with Retry-After."""
import math
import secrets
import threading
import time
from dataclasses import dataclass, field

HEADER = "X-API-Key"


@dataclass
class Key:
    """One issued key: who holds it, what it may do, and its token bucket."""

    owner: str
    scopes: frozenset
    limit: int | None  # requests per `per` seconds; None: no limit
    per: float
    tokens: float = 0.0
    updated: float = field(default_factory=time.monotonic)
    used: int = 0
    refused: int = 0
    revoked: bool = False

    def take(self):
        """Spend one request; return 0 if allowed, else the whole seconds until one is."""
        if self.limit is None:
            return 0
        now = time.monotonic()
        rate = self.limit / self.per
        self.tokens = min(self.limit, self.tokens + (now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return max(1, math.ceil((1 - self.tokens) / rate))


@dataclass
class Refusal:
    """Why a request was refused: the status, one line for the client, and headers to send."""

    status: int
    detail: str
    headers: dict


class Keys:
    """The keys one API server accepts."""

    def __init__(self):
        self._lock = threading.Lock()
        self._keys = {}  # token: Key, for the keys accepted now
        self._issued = []  # every Key ever issued, revoked ones too, in issue order

    def issue(self, owner, scopes=("read",), limit=5, per=10.0):
        """A new random key for owner (from `secrets`), allowed `limit` requests per `per` seconds (None: unlimited)."""
        token = secrets.token_urlsafe(18)
        key = Key(owner, frozenset(scopes), limit, per, tokens=limit or 0)
        with self._lock:
            self._keys[token] = key
            self._issued.append(key)
        return token

    def revoke(self, token):
        """Stop accepting a key (its usage is kept)."""
        with self._lock:
            key = self._keys.pop(token, None)
            if key is not None:
                key.revoked = True

    def usage(self):
        """{owner: (requests served, requests refused for the limit)} for every key issued, in issue order.

        An owner's second key is 'owner #2', and so on; a revoked key is marked '(revoked)'.
        """
        found, seen = {}, {}
        with self._lock:
            for key in self._issued:
                seen[key.owner] = seen.get(key.owner, 0) + 1
                label = key.owner + (f" #{seen[key.owner]}" if seen[key.owner] > 1 else "")
                found[label + (" (revoked)" if key.revoked else "")] = (key.used, key.refused)
        return found

    def _find(self, token):
        """The Key issued as token, or None; compared in constant time, so the answer's timing tells no prefix."""
        found = None
        for issued, key in self._keys.items():
            if secrets.compare_digest(issued.encode(), token.encode(errors="surrogateescape")):
                found = key
        return found

    def check(self, token, scope="read"):
        """None if a request with this key may go ahead, else the Refusal to send."""
        if not token:
            return Refusal(401, f"this API needs a key: send it in the {HEADER} header",
                           {"WWW-Authenticate": f'ApiKey header="{HEADER}"'})
        with self._lock:
            key = self._find(token)
            if key is None:
                return Refusal(401, "unknown or revoked API key", {"WWW-Authenticate": f'ApiKey header="{HEADER}"'})
            if scope not in key.scopes:
                return Refusal(403, f"this key may not {scope}: ask for a key with the {scope!r} scope", {})
            wait = key.take()
            if wait:
                key.refused += 1
                return Refusal(429, f"rate limit: {key.limit} requests per {key.per:g} s for this key; "
                                    f"retry in {wait} s", {"Retry-After": str(wait)})
            key.used += 1
        return None
