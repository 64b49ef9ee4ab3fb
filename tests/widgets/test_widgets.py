"""Widget logic without a browser: click the buttons, check what the widgets show."""
import pytest

from helpers import request_console, running, serve, services_panel, stop_all, udp_ask


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def test_console_shows_reply_and_round_trip():
    console = request_console(serve("echo").address)
    console.text.value = "ping from a test"
    console.button.click()
    assert "ping from a test" in console.reply.value
    assert console.rtt.value.startswith("round trip") and console.rtt.value.endswith("ms")
    assert "ping from a test" in console.history.value


def test_console_keeps_a_short_history():
    console = request_console(serve("echo").address, keep=2)
    for word in ("one", "two", "three"):
        console.text.value = word
        console.button.click()
    assert [m for m, _, _ in console.exchanges] == [b"two", b"three"]
    assert "one" not in console.history.value


def test_console_works_over_udp():
    console = request_console(serve("udp-echo").address, send=udp_ask)
    console.text.value = "datagram"
    console.button.click()
    assert "datagram" in console.reply.value


def test_console_shows_a_dead_server_as_one_line():
    server = serve("echo")
    console = request_console(server.address)
    server.stop()
    console.button.click()
    assert "nothing is listening" in console.reply.value and "<br" not in console.reply.value
    assert console.rtt.value == ""


def test_panel_lists_services_and_stop_buttons_work():
    serve("echo")
    serve("redis")
    panel = services_panel()
    assert set(panel.buttons) == {"echo", "redis"}
    cells = [c.value for c in panel.rows["echo"]]
    assert cells[0] == "echo" and cells[2].startswith("127.0.0.1:")
    panel.buttons["echo"].click()
    assert [s.name for s in running()] == ["redis"]
    assert set(panel.buttons) == {"redis"}
    panel.stop_all.click()
    assert running() == [] and panel.table.children == ()
    panel.close()


def test_panel_counts_messages():
    server = serve("echo")
    panel = services_panel()
    console = request_console(server.address)
    console.button.click()
    console.button.click()
    panel.refresh()
    assert panel.rows["echo"][5].value == "2"
    assert panel.rows["echo"][7].value == f"{2 * len(console.text.value):,} / {2 * len(console.text.value):,}"
    panel.close()
