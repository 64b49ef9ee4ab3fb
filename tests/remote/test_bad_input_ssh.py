"""Bad input to an SSH host's port: garbage, a client that vanishes mid-handshake, 10 MB before the handshake.
After each, the next good client logs in and runs a command."""
import socket
import time

import pytest

from helpers.remote import SshHost


@pytest.fixture(scope="module")
def host():
    with SshHost("test-ssh-bad-input") as running:
        yield running


def logs_in(host):
    with host.connection() as conn:
        return conn.run("echo still here", hide=True).stdout == "still here\n"


def send(host, data, read=True):
    """Send data on a new connection; return what the server sends back before it closes (or b"" if read is False)."""
    with socket.create_connection(host.address, timeout=15) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):  # the server may hang up before all of it is sent
            pass
        chunks = []
        while read:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_garbage_is_answered_with_a_version_line_then_dropped(host):
    reply = send(host, b"\x00\xffGET / HTTP/1.1\r\n\r\n" + bytes(range(256)) * 4)
    assert reply.startswith(b"SSH-2.0-")
    assert logs_in(host)


def test_a_client_that_vanishes_mid_handshake_does_no_harm(host):
    for cut in (0, 5, 30):
        with socket.create_connection(host.address, timeout=5) as sock:
            sock.sendall(b"SSH-2.0-OpenSSH_9.6\r\n"[:cut] or b"")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
    time.sleep(0.2)
    assert logs_in(host)


def test_10_mb_before_the_handshake_is_cut_off(host):
    started = time.monotonic()
    send(host, b"A" * 10_000_000)
    assert time.monotonic() - started < 15
    assert logs_in(host)
    assert host.process.poll() is None  # the server is still the same process


def test_many_half_open_connections_do_not_lock_out_a_good_client(host):
    idle = [socket.create_connection(host.address, timeout=5) for _ in range(20)]
    try:
        assert logs_in(host)
    finally:
        for sock in idle:
            sock.close()
