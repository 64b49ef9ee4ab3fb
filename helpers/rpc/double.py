"""The chapter's one remote function, double(num), and the limits every course RPC server keeps."""

MAX_BODY = 1024 * 1024  # a request over 1 MiB gets the protocol's own error (double(7) takes under 200 bytes)
DRAIN = 16 * 1024 * 1024  # an HTTP body up to this is read and thrown away first, so its client can read the error


def double(num):
    """num times two, as in the chapter; only a number (over RPC, "ab" * 2 would quietly come back as "abab")."""
    if isinstance(num, bool) or not isinstance(num, (int, float)):
        raise TypeError(f"double() needs a number, not {type(num).__name__}")
    return num * 2


def too_big(size):
    """The one-line refusal of a request of size bytes."""
    return f"request of {size:,} bytes is over the {MAX_BODY // 1024 // 1024} MiB limit"
