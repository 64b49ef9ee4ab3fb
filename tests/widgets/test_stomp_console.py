"""A STOMP frame typed by hand in the raw TCP console: ^@ sends the NUL that ends it; replies get hints."""
import html
import re

import pytest

from helpers import netcat
from helpers.brokers.stomp import stomp_server, typed_connect, virtual_host
from helpers.widgets.hints import reply_hint


@pytest.fixture(scope="module")
def broker():
    with stomp_server("stomp-console") as server:  # a real coilmq broker, stopped after this file's tests
        yield server


def shown(widget):
    """What a widget's HTML says, as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


def sent(broker, text, **options):
    """A console on the broker, after one Send of text."""
    console = netcat(broker.address, value=text, **options)
    console.button.click()
    return console


def test_typed_connect_is_a_stomp_1_2_frame_ending_in_caret_at():
    assert typed_connect() == f"CONNECT\naccept-version:1.2\nhost:{virtual_host()}\n\n^@"


def test_the_brokers_typed_connect_carries_its_login_and_passcode_headers(broker):
    assert broker.typed_connect() == (f"CONNECT\naccept-version:1.2\nhost:{virtual_host()}\n"
                                      f"login:{broker.login}\npasscode:{broker.passcode}\n\n^@")


def test_caret_at_becomes_a_nul_byte_with_or_without_crlf(broker):
    console = netcat(broker.address, value=typed_connect())
    assert console.encode().endswith(b"\r\n\r\n\x00\r\n") and b"^@" not in console.encode()
    console.crlf.value = False
    assert console.encode() == f"CONNECT\naccept-version:1.2\nhost:{virtual_host()}\n\n".encode() + b"\x00\n"


def test_the_console_says_how_to_type_a_nul(broker):
    label = netcat(broker.address).crlf.description
    assert "^@" in label and "NUL" in label


def test_a_typed_connect_frame_gets_connected_from_a_real_broker(broker):
    for crlf in (True, False):
        console = netcat(broker.address, value=broker.typed_connect())
        console.crlf.value = crlf
        console.button.click()
        said = shown(console.reply)
        assert said.startswith("CONNECTED") and "version:1.2" in said and "^@" in said
        assert "hint: connected" in said


def test_a_typed_connect_without_login_gets_the_brokers_refusal(broker):
    said = shown(sent(broker, typed_connect()).reply)
    assert said.startswith("ERROR") and "message:Authentication failed for None" in said
    assert "hint: the broker refused a frame: its message: header says why" in said
    wrong = shown(sent(broker, typed_connect(login=broker.login, passcode="guess")).reply)
    assert wrong.startswith("ERROR") and f"Authentication failed for {broker.login}" in wrong


def test_a_connect_frame_without_its_nul_gets_no_reply_and_the_nul_hint(broker):
    console = sent(broker, typed_connect().replace("^@", ""), timeout=0.5)
    said = shown(console.reply)
    assert "CONNECTED" not in said
    assert "sent nothing back within 0.5 s" in said and "type ^@" in said


@pytest.mark.parametrize("host_line", ["", "host:no-such-host.example\n"])
def test_an_error_about_the_host_header_says_which_host_to_send(broker, host_line):
    console = sent(broker, f"CONNECT\naccept-version:1.2\n{host_line}\n^@")
    said = shown(console.reply)
    assert said.startswith("ERROR") and "host" in said.splitlines()[1]
    assert "hint: STOMP 1.2 needs a host header" in said and f"host:{virtual_host()}" in said


def test_a_frame_before_connect_gets_the_connect_first_hint(broker):
    said = shown(sent(broker, "SEND\ndestination:/queue/a\n\nhi^@").reply)
    assert said.startswith("ERROR") and "starts with a CONNECT frame" in said


def test_an_error_after_connected_gets_the_error_hint_not_the_connected_one():
    reply = b"CONNECTED\nversion:1.2\n\n\x00ERROR\nmessage:No 'id' specified for SUBSCRIBE command.\n\n\x00"
    assert reply_hint("stomp", reply) == "the broker refused a frame: its message: header says why"


def test_only_stomp_replies_get_stomp_hints():
    assert reply_hint("redis", b"-ERR unknown command 'CONNECT'\r\n") == ""
    assert reply_hint("http", b"HTTP/1.0 400 Bad Request\r\n\r\n") == ""
    assert reply_hint("", b"CONNECTED\nversion:1.2\n\n\x00").startswith("connected")  # a broker not in the registry
    assert reply_hint("stomp", b"CONNECTED\n\n\x00RECEIPT\nreceipt-id:1\n\n\x00") == ""
