"""The raw TCP console (netcat): line endings, hints that fit the protocol, honest timings, live service list."""
import html
import re
import socket

import pytest

from helpers import ServiceError, netcat, serve, stop_all
from helpers.sockets import threaded_server
from helpers.widgets.consoles import talk


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def shown(widget):
    """What a widget's HTML says, as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


def round_trip_ms(console):
    """The round-trip time the console reports, in ms."""
    return float(re.match(r"round trip ([\d.]+) ms", console.rtt.value).group(1))


def test_netcat_ends_the_last_line_so_redis_answers_ping():
    redis = serve("redis")
    console = netcat(redis.address)
    console.text.value = f"AUTH {redis.password}\nPING"
    assert console.encode() == f"AUTH {redis.password}\r\nPING\r\n".encode()
    console.button.click()
    assert "+OK\\r\\n\n+PONG\\r\\n" in shown(console.reply)  # visible() breaks the line after each \\n
    console.text.value = f"AUTH {redis.password}\nSET planet mars\nGET planet"
    console.button.click()
    assert "+OK\\r\\n\n+OK\\r\\n" in shown(console.reply) and "mars" in shown(console.reply)


def test_netcat_shows_that_redis_wants_auth_first_and_says_where_the_password_is():
    redis = serve("redis")
    console = netcat(redis.address)
    console.text.value = "PING\nSET planet mars"
    console.button.click()
    assert shown(console.reply).startswith("-NOAUTH") and "mars" not in shown(console.reply)
    assert "AUTH first" in shown(console.reply) and ".password" in shown(console.reply)
    console.text.value = "AUTH guessed\nPING"
    console.button.click()
    assert shown(console.reply).startswith("-WRONGPASS") and "wrong password" in shown(console.reply)
    console.text.value = f"AUTH {redis.password}\nCONFIG SET dir /tmp"
    console.button.click()
    assert "-NOPERM" in shown(console.reply) and "may not run that command" in shown(console.reply)


def test_netcat_without_crlf_still_ends_the_last_line_with_a_newline():
    console = netcat(serve("echo").address)
    console.crlf.value = False
    console.text.value = "one\ntwo"
    assert console.encode() == b"one\ntwo\n"
    console.text.value = ""
    assert console.encode() == b""


def test_a_silent_redis_gets_a_redis_hint_not_an_http_one():
    redis = serve("redis")
    with pytest.raises(ServiceError) as caught:
        talk(redis.address, b"PING", timeout=0.3)  # the line never ends
    assert "Redis" in str(caught.value) and "\\r\\n" in str(caught.value) and "HTTP" not in str(caught.value)


def test_a_silent_http_server_still_gets_the_empty_line_hint():
    web = serve("http")
    with pytest.raises(ServiceError, match="empty line"):
        talk(web.address, b"HEAD / HTTP/1.1\r\n", timeout=0.3)


def test_the_shout_server_shows_text_read_as_a_length_prefix():
    shout = threaded_server().start()
    console = netcat(shout.address)
    console.text.value = "hello"
    console.button.click()
    said = shown(console.reply)
    assert "b'hell'" in said and "1,751,477,356 bytes" in said and "1.75 GB" in said
    assert "HTTP" not in said and "closed the connection" in said


def test_netcat_reports_the_time_to_the_first_reply_byte_not_the_quiet_wait():
    web, redis = serve("http"), serve("redis")
    console = netcat(web.address)
    console.button.click()
    assert round_trip_ms(console) < 250  # the 500 ms of quiet is reported apart
    assert "500 ms" in console.rtt.value and "quiet" in console.rtt.value
    console.service.value = redis.address
    console.text.value = f"AUTH {redis.password}\nPING"
    console.button.click()
    assert "+PONG" in shown(console.reply) and round_trip_ms(console) < 250
    assert abs(console.exchanges[-1][2] - round_trip_ms(console)) < 0.01  # the history shows the same time


def test_netcat_says_when_the_server_closed_instead_of_the_quiet_wait():
    console = netcat(serve("tcp-time").address)  # one reply, then it closes the connection
    console.text.value = "Hey!"
    console.button.click()
    assert "Are you talking to me" in shown(console.reply)
    assert "closed" in console.rtt.value and "quiet" not in console.rtt.value


def test_the_service_list_follows_services_that_start_and_stop():
    web, echo = serve("http"), serve("echo")
    console = netcat(web.address)
    assert [a for _, a in console.service.options] == [web.address, echo.address]
    echo.stop()
    assert [a for _, a in console.service.options] == [web.address]
    redis = serve("redis")
    assert [a for _, a in console.service.options] == [web.address, redis.address]
    web.stop()  # the console keeps its target, so Send says plainly that nothing listens there
    assert [a for _, a in console.service.options] == [redis.address]
    assert console.address == web.address and "stopped" in console.target.value
    console.button.click()
    assert "nothing is listening" in console.reply.value
    console.service.value = redis.address
    assert console.address == redis.address and "stopped" not in console.target.value


def test_an_address_outside_the_registry_stays_in_the_list():
    with socket.create_server(("127.0.0.1", 0)) as listener:  # a server the course did not start
        outside = listener.getsockname()
        console = netcat(outside)
        serve("http")
        assert outside in [a for _, a in console.service.options] and console.address == outside


def test_the_line_ending_checkbox_is_as_wide_as_its_label():
    console = netcat(serve("echo").address)
    assert "\\r\\n" in console.crlf.description
    assert console.crlf.layout.width == "auto"  # the default 300 px cuts the label off

