"""Bad clients of the echo service: after each one, the next good client is still served."""
import os
import socket
import time

import pytest

from helpers import ask, serve, stop_all


@pytest.fixture
def echo():
    server = serve("echo")
    yield server
    stop_all()


def good_client_served(server):
    return ask(server.address, b"still there?") == b"still there?"


def test_random_bytes_are_echoed_exactly(echo):
    garbage = os.urandom(100_000)
    assert ask(echo.address, garbage) == garbage
    assert good_client_served(echo)


def test_ten_megabyte_message(echo):
    big = os.urandom(10 * 1024 * 1024)
    assert ask(echo.address, big, timeout=10) == big
    assert good_client_served(echo)


def test_silent_client_does_not_block_others(echo):
    with socket.create_connection(echo.address):
        for _ in range(3):
            assert good_client_served(echo)


def test_client_vanishing_mid_message(echo):
    sock = socket.create_connection(echo.address)
    sock.sendall(os.urandom(300_000))  # more than the buffers hold, and never read the echo
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # linger 0: the server sees a reset in the middle of echoing
    deadline = time.monotonic() + 2
    while echo.stats.errors == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert echo.stats.errors == 1
    assert good_client_served(echo)


def test_udp_garbage_and_oversized_datagrams(echo):
    udp = serve("udp-echo")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(os.urandom(65507), udp.address)  # the largest datagram IPv4 allows
        assert len(sock.recvfrom(65535)[0]) == 65507
        with pytest.raises(OSError):
            sock.sendto(b"x" * 70_000, udp.address)  # too big for one datagram: refused locally
        sock.sendto(b"after", udp.address)
        assert sock.recvfrom(100)[0] == b"after"
