"""Messages over a byte stream: three ways to mark where one message ends and the next begins.

Each framing has `encode(payload)` -> bytes to send, and a buffer you `feed()` with whatever
recv() returned; it gives back the whole messages found so far. Use one framing object per
connection, since it remembers the bytes of a message that has not fully arrived yet.
"""
import struct

MAX_SIZE = 16 * 1024 * 1024  # refuse bigger messages instead of buffering them forever


class Framing:
    """Common part: a buffer of received bytes that whole messages are taken from."""

    name = "framing"

    def __init__(self):
        self.buffer = bytearray()

    def encode(self, payload):
        """The bytes to send for one message."""
        raise NotImplementedError

    def take(self):
        """Remove one whole message from the buffer and return it, or None if none is complete."""
        raise NotImplementedError

    def feed(self, chunk):
        """Add bytes from recv() and return the list of messages that are now complete."""
        self.buffer += chunk
        messages = []
        while (message := self.take()) is not None:
            messages.append(message)
        return messages


class FixedSize(Framing):
    """Every message is exactly `size` bytes; shorter ones are padded, longer ones refused."""

    name = "fixed size"

    def __init__(self, size=16, pad=b" "):
        super().__init__()
        self.size, self.pad = size, pad

    def encode(self, payload):
        if len(payload) > self.size:
            raise ValueError(f"{len(payload)} bytes do not fit in a fixed {self.size}-byte message")
        return bytes(payload).ljust(self.size, self.pad)

    def take(self):
        if len(self.buffer) < self.size:
            return None
        message = bytes(self.buffer[:self.size])
        del self.buffer[:self.size]
        return message


class LengthPrefix(Framing):
    """Each message is a 4-byte big-endian length (struct format "!I"), then that many bytes."""

    name = "length prefix"
    header = struct.Struct("!I")

    def __init__(self, max_size=MAX_SIZE):
        super().__init__()
        self.max_size = max_size

    def encode(self, payload):
        if len(payload) > self.max_size:
            raise ValueError(f"{len(payload)} bytes is more than the {self.max_size}-byte limit")
        return self.header.pack(len(payload)) + bytes(payload)

    def take(self):
        if len(self.buffer) < self.header.size:
            return None
        (length,) = self.header.unpack_from(self.buffer)
        if length > self.max_size:
            raise ValueError(f"a message announced {length} bytes, more than the {self.max_size}-byte limit")
        end = self.header.size + length
        if len(self.buffer) < end:
            return None
        message = bytes(self.buffer[self.header.size:end])
        del self.buffer[:end]
        return message


class Delimiter(Framing):
    """Each message ends with a delimiter byte string (a newline by default); payloads must not contain it."""

    name = "delimiter"

    def __init__(self, delimiter=b"\n", max_size=MAX_SIZE):
        super().__init__()
        self.delimiter, self.max_size = delimiter, max_size
        self._searched = 0  # bytes of the buffer already known to hold no delimiter

    def encode(self, payload):
        if self.delimiter in payload:
            raise ValueError(f"the payload contains the delimiter {self.delimiter!r}")
        return bytes(payload) + self.delimiter

    def take(self):
        end = self.buffer.find(self.delimiter, self._searched)
        if end < 0:
            if len(self.buffer) > self.max_size:
                raise ValueError(f"no {self.delimiter!r} within {self.max_size} bytes")
            self._searched = max(0, len(self.buffer) - len(self.delimiter) + 1)
            return None
        message = bytes(self.buffer[:end])
        del self.buffer[:end + len(self.delimiter)]
        self._searched = 0
        return message


def send_message(sock, payload, framing):
    """Send one framed message."""
    sock.sendall(framing.encode(payload))


def recv_message(sock, framing, bufsize=65536):
    """Read until one whole message has arrived and return it; None if the peer closed cleanly.

    Raises ConnectionError if the peer closes in the middle of a message.
    """
    while (message := framing.take()) is None:
        chunk = sock.recv(bufsize)
        if not chunk:
            if framing.buffer:
                raise ConnectionError(f"connection closed in the middle of a message "
                                      f"({len(framing.buffer)} bytes were waiting)")
            return None
        framing.buffer += chunk
    return message


FRAMINGS = {"fixed": FixedSize, "length": LengthPrefix, "delimiter": Delimiter}
