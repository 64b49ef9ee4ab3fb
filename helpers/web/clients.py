"""Clients for the satellite API: requests with retries and timeouts, httpx one by one and all at once."""
import asyncio
import email.utils
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from helpers.core.errors import ServiceError, describe
from helpers.web.keys import HEADER

TIMEOUT = 5.0  # seconds any request here waits at most for a step (connect, each read)
RETRY_STATUSES = (429, 500, 502, 503, 504)  # answers that may pass: worth asking again
MAX_WAIT = 60.0  # the longest Retry-After retrying_get() obeys


class TimeoutAdapter(HTTPAdapter):
    """An HTTPAdapter that gives every request a timeout (requests has none by default, even on a Session)."""

    def __init__(self, timeout=TIMEOUT, **kwargs):
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):
        return super().send(request, timeout=self.timeout if timeout is None else timeout, **kwargs)


def session(key, retries=3, backoff=0.5, timeout=TIMEOUT):
    """A requests.Session sending key, retrying 429 and 5xx on safe methods (backoff, Retry-After), with a timeout."""
    # only statuses are retried: a refused connection or a timeout fails at once, not after `retries` waits
    retry = Retry(total=retries, connect=0, read=0, other=0, status_forcelist=RETRY_STATUSES,
                  backoff_factor=backoff, respect_retry_after_header=True, raise_on_status=False)
    web = requests.Session()
    web.headers[HEADER] = key
    for prefix in ("http://", "https://"):
        web.mount(prefix, TimeoutAdapter(timeout, max_retries=retry))
    return web


def get_json(client, url, **params):
    """GET url (params as keywords) with a requests session or httpx client: the JSON, or a one-line ServiceError."""
    try:
        reply = client.get(url, params=params or None)
    except (requests.RequestException, httpx.HTTPError) as error:
        raise ServiceError(one_line(error, client, url)) from error
    if not 200 <= reply.status_code < 300:
        raise ServiceError(status_line(reply))
    try:
        return reply.json()
    except ValueError:
        raise ServiceError(f"{status_line(reply)}, but the body is not JSON") from None


def status_line(reply):
    """'GET /path -> 404 Not Found: detail' for a requests or httpx response, saying if retries were spent."""
    request = reply.request
    path = request.path_url if isinstance(request, requests.PreparedRequest) else request.url.raw_path.decode()
    reason = getattr(reply, "reason", None) or getattr(reply, "reason_phrase", "")
    line = f"{request.method} {path} -> {reply.status_code} {reason}"
    if detail := detail_of(reply):
        line += f": {detail}"
    history = getattr(getattr(getattr(reply, "raw", None), "retries", None), "history", ())
    return f"gave up after {len(history)} retries: {line}" if history else line


def detail_of(reply):
    """The server's explanation in an error body: its 'detail' (422: 'where.field: message; ...'), else its text."""
    try:
        detail = reply.json()["detail"]
    except (ValueError, TypeError, KeyError):
        return " ".join(reply.text.split())[:120]
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
    return str(detail)


def one_line(error, client, url):
    """A requests or httpx error as describe()'s one line: refused, timed out, reset."""
    if isinstance(client, (httpx.Client, httpx.AsyncClient)):
        url, timeout = str(client.base_url.join(url)), client.timeout.read
    else:
        timeout = getattr(client.get_adapter(url), "timeout", TIMEOUT) if hasattr(client, "get_adapter") else TIMEOUT
    parts = urlsplit(url)
    address = (parts.hostname, parts.port or {"https": 443}.get(parts.scheme, 80))
    return describe(os_error(error), address, timeout)


def os_error(error):
    """The OSError under a requests or httpx error (a timeout as TimeoutError), else the error itself."""
    if isinstance(error, (requests.Timeout, httpx.TimeoutException)):
        return TimeoutError()
    if isinstance(error, (httpx.RemoteProtocolError, requests.exceptions.ChunkedEncodingError)):
        return ConnectionResetError()
    # the deepest OSError: requests' errors are OSErrors too, and anyio's "All connection attempts failed" wraps one
    cause = error.__cause__ or error.__context__
    while cause is not None and (not isinstance(cause, OSError) or isinstance(cause.__cause__, OSError)):
        cause = cause.__cause__ or cause.__context__
    return cause or error


def retrying_get(client, url, tries=3, backoff=0.5, **kwargs):
    """GET with httpx up to `tries` times while 429/5xx, waiting Retry-After or backoff * 2**n; (reply, log)."""
    # log: (attempt, status, seconds waited after it) for every try
    log = []
    for attempt in range(1, tries + 1):
        try:
            reply = client.get(url, **kwargs)
        except httpx.HTTPError as error:
            raise ServiceError(one_line(error, client, url)) from error
        if reply.status_code not in RETRY_STATUSES or attempt == tries:
            log.append((attempt, reply.status_code, 0.0))
            return reply, log
        wait = retry_after(reply)
        wait = backoff * 2 ** (attempt - 1) if wait is None else min(wait, MAX_WAIT)
        log.append((attempt, reply.status_code, wait))
        time.sleep(wait)


def retry_after(reply):
    """The seconds a Retry-After header asks for (whole seconds or an HTTP date), or None."""
    value = reply.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


@dataclass
class Batch:
    """How a batch of GETs went: wall-clock total, and each request's start, duration and status (in ms)."""

    label: str
    total_ms: float = 0.0
    starts_ms: list = field(default_factory=list)
    each_ms: list = field(default_factory=list)
    statuses: list = field(default_factory=list)

    def __str__(self):
        counts = {s: self.statuses.count(s) for s in sorted(set(self.statuses))}
        return (f"{self.label}: {len(self.each_ms)} GETs in {self.total_ms:.0f} ms "
                f"(their own times add up to {sum(self.each_ms):.0f} ms), statuses {counts}")


def fetch_one_by_one(base_url, key, paths):
    """GET every path in turn over one keep-alive httpx.Client; a Batch."""
    batch = Batch("one by one")
    with httpx.Client(base_url=base_url, headers={HEADER: key}, timeout=TIMEOUT) as client:
        started = time.perf_counter()
        for path in paths:
            start = time.perf_counter()
            try:
                reply = client.get(path)
            except httpx.HTTPError as error:
                raise ServiceError(one_line(error, client, path)) from error
            _note(batch, started, start, time.perf_counter(), reply.status_code)
    batch.total_ms = (time.perf_counter() - started) * 1000
    return batch


async def fetch_many(base_url, key, paths, concurrency=None, runs=1):
    """GET every path at once over one httpx.AsyncClient (`concurrency` caps connections); `await` it; a Batch.

    With runs > 1: one batch to warm up, then `runs` batches, and the one of median total time.
    """
    if runs > 1:
        await fetch_many(base_url, key, paths, concurrency)
        batches = sorted([await fetch_many(base_url, key, paths, concurrency) for _ in range(runs)],
                         key=lambda batch: batch.total_ms)
        median = batches[len(batches) // 2]
        median.label = f"at once, the median of {runs} batches"
        return median
    batch, errors = Batch("at once"), []
    limits = httpx.Limits(max_connections=concurrency or max(1, len(paths)), max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=base_url, headers={HEADER: key}, timeout=TIMEOUT, limits=limits) as client:
        async def one(path):
            start = time.perf_counter()
            try:
                reply = await client.get(path)
            except httpx.HTTPError as error:
                errors.append(one_line(error, client, path))
                return start, time.perf_counter(), None
            return start, time.perf_counter(), reply.status_code  # when this one's answer came

        started = time.perf_counter()
        for start, end, status in await asyncio.gather(*map(one, paths)):  # gather keeps the order of paths
            _note(batch, started, start, end, status)
        batch.total_ms = (time.perf_counter() - started) * 1000
    if errors:
        raise ServiceError(f"{len(errors)} of {len(paths)} requests failed, the first: {errors[0]}")
    return batch


def _note(batch, started, start, end, status):
    """Add one request, sent at `start` and answered at `end`, to batch."""
    batch.starts_ms.append((start - started) * 1000)
    batch.each_ms.append((end - start) * 1000)
    batch.statuses.append(status)


def plot_timing(*batches):
    """A matplotlib figure: for each Batch, one bar per request from when it was sent to its answer."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    fig, axes = plt.subplots(len(batches), 1, figsize=(8, 1.6 + 1.6 * len(batches)), sharex=True, squeeze=False)
    for ax, batch in zip(axes[:, 0], batches):
        ax.barh(range(len(batch.each_ms)), batch.each_ms, left=batch.starts_ms, height=1.0, color="#4c72b0")
        ax.axvline(batch.total_ms, color="#c44e52", linestyle="--")
        ax.set_ylim(len(batch.each_ms), -0.5)
        ax.set_ylabel("request")
        ax.set_title(f"{batch.label}: {len(batch.each_ms)} GETs in {batch.total_ms:.0f} ms "
                     f"(each took {sum(batch.each_ms) / max(1, len(batch.each_ms)):.1f} ms on average)", fontsize=10)
    axes[-1, 0].set_xlabel("milliseconds since the batch started (dashed: the last answer)")
    fig.tight_layout()
    plt.close(fig)  # the notebook shows the returned figure once
    return fig
