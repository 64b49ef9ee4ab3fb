"""Bad clients of every server in notebooks 01, 02 and exercise 17.1: afterwards, a good client is served.

Bad clients: garbage bytes, a 10 MB message, a silent client (connected, says nothing), and a
client that vanishes in the middle of a message (closes with a reset).
"""
import os
import socket
import struct
from datetime import datetime

import pytest

from helpers import ask, run_server, serve, stop_all, udp_ask
from helpers.widgets.consoles import talk
from helpers.sockets.framing import LengthPrefix, recv_message, send_message
from helpers.sockets.multi import one_at_a_time_server, selector_server, threaded_server
from helpers.sockets.recorder import recv_recorder
from notebook_code import notebook_functions

GOOD_TIMEOUT = 5.0  # the one-at-a-time server drops a silent client after 2 s; then it is our turn


def framed_good(address):
    with socket.create_connection(address, timeout=GOOD_TIMEOUT) as sock:
        send_message(sock, b"good", LengthPrefix())
        return recv_message(sock, LengthPrefix()) == b"GOOD"


def recorder_good(server):
    def good(address):
        with socket.create_connection(address, timeout=GOOD_TIMEOUT) as sock:
            sock.sendall(b"good client")
        while True:  # earlier (bad) connections may finish first: look for ours
            if b"".join(server.chunks(timeout=GOOD_TIMEOUT)) == b"good client":
                return True
    return good


def time_good(address):
    return datetime.fromisoformat(ask(address, b"time", timeout=GOOD_TIMEOUT).decode()) is not None


def start(name):
    """(server, good_client) for each TCP server of the notebooks."""
    if name == "tcp-time":
        server = serve("tcp-time")
        return server, lambda a: ask(a, b"Hey!", timeout=GOOD_TIMEOUT).startswith(b"Are you talking to me")
    if name == "http":
        server = serve("http")
        return server, lambda a: talk(a, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
                                      timeout=GOOD_TIMEOUT).startswith(b"HTTP/1.1 200 OK")
    if name == "recorder":
        server = recv_recorder()
        return server, recorder_good(server)
    if name == "solution 17.1":
        return run_server(notebook_functions("solutions/17_1_time_server.ipynb")["time_server"]), time_good
    factory = {"shout-one": one_at_a_time_server, "shout-threads": threaded_server,
               "shout-selectors": selector_server}[name]
    return factory().start(), framed_good


SERVERS = ["tcp-time", "http", "recorder", "solution 17.1", "shout-one", "shout-threads", "shout-selectors"]


@pytest.fixture(params=SERVERS)
def server_and_good(request):
    yield start(request.param)
    stop_all()


def send_and_close(address, data, timeout=10.0):
    """Send data, close our side, read whatever comes back; the server may well hang up on us."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(1 << 20):
                pass
    except OSError:
        pass


def reset(sock):
    """Close with SO_LINGER 0: the peer sees a reset, as when a client crashes or its network drops."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_garbage_bytes(server_and_good):
    server, good = server_and_good
    send_and_close(server.address, os.urandom(100_000))
    send_and_close(server.address, b"\xff\xfe\x00\r\n\r\n" * 10)
    assert good(server.address)


def test_ten_megabyte_message(server_and_good):
    server, good = server_and_good
    big = os.urandom(10 * 1024 * 1024)
    send_and_close(server.address, big)
    send_and_close(server.address, LengthPrefix().encode(big))  # a well-framed 10 MB message too
    assert good(server.address)


def test_silent_client(server_and_good):
    server, good = server_and_good
    with socket.create_connection(server.address, timeout=2):
        assert good(server.address)


def test_client_vanishing_mid_message(server_and_good):
    server, good = server_and_good
    sock = socket.create_connection(server.address, timeout=2)
    sock.sendall(struct.pack("!I", 1000) + b"half a message" * 10)  # announces 1000 bytes, sends 140
    reset(sock)
    assert good(server.address)


def test_selector_server_drops_a_client_that_announces_too_much():
    server = selector_server().start()
    send_and_close(server.address, struct.pack("!I", 2**31) + b"x")  # over the 16 MiB limit
    assert server.stats.errors == 1
    assert framed_good(server.address)
    stop_all()


def test_framed_ten_megabytes_come_back_whole():
    for factory in (threaded_server, selector_server):
        server = factory().start()
        big = os.urandom(10 * 1024 * 1024)
        with socket.create_connection(server.address, timeout=10) as sock:
            framing = LengthPrefix()
            sock.sendall(framing.encode(big))  # the server replies once the whole message is in
            assert recv_message(sock, framing) == big.upper()
        server.stop()


@pytest.mark.parametrize("name", ["udp-time", "udp-echo"])
def test_udp_servers_survive_garbage_and_big_datagrams(name):
    server = serve(name)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(os.urandom(65507), server.address)  # the largest datagram there is
        sock.recvfrom(65535)
        sock.sendto(b"", server.address)  # an empty datagram is a datagram too
        sock.recvfrom(65535)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone:
        gone.sendto(b"reply to nobody", server.address)  # closes before the reply arrives
    assert udp_ask(server.address, b"Hey!")
    stop_all()
