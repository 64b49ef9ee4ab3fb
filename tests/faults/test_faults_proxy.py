"""The TCP proxy: transparent with no faults, each fault applied as set, and every connection closed at stop()."""
import asyncio
import os
import socket
import statistics
import struct
import threading
import time

import paramiko
import psutil
import pytest

from helpers.core.ports import is_listening
from helpers.faults import Faults, TcpProxy, in_front_of
from helpers.faults.tcp import Bucket
from helpers.remote import SshHost
from helpers.servers.tcp import echo_server


@pytest.fixture
def echo():
    with echo_server("faults-test-echo") as server:
        yield server


@pytest.fixture
def proxy(echo):
    with TcpProxy(echo, name="faults-test-proxy") as running:
        yield running


def echo_all(address, payload, timeout=30):
    """Send payload (beside the reads) and return every byte the echo sends back before it closes."""
    with socket.create_connection(address, timeout=timeout) as sock:
        def send():
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        back = bytearray()
        while chunk := sock.recv(1 << 20):
            back += chunk
        sender.join(timeout)
    return bytes(back)


def round_trip_ms(sock, message=b"ping"):
    start = time.perf_counter()
    sock.sendall(message)
    got = b""
    while len(got) < len(message):
        got += sock.recv(64)
    assert got == message
    return (time.perf_counter() - start) * 1000


def test_start_listens_on_loopback_with_an_os_chosen_port(proxy, echo):
    assert proxy.address[0] == "127.0.0.1" and proxy.address[1] not in (0, echo.address[1])
    assert is_listening(proxy.address)


def test_ten_megabytes_come_back_byte_identical_with_no_faults(proxy):
    payload = os.urandom(10 * 2**20)
    assert echo_all(proxy.address, payload) == payload
    assert proxy.stats.bytes_in == proxy.stats.bytes_out == len(payload)


def test_latency_each_way_is_within_twenty_percent(proxy):
    proxy.set(latency_ms=100)
    with socket.create_connection(proxy.address, timeout=5) as sock:
        rtts = [round_trip_ms(sock) for _ in range(5)]
    assert 160 <= statistics.median(rtts) <= 240, rtts  # 100 ms up + 100 ms down
    proxy.clear()
    with socket.create_connection(proxy.address, timeout=5) as sock:
        assert statistics.median(round_trip_ms(sock) for _ in range(5)) < 20


def test_jitter_never_reorders_the_stream(proxy):
    proxy.set(latency_ms=20, jitter_ms=15)
    payload = b"".join(f"{n:05d}".encode() for n in range(400))
    with socket.create_connection(proxy.address, timeout=10) as sock:
        for n in range(0, len(payload), 50):
            sock.sendall(payload[n:n + 50])
            time.sleep(0.001)
        sock.shutdown(socket.SHUT_WR)
        back = b"".join(iter(lambda: sock.recv(65536), b""))
    assert back == payload
    assert proxy.stats.delayed > 0


def test_bandwidth_cap_is_within_twenty_percent(proxy):
    proxy.down.set(bandwidth_kb_s=400)
    payload = os.urandom(800_000)
    start = time.perf_counter()
    assert echo_all(proxy.address, payload) == payload
    rate = len(payload) / (time.perf_counter() - start) / 1000
    assert 320 <= rate <= 480, f"{rate:.0f} kB/s for a 400 kB/s cap"


def test_the_cap_holds_when_the_loop_wakes_late(monkeypatch):
    sleep = asyncio.sleep

    async def late(seconds):  # a loaded machine: every wake-up comes 20 ms late
        await sleep(seconds + 0.02)

    async def send(pieces, size, rate):
        bucket, start = Bucket(), time.monotonic()
        for _ in range(pieces):
            await bucket.take(size, rate)
        return pieces * size / (time.monotonic() - start)

    monkeypatch.setattr(asyncio, "sleep", late)
    rate = asyncio.run(send(100, 2000, 200_000))
    assert 160_000 <= rate <= 240_000, f"{rate / 1000:.0f} kB/s for a 200 kB/s cap"


def test_split_sends_tiny_segments_each_read_on_its_own(proxy):
    proxy.set(split_bytes=3, split_gap_ms=5)
    with socket.create_connection(proxy.address, timeout=5) as sock:
        sock.sendall(b"abcdefghijkl")
        reads = [sock.recv(100) for _ in range(4)]
    assert reads == [b"abc", b"def", b"ghi", b"jkl"]
    assert proxy.stats.pieces >= 8  # 4 pieces up, 4 down


def test_corruption_changes_about_the_rate_of_bytes(proxy):
    proxy.up.set(corrupt_rate=0.01)
    payload = bytes(200_000)
    back = echo_all(proxy.address, payload)
    changed = sum(1 for b in back if b)
    assert len(back) == len(payload) and 1400 <= changed <= 2600
    assert proxy.stats.corrupted == changed


def test_stall_holds_bytes_until_lifted(proxy):
    proxy.set(stall=True)
    with socket.create_connection(proxy.address, timeout=0.3) as sock:
        sock.sendall(b"hello")
        with pytest.raises(TimeoutError):
            sock.recv(10)
        proxy.set(stall=False)
        sock.settimeout(2)
        assert sock.recv(10) == b"hello"
    assert proxy.stats.stalled >= 1


def test_reset_mid_stream_reaches_the_client_as_a_reset(proxy):
    proxy.down.set(reset_after=4, reset_times=1)
    with socket.create_connection(proxy.address, timeout=2) as sock:
        sock.sendall(b"0123456789")
        with pytest.raises(ConnectionResetError):
            got = b""
            while chunk := sock.recv(100):
                got += chunk
    assert proxy.stats.resets == 1
    with socket.create_connection(proxy.address, timeout=2) as sock:  # reset_times=1: the next one is spared
        assert round_trip_ms(sock, b"again") < 1000


def test_settings_change_while_traffic_flows(proxy):
    with socket.create_connection(proxy.address, timeout=5) as sock:
        fast = round_trip_ms(sock)
        proxy.set(latency_ms=60)
        slow = round_trip_ms(sock)
        proxy.clear()
        again = round_trip_ms(sock)
    assert fast < 20 and slow >= 100 and again < 20


def test_bad_settings_are_refused_in_one_line():
    faults = Faults()
    with pytest.raises(ValueError, match="no fault called 'latency'"):
        faults.set(latency=5)
    with pytest.raises(ValueError, match="probability"):
        faults.set(corrupt_rate=2)
    with pytest.raises(ValueError, match="negative"):
        faults.set(latency_ms=-1)


def test_stop_closes_every_connection_it_opened():
    accepted = []
    with socket.create_server(("127.0.0.1", 0)) as target:
        target.settimeout(5)
        proxy = TcpProxy(target.getsockname(), name="faults-test-closing").start()
        clients = [socket.create_connection(proxy.address, timeout=5) for _ in range(3)]
        for client in clients:
            client.sendall(b"x")
            conn, _ = target.accept()
            assert conn.recv(1) == b"x"
            accepted.append(conn)
        assert len(proxy.connections) == 3
        proxy.stop()
        for sock in clients + accepted:
            sock.settimeout(2)
            try:
                assert sock.recv(10) == b""  # closed (FIN) ...
            except ConnectionResetError:
                pass  # ... or reset: either way the proxy's end is gone
            sock.close()
    assert not is_listening(proxy.address)
    assert proxy.connections == set() and not proxy._thread.is_alive()
    proxy.stop()  # twice is safe


def test_a_target_that_is_not_there_closes_the_client_and_counts_an_error():
    with socket.create_server(("127.0.0.1", 0)) as gone:
        address = gone.getsockname()
    with TcpProxy(address, name="faults-test-nowhere") as proxy:
        with socket.create_connection(proxy.address, timeout=5) as sock:
            assert sock.recv(10) == b""
        deadline = time.monotonic() + 2
        while proxy.stats.errors == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proxy.stats.errors == 1


def test_a_client_that_resets_counts_as_lost_not_as_an_error(proxy):
    with socket.create_connection(proxy.address, timeout=5) as sock:
        sock.sendall(b"ping")
        assert sock.recv(10) == b"ping"
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
    deadline = time.monotonic() + 2
    while proxy.stats.lost == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (proxy.stats.lost, proxy.stats.errors) == (1, 0)
    assert proxy.connections == set()


def test_in_front_of_replaces_a_proxy_of_the_same_name_and_has_the_address_shape(echo):
    first = in_front_of(echo)
    second = in_front_of(echo)
    try:
        assert first.name == second.name == "faults-faults-test-echo"
        assert not first.running and second.running
        assert isinstance(second.address, tuple) and len(second.address) == 2
        assert second.endpoint == f"tcp://127.0.0.1:{second.address[1]}"
        assert echo_all(second.address, b"shape") == b"shape"
    finally:
        second.stop()


def test_the_target_can_move_while_the_proxy_runs(proxy, echo):
    with echo_server("faults-test-echo-2") as other:
        proxy.target = other
        assert echo_all(proxy.address, b"moved") == b"moved"
        assert other.stats.bytes_in == 5 and echo.stats.bytes_in == 0


def listening(kind="tcp"):
    """The addresses this process listens on (TCP) or has bound (UDP)."""
    return {c.laddr for c in psutil.Process().net_connections(kind) if kind == "udp" or c.status == "LISTEN"}


def test_the_proxy_opens_its_front_port_only_no_control_port(echo):
    before = listening()
    with TcpProxy(echo, name="faults-test-one-port") as proxy:
        added = listening() - before
    assert [tuple(a) for a in added] == [proxy.address] and proxy.address[0] == "127.0.0.1"


def test_a_proxy_in_front_of_the_ssh_host_lets_in_no_one_the_host_refuses():
    with SshHost("faults-test-ssh") as host, in_front_of(host, name="faults-test-ssh-proxy") as proxy:
        with socket.create_connection(proxy.address, timeout=10) as sock:
            ssh = paramiko.Transport(sock)
            try:
                ssh.start_client(timeout=10)
                with pytest.raises(paramiko.BadAuthenticationType, match=r"allowed types: \['publickey'\]"):
                    ssh.auth_password(host.user, "learner")
                with pytest.raises(paramiko.AuthenticationException, match="Authentication failed"):
                    ssh.auth_publickey(host.user, paramiko.ECDSAKey.generate())  # a key of someone else's
            finally:
                ssh.close()
        assert proxy.stats.clients == 1  # the attempts really went through the proxy
