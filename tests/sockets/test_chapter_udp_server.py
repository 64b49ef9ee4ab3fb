"""Notebook 01 shows the chapter's UDP server (Example 17-1) and runs it in a thread that a timeout always ends."""
import socket
import time

import pytest
from notebook_code import notebook_functions

from helpers.sockets import in_thread


@pytest.fixture
def udp_server_once():
    return notebook_functions("01_sockets_udp_tcp.ipynb")["udp_server_once"]


def bound(timeout):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(timeout)
    return server


def test_the_chapters_server_answers_one_datagram_and_closes(udp_server_once):
    server = bound(5)
    running = in_thread(udp_server_once, server)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(2)
        client.sendto(b"Hey!", server.getsockname())
        reply, _ = client.recvfrom(4096)
        me = client.getsockname()
    _, heard_from, said = running.result(timeout=3)
    assert reply == b"Are you talking to me?" and (heard_from, said) == (("127.0.0.1", me[1]), b"Hey!")
    assert running.done() and server.fileno() == -1  # the thread ended and the socket is closed


def test_with_no_client_its_timeout_ends_the_thread(udp_server_once):
    server = bound(0.2)
    start = time.monotonic()
    running = in_thread(udp_server_once, server)
    with pytest.raises(TimeoutError):
        running.result(timeout=3)
    assert running.done() and time.monotonic() - start < 2 and server.fileno() == -1


def test_result_says_when_the_function_is_still_running():
    running = in_thread(time.sleep, 0.5)
    with pytest.raises(TimeoutError, match="still running"):
        running.result(timeout=0.05)
    assert running.result(timeout=2) is None
