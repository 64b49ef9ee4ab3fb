"""RabbitMQ: the real rabbitmq-server as this user; its user, password and cookie, pub-sub, queues, the tutorials'
core, bad input, a port taken under it, no orphans."""
import os
import shutil
import socket
import stat
import struct
import subprocess
import textwrap
from pathlib import Path

import pika
import psutil
import pytest

from helpers import ServiceError, running
from helpers.brokers import rabbitmq
from helpers.brokers.rabbitmq import guarantees, pubsub_rate, queue_round, rabbitmq_available, rabbitmq_server
from helpers.brokers.rabbitmq_demos import RpcClient, RpcWorker, fanout_demo, fib, topic_routes, work_queue_demo
from helpers.core.ports import is_listening
from ended import all_gone, python_parent, sigkill
from learner import ROOT, home, private_env, unprivileged  # noqa: F401 (home is a fixture)

HEADER = b"AMQP\x00\x00\x09\x01"  # the protocol header every AMQP 0-9-1 client sends first
ERLANG = {"beam.smp", "epmd", "erl_child_setup", "inet_gethost"}
# CI installs RabbitMQ and always runs these; elsewhere, without it, they say how to get it
needs_rabbitmq = pytest.mark.skipif(not rabbitmq_available(quiet=True) and os.environ.get("CI") != "true",
                                    reason=rabbitmq.HOW_TO_GET)


@pytest.fixture(scope="module")
def server():
    steps = []
    srv = rabbitmq_server("test-rabbitmq", progress=lambda fraction, text: steps.append((fraction, text))).start()
    srv.steps = steps
    yield srv
    srv.stop()


def family(pid):
    """pid and its descendants (Erlang's helpers included: they keep their parent) as psutil processes."""
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


@needs_rabbitmq
def test_rabbitmq_starts_private_and_reports_progress(server):
    assert server in running() and server.ready() and server.start_ms > 500
    fractions = [fraction for fraction, _ in server.steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 4
    assert any("boot step" in text for _, text in server.steps) and "ready in" in server.steps[-1][1]
    beam = psutil.Process(server.process.pid)
    assert beam.name() == "beam.smp" and beam.uids().real == os.getuid()  # the VM itself: signals reach it
    assert server.node.startswith(f"dis-{os.getpid()}-") and server.node.endswith("@localhost")
    env = beam.environ()
    assert env["HOME"] == server._dir and Path(server._dir, ".erlang.cookie").exists()
    assert env["RABBITMQ_MNESIA_BASE"].startswith(server._dir) and env["ERL_EPMD_PORT"] == str(server.epmd_port)
    assert os.readlink(f"/proc/{beam.pid}/fd/1") == str(server.log_path)  # never the notebook's output
    listening = {c.laddr for c in beam.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
    assert {(ip, port) for ip, port in listening} == {("127.0.0.1", server.address[1]), ("127.0.0.1", server.dist_port)}
    epmd = psutil.Process(server.epmd.pid)
    assert epmd.cmdline()[1:4] == ["-d", "-port", str(server.epmd_port)] and "-daemon" not in epmd.cmdline()
    assert set(guarantees) == {"delivery", "ordering", "persistence", "who holds the queue"}


@needs_rabbitmq
def test_rabbitmq_password_and_cookie_are_per_start_private_files_never_argv(server):
    folder = Path(server._dir)
    conf, cookie = folder / "rabbitmq.conf", folder / ".erlang.cookie"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(conf.stat().st_mode), stat.S_IMODE(cookie.stat().st_mode)} <= {0o600, 0o400}
    assert f"default_user = {server.user}\ndefault_pass = {server.password}\n" in conf.read_text()
    secrets = [server.password, cookie.read_text().strip()]
    assert all(len(secret) >= 20 for secret in secrets)
    for process in family(server.process.pid) + [psutil.Process(server.epmd.pid)]:
        shown = " ".join(process.cmdline())
        assert not any(secret in shown for secret in secrets), process.name()
    assert server.password in server.banner and server.password not in server.url


def connects(server, user, password):
    """A refusal's message, or "" if RabbitMQ let user in."""
    params = pika.ConnectionParameters(*server.address, credentials=pika.PlainCredentials(user, password),
                                       connection_attempts=1, socket_timeout=5, blocked_connection_timeout=5)
    try:
        pika.BlockingConnection(params).close()
        return ""
    except pika.exceptions.ProbableAuthenticationError as error:
        return str(error)


@needs_rabbitmq
@pytest.mark.parametrize("user, password", [("guest", "guest"), ("owner", "guest"), ("owner", ""),
                                            ("guest", "owner's")])
def test_rabbitmq_has_no_guest_and_refuses_a_wrong_password(server, user, password):
    user = server.user if user == "owner" else user
    password = server.password if password == "owner's" else password
    assert "ACCESS_REFUSED" in connects(server, user, password)
    assert connects(server, server.user, server.password) == ""


@needs_rabbitmq
@pytest.mark.skipif(not shutil.which("erl"), reason="needs Erlang's erl to try the distribution")
def test_rabbitmq_erlang_distribution_needs_this_starts_cookie(server):
    cookie = (Path(server._dir) / ".erlang.cookie").read_text().strip()

    def run_id(with_cookie):
        code = (f"io:format(\"~p~n\", [rpc:call('{server.node}', os, cmd, [\"echo ran\"])]), halt().")
        return subprocess.run(["erl", "-sname", "probe", "-dist_listen", "false", "-hidden", "-setcookie", with_cookie,
                               "-noshell", "-eval", code], env=dict(os.environ, ERL_EPMD_PORT=str(server.epmd_port)),
                              capture_output=True, text=True, timeout=60, check=False).stdout.strip()
    assert run_id("guess") == "{badrpc,nodedown}"
    assert run_id(cookie) == '"ran\\n"'  # the cookie is the key to the VM: hence a private file, new each start


@needs_rabbitmq
def test_rabbitmq_pubsub_round_through_a_fanout_loses_nothing(server):
    result = pubsub_rate(server, count=500, size=100)
    assert result["lost"] == 0 and result["msgs_s"] > 0 and result["latency_us"] > 0


@needs_rabbitmq
def test_rabbitmq_queue_round_gives_each_item_to_exactly_one_consumer(server):
    items = [f"job-{n}" for n in range(60)]
    split = queue_round(server, items, consumers=3)
    assert sorted(split) == ["consumer-1", "consumer-2", "consumer-3"]
    assert sorted(item for got in split.values() for item in got) == sorted(items)
    assert sum(1 for got in split.values() if got) >= 2


@needs_rabbitmq
def test_rabbitmq_unacked_task_of_a_dead_worker_is_redelivered(server):
    rows = work_queue_demo(server, tasks=4)
    assert rows[0][:3] == ("worker A", "got, works on it, never acks", "task 0")
    assert [row[2] for row in rows if row[0] == "worker B"] == ["task 1", "task 2", "task 3", "task 0"]
    assert rows[-1] == ("worker B", "got and acked", "task 0", True)


@needs_rabbitmq
def test_rabbitmq_fanout_copies_and_topic_routes_by_pattern(server):
    assert fanout_demo(server, listeners=("a", "b"), messages=("x", "y")) == {"a": ["x", "y"], "b": ["x", "y"]}
    routes = topic_routes(server, {"star": ["kern.*"], "hash": ["kern.#"], "crit": ["*.critical"]},
                          ["kern", "kern.disk", "kern.disk.full", "rover.critical"])
    assert routes == {"kern": ["hash"], "kern.disk": ["star", "hash"], "kern.disk.full": ["hash"],
                      "rover.critical": ["crit"]}  # * is exactly one word, # is zero or more


@needs_rabbitmq
def test_rabbitmq_rpc_replies_match_their_correlation_ids(server):
    with RpcWorker(server, fib, queue="test-rpc") as worker, RpcClient(server, queue="test-rpc") as client:
        answers = [client.call(n) for n in (1, 10, 15)]
    assert [reply for reply, _ in answers] == ["1", "55", "610"] and worker.served == 3
    assert len({cid for _, cid in answers}) == 3


def send_raw(address, data, reset=False):
    """Send data on a fresh connection; reset=True vanishes with a TCP reset instead of a close."""
    with socket.create_connection(address, timeout=2) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the broker may close on us mid-send: that is its answer to bad input
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.parametrize("bad, reset", [
    (os.urandom(100_000), False),                                                     # garbage
    (HEADER + struct.pack("!BHI", 1, 0, 10 * 1024 * 1024) + os.urandom(10 * 1024 * 1024), False),  # 10 MB frame
    (HEADER + struct.pack("!BHI", 1, 0, 500) + b"\x00\x0a\x00\x0b" + b"z" * 100, True),  # vanishes mid-frame
    (HEADER + b"\xff\xfe\xc3(\xa0\xa1\xe2\x28\xa1" * 50 + b"\xce", False),               # not UTF-8
], ids=["garbage", "10MB", "vanishing", "non-utf8"])
@needs_rabbitmq
def test_rabbitmq_keeps_serving_after_bad_input(server, bad, reset):
    send_raw(server.address, bad, reset)
    assert server.ready() and server.process.poll() is None
    assert pubsub_rate(server, count=50)["lost"] == 0


@needs_rabbitmq
def test_rabbitmq_stop_leaves_no_erlang_process_socket_or_folder(server):
    processes = family(server.process.pid) + [psutil.Process(server.epmd.pid)]
    assert ERLANG <= {p.name() for p in processes} | {"inet_gethost"}  # what must all end
    ports, folder = [server.address[1], server.dist_port, server.epmd_port], server._dir
    server.stop()
    assert all_gone(processes, ports, wait=3.0) and not Path(folder).exists() and server not in running()
    server.stop()  # twice is fine


@needs_rabbitmq
def test_rabbitmq_taken_port_says_so_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServiceError, match="already in use") as failure:
            rabbitmq_server("test-rabbitmq-taken", port=taken.getsockname()[1]).start()
    assert "\n" not in str(failure.value)


@needs_rabbitmq
@pytest.mark.parametrize("which", ["epmd", "dist", "amqp"])
def test_rabbitmq_starts_again_when_a_port_it_picked_is_taken(monkeypatch, which):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        picks, real = [], rabbitmq.free_port

        def first_pick_taken(*args):
            picks.append(taken.getsockname()[1] if len(picks) == ["epmd", "dist", "amqp"].index(which) else real())
            return picks[-1]
        monkeypatch.setattr(rabbitmq, "free_port", first_pick_taken)
        srv = rabbitmq_server(f"test-rabbitmq-{which}-taken").start()
        try:
            assert len(picks) == 6 and taken.getsockname()[1] not in (srv.epmd_port, srv.dist_port, srv.address[1])
            assert srv.ready()
        finally:
            srv.stop()


def test_rabbitmq_missing_says_how_to_get_it_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(rabbitmq, "PLACES", [])
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/sbin")  # /usr/sbin holds Debian's root-only wrapper: not used
    with pytest.raises(ServiceError) as missing:
        rabbitmq_server("test-rabbitmq-missing").start()
    line = str(missing.value)
    assert "\n" not in line and "apt install rabbitmq-server" in line and "brew install rabbitmq" in line
    assert not rabbitmq_available() and capsys.readouterr().out == line + "\n"
    assert all(s.name != "test-rabbitmq-missing" for s in running())


ORPHAN = textwrap.dedent("""
    import os, time
    from helpers.brokers.rabbitmq import rabbitmq_server
    server = rabbitmq_server("test-rabbitmq-orphan").start()
    print(os.getuid(), server.process.pid, server.epmd.pid, server.address[1], server.dist_port, server.epmd_port,
          flush=True)
    time.sleep(120)
""")


@needs_rabbitmq
def test_rabbitmq_as_the_learner_dies_with_its_sigkilled_parent(home):
    prefix, who = unprivileged(home)  # as dis-learner when we are root
    with python_parent(ORPHAN, prefix=prefix, env=private_env(home), stderr=subprocess.PIPE) as parent:
        line = parent.stdout.readline().split()
        assert line, f"the server did not start as {who}: {parent.stderr.read()[-500:]}"
        uid, beam, epmd, *ports = map(int, line)
        if "--reuid" in " ".join(prefix):
            assert uid != 0 and psutil.Process(beam).uids().real == uid
        processes = family(beam) + [psutil.Process(epmd)]
        assert {p.name() for p in processes} >= {"beam.smp", "epmd", "erl_child_setup"}
        assert is_listening(("127.0.0.1", ports[0]))
        sigkill(parent)
        assert all_gone(processes, ports, wait=15.0), [p.name() for p in processes if p.is_running()]
