"""The service lifecycle every notebook stands on: ports, readiness, replace, stop, timeouts."""
import socket
import threading
import time

import pytest

from helpers import ServiceError, ask, running, serve, stop_all, udp_ask
from helpers.core.ports import HOST, free_port, is_listening
from helpers.servers.tcp import TcpServer, echo_server
from helpers.servers.udp import udp_echo_server


@pytest.fixture(autouse=True)
def clean_registry():
    yield
    stop_all()


def test_free_port_can_be_bound():
    port = free_port()
    with socket.create_server((HOST, port)) as sock:
        assert sock.getsockname() == (HOST, port)


def test_servers_bind_loopback_on_os_chosen_ports():
    a, b = serve("echo", as_name="a"), serve("echo", as_name="b")
    assert a.address[0] == b.address[0] == "127.0.0.1"
    assert a.address[1] != b.address[1] and 0 not in (a.address[1], b.address[1])


@pytest.mark.parametrize("name", ["echo", "redis"])
def test_start_returns_only_when_serving(name):
    server = serve(name)
    with socket.create_connection(server.address, timeout=1):  # no retry: must work at once
        pass


def test_echo_and_udp_echo_reply_with_what_was_sent():
    assert ask(serve("echo").address, b"ping") == b"ping"
    assert udp_ask(serve("udp-echo").address, b"dgram") == b"dgram"


def test_rerun_replaces_running_service_of_same_name():
    first = serve("echo")
    second = serve("echo")
    assert not first.running and second.running
    assert not is_listening(first.address)
    assert [s.name for s in running()] == ["echo"]
    assert ask(second.address, b"x") == b"x"


def test_rerun_on_a_fixed_port_does_not_clash():
    port = free_port()
    serve("echo", port=port)
    again = serve("echo", port=port)
    assert again.address == (HOST, port) and ask(again.address, b"y") == b"y"


def test_stop_is_idempotent_and_frees_the_port():
    server = echo_server().start()
    server.stop()
    server.stop()
    assert not server.running and not is_listening(server.address)
    with socket.create_server(server.address):  # the port is free again
        pass


def test_stop_is_prompt_with_a_silent_client_connected():
    server = echo_server().start()
    silent = socket.create_connection(server.address)
    time.sleep(0.05)  # let the server's client thread block in recv()
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 1.0
    assert silent.recv(10) == b""  # the server closed its side
    silent.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("echo-client")]


def test_context_manager_starts_and_stops():
    with udp_echo_server() as server:
        assert udp_ask(server.address, b"in") == b"in"
    assert not server.running and server not in running()


def test_client_times_out_on_a_silent_server():
    def never_reply(conn, service):
        conn.recv(100)
        time.sleep(3)

    server = TcpServer("mute", never_reply).start()
    started = time.perf_counter()
    with pytest.raises(ServiceError, match="no reply .* within 0.3 s"):
        ask(server.address, b"hello?", timeout=0.3)
    assert time.perf_counter() - started < 2.0
    server.stop()


def test_dead_server_gives_one_clear_line():
    server = echo_server().start()
    server.stop()
    with pytest.raises(ServiceError) as error:
        ask(server.address, b"x")
    assert "nothing is listening" in str(error.value) and "\n" not in str(error.value)


def test_udp_client_times_out_when_nobody_answers():
    with pytest.raises(ServiceError, match="no datagram came back"):
        udp_ask((HOST, free_port(socket.SOCK_DGRAM)), b"hello?", timeout=0.3)


def test_counters_follow_the_traffic():
    server = serve("echo")
    for _ in range(3):
        ask(server.address, b"12345")
    stats = server.stats.as_dict()
    assert stats["messages"] == 3 and stats["clients"] == 3 and stats["bytes_in"] == 15


def test_redis_is_real_and_stops_completely():
    server = serve("redis")
    client = server.client()
    client.rpush("queue", "a", "b")
    assert client.lpop("queue") == "a"
    assert client.info("server")["redis_version"]
    server.refresh_stats()
    assert server.stats.messages >= 3
    pid = server.process.pid
    server.stop()
    assert server.process.poll() is not None
    assert not is_listening(server.address)
    with pytest.raises(ProcessLookupError):
        import os
        os.kill(pid, 0)


def test_redis_replaced_on_rerun_leaves_one_process():
    first = serve("redis")
    second = serve("redis")
    assert first.process.poll() is not None and second.process.poll() is None
    assert second.client().ping()


def test_unknown_service_name_is_a_clear_error():
    with pytest.raises(ValueError, match="choose from"):
        serve("nope")
