"""Packets: how long a capture of one exchange takes (live where allowed), and the inspector's dissection."""
from benchmarks.bench_core import median_ms
from helpers import serve, stop_all
from helpers.packets import capture_allowed, capture_tcp
from helpers.packets.capture import recorded
from helpers.packets.inspector import field_spans

CAPTURES = 10


def run(results):
    """Measure and return the packets keys (capture keys only where live capture is allowed)."""
    packet = recorded("tcp_exchange")[3]
    out = {"inspector_dissect_ms": median_ms(lambda: field_spans(packet), 200)}
    if capture_allowed():
        echo = serve("echo")
        out["capture_small_tcp_ms"] = median_ms(lambda: capture_tcp(echo.address), CAPTURES)
        whole = [capture_tcp(echo.address, b"x" * 1_000_000, timeout=10).whole for _ in range(CAPTURES)]
        out["capture_1mb_tcp_ms"] = median_ms(lambda: capture_tcp(echo.address, b"x" * 1_000_000, timeout=10), 3)
        out["capture_1mb_whole_share"] = sum(whole) / len(whole)
        stop_all()
    return out
