"""Two-account attack on the course's redis-server (notebooks 00, 02, 06, 07). Open, it let a classmate read and
change the owner's keys, publish on the owner's channels, and, with CONFIG SET dir + SAVE, write a file anywhere
the owner may (redis-server runs as the owner), such as the owner's home."""
import socket
from pathlib import Path

from kit import Attack, Breach

NOTE = "the owner's note"
PLANTED = "planted-by-a-classmate"  # the file name the classmate's SAVE would write into the owner's home
GUESSES = [b'AUTH ""', b"AUTH redis", b"AUTH foobared", b'AUTH default ""', b"AUTH course course",
           b"HELLO 3 AUTH default password"]


def owner(server):
    """Store a key, publish on a channel a subscriber listens to, add to a stream: with the course's own client."""
    conn = server.client()
    sub = conn.pubsub()
    sub.subscribe("owner-news")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    conn.set("diary", NOTE)
    assert conn.publish("owner-news", "hello") == 1
    assert sub.get_message(timeout=5)["data"] == "hello"
    conn.xadd("cat-hats", {"cat": "persian", "hat": "fedora"})
    sub.close()
    conn.close()
    return {"host": server.address[0], "port": server.address[1]}, [server.password, server._course_password]


def check_again(server, facts):
    """The owner's key is as they left it, the owner still works with it, and no file was planted in their home."""
    with server.client() as conn:
        assert conn.get("diary") == NOTE, conn.get("diary")
        assert conn.set("diary", NOTE) and conn.xlen("cat-hats") >= 1
    assert not (Path(facts["home"]) / PLANTED).exists(), "a classmate's SAVE wrote a file into the owner's home"


def raw(facts, *lines):
    """Send Redis commands as lines on one connection (as netcat would); every reply line, joined with ' | '."""
    with socket.create_connection((facts["host"], facts["port"]), timeout=5) as sock:
        sock.sendall(b"".join(line + b"\r\n" for line in lines))
        reader, replies = sock.makefile("rb"), []
        try:
            while len(replies) < len(lines) and (line := reader.readline()):
                replies.append(line.decode(errors="replace").strip())
                if line.startswith(b"$") and line[1:2] != b"-":  # a bulk reply: its body is the next line
                    replies[-1] += " " + reader.readline().decode(errors="replace").strip()
        except OSError:
            pass
    return " | ".join(replies)


def refused_all(text, count, what):
    """text unless a reply was not an error, else Breach(what)."""
    replies = text.split(" | ")
    if len(replies) < count or any(not reply.startswith("-") for reply in replies):
        raise Breach(f"{what}: {text[:200]}")
    return text


def plant_a_file(facts):
    """The classic Redis take-over: point its folder at the owner's home, name the dump file, SAVE."""
    said = raw(facts, f'CONFIG SET dir "{facts["home"]}"'.encode(), f"CONFIG SET dbfilename {PLANTED}".encode(),
               b"SAVE")
    return refused_all(said, 3, f"SAVE wrote {facts['home']}/{PLANTED} as the owner")


def read_the_owners_key(facts):
    said = raw(facts, b"GET diary", b"XRANGE cat-hats - +")
    if NOTE in said or "persian" in said:
        raise Breach(f"read the owner's data: {said[:200]}")
    return refused_all(said, 2, "the server answered")


def publish_on_the_owners_channel(facts):
    said = raw(facts, b"PUBLISH owner-news forged")
    return refused_all(said, 1, "published a forged message to the owner's subscriber")


def subscribe_to_the_owners_channel(facts):
    said = raw(facts, b"SUBSCRIBE owner-news")
    return refused_all(said, 1, "subscribed to the owner's channel")


def guess_the_password(facts):
    said = raw(facts, *GUESSES, b"GET diary")
    if NOTE in said:
        raise Breach(f"a guessed password let the classmate in: {said[:200]}")
    return refused_all(said, len(GUESSES) + 1, "it wants no password, or took a guessed one")


ATTACKS = {
    "redis": Attack(owner=owner, check_again=check_again, tries=[
        ("CONFIG SET dir to the owner's home, dbfilename, SAVE (plant a file as the owner)", plant_a_file,
         r"^-NOAUTH.*\| -NOAUTH.*\| -NOAUTH"),
        ("read the owner's key and stream", read_the_owners_key, r"^-NOAUTH Authentication required\. \| -NOAUTH"),
        ("PUBLISH on the owner's channel", publish_on_the_owners_channel, r"^-NOAUTH Authentication required\.$"),
        ("SUBSCRIBE to the owner's channel", subscribe_to_the_owners_channel, r"^-NOAUTH Authentication required\.$"),
        ("AUTH with an empty, the old default and guessed passwords, then GET", guess_the_password,
         r"^(-WRONGPASS invalid username-password pair or user is disabled\. \| ){6}-NOAUTH"),
    ]),
}
