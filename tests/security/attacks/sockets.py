"""Two-account attacks on the sockets topic's servers and notebook 11's feed: open by design, each answers only
with its own fixed behaviour (a greeting and the clock, capitals, a recording, a public sample feed)."""
from kit import Attack, Breach

from helpers.core.client import ask, udp_ask

TIMEOUT = 5
COMMAND = b"cat ~/.ssh/id_rsa\n"


def address(facts):
    return facts["host"], facts["port"]


def tcp_owner(server):
    assert b"Are you talking to me" in ask(server.address, b"Hey!", timeout=TIMEOUT)
    return {"host": server.address[0], "port": server.address[1]}, []


def udp_owner(server):
    assert b"Are you talking to me" in udp_ask(server.address, b"Hey!", timeout=TIMEOUT)
    return {"host": server.address[0], "port": server.address[1]}, []


def greeting_only(send):
    def attempt(facts):
        reply = send(address(facts), COMMAND, timeout=TIMEOUT)
        if not reply.startswith(b"Are you talking to me"):
            raise Breach(f"unexpected reply {reply[:80]!r}")
        return f"answered only with its greeting: {reply[:60]!r}"
    return attempt


def feed_owner(server):
    from helpers.serialization import read_feed
    assert len(read_feed(server.address, timeout=TIMEOUT)) == len(server.lines)
    return {"host": server.address[0], "port": server.address[1]}, []


def feed_read_only(facts):
    """Send a record and a command of one's own, then read: the feed sends its fixed sample lines, it reads nothing."""
    import contextlib
    import socket

    from helpers.serialization.feed import LINES, read_feed
    with socket.create_connection(address(facts), timeout=TIMEOUT) as sock, contextlib.suppress(OSError):
        sock.sendall(b'{"id": 1, "name": "PLANTED"}\n' + COMMAND)  # it may have closed already: it never reads
    reply = read_feed(address(facts), timeout=TIMEOUT)
    if reply != [line.rstrip(b"\n") for line in LINES]:
        raise Breach(f"the feed changed: {reply[:2]!r}")
    return f"read-only: the same {len(LINES)} sample lines to everyone, nothing taken in"


def start_shout():
    from helpers.sockets import threaded_server
    return threaded_server(name="shout-threads").start()


def start_selectors():
    from helpers.sockets import selector_server
    return selector_server(name="shout-selectors").start()


def shout_owner(server):
    from helpers.sockets import talk_at_once
    exchanges = talk_at_once(server.address, clients=2, messages=2, pause=0)
    assert all(e.reply == f"CLIENT {e.client} MESSAGE {e.message}".encode() for e in exchanges), exchanges
    return {"host": server.address[0], "port": server.address[1]}, []


def capitals_only(facts):
    import socket

    from helpers.sockets import LengthPrefix, recv_message, send_message
    with socket.create_connection(address(facts), timeout=TIMEOUT) as sock:
        send_message(sock, COMMAND, LengthPrefix())
        reply = recv_message(sock, LengthPrefix())
    if reply != COMMAND.upper():
        raise Breach(f"unexpected reply {reply!r}")
    return f"answered only in capitals: {reply!r}"


def start_recorder():
    from helpers.sockets import recv_recorder
    return recv_recorder(name="recorder")


def recorder_owner(server):
    ask(server.address, b"Hey! Are you talking to me?", timeout=TIMEOUT)
    return {"host": server.address[0], "port": server.address[1]}, []


def recorder_again(server, facts):
    """The owner's recording is there (a classmate's may come first: it only records, it shows nobody)."""
    ask(server.address, b"Hey! Are you talking to me?", timeout=TIMEOUT)
    found = [server.chunks(timeout=TIMEOUT) for _ in range(server.stats.clients - server.taken)]
    assert [b"Hey! Are you talking to me?"] in found, found


def nothing_back(facts):
    reply = ask(address(facts), COMMAND, timeout=TIMEOUT)
    if reply:
        raise Breach(f"it answered {reply[:80]!r}")
    return "sends nothing back: it only records what it receives"


TIME = "it answers with the caller's own address and its clock: nothing of the owner's to read, nothing to run"
ATTACKS = {
    "udp-time": Attack(owner=udp_owner, open=TIME,
                       tries=[("send a shell command", greeting_only(udp_ask), r"only with its greeting")]),
    "tcp-time": Attack(owner=tcp_owner, open=TIME,
                       tries=[("send a shell command", greeting_only(ask), r"only with its greeting")]),
    "observation-feed": Attack(owner=feed_owner, open="a public, read-only sample feed: the same lines to everyone",
                               tries=[("send a record and a command to the feed", feed_read_only, r"^read-only")]),
    "shout-threads": Attack(owner=shout_owner, start=start_shout, open="it answers each message in capitals",
                            tries=[("send a shell command", capitals_only, r"only in capitals")]),
    "shout-selectors": Attack(owner=shout_owner, start=start_selectors, open="it answers each message in capitals",
                              tries=[("send a shell command", capitals_only, r"only in capitals")]),
    "recorder": Attack(owner=recorder_owner, start=start_recorder, check_again=recorder_again,
                       open="it reads and records, sending nothing back: a classmate can add a recording, not read one",
                       tries=[("send a command and read the answer", nothing_back, r"sends nothing back")]),
}
