"""Two-account attacks on notebook 08's brokers: NATS (token), STOMP (login and passcode) and RabbitMQ (user,
password and Erlang cookie). A classmate who reached them could read, forge or steal the owner's messages, and
with RabbitMQ's cookie run any code as the owner."""
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import nats
import pika

from kit import Attack, Breach, refusal

from helpers.brokers.nats import run_sync
from helpers.brokers.stomp import NUL, Inbox, close, subscribe, virtual_host

NOTE = "the owner's note"
GUESS = "guess"


def owner_name(facts):
    """The owner's login name: any account can look it up from the uid."""
    return pwd.getpwuid(facts["uid"]).pw_name


# --- NATS ---------------------------------------------------------------------------------------------------

def nats_owner(server):
    """Store a note in a JetStream stream with the course's own client (it sends this start's token itself)."""
    async def store():
        conn = await server.client("owner")
        try:
            js = conn.jetstream(timeout=2)
            await js.add_stream(name="DIARY", subjects=["diary.>"])
            await js.publish("diary.owner", NOTE.encode())
            stored = await js.get_last_msg("DIARY", "diary.owner")
            assert stored.data == NOTE.encode(), stored
        finally:
            await conn.close()
    run_sync(store)
    return {"host": server.address[0], "port": server.address[1]}, [server.token]


def nats_raw(facts, commands, token=None):
    """Send CONNECT (with token if given), then commands and PING; return what the server said."""
    options = {"verbose": False, "pedantic": False, **({"auth_token": token} if token else {})}
    with socket.create_connection((facts["host"], facts["port"]), timeout=5) as sock, sock.makefile("rb") as reader:
        assert reader.readline().startswith(b"INFO "), "not a NATS server"
        sock.sendall(b"CONNECT " + json.dumps(options).encode() + b"\r\n" + commands + b"PING\r\n")
        said = []
        try:
            while line := reader.readline():  # up to the refusal, or PONG once every command went through
                said.append(line.decode(errors="replace").strip())
                if line.startswith(b"-ERR"):
                    break
                if line.startswith(b"PONG"):
                    sock.settimeout(1)  # then what a subscription may still bring (JetStream answers later)
        except OSError:
            pass
    text = " | ".join(said)
    if "PONG" in text or "MSG " in text:
        raise Breach(f"the server took the commands without a token: {text[:200]}")
    return text


async def quiet(error):
    """nats-py's background errors: the refusal comes back from connect() itself."""


def nats_without_token(facts):
    """Connect with nats-py, as a classmate would, without any token."""
    async def connect():
        conn = await nats.connect(f"nats://{facts['host']}:{facts['port']}", connect_timeout=3, allow_reconnect=False,
                                  max_reconnect_attempts=0, error_cb=quiet)
        await conn.close()
    try:
        run_sync(connect)
    except Exception as error:  # nats.errors.Error: the server's -ERR
        return refusal(error)
    raise Breach("nats-py connected without a token")


NATS_READ_STORED = b'SUB _INBOX.me 1\r\nPUB $JS.API.STREAM.MSG.GET.DIARY _INBOX.me 9\r\n{"seq":1}\r\n'

# --- STOMP --------------------------------------------------------------------------------------------------


def stomp_owner(server):
    """Leave a note on a queue with the course's own client (it sends this start's login and passcode itself)."""
    conn = server.client("owner")
    try:
        stored = conn.waiter.receipts.setdefault("stored", threading.Event())
        conn.send("/queue/diary", NOTE, headers={"receipt": "stored"})
        assert stored.wait(3) and not conn.waiter.error, conn.waiter.error
    finally:
        close(conn)
    return {"host": server.address[0], "port": server.address[1]}, [server.passcode]


def stomp_owner_again(server, facts):
    """The owner's note is still on the queue, and only the owner collects it."""
    box = Inbox()
    conn = server.client("owner-again", listener=box)
    try:
        subscribe(conn, "/queue/diary", "mine")
        assert NOTE in box.wait(1, timeout=3), f"the owner's note is gone: {box.bodies}"
    finally:
        close(conn)


def stomp_raw(facts, frames):
    """Send frames on a fresh connection and return every frame the broker sent back before it hung up."""
    with socket.create_connection((facts["host"], facts["port"]), timeout=5) as sock:
        sock.sendall(frames)
        said = b""
        try:
            while chunk := sock.recv(65536):
                said += chunk
                if b"MESSAGE\n" in said:
                    break
        except OSError:
            pass
    text = said.decode(errors="replace").replace("\x00", " ^@ ").replace("\n", "\\n")
    if said.lstrip(b"\r\n").startswith((b"CONNECTED", b"MESSAGE", b"RECEIPT")) or b"MESSAGE\n" in said:
        raise Breach(f"the broker took it: {text[:200]}")
    return text[:300]


def stomp_attempt(login=None, passcode=None, then=b""):
    """A CONNECT frame typed by the classmate (with login and passcode if given), then more frames."""
    def attempt(facts):
        who = owner_name(facts) if login == "owner" else login
        lines = ["CONNECT", "accept-version:1.2", f"host:{virtual_host()}"]
        lines += [f"login:{who}", f"passcode:{passcode}"] if who else []
        return stomp_raw(facts, "\n".join(lines).encode() + b"\n\n" + NUL + then)
    return attempt


STOMP_SEND = b"SEND\ndestination:/queue/diary\nreceipt:forged\n\na forged note" + NUL
STOMP_SUBSCRIBE = b"SUBSCRIBE\nid:0\ndestination:/queue/diary\nack:auto\n\n" + NUL

# --- RabbitMQ -----------------------------------------------------------------------------------------------


def rabbitmq_owner(server):
    """Leave a note on a queue with the course's own client (it logs in as this start's user itself)."""
    with server.client() as conn:
        ch = conn.channel()
        ch.queue_declare("diary")
        ch.confirm_delivery()  # basic_publish returns once the broker has queued the note
        ch.basic_publish("", "diary", NOTE.encode())
        assert ch.queue_declare("diary", passive=True).method.message_count >= 1
    cookie = (Path(server._dir) / ".erlang.cookie").read_text().strip()
    facts = {"host": server.address[0], "port": server.address[1], "epmd_port": server.epmd_port}
    return facts, [server.password, cookie]


def rabbitmq_owner_again(server, facts):
    """The owner's note is still queued: nobody took it."""
    with server.client() as conn:
        body = conn.channel().basic_get("diary", auto_ack=False)[2]
        assert body == NOTE.encode(), f"the owner's note is gone: {body!r}"


def amqp_login(user, password):
    def attempt(facts):
        who = owner_name(facts) if user == "owner" else user
        credentials = pika.PlainCredentials(who, password)
        params = pika.ConnectionParameters(facts["host"], facts["port"], credentials=credentials, connection_attempts=1,
                                           socket_timeout=5, blocked_connection_timeout=5)
        try:
            conn = pika.BlockingConnection(params)
        except pika.exceptions.ProbableAuthenticationError as error:
            return refusal(error)
        with conn:
            got = conn.channel().basic_get("diary", auto_ack=True)[2]
        raise Breach(f"logged in as {who}/{password} and took the owner's note: {got!r}")
    return attempt


def read_cookie(facts):
    """Open the owner's Erlang cookie: whoever holds it can run code in the broker's VM."""
    folders = [f for f in Path(tempfile.gettempdir()).glob("rabbitmq-*") if f.stat().st_uid == facts["uid"]]
    assert folders, "the owner's RabbitMQ folder is not in the temporary folder"
    for folder in folders:
        try:
            cookie = (folder / ".erlang.cookie").read_text()
        except OSError as error:
            return refusal(error)
        raise Breach(f"read the owner's Erlang cookie ({len(cookie)} characters) in {folder}")


def epmd_names(facts):
    """The node names epmd lists (any account may ask: the names and ports are no secret)."""
    with socket.create_connection((facts["host"], facts["epmd_port"]), timeout=5) as sock:
        sock.sendall(b"\x00\x01n")
        said = b""
        while chunk := sock.recv(4096):
            said += chunk
    return [line.split()[1] for line in said[4:].decode().splitlines() if line.startswith("name ")]


def erlang_with_guessed_cookie(facts):
    """Connect to the broker's Erlang node as a hidden node with a guessed cookie and run `id` in it."""
    erl = shutil.which("erl") or "/usr/lib/erlang/bin/erl"
    names = epmd_names(facts)
    assert names, "epmd lists no node"
    node = f"{names[0]}@localhost"
    code = (f"N = '{node}', C = net_kernel:connect_node(N), R = rpc:call(N, os, cmd, [\"id -un\"]), "
            "io:format(\"connect_node -> ~p, rpc -> ~p~n\", [C, R]), halt().")
    env = dict(os.environ, ERL_EPMD_PORT=str(facts["epmd_port"]))
    out = subprocess.run([erl, "-sname", "classmate", "-dist_listen", "false", "-hidden", "-setcookie", GUESS,
                          "-noshell", "-eval", code], env=env, capture_output=True, text=True, timeout=60,
                         check=False).stdout.strip()
    if "connect_node -> true" in out or "badrpc" not in out:
        raise Breach(f"ran code in the owner's Erlang node: {out[:200]}")
    return f"epmd lists {names}; with a guessed cookie, {out}"


ATTACKS = {
    "nats": Attack(owner=nats_owner, tries=[
        ("connect with nats-py, no token", nats_without_token, r"Authorization Violation"),
        ("connect with a wrong token", lambda f: nats_raw(f, b"", token=GUESS), r"^-ERR 'Authorization Violation'$"),
        ("subscribe to > to read the owner's messages", lambda f: nats_raw(f, b"SUB > 1\r\n"),
         r"^-ERR 'Authorization Violation'$"),
        ("read the owner's stored note through JetStream's API", lambda f: nats_raw(f, NATS_READ_STORED),
         r"^-ERR 'Authorization Violation'$"),
        ("publish on the owner's subject", lambda f: nats_raw(f, b"PUB diary.owner 6\r\nforged\r\n"),
         r"^-ERR 'Authorization Violation'$"),
    ]),
    "stomp": Attack(owner=stomp_owner, check_again=stomp_owner_again, tries=[
        ("CONNECT without login", stomp_attempt(), r"^ERROR\\nmessage:Authentication failed for None\\n"),
        ("CONNECT as the owner with a guessed passcode", stomp_attempt("owner", GUESS),
         r"^ERROR\\nmessage:Authentication failed for dis-owner\\n"),
        ("SEND a forged note to the owner's queue", stomp_attempt(then=STOMP_SEND),
         r"^ERROR\\nmessage:Authentication failed for None\\n.*\^@ $"),
        ("SUBSCRIBE to the owner's queue to take the note", stomp_attempt("owner", GUESS, STOMP_SUBSCRIBE),
         r"^ERROR\\nmessage:Authentication failed for dis-owner\\n.*\^@ $"),
    ]),
    "rabbitmq": Attack(owner=rabbitmq_owner, check_again=rabbitmq_owner_again, tries=[
        ("log in as guest/guest, RabbitMQ's well-known default", amqp_login("guest", "guest"),
         r"ProbableAuthenticationError.*403.*ACCESS_REFUSED - Login was refused"),
        ("log in as the owner with a guessed password", amqp_login("owner", GUESS),
         r"ProbableAuthenticationError.*403.*ACCESS_REFUSED - Login was refused"),
        ("read the owner's Erlang cookie", read_cookie, r"^PermissionError: \[Errno 13\] Permission denied"),
        ("run `id` in the broker's Erlang VM with a guessed cookie", erlang_with_guessed_cookie,
         r"with a guessed cookie, connect_node -> false, rpc -> \{badrpc,nodedown\}"),
    ]),
}
