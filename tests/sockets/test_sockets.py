"""Notebooks 01 and 02: the chapter's servers, the stream recorder, many-client servers, consoles, netcat."""
import re
import socket
import time

import pytest

from helpers import ServiceError, ask, netcat, protocol_console, serve, stop_all, udp_ask
from helpers.widgets.consoles import talk
from helpers.sockets.framing import FixedSize, LengthPrefix, Delimiter, recv_message, send_message
from helpers.sockets.multi import one_at_a_time_server, selector_server, talk_at_once, threaded_server
from helpers.sockets.recorder import recv_recorder
from helpers.sockets.views import framing_view, recv_view, timeline_view

HEAD = b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def test_udp_time_server_sees_the_clients_ephemeral_port():
    server = serve("udp-time")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(2)
        client.sendto(b"Hey!", server.address)
        reply, sender = client.recvfrom(4096)
        port = client.getsockname()[1]
    assert sender == server.address
    assert reply.startswith(b"Are you talking to me, 127.0.0.1:%d? (UDP, " % port)
    assert server.heard[-1][1:] == (("127.0.0.1", port), b"Hey!")


def test_tcp_time_server_answers_every_client_like_the_chapters_server():
    server = serve("tcp-time")
    for _ in range(3):
        with socket.create_connection(server.address, timeout=2) as client:
            client.sendall(b"Hey!")
            reply = client.recv(1000)
            port = client.getsockname()[1]
        assert reply.startswith(b"Are you talking to me, 127.0.0.1:%d? (TCP, " % port)
        assert server.heard[-1][1:] == (("127.0.0.1", port), b"Hey!")
    assert server.stats.messages == 3


def test_oversized_datagram_is_refused_with_emsgsize():
    server = serve("udp-echo")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        with pytest.raises(OSError) as caught:
            client.sendto(bytes(65508), server.address)
    assert caught.value.errno == 90 or "too long" in str(caught.value)


def test_three_small_sends_arrive_as_one_recv_when_the_server_reads_late():
    recorder = recv_recorder(delay=0.2)
    pieces = [b"Hey! ", b"Are you ", b"talking to me?"]
    with socket.create_connection(recorder.address, timeout=2) as client:
        for piece in pieces:
            client.sendall(piece)
    chunks = recorder.chunks()
    assert chunks == [b"".join(pieces)]
    view = recv_view(chunks, sent=pieces)
    assert "1 recv() call returned 27 bytes" in view.value and view.value.count("send() #") == 3


def test_one_big_send_arrives_in_several_recvs():
    recorder = recv_recorder()
    big = bytes(range(256)) * 8000
    with socket.create_connection(recorder.address, timeout=2) as client:
        client.sendall(big)
    chunks = recorder.chunks()
    assert b"".join(chunks) == big and len(chunks) >= 2
    assert f"{len(chunks)} recv() calls returned {len(big)} bytes" in recv_view(chunks).value


def test_recorder_wait_fails_in_one_line_when_nobody_came():
    with pytest.raises(ServiceError, match="no new connection"):
        recv_recorder().chunks(timeout=0.1)


def test_recorder_asked_twice_says_at_once_that_no_new_connection_came():
    recorder = recv_recorder()
    with socket.create_connection(recorder.address, timeout=2) as client:
        client.sendall(b"once")
    assert recorder.chunks() == [b"once"]
    started = time.monotonic()
    with pytest.raises(ServiceError, match="no new connection reached recorder since the last chunks"):
        recorder.chunks()
    assert time.monotonic() - started < 2.5


def test_a_replaced_recorder_says_so(capsys):
    old = recv_recorder()
    new = recv_recorder(delay=0)
    assert "recorder: the recorder that was running is stopped; this new one replaces it" in capsys.readouterr().out
    with pytest.raises(ServiceError, match="recorder is stopped .a newer recorder took its name"):
        old.chunks()
    assert new.running and not old.running


def test_every_recv_is_visible_however_small():
    view = recv_view([b"x" * 1_000_000, b"y" * 10, b"z" * 5]).value
    blocks = re.findall(r"<span title='recv\(\) #\d+: (\d+) bytes' style='([^']*)'", view)
    assert [int(n) for n, _ in blocks] == [1_000_000, 10, 5]
    assert all("min-width:3px" in style and "height:" in style for _, style in blocks)


def test_fixed_size_padding_is_kept_visible():
    view = framing_view([b"hi"], [FixedSize(8)]).value
    assert "<code style='white-space:pre'>b&#x27;hi      &#x27;</code>" in view


@pytest.mark.parametrize("factory", [one_at_a_time_server, threaded_server, selector_server])
def test_many_client_servers_answer_framed_messages(factory):
    server = factory().start()
    exchanges = talk_at_once(server.address, clients=5, messages=4, pause=0)
    assert len(exchanges) == 20 and not [e for e in exchanges if e.error]
    assert {e.reply for e in exchanges if e.client == 3} == {f"CLIENT 3 MESSAGE {i}".encode() for i in range(4)}
    assert server.stats.messages == 20


@pytest.mark.parametrize("factory", [threaded_server, selector_server])
def test_a_silent_client_does_not_hold_up_the_others(factory):
    server = factory().start()
    with socket.create_connection(server.address, timeout=2) as first:
        send_message(first, b"hello", LengthPrefix())
        for _ in range(3):  # the first client stays connected and silent meanwhile
            with socket.create_connection(server.address, timeout=2) as other:
                send_message(other, b"me too", LengthPrefix())
                assert recv_message(other, LengthPrefix()) == b"ME TOO"


def test_one_at_a_time_makes_the_next_client_wait_its_turn():
    server = one_at_a_time_server().start()
    first = socket.create_connection(server.address, timeout=2)
    send_message(first, b"first", LengthPrefix())
    assert recv_message(first, LengthPrefix()) == b"FIRST"
    with socket.create_connection(server.address, timeout=0.5) as second:
        send_message(second, b"second", LengthPrefix())
        with pytest.raises(TimeoutError):
            second.recv(100)  # not served while the first client is connected
        first.close()
        second.settimeout(5)
        assert recv_message(second, LengthPrefix()) == b"SECOND"


def test_selector_server_pipelines_and_handles_a_half_close():
    server = selector_server().start()
    framing = LengthPrefix()
    with socket.create_connection(server.address, timeout=2) as sock:
        sock.sendall(b"".join(framing.encode(m) for m in [b"a", b"b" * 100_000, b"c"]))
        sock.shutdown(socket.SHUT_WR)
        replies = [recv_message(sock, framing) for _ in range(3)]
        assert replies == [b"A", b"B" * 100_000, b"C"]
        assert recv_message(sock, framing) is None  # the server closed after the last reply


def test_timeline_draws_one_bar_per_exchange():
    server = threaded_server().start()
    exchanges = talk_at_once(server.address, clients=3, messages=2, pause=0)
    figure = timeline_view(exchanges, "threads")
    axes = figure.axes[0]
    assert len(axes.patches) == 6 and axes.get_title() == "threads"
    assert [t.get_text() for t in axes.get_yticklabels()] == ["client 0", "client 1", "client 2"]


def test_talk_at_once_reports_a_dead_server_as_errors():
    server = threaded_server().start()
    address = server.address
    server.stop()
    exchanges = talk_at_once(address, clients=2, messages=2)
    assert len(exchanges) == 2 and all(e.error for e in exchanges)


def test_framing_view_shows_costs_and_refusals():
    view = framing_view([b"hi", b"two\nlines", b"x" * 20], [FixedSize(16), LengthPrefix(), Delimiter()])
    assert view.value.count("&#10007;") == 2  # 20 bytes do not fit in 16; the newline cannot be delimited
    assert "<b>32</b>" in view.value  # fixed size: two messages of 16 bytes made it
    assert "<b>43</b>" in view.value  # length prefix: 31 bytes of payload + 3 headers of 4


def test_http_server_speaks_http():
    web = serve("http")
    head = talk(web.address, HEAD)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n")
    page = talk(web.address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert page.endswith(b"<h1>Hello from 127.0.0.1</h1>\n")
    assert talk(web.address, b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 404")
    assert b"400" in talk(web.address, b"garbage\r\n\r\n")
    assert web.address[0] == "127.0.0.1" and web.stats.messages == 3


def test_talk_explains_a_server_that_says_nothing():
    web = serve("http")
    with pytest.raises(ServiceError, match="sent nothing back"):
        talk(web.address, b"HEAD / HTTP/1.1\r\n", timeout=0.3)  # no empty line: the request is not over


def test_netcat_console_sends_crlf_lines_and_shows_raw_bytes():
    web = serve("http")
    console = netcat(web.address)
    assert console.encode() == HEAD
    console.button.click()
    assert "HTTP/1.1 200 OK\\r\\n" in console.reply.value and "<pre" in console.reply.value
    assert console.rtt.value.startswith("round trip")
    console.crlf.value = False
    assert console.encode() == HEAD.replace(b"\r\n", b"\n")


def test_netcat_console_lists_running_services_and_switches():
    web, echo = serve("http"), serve("echo")
    serve("udp-echo")
    console = netcat(web.address)
    assert [a for _, a in console.service.options] == [web.address, echo.address]  # no UDP service
    console.service.value = echo.address
    console.crlf.value = False
    console.text.value = "ping"
    console.button.click()
    assert console.address == echo.address and "ping" in console.reply.value


def test_netcat_console_shows_a_dead_server_as_one_line():
    web = serve("http")
    console = netcat(web.address)
    web.stop()
    console.button.click()
    assert "nothing is listening" in console.reply.value and "<br" not in console.reply.value


def test_netcat_needs_a_running_service_when_no_address_is_given():
    with pytest.raises(ServiceError, match="no TCP service"):
        netcat()


def test_protocol_console_switches_between_tcp_and_udp_with_history():
    tcp, udp = serve("tcp-time"), serve("udp-time")
    console = protocol_console(tcp.address, udp.address)
    console.text.value = "over tcp"
    console.button.click()
    assert "(TCP, " in console.reply.value
    console.protocol.value = "UDP"
    assert console.address == udp.address and "UDP" in console.target.value
    console.text.value = "over udp"
    console.button.click()
    assert "(UDP, " in console.reply.value
    assert [m for m, _, _ in console.exchanges] == [b"over tcp", b"over udp"]
    assert "over tcp" in console.history.value and "over udp" in console.history.value


def test_protocol_console_shows_a_lost_datagram_as_one_line():
    tcp, udp = serve("tcp-time"), serve("udp-time")
    console = protocol_console(tcp.address, udp.address, timeout=0.3)
    udp.stop()
    console.protocol.value = "UDP"
    console.button.click()
    assert "no datagram came back" in console.reply.value
