"""STOMP: coilmq in a child process; its login and passcode, topic fan-out, queue competing consumers, raw frames,
bad input, no orphans."""
import os
import socket
import textwrap
import time

import psutil
import pytest

from helpers import ServiceError, running, stop_all
from helpers.brokers.stomp import (NUL, BadFrame, Inbox, close, connect, connect_frame, fan_out, frame_text,
                                   guarantees, handshake, pubsub_rate, queue_round, raw_round, split_frames,
                                   stomp_server, subscribe, virtual_host)
from helpers.core.ports import is_listening
from ended import all_gone, python_parent, sigkill


@pytest.fixture(scope="module")
def server():
    srv = stomp_server("test-stomp").start()
    yield srv
    stop_all()


def test_stomp_broker_answers_connect_on_its_port_with_private_output(server):
    assert server in running() and server.process.poll() is None and server.address[0] == "127.0.0.1"
    for fd in (1, 2):  # never the notebook's output, not even a traceback
        assert os.readlink(f"/proc/{server.process.pid}/fd/{fd}") == "/dev/null"
    reply = handshake(server.address, server.connect_frame())
    assert reply.startswith(b"CONNECTED\n") and b"\nversion:1.2\n" in reply and reply.endswith(b"\x00")
    assert set(guarantees) == {"delivery", "ordering", "persistence", "who holds the queue"}


def test_stomp_12_needs_the_brokers_fqdn_as_host_but_10_needs_no_header(server):
    assert virtual_host() == socket.getfqdn()
    wrong = handshake(server.address, server.connect_frame(host="not-" + virtual_host()))
    assert wrong.startswith(b"ERROR\n") and b"Virtual hosting is not supported" in wrong
    assert handshake(server.address, server.connect_frame("1.0")).startswith(b"CONNECTED\n")
    assert handshake(server.address, server.connect_frame("1.1", host="anything")).startswith(b"CONNECTED\n")


def test_stomp_passcode_is_per_start_handed_over_stdin_never_argv(server):
    assert server.passcode and len(server.passcode) >= 20 and server.login
    child = psutil.Process(server.process.pid)
    assert server.passcode not in " ".join(child.cmdline()) and server.passcode not in str(child.environ())
    assert f"login:{server.login}\npasscode:{server.passcode}\n" in server.typed_connect()
    assert server.passcode in server.banner
    with stomp_server("test-stomp-other") as other:
        assert other.passcode != server.passcode


@pytest.mark.parametrize("login, passcode", [(None, None), ("me", "wrong"), ("owner", "wrong"), ("owner", ""),
                                             ("someone-else", "owner's")])
def test_stomp_refuses_connect_without_the_login_and_passcode(server, login, passcode):
    login = server.login if login == "owner" else login
    passcode = server.passcode if passcode == "owner's" else passcode
    for version in ("1.0", "1.2"):
        reply = send_raw(server.address, connect_frame(version, login=login, passcode=passcode))
        assert reply.startswith(b"ERROR\nmessage:Authentication failed for") and reply.endswith(NUL), reply
        assert reply.count(NUL) == 1  # the broker said why and hung up
    with pytest.raises(ServiceError, match="Authentication failed"):
        connect(server.address, login=login, passcode=passcode)


def test_stomp_frames_after_a_refused_connect_are_never_run(server):
    box = Inbox()
    owner = server.client("owner", listener=box)
    try:
        subscribe(owner, "/queue/refused", "owner")
        reply = send_raw(server.address, connect_frame(login=server.login, passcode="wrong")
                         + b"SEND\ndestination:/queue/refused\nreceipt:r\n\nforged\x00"
                         + b"SUBSCRIBE\nid:0\ndestination:/queue/refused\n\n\x00")
        assert reply.startswith(b"ERROR\n") and b"RECEIPT" not in reply and b"MESSAGE" not in reply
        owner.send("/queue/refused", "genuine")
        assert box.wait(1, timeout=2) == ["genuine"]  # only the owner's message reached the queue
    finally:
        close(owner)


def test_stomp_pubsub_round_loses_nothing(server):
    result = pubsub_rate(server, count=500, size=100)
    assert result["lost"] == 0 and result["msgs_s"] > 0 and result["latency_us"] > 0


def test_stomp_topic_fans_out_and_queue_shares_out(server):
    topic = fan_out(server, count=4, subscribers=3, destination="/topic/t")
    assert list(topic.values()) == [[f"message {n}" for n in range(1, 5)]] * 3  # everyone gets everything, in order
    queue = fan_out(server, count=30, subscribers=3, destination="/queue/q")
    assert sorted(sum(queue.values(), []), key=lambda m: int(m.split()[1])) == [f"message {n}" for n in range(1, 31)]
    assert sum(1 for got in queue.values() if got) >= 2


def test_stomp_queue_round_gives_each_item_to_exactly_one_consumer(server):
    items = [{"job": n} for n in range(40)]
    split = queue_round(server, items, consumers=3)
    assert sorted(split) == ["consumer-1", "consumer-2", "consumer-3"]
    assert sorted((item for got in split.values() for item in got), key=lambda i: i["job"]) == items
    assert sum(1 for got in split.values() if got) >= 2


def test_stomp_raw_send_becomes_a_message_frame(server):
    sent, received = raw_round(server, body="hi ☃")
    assert sent.startswith(b"SEND\ndestination:/topic/raw\n") and sent.endswith("hi ☃".encode() + b"\x00")
    head = received.split(b"\n\n")[0].decode().splitlines()
    assert head[0] == "MESSAGE" and "subscription:0" in head and "destination:/topic/raw" in head
    assert any(line.startswith("message-id:") for line in head) and received.endswith("hi ☃".encode() + b"\x00")
    assert frame_text(received).endswith("hi ☃^@")


def test_split_frames_waits_for_whole_frames_and_refuses_big_ones():
    pending = bytearray(b"\n\r\nSEND\ndestination:/q\n\nab")
    assert split_frames(pending) == [] and pending == bytearray(b"SEND\ndestination:/q\n\nab")
    pending += b"c\x00\nSEND\r\ncontent-length:2\r\n\r\n\x00\x00\x00SE"
    assert split_frames(pending) == [b"SEND\ndestination:/q\n\nabc\x00",
                                     b"SEND\r\ncontent-length:2\r\n\r\n\x00\x00\x00"]
    assert pending == bytearray(b"SE")
    with pytest.raises(BadFrame, match="larger"):
        split_frames(bytearray(b"SEND\ncontent-length:99999999\n\n"))
    with pytest.raises(BadFrame, match="NUL"):
        split_frames(bytearray(b"SEND\ncontent-length:1\n\nab\x00"))


def test_stomp_frame_arriving_in_pieces_is_still_delivered(server):
    # coilmq's own reader dropped a connection whose frame (without content-length) came in two reads
    with socket.create_connection(server.address, timeout=2) as sub, \
            socket.create_connection(server.address, timeout=2) as pub:
        for sock in (sub, pub):
            sock.sendall(server.connect_frame())
            assert sock.recv(4096).startswith(b"CONNECTED")
        sub.sendall(b"SUBSCRIBE\nid:0\ndestination:/topic/pieces\nreceipt:r\n\n\x00")
        assert sub.recv(4096).startswith(b"RECEIPT")
        pub.sendall(b"SEND\ndestination:/topic/pie")
        time.sleep(0.05)  # let the broker read the first piece on its own
        pub.sendall(b"ces\n\nwhole\x00")
        assert sub.recv(4096).startswith(b"MESSAGE\n") and pub.fileno() >= 0


def test_stomp_stop_leaves_no_process_or_socket():
    srv = stomp_server("test-stomp-stop").start()
    process, port = psutil.Process(srv.process.pid), srv.address[1]
    srv.stop()
    assert all_gone([process], [port]) and srv not in running()
    srv.stop()  # twice is fine


def test_stomp_start_failure_says_why_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServiceError, match="(?i)address already in use") as failure:
            stomp_server("test-stomp-taken", port=taken.getsockname()[1]).start()
    assert "\n" not in str(failure.value)


ORPHAN = textwrap.dedent("""
    import time
    from helpers.brokers.stomp import stomp_server
    server = stomp_server("test-stomp-orphan").start()
    print(server.process.pid, server.address[1], flush=True)
    time.sleep(60)
""")


def test_stomp_broker_dies_when_its_parent_python_is_sigkilled():
    with python_parent(ORPHAN) as parent:
        pid, port = map(int, parent.stdout.readline().split())
        child = psutil.Process(pid)
        assert child.ppid() == parent.pid and is_listening(("127.0.0.1", port))
        sigkill(parent)
        assert all_gone([child], [port])


def send_raw(address, data, reset=False):
    """Send data on a fresh connection, then everything the broker said; reset=True vanishes with a TCP reset."""
    with socket.create_connection(address, timeout=2) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the broker may close on us mid-send: that is its answer to bad input
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return b""
        reply = b""
        try:
            sock.shutdown(socket.SHUT_WR)  # our end is done: the broker reads EOF and hangs up
            while chunk := sock.recv(65536):
                reply += chunk
        except OSError:
            pass
        return reply


HELLO = b"<CONNECT with the login>"
BAD = {
    "garbage": (os.urandom(100_000), False, b""),
    "10MB": (HELLO + b"SEND\ndestination:/topic/x\ncontent-length:10485760\n\n" + b"y" * 10_485_760 + b"\x00",
             False, b"ERROR"),
    "10MB-no-length": (HELLO + b"SEND\ndestination:/topic/x\n\n" + os.urandom(10 * 1024 * 1024).replace(b"\x00", b"z"),
                       False, b"ERROR"),
    "vanishing": (HELLO + b"SUBSCRIBE\nid:1\ndestination:/queue/v\n\n\x00SEND\ndestination:/topic/x\n\nhal", True, b""),
    "non-utf8": (b"CONNECT\naccept-version:1.2\nhost:\xff\xfe\xc3\n\n\x00", False, b"ERROR"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_stomp_keeps_serving_after_bad_input(server, name):
    bad, reset, answer = BAD[name]
    reply = send_raw(server.address, bad.replace(HELLO, server.connect_frame()), reset)
    assert answer in reply and server.process.poll() is None
    assert handshake(server.address, server.connect_frame(), timeout=2).startswith(b"CONNECTED\n")
    assert pubsub_rate(server, count=50)["lost"] == 0
