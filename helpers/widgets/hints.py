"""Why a server sent nothing back, and what a reply means, in words that fit the protocol it speaks."""
import re
import struct

from helpers.core import registry


def protocol_at(address):
    """The protocol the running TCP service at address declares ("http", "redis", ...), or ""."""
    for service in registry.running():
        if service.address and tuple(service.address) == tuple(address) and "udp" not in service.kind:
            return getattr(service, "protocol", "")
    return ""


def size(count):
    """A byte count the way people say it: 1.75 GB, 12.3 kB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}"
    return f"{count} bytes"


def length_prefix(data, closed):
    """What a length-prefix server made of typed text."""
    if len(data) < 4:
        return f"it waits for a 4-byte length prefix and has {len(data)} byte(s) of it"
    (announced,) = struct.unpack("!I", data[:4])
    said = (f"it read the first 4 bytes, {data[:4]!r}, as a length prefix: a message of {announced:,} bytes "
            f"(~{size(announced)})")
    if closed:
        return said + ", more than it accepts, so it hung up; a binary length cannot be typed by hand"
    return said + f", and waits for {max(0, announced - len(data) + 4):,} more bytes"


def redis_command(data):
    """What a Redis server is waiting for."""
    if not data.endswith(b"\n"):
        return "Redis runs a command when its line ends with \\r\\n"
    return "Redis answers each whole command at once, except blocking ones such as BLPOP, which wait for data"


def hint(protocol, data, closed):
    """One clause saying what the server was probably waiting for (or why it hung up), or ""."""
    if not data:
        return "nothing was sent: type something first"
    if protocol == "length-prefixed":
        return length_prefix(data, closed)
    if closed:
        return ""
    if protocol == "http":
        return "an HTTP request ends with an empty line"
    if protocol == "redis":
        return redis_command(data)
    if protocol == "stomp":
        return "a STOMP frame ends with a NUL byte: type ^@ after its empty line"
    if protocol == "echo":
        return "an echo server sends back what it gets: did anything arrive?"
    return "is it waiting for more, such as the end of a line?"


def stomp_frame(reply):
    """What a STOMP broker's frames (a CONNECTED alone, or an ERROR) mean for the next thing to type, or ""."""
    frames = [frame.lstrip(b"\r\n") for frame in reply.split(b"\x00")]
    frames = [frame for frame in frames if frame]
    error = next((frame for frame in frames if frame.startswith(b"ERROR")), None)
    if error is None:
        if len(frames) == 1 and frames[0].startswith(b"CONNECTED"):
            return ("connected: each Send opens a new connection, so type SUBSCRIBE or SEND frames "
                    "after the CONNECT frame, in the same box")
        return ""
    said = re.search(rb"^message:(.*)$", error, re.MULTILINE)
    said = said[1].lower() if said else b""
    if b"host" in said:
        from helpers.brokers.stomp import virtual_host  # imported here: the shared widgets need no broker otherwise
        return f"STOMP 1.2 needs a host header naming the broker's machine: host:{virtual_host()}"
    if b"expected connect" in said:
        return "each Send is a new connection, and a STOMP connection starts with a CONNECT frame"
    return "the broker refused a frame: its message: header says why"


def redis_reply(reply):
    """What a Redis refusal asks for next (log in first, another password), or ""."""
    if b"-WRONGPASS" in reply:
        return "wrong password: the server's .password is made up anew at each start"
    if b"-NOAUTH" in reply:
        return ("Redis wants AUTH first: make the first line AUTH followed by the password, the server's .password "
                "(made up at random when it started)")
    if b"-NOPERM" in reply:
        return "your Redis user may not run that command: it could write files or take the server over"
    return ""


def reply_hint(protocol, reply):
    """One clause on what a reply means for the next thing to try, or "" (STOMP frames and Redis refusals so far)."""
    if protocol == "stomp" or (not protocol and reply.split(b"\n", 1)[0].rstrip(b"\r") in (b"CONNECTED", b"ERROR")):
        return stomp_frame(reply)
    if protocol == "redis":
        return redis_reply(reply)
    return ""


def nothing_back(address, data, closed, timeout, protocol=None):
    """The one-line error for a server that closed, or stayed silent, without replying."""
    protocol = protocol_at(address) if protocol is None else protocol
    why = hint(protocol, data, closed)
    where = f"{address[0]}:{address[1]}"
    said = (f"{where} closed the connection without a reply" if closed
            else f"{where} sent nothing back within {timeout:g} s")
    return f"{said} ({why})" if why else said
