"""Web APIs: a keep-alive GET to each of the three servers, the Nagle trap, and 100 GETs at once with httpx."""
import asyncio

from helpers.web import StdlibServer, api_server
from helpers.web.clients import fetch_many
from helpers.web.timing import rtt_us

PATHS = [f"/v1/satellites?page={1 + n % 4}&per_page=10" for n in range(100)]


def run(results):
    """The web keys for benchmarks/results.json (medians in µs; the batch in ms, best of 5)."""
    out = {}
    for framework in ("stdlib", "flask", "fastapi"):
        with api_server(framework, name=f"bench-{framework}") as server:
            out[f"http_rtt_{framework}_us"] = round(rtt_us(server, count=1000), 1)
            if framework == "fastapi":
                key = server.keys.issue("bench", limit=None)
                batches = [asyncio.run(fetch_many(server.url, key, PATHS)) for _ in range(5)]
                out["http_async_100_ms"] = round(min(b.total_ms for b in batches), 1)
    with StdlibServer(name="bench-nagle", nagle=True) as server:
        out["http_rtt_stdlib_nagle_us"] = round(rtt_us(server, count=30, warmup=3), 1)
    return out


if __name__ == "__main__":
    print(run({}))
