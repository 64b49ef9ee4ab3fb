"""Each fallacy's broken exchange really breaks, and its fix really fixes it (the notebook's cells, as tests)."""
import random
import socket
import struct
import uuid
import zlib

import pytest
import requests

from helpers.core.errors import ServiceError
from helpers.faults import (
    PASSWORD,
    Directory,
    LoginServer,
    PinnedClient,
    ResolvingClient,
    add,
    batched,
    chatty,
    counter_server,
    echo_ms,
    in_front_of,
    log_in,
    new_connection_us,
    one_connection_us,
    push_config,
    read_config,
    retry,
    session_ca,
    sweep,
    through,
    write_config,
)
from helpers.faults.homogeneous import echo_over, ipv6_loopback
from helpers.remote.hosts import start_hosts
from helpers.serialization.codecs import json_codec, msgpack_codec
from helpers.serialization.shapes import telemetry
from helpers.servers.redis import redis_server
from helpers.servers.tcp import echo_server
from helpers.services.ftp import ftp_server, login_only
from helpers.sockets.framing import LengthPrefix, recv_message, send_message
from helpers.zeromq import broker, zmq_ask


@pytest.fixture
def counter():
    with counter_server("faults-t-counter") as server, in_front_of(server, name="faults-t-counter-proxy") as proxy:
        yield server, proxy


@pytest.fixture
def echo():
    with echo_server("faults-t-echo") as server, in_front_of(server, name="faults-t-echo-proxy") as proxy:
        yield server, proxy


def test_reliable_a_lost_reply_retried_without_a_key_counts_twice(counter):
    server, proxy = counter
    proxy.down.set(reset_after=0, reset_times=1)
    assert retry(lambda: add(proxy)) == 2 and server.counter.total == 2


def test_reliable_an_idempotency_key_makes_the_retry_safe(counter):
    server, proxy = counter
    proxy.down.set(reset_after=0, reset_times=1)
    log, key = [], uuid.uuid4().hex
    assert retry(lambda: add(proxy, key=key), log=log) == 1 and server.counter.total == 1
    assert len(log) == 1 and "closed the connection" in log[0]


def test_reliable_a_stall_becomes_a_timeout_not_a_hang(counter):
    _, proxy = counter
    proxy.set(stall=True)
    with pytest.raises(ServiceError, match="no reply .* within 0.2 s"):
        add(proxy, timeout=0.2)


def test_retry_gives_up_after_its_tries_and_waits_longer_each_time(counter):
    _, proxy = counter
    proxy.set(stall=True)
    log = []
    with pytest.raises(ServiceError):
        retry(lambda: add(proxy, timeout=0.05), tries=3, first_wait=0.01, log=log)
    assert len(log) == 3


def test_latency_chatty_pays_a_round_trip_per_key_batched_one():
    with redis_server("faults-t-redis") as store, in_front_of(store, name="faults-t-redis-proxy") as proxy:
        client = through(proxy)
        keys = [f"k{n}" for n in range(20)]
        client.mset({k: n for n, k in enumerate(keys)})
        assert chatty(client, keys) == batched(client, keys) == [str(n) for n in range(20)]
        times = sweep(proxy, client, keys, latencies=[0, 5])
        assert times["chatty"][1] >= 20 * 10 * 0.8  # 20 round trips of 10 ms
        assert times["batched"][1] < 3 * 10


def test_bandwidth_fewer_bytes_go_faster_under_a_cap(echo):
    _, proxy = echo
    records = [telemetry(n, random.Random(n)) for n in range(60)]
    as_json, packed = json_codec().encode(records), zlib.compress(msgpack_codec().encode(records))
    proxy.up.set(bandwidth_kb_s=200)
    assert echo_ms(proxy, packed) < echo_ms(proxy, as_json) / 2


def test_secure_a_password_is_read_off_plain_ftp_and_http_but_not_tls():
    with ftp_server("faults-t-ftp") as ftp, in_front_of(ftp, name="faults-t-ftp-proxy") as proxy:
        login_only(proxy, password=ftp.password)  # the server's per-start password
        assert f"PASS {ftp.password}".encode() in proxy.captured("up")
    with LoginServer("faults-t-login") as plain, in_front_of(plain, name="faults-t-login-proxy") as proxy:
        assert log_in(proxy) == 200 and PASSWORD.encode() in proxy.captured("up")
        assert log_in(proxy, password="wrong") == 401
    ca, ca_file = session_ca()
    with LoginServer("faults-t-tls", ca=ca) as secure, in_front_of(secure, name="faults-t-tls-proxy") as proxy:
        assert log_in(proxy, tls=ca_file) == 200
        seen = proxy.captured("up") + proxy.captured("down")
        assert len(seen) > 500 and PASSWORD.encode() not in seen and b"POST" not in seen
        with pytest.raises(requests.exceptions.SSLError):
            log_in(proxy, tls=True)  # a client that does not trust the session's CA refuses
        assert log_in(proxy, tls=ca_file) == 200  # and the server goes on serving


def test_topology_the_pinned_client_fails_after_a_move_the_resolving_one_follows():
    names = Directory()
    with echo_server("faults-t-moving") as first:
        names.publish("svc", first)
        pinned, resolving = PinnedClient(names, "svc"), ResolvingClient(names, "svc")
        assert pinned.ask(b"a") == resolving.ask(b"a") == b"a"
    with echo_server("faults-t-moving") as second:
        names.publish("svc", second)
        with pytest.raises(ServiceError, match="refused"):
            pinned.ask(b"b")
        assert resolving.ask(b"b") == b"b" and resolving.address == second.address and resolving.lookups == 2


def test_one_administrator_two_hosts_two_timeouts_then_one_configuration(counter):
    _, proxy = counter
    hosts = start_hosts(["faults-web1", "faults-web2"])
    try:
        write_config(hosts[0], 0.1)
        write_config(hosts[1], 2.0)
        proxy.set(latency_ms=100)
        timeouts = [read_config(h) for h in hosts]
        assert timeouts == [0.1, 2.0]
        with pytest.raises(ServiceError):
            add(proxy, timeout=timeouts[0])
        assert add(proxy, timeout=timeouts[1]) >= 1
        push_config(hosts, 1.0)
        assert [read_config(h) for h in hosts] == [1.0, 1.0]
    finally:
        for host in hosts:
            host.stop()


def test_transport_cost_a_new_connection_per_request_costs_more(echo):
    _, proxy = echo
    assert new_connection_us(proxy, count=50) > one_connection_us(proxy, count=50)


def test_homogeneous_byte_order_and_address_families():
    header = struct.pack("!I", 300)
    assert struct.unpack("<I", header)[0] == 738263040 and struct.unpack("!I", header)[0] == 300
    assert echo_over("127.0.0.1") == ("AF_INET", b"hello")
    if ipv6_loopback():
        assert echo_over("::1") == ("AF_INET6", b"hello")
    assert "Ångström".encode().decode("latin-1") != "Ångström"


def test_framing_survives_split_segments_where_one_recv_does_not(echo):
    _, proxy = echo
    proxy.set(split_bytes=4, latency_ms=3, split_gap_ms=20)
    with socket.create_connection(proxy.address, timeout=5) as sock:
        sock.sendall(b"one whole message")
        assert sock.recv(1024) != b"one whole message"
    framing, sent = LengthPrefix(), [b"m" * n for n in range(1, 30, 7)]
    with socket.create_connection(proxy.address, timeout=5) as sock:
        for message in sent:
            send_message(sock, message, framing)
        assert [recv_message(sock, framing) for _ in sent] == sent


def test_the_zeromq_broker_survives_one_byte_segments_and_latency():
    with broker("faults-t-broker", workers=1) as hub, in_front_of(hub, name="faults-t-broker-proxy") as proxy:
        proxy.set(split_bytes=1, latency_ms=10, split_gap_ms=0.1)
        for n in range(3):
            assert zmq_ask(proxy.endpoint, f"r{n}".encode(), timeout=10)[-1].endswith(f"r{n}".encode())
        assert proxy.stats.pieces > 50
