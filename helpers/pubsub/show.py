"""Message payloads as one line of text: UTF-8 shown as it is, anything else described, never a crash."""

SHOWN = 80  # characters of a payload shown in one line
HUGE = 64 * 1024  # bytes: a payload longer than this is called huge


def describe(payload):
    """payload (bytes or text) as one printable line; bad or huge payloads say so."""
    if isinstance(payload, str):
        payload = payload.encode(errors="surrogateescape")
    payload, size = bytes(payload), len(payload)
    if size > HUGE:
        start = payload[:24].decode(errors="replace")
        return f"<huge message: {size:,} bytes, starts {start!r}>"
    try:
        text = payload.decode()
    except UnicodeDecodeError:
        return f"<bad message: {size:,} bytes, not UTF-8: {payload[:16]!r}{'...' * (size > 16)}>"
    line = text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return line if len(line) <= SHOWN else line[:SHOWN - 1] + "…"


def is_bad(line):
    """True for the lines describe() writes for a bad or huge payload."""
    return line.startswith(("<bad message", "<huge message"))
