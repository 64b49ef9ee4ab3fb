"""Widget logic without a browser: click the buttons, check what the widgets show."""
import html

import pytest

from helpers import ask, protocol_console, request_console, running, serve, services_panel, stop_all, udp_ask
from helpers.widgets.consoles import talk


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


def test_panel_counts_only_the_learners_redis_traffic():
    redis = serve("redis")
    panel = services_panel()
    panel.refresh()
    assert [c.value for c in panel.rows["redis"][5:8]] == ["0", "0", "0 / 0"]  # nobody has used it yet
    login = redis.auth_line  # AUTH <password>\r\n: len(login) bytes in, +OK\r\n out
    talk(redis.address, login + b"SET planet mars\r\n", quiet=0.1)  # 17 bytes in, +OK\r\n out
    talk(redis.address, login + b"GET planet\r\n", quiet=0.1)  # 12 bytes in, $4\r\nmars\r\n out
    for _ in range(5):  # five seconds of the panel's own status queries
        panel.refresh()
    assert [c.value for c in panel.rows["redis"][5:8]] == ["4", "2", f"{29 + 2 * len(login)} / 25"]
    panel.close()


def submit_by_enter(console):
    """What the browser sends when Enter is pressed in the console's text box."""
    console.text._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "submit"}}},
                              "buffers": []})


def test_console_sends_on_enter():
    console = request_console(serve("echo").address)
    console.text.value = "sent with Enter"
    submit_by_enter(console)
    assert "sent with Enter" in console.reply.value and [m for m, _, _ in console.exchanges] == [b"sent with Enter"]


def test_console_shows_sending_and_hides_the_old_reply_while_it_waits():
    echo = serve("echo")
    seen = []

    def watched_ask(address, data, timeout):
        seen.append((console.reply.value, console.rtt.value, console.button.disabled))
        return ask(address, data, timeout=timeout)

    console = request_console(echo.address, send=watched_ask)
    console.text.value = "first"
    console.button.click()
    console.text.value = "second"
    console.button.click()
    reply, rtt, disabled = seen[1]
    assert "sending" in reply and "first" not in reply and rtt == "" and disabled
    assert "second" in console.reply.value and not console.button.disabled


def test_console_history_keeps_whole_replies_and_names_the_protocol():
    tcp, udp = serve("tcp-time"), serve("udp-time")
    console = protocol_console(tcp.address, udp.address)
    console.button.click()
    console.protocol.value = "UDP"
    console.button.click()
    history = html.unescape(console.history.value)
    assert "(TCP, " in history and "(UDP, " in history  # the marker sits past the 40th byte
    rows = history.split("<tr>")[1:]
    assert "<td>UDP</td>" in rows[0] and "<td>TCP</td>" in rows[1]  # newest first


def test_udp_console_history_says_udp():
    console = request_console(serve("udp-echo").address, send=udp_ask)
    console.text.value = "datagram"
    console.button.click()
    assert "<td>UDP</td>" in console.history.value
