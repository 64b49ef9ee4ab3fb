"""How long a request takes: keep-alive round trips measured with the plainest client, http.client."""
import http.client
import statistics
import time


def rtt_us(server, count=200, path="/v1/satellites/25544", warmup=20):
    """Median microseconds of a keep-alive GET to server (one connection, `count` requests, Nagle as it is)."""
    key = server.keys.issue("timing", limit=None)
    conn = http.client.HTTPConnection(*server.address, timeout=5)
    times = []
    try:
        for i in range(warmup + count):
            start = time.perf_counter()
            conn.request("GET", path, headers={"X-API-Key": key})
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                raise RuntimeError(f"GET {path} -> {reply.status} {reply.reason}")
            if i >= warmup:
                times.append(time.perf_counter() - start)
    finally:
        conn.close()
        server.keys.revoke(key)
    return statistics.median(times) * 1e6
