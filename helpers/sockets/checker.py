"""Exercise 17.1's checker: a black-box test of a TCP time server over the network that prints a report."""
import socket
import time
from dataclasses import dataclass

from helpers.core.checks import check_server, checks_for, first_failure_hint, parse_time, seconds_off
from helpers.core.errors import describe
from helpers.servers.function import FunctionServer, run_server

CLIENT_TIMEOUT = 1.5  # how long one check waits for the server
BUDGET = 8.0  # the whole check ends within this many seconds, whatever the server does
QUIET_FIRST = 0.3  # the first client listens this long before it sends anything
MAX_REPLY = 64 * 1024


@dataclass
class Reply:
    """What one checker client saw."""

    data: bytes = b""
    early: bool = False  # the server sent or closed before the request was sent
    timed_out: bool = False
    error: str = ""


def exchange(address, request, timeout, listen_first=0.0, pause=0.0, close_sending=True):
    """One client: connect, (optionally listen quietly first), send request (its pieces `pause` s apart, if it
    is a list), close our sending side (unless close_sending is False), read to EOF."""
    chunks, deadline = [], time.monotonic() + timeout
    pieces = request if isinstance(request, list) else [request]
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            if listen_first:
                sock.settimeout(listen_first)
                try:
                    return Reply(sock.recv(MAX_REPLY), early=True)
                except TimeoutError:
                    pass  # good: a server should wait for the request
            try:
                for n, piece in enumerate(pieces):
                    time.sleep(pause if n else 0)
                    sock.sendall(piece)
                if close_sending:
                    sock.shutdown(socket.SHUT_WR)
            except OSError:
                if len(pieces) == 1:
                    raise
                # the server answered and closed after an early piece: read what it said
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            while (chunk := sock.recv(MAX_REPLY)) and sum(map(len, chunks)) < MAX_REPLY:
                chunks.append(chunk)
                sock.settimeout(max(0.01, deadline - time.monotonic()))
    except TimeoutError:
        return Reply(b"".join(chunks), timed_out=True)
    except OSError as error:
        return Reply(b"".join(chunks), error=describe(error, address, timeout))
    return Reply(b"".join(chunks))


def describe_failure(reply, timeout):
    """One line for a reply that never came or broke off."""
    if reply.timed_out:
        return (f"got {reply.data[:60]!r} but the connection stayed open" if reply.data
                else f"no reply within {timeout:g} s")
    if reply.error:
        return reply.error
    return "the server closed the connection without a reply"


def check_time_server(server, timeout=CLIENT_TIMEOUT, budget=BUDGET, quiet=False):
    """Check an exercise 17.1 time server, black-box over the network; print a report, return a CheckResult.

    `server` is your server function (run here and stopped afterwards), a running server, or an address.
    """
    def check(server):
        return first_failure_hint(_check_time(server, timeout, budget), server, FunctionServer, HINTS, "str")

    return check_server(server, lambda function: run_server(function, name="time-server-under-test"), check, quiet,
                        ("ends when the course closes its listener", HINTS["stops"]))


HINTS = {
    "waits": "Read the request with conn.recv() first, and answer only after it arrived",
    "answers": "Send the reply with conn.sendall(...) and then close the connection (`with conn:` does it)",
    "bytes": "Sockets carry bytes, not str: send text with conn.sendall(text.encode())",
    "newline": "A request may end with a newline, as `nc` sends it: compare request.strip() with b'time', "
               "and answer as soon as the newline arrives, even if the client keeps its side open",
    "pieces": "TCP may split a request: recv() can return b'ti' and then b'me'. Keep calling recv() and "
              "joining the pieces until you have a newline or recv() returns b'' (the client closed its side)",
    "stops": "Do not catch errors around listener.accept(): when the course closes the listener, accept() "
             "raises OSError and your loop must end. Catch one client's errors inside the loop instead",
    "iso": "datetime.now().isoformat() gives an ISO 8601 string; send it as bytes with .encode()",
    "fresh": "Compute the time for every request, not once when the server starts",
    "many": "After a client is served and its connection closed, go back to listener.accept() in a loop",
    "errors": "Reply to anything but b'time' with a line that starts with b'error', and do not let "
              "bytes that are not UTF-8 crash the server (compare bytes, or decode with errors='replace')",
    "survives": "Catch the errors of one client (e.g. OSError, ValueError) so the loop goes on to the next",
}

LABELS = {
    "waits": "waits for the request before answering",
    "answers": "answers b'time' and closes the connection",
    "iso": "the answer is an ISO 8601 date and time",
    "fresh": "the time is within 2 s of now",
    "many": "serves several clients in a row",
    "errors": "answers anything else with an error reply",
    "survives": "still answers b'time' after bad requests",
    "newline": "answers b'time\\n' (with a newline, as nc sends it) before the client closes its side",
    "pieces": "answers b'time' sent in two pieces 0.2 s apart",
}


def _answered(reply):
    return bool(reply.data) and not (reply.early or reply.timed_out or reply.error)


def _check_time(server, timeout, budget):
    address = tuple(server if isinstance(server, (tuple, list)) else server.address)
    deadline = time.monotonic() + budget
    result = checks_for(f"Checking the time server at {address[0]}:{address[1]}", LABELS)

    def ask(request, listen_first=0.0, **how):
        return exchange(address, request, max(0.05, min(timeout, deadline - time.monotonic())), listen_first, **how)

    mark = result.mark
    if isinstance(server, FunctionServer) and isinstance(server.error, NotImplementedError):
        result.status = "not solved yet"
        result.hint = "Write your server in time_server(), then run this check again."
        return result

    first = ask(b"time", listen_first=QUIET_FIRST)
    if first.early:
        mark("waits", False, f"the server sent {first.data[:40]!r} before any request" if first.data
             else "the server closed the connection before any request")
        return result
    if not _answered(first):
        if "connection refused" in first.error:
            result.hint = "Nothing listens at that address: start the server first, or check the port."
        mark("answers", False, describe_failure(first, timeout))
        return result
    mark("waits", True)
    mark("answers", True)
    when, why = parse_time(first.data)
    if mark("iso", when is not None, why or repr(first.data[:40])):
        off = seconds_off(when)
        mark("fresh", off <= 2, f"{off:.2f} s off" if off <= 2 else f"{first.data[:40]!r} is {off:.0f} s from now")

    for n in range(2, 5):
        reply = ask(b"time")
        if not _answered(reply):
            mark("many", False, f"client {n}: {describe_failure(reply, timeout)}")
            return result  # it no longer answers: the other checks would only wait
    mark("many", True, "3 more clients served")


    for request in (b"hello", b"\xff\xfe garbage \x00"):
        reply = ask(request)
        if not (_answered(reply) and reply.data.strip().lower().startswith(b"error")):
            got = repr(reply.data[:60]) if _answered(reply) else describe_failure(reply, timeout)
            mark("errors", False, f"{request!r} got {got}")
            break
    else:
        mark("errors", True, f"e.g. {reply.data[:40]!r}")

    last = ask(b"time")
    if not mark("survives", _answered(last), "" if _answered(last) else describe_failure(last, timeout)):
        return result

    for key, reply in (("newline", ask(b"time\n", close_sending=False)), ("pieces", ask([b"ti", b"me"], pause=0.2))):
        when, why = parse_time(reply.data) if _answered(reply) else (None, describe_failure(reply, timeout))
        if not mark(key, when is not None, why if when is None else ""):
            return result
    return result
