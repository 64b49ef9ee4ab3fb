"""NATS: a real nats-server with JetStream; its token, pub-sub, queue groups, wildcards, late joiners, bad input,
no orphans."""
import json
import os
import stat
import socket
import textwrap
from pathlib import Path

import nats
import psutil
import pytest

from helpers import ServiceError, running, stop_all
from helpers.brokers.nats import (greet, guarantees, nats_server, ping, pubsub_rate, queue_round, request_rtt, run_sync,
                                  sweep_stale_folders)
from helpers.brokers.nats_demos import late_joiners, wildcard_matches
from helpers.core.ports import is_listening
from ended import all_gone, python_parent, sigkill
from helpers.servers.redis import redis_server


@pytest.fixture(scope="module")
def server():
    srv = nats_server("test-nats").start()
    yield srv
    stop_all()


def on_connection(server, work, timeout=10.0):
    """Run `await work(conn)` on a fresh nats-py connection from a private loop in a thread."""
    async def main():
        conn = await server.client("test")
        try:
            return await work(conn)
        finally:
            await conn.close()
    return run_sync(main, timeout)


def test_nats_starts_on_the_port_of_its_ports_file_with_jetstream_and_private_output(server):
    ports_file = next(Path(server._dir).glob("nats-server_*.ports"))
    assert json.loads(ports_file.read_text())["nats"] == [f"nats://127.0.0.1:{server.address[1]}"]
    assert server.url == f"nats://127.0.0.1:{server.address[1]}" and ping(server.address, server.token)
    assert server in running() and server.process.poll() is None
    assert os.readlink(f"/proc/{server.process.pid}/fd/1") == "/dev/null"  # never the notebook's output
    assert "[INF] Server is ready" in (Path(server._dir) / "nats.log").read_text()
    info = on_connection(server, lambda conn: conn.jetstream(timeout=2).account_info())
    assert info.limits is not None  # JetStream answers
    assert set(guarantees) == {"delivery", "ordering", "persistence", "who holds the queue"}


def test_nats_token_is_per_start_in_a_private_file_never_in_argv(server):
    folder, conf = Path(server._dir), Path(server._dir) / "nats.conf"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert f'token: "{server.token}"' in conf.read_text() and len(server.token) >= 20
    assert server.token not in " ".join(psutil.Process(server.process.pid).cmdline())
    assert server.token in server.banner and server.token not in server.url
    with nats_server("test-nats-other") as other:
        assert other.token != server.token


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_nats_refuses_a_client_without_the_token(server, token):
    assert greet(server.address, token) == b"-ERR 'Authorization Violation'"
    assert not ping(server.address, token)

    async def intrude():
        conn = await nats.connect(server.url, token=token or None, connect_timeout=2, allow_reconnect=False,
                                  max_reconnect_attempts=0)
        await conn.close()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        run_sync(intrude)


def test_nats_pubsub_round_loses_nothing(server):
    result = pubsub_rate(server, count=500, size=100)
    assert result["lost"] == 0 and result["msgs_s"] > 0 and result["latency_us"] > 0


def test_nats_queue_round_gives_each_item_to_exactly_one_consumer(server):
    items = [f"job-{n}" for n in range(60)]
    split = queue_round(server, items, consumers=3)
    assert sorted(split) == ["consumer-1", "consumer-2", "consumer-3"]
    assert sorted(item for got in split.values() for item in got) == sorted(items)
    assert sum(1 for got in split.values() if got) >= 2  # shared out, not all sent to one member


def test_nats_wildcards_match_exactly_as_documented(server):
    matches = on_connection(server, wildcard_matches)
    assert matches["space.*"] == {"space.cats", "space.hats"}  # * is exactly one token
    assert matches["space.>"] == {"space.cats", "space.hats", "space.cats.persian", "space.hats.red.big"}  # > is 1+


def test_nats_jetstream_late_joiner_gets_everything_plain_late_subscribers_nothing(server):
    with redis_server("test-nats-redis") as redis:
        seen = on_connection(server, lambda conn: late_joiners(conn, redis.client(decode_responses=False), count=7))
    assert seen["JetStream stream"] == [b"early %d" % n for n in range(7)]
    assert seen["plain NATS"] == [] and seen["Redis pub-sub"] == []


def test_nats_request_reply_round_trip(server):
    async def ask(conn):
        async def upper(msg):
            await msg.respond(msg.data.upper())
        await conn.subscribe("test.upper", cb=upper)
        return (await conn.request("test.upper", b"ping", timeout=2)).data
    assert on_connection(server, ask) == b"PING"
    assert 0 < request_rtt(server, count=20) < 1_000_000


def test_nats_stop_leaves_no_process_socket_or_folder():
    srv = nats_server("test-nats-stop").start()
    process, port, folder = psutil.Process(srv.process.pid), srv.address[1], srv._dir
    srv.stop()
    assert all_gone([process], [port]) and not Path(folder).exists() and srv not in running()
    srv.stop()  # twice is fine


def test_nats_start_failure_says_why_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServiceError, match="(?i)address already in use") as failure:
            nats_server("test-nats-taken", port=taken.getsockname()[1]).start()
    assert "\n" not in str(failure.value)


ORPHAN = textwrap.dedent("""
    import time
    from helpers.brokers.nats import nats_server
    server = nats_server("test-nats-orphan").start()
    print(server.process.pid, server.address[1], server._dir, flush=True)
    time.sleep(60)
""")


def test_nats_server_dies_when_its_parent_python_is_sigkilled(tmp_path):
    with python_parent(ORPHAN, env=dict(os.environ, TMPDIR=str(tmp_path))) as parent:
        pid, port, folder = parent.stdout.readline().split()
        child = psutil.Process(int(pid))
        assert child.ppid() == parent.pid and is_listening(("127.0.0.1", int(port)))
        sigkill(parent)
        assert all_gone([child], [int(port)])
    # no cleanup ran in the killed parent: its folder stays until a later start sweeps it (its server is gone)
    assert Path(folder).exists() and Path(folder).parent == tmp_path
    sweep_stale_folders(age=0, root=tmp_path)
    assert not Path(folder).exists()


def test_sweeping_keeps_the_folder_of_a_running_server(server):
    sweep_stale_folders(age=0, root=Path(server._dir).parent)
    assert Path(server._dir).exists() and ping(server.address, server.token)


def send_raw(address, data, reset=False):
    """Send data on a fresh connection; reset=True vanishes with a TCP reset instead of a close."""
    with socket.create_connection(address, timeout=2) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may close on us mid-send: that is its answer to bad input
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


@pytest.mark.parametrize("bad, reset", [
    (os.urandom(100_000), False),                                         # garbage
    (b"PUB big 10485760\r\n" + os.urandom(10 * 1024 * 1024), False),      # 10 MB, over the 1 MB payload limit
    (b"CONNECT {}\r\nPUB x 1000000\r\n" + b"y" * 300_000, True),          # vanishes mid-message
    (b"CONNECT {}\r\nPUB \xff\xfe.\xc3 4\r\n\xff\x00\xfe\x01\r\nSUB \xff 1\r\n", False),  # not UTF-8
], ids=["garbage", "10MB", "vanishing", "non-utf8"])
def test_nats_keeps_serving_after_bad_input(server, bad, reset):
    send_raw(server.address, bad, reset)
    assert ping(server.address, server.token, timeout=2) and server.process.poll() is None
    assert pubsub_rate(server, count=50)["lost"] == 0
