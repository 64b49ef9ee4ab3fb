"""Why a server sent nothing back, in words that fit the protocol it speaks."""
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


def nothing_back(address, data, closed, timeout, protocol=None):
    """The one-line error for a server that closed, or stayed silent, without replying."""
    protocol = protocol_at(address) if protocol is None else protocol
    why = hint(protocol, data, closed)
    where = f"{address[0]}:{address[1]}"
    said = (f"{where} closed the connection without a reply" if closed
            else f"{where} sent nothing back within {timeout:g} s")
    return f"{said} ({why})" if why else said
