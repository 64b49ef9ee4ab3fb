"""Bytes as they crossed the wire, caught by the client itself (no packet capture): an HTTP tap, and showing bytes."""
import functools
import http.client
import string

PRINTABLE = set(string.printable.encode())
SHOWN = 1200  # bytes of one part shown at most


class _Copying:
    """A reply stream whose every read is also appended to a bytearray."""

    def __init__(self, stream, copy):
        self._stream, self._copy = stream, copy

    def _keep(self, data):
        self._copy += data
        return data

    def read(self, *size):
        return self._keep(self._stream.read(*size))

    def read1(self, *size):
        return self._keep(self._stream.read1(*size))

    def readline(self, *size):
        return self._keep(self._stream.readline(*size))

    def readinto(self, buffer):
        count = self._stream.readinto(buffer)
        self._copy += memoryview(buffer)[:count]
        return count

    def __getattr__(self, name):  # close(), peek(), ...: the stream's own
        return getattr(self._stream, name)


class _TappedResponse(http.client.HTTPResponse):
    """http.client's response, reading through a copier."""

    def __init__(self, sock, *args, received, **kwargs):
        super().__init__(sock, *args, **kwargs)
        self.fp = _Copying(self.fp, received)


class TappedConnection(http.client.HTTPConnection):
    """An http.client connection that keeps every byte it sends (.sent) and every reply byte it reads (.received)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent, self.received = bytearray(), bytearray()
        self.response_class = functools.partial(_TappedResponse, received=self.received)

    def send(self, data):
        self.sent += data
        super().send(data)

    def forget(self):
        """Start a new recording (before each call)."""
        self.sent.clear()
        self.received.clear()


def is_text(data):
    """True if data reads as text (UTF-8, printable characters and line ends only)."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return False
    return all(ord(c) > 127 or ord(c) in PRINTABLE for c in text)


def hexdump(data, limit=SHOWN):
    """Bytes as lines of 16: offset, hex, and the printable ones as ASCII."""
    lines = []
    for at in range(0, min(len(data), limit), 16):
        row = data[at:at + 16]
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append(f"{at:04x}  {row.hex(' '):<47}  {ascii_}")
    return "\n".join(lines) + (f"\n... ({len(data):,} bytes in all)" if len(data) > limit else "")


def as_text(data, limit=SHOWN):
    """Text bytes as text (CR LF shown as line ends), cut at limit saying so."""
    text = data[:limit].decode(errors="replace").replace("\r\n", "\n")
    return text + (f"\n... ({len(data):,} bytes in all)" if len(data) > limit else "")


def show_bytes(data, limit=SHOWN):
    """Bytes for reading: an HTTP message as its head in text and its body as text or hex, anything else likewise."""
    head, sep, body = bytes(data).partition(b"\r\n\r\n")
    if sep and head[:4] in (b"HTTP", b"POST", b"GET ") and not is_text(body[:limit]):
        return as_text(head + b"\r\n\r\n") + hexdump(body, limit)
    return as_text(bytes(data), limit) if is_text(bytes(data[:limit])) else hexdump(bytes(data), limit)


def show_parts(parts, limit=SHOWN):
    """(label, bytes) parts of a message, each under its label with its size."""
    return "\n".join(f"[{label}, {len(data):,} bytes]\n{show_bytes(data, limit)}" for label, data in parts)
