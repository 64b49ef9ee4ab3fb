"""12_rpc in a real browser: Run All writes nothing to stderr, gevent never entered the kernel, the dotted-names
server (which hands its objects to every caller) is gone once its section ends; then double(n) is called through
the RPC explorer over three protocols."""
from browser import CURRENT, STDERR, browser, kernel_client, lab, run_in_kernel, screenshot, walked  # noqa: F401

GONE = ("from helpers.core import registry\nfrom helpers.core.ports import is_listening\n"
        "print([(s.running, is_listening(s.address), registry.get(s.name)) for s in (open_door, closed)])")
MODULES = 'print(sorted(m for m in sys.modules if m.split(".")[0] in ("gevent", "zerorpc")), "zmq" in sys.modules)'


def call(explorer, protocol, n, expect):
    """Pick protocol, type n, press Call; wait for a reply holding expect; return the reply and the wire text."""
    explorer.locator(".dis-rpc-protocol select").select_option(label=protocol)
    explorer.locator(".dis-rpc-n input").fill(str(n))
    explorer.locator(".dis-rpc-call").click()
    reply = explorer.locator(".dis-rpc-reply", has_text=protocol)
    reply.filter(has_text=expect).wait_for(timeout=10_000)
    return reply.inner_text(), explorer.locator(".dis-rpc-wire").inner_text()


def test_run_all_then_call_double_through_the_explorer(browser, lab):
    with walked(browser, lab, "12_rpc.ipynb") as page:
        assert page.locator(STDERR).all_inner_texts() == []
        said = page.locator(CURRENT + " .jp-OutputArea-output", has_text="everyone's calls:").first.inner_text()
        assert "everyone's calls: [21, 4]" in said and "still running after the cell: False" in said, said
        closed = page.locator(CURRENT + " .jp-OutputArea-output", has_text="no password, double(2)").first
        assert "no password, double(2) -> 401 Unauthorized" in closed.inner_text()
        with kernel_client(lab, "12_rpc.ipynb") as client:
            assert run_in_kernel(client, GONE) == "[(False, False, None), (False, False, None)]\n"  # stopped, closed
            assert run_in_kernel(client, "import sys\n" + MODULES) == "[] True\n"  # zerorpc ran in a child
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
