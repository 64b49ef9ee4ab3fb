"""Notebook 08's STOMP console shows all of itself: every line of the CONNECT frame fits its text box, and the
round-trip line, long for a raw console, sits under the reply in a widget that wraps (a Label cuts it off)."""
import ipywidgets as w
import pytest

from helpers.brokers import stomp_console, stomp_server


@pytest.fixture(scope="module")
def server():
    srv = stomp_server("test-stomp-console").start()
    yield srv
    srv.stop()


def test_the_frame_fits_and_the_timing_wraps_under_the_reply(server):
    console = stomp_console(server)
    lines = console.text.value.splitlines()
    assert console.text.rows > len(lines) and int(console.text.layout.width.removesuffix("ch")) > max(map(len, lines))
    assert isinstance(console.rtt, w.HTML) and not isinstance(console.rtt, w.Label)
    row = next(box for box in console.children if console.reply in getattr(box, "children", ()))
    assert console.rtt in row.children and row.layout.flex_flow == "column"
    assert b"CONNECTED" in console.submit()
    assert console.rtt.value.startswith("round trip") and "ms" in console.rtt.value
