"""Bad input to the proxy itself: garbage, vanishing clients, huge writes, a client that never reads, under
faults too; after each, the proxy still relays for the next client."""
import os
import socket
import struct
import time

import pytest

from helpers.faults import TcpProxy
from helpers.servers.redis import redis_server
from helpers.servers.tcp import echo_server


@pytest.fixture(scope="module")
def echo():
    with echo_server("faults-fuzz-echo") as server:
        yield server


@pytest.fixture(params=["no faults", "faults"])
def proxy(echo, request):
    with TcpProxy(echo, name="faults-fuzz-proxy") as running:
        if request.param == "faults":
            running.set(latency_ms=5, jitter_ms=3, split_bytes=512, split_gap_ms=0)
        yield running


def still_relays(proxy):
    with socket.create_connection(proxy.address, timeout=5) as sock:
        sock.sendall(b"next client")
        got = b""
        while len(got) < 11:
            got += sock.recv(64)
    return got == b"next client"


def garbage(proxy):
    with socket.create_connection(proxy.address, timeout=5) as sock:
        sock.sendall(os.urandom(4096) + b"\x00\xff\r\n" * 100)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(65536):
            pass


def vanish_at_once(proxy):
    socket.create_connection(proxy.address, timeout=5).close()


def vanish_with_a_reset(proxy):
    sock = socket.create_connection(proxy.address, timeout=5)
    sock.sendall(b"half a message")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def vanish_mid_write(proxy):
    sock = socket.create_connection(proxy.address, timeout=5)
    sock.sendall(os.urandom(2 * 2**20))
    sock.close()  # the echo is still coming back


def huge_write(proxy):
    payload = os.urandom(32 * 2**20)
    with socket.create_connection(proxy.address, timeout=10) as sock:
        sock.setblocking(False)
        sent, back, deadline = 0, 0, time.monotonic() + 60
        while back < len(payload) and time.monotonic() < deadline:
            if sent < len(payload):
                try:
                    sent += sock.send(payload[sent:sent + 1 << 20])
                except BlockingIOError:
                    pass
            try:
                back += len(sock.recv(1 << 20))
            except BlockingIOError:
                time.sleep(0.0005)
        assert back == len(payload)


def never_reads(proxy):
    sock = socket.create_connection(proxy.address, timeout=5)
    sock.setblocking(False)
    try:
        for _ in range(200):  # until every buffer on the way is full
            sock.send(b"x" * 65536)
    except BlockingIOError:
        pass
    return sock  # left open, unread, while the next client is served


def many_at_once(proxy):
    socks = [socket.create_connection(proxy.address, timeout=5) for _ in range(50)]
    for sock in socks:
        sock.close()


CASES = [garbage, vanish_at_once, vanish_with_a_reset, vanish_mid_write, huge_write, many_at_once]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_the_next_client_is_relayed_after(proxy, case):
    case(proxy)
    assert still_relays(proxy)


def test_a_client_that_never_reads_does_not_block_the_next(proxy):
    stuck = never_reads(proxy)
    try:
        assert still_relays(proxy)
    finally:
        stuck.close()
    assert still_relays(proxy)


def test_garbage_to_redis_through_the_proxy_then_a_real_command():
    with redis_server("faults-fuzz-redis") as store, TcpProxy(store, name="faults-fuzz-redis-proxy") as proxy:
        with socket.create_connection(proxy.address, timeout=5) as sock:
            sock.sendall(b"*9999999999\r\n$-5\r\n" + os.urandom(1000))
            sock.recv(1024)
        with socket.create_connection(proxy.address, timeout=5) as sock:
            sock.sendall(store.auth_line + b"PING\r\n")  # Redis wants its password first
            reply = sock.recv(64)
            while reply.count(b"\r\n") < 2 and (more := sock.recv(64)):
                reply += more
            assert reply == b"+OK\r\n+PONG\r\n"
