"""12_rpc in a real browser: Run All, then double(n) called through the RPC explorer over three protocols."""
from browser import CURRENT, browser, lab, open_and_run_all, screenshot  # noqa: F401 (fixtures)


def call(explorer, protocol, n, expect):
    """Pick protocol, type n, press Call; wait for a reply holding expect; return the reply and the wire text."""
    explorer.locator(".dis-rpc-protocol select").select_option(label=protocol)
    explorer.locator(".dis-rpc-n input").fill(str(n))
    explorer.locator(".dis-rpc-call").click()
    reply = explorer.locator(".dis-rpc-reply", has_text=protocol)
    reply.filter(has_text=expect).wait_for(timeout=10_000)
    return reply.inner_text(), explorer.locator(".dis-rpc-wire").inner_text()


def test_run_all_then_call_double_through_the_explorer(browser, lab):
    page = open_and_run_all(browser, lab, "12_rpc.ipynb", timeout=180_000)
    explorer = page.locator(CURRENT + " .dis-rpc-explorer").first
    explorer.scroll_into_view_if_needed()
    try:
        reply, wire = call(explorer, "XML-RPC", 21, "double(21) = 42")
        assert "round trip" in reply and "<methodName>double</methodName>" in wire and "<int>42</int>" in wire
        reply, wire = call(explorer, "gRPC", 8, "double(8) = 16")
        assert "POST /space.Doubler/Double" in wire and "grpc-status: 0 (OK)" in wire
        reply, wire = call(explorer, "zerorpc", 5, "double(5) = 10")
        assert "event 'OK' [10]" in wire and "event 'double' [5]" in wire
        reply, _ = call(explorer, "JSON-RPC", "seven", "-32602")
        assert "answered with an error" in reply
    finally:
        shot = screenshot(page, "12_rpc")
    assert shot.stat().st_size > 10_000
    page.close()
