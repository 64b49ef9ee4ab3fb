"""Exercise 17.2's checker: a black-box test of a ZeroMQ REQ/REP time service that prints a report."""
import re
import time

import zmq

from helpers.core.checks import check_server, checks_for, first_failure_hint, located, parse_time, seconds_off
from helpers.zeromq.base import socket
from helpers.zeromq.time_server import ZmqFunctionServer, run_zmq_server

CLIENT_TIMEOUT = 1.5  # how long one client waits for a reply
BUDGET = 8.0  # the whole check ends within this many seconds, whatever the server does
TICK = 0.3  # the second client asks this long after the first: the clock must have moved on
FROZEN_AFTER = 1.1  # if it has not, ask again this long after the first (a time may be shown in whole seconds)

LABELS = {
    "answers": "answers b'time'",
    "iso": "the answer is an ISO 8601 date and time",
    "fresh": "the time is within 2 s of now, and moves on",
    "many": "serves several clients in a row",
    "errors": "answers an unknown request with an error reply",
    "binary": "answers bytes that are not UTF-8 with an error reply",
    "survives": "still answers b'time' after bad requests",
}

HINTS = {
    "answers": "Receive with request = rep.recv(), then answer with rep.send(...): every request needs a reply",
    "iso": "datetime.now().isoformat() gives an ISO 8601 string; send it as bytes with .encode()",
    "fresh": "Compute the time for every request, not once when the server starts",
    "many": "Serve in a loop: after rep.send(...), go back to rep.recv() for the next request",
    "errors": "A REP socket must send a reply to every request before it can receive the next one: answer "
              "anything but b'time' with a reply that starts with b'error'",
    "binary": "Do not let bytes that are not UTF-8 crash the server: compare bytes (request == b'time'), "
              "or decode with errors='replace'",
    "survives": "Keep serving after a bad request: reply with b'error...' and go back to rep.recv()",
    "stops": "Do not catch errors around rep.recv() (or catch zmq.Again only): when the course stops your "
             "server, recv() raises zmq.ContextTerminated and your loop must end",
    "bytes": "ZeroMQ sends bytes, not str: send text with rep.send(text.encode())",
    "endpoint": "A ZeroMQ endpoint names its transport, host and port, as `python -m helpers serve zmq-time` "
                "prints it: \"tcp://127.0.0.1:5555\"",
}


def ask(endpoint, request, timeout):
    """One client on a fresh REQ socket: (reply, why there is none)."""
    req = socket(zmq.REQ, timeout_ms=max(10, int(timeout * 1000)))
    try:
        req.connect(endpoint)
        req.send(request)
        return req.recv(), ""
    except zmq.Again:
        return None, f"no reply within {timeout:g} s"
    except zmq.ZMQError as error:
        return None, f"{type(error).__name__}: {error}"
    finally:
        req.close(linger=0)


def endpoint_problem(endpoint):
    """Why ZeroMQ cannot connect to the string endpoint, with the fix when it is plain; "" if it can."""
    probe = socket(zmq.REQ)
    try:
        probe.connect(endpoint)
        return ""
    except zmq.ZMQError as error:
        plain = re.fullmatch(r"(?:([\w.-]+):)?(\d+)", endpoint.strip())
        fix = f"; did you mean \"tcp://{plain[1] or '127.0.0.1'}:{plain[2]}\"?" if plain else ""
        return f"{endpoint!r} is not a ZeroMQ endpoint ({zmq.strerror(error.errno)}){fix}"
    finally:
        probe.close(linger=0)


def check_zmq_time_server(server, timeout=CLIENT_TIMEOUT, budget=BUDGET, quiet=False):
    """Check an exercise 17.2 time service, black-box over ZeroMQ; print a report, return a CheckResult.

    `server` is your function (run here on a REP socket and stopped afterwards), a running service,
    or an endpoint such as "tcp://127.0.0.1:5555".
    """
    def check(server):
        return first_failure_hint(_check(server, timeout, budget), server, ZmqFunctionServer, HINTS, "unicode")

    return check_server(server, lambda function: run_zmq_server(function, name="zmq-time-server-under-test"), check,
                        quiet, ("ends when the course stops it", HINTS["stops"]))


def _check(server, timeout, budget):
    endpoint = located(server, "tcp://{}:{}", "endpoint")
    deadline = time.monotonic() + budget
    result = checks_for(f"Checking the ZeroMQ time service at {endpoint}", LABELS)

    def request(data):
        return ask(endpoint, data, max(0.05, min(timeout, deadline - time.monotonic())))

    mark = result.mark
    if isinstance(server, ZmqFunctionServer) and isinstance(server.error, NotImplementedError):
        result.status = "not solved yet"
        result.hint = "Write your server in time_server(), then run this check again."
        return result

    problem = endpoint_problem(endpoint) if isinstance(server, str) else ""
    if problem:
        mark("answers", False, problem)
        result.hint = HINTS["endpoint"]
        return result

    first, why = request(b"time")
    asked = time.monotonic()
    if not mark("answers", first is not None, why):
        return result
    when, why = parse_time(first)
    if not mark("iso", when is not None, why or repr(first[:40])):
        return result
    off = seconds_off(when)
    if off > 2:
        mark("fresh", False, f"{first[:40]!r} is {off:.0f} s from now")

    later = []  # the times the next clients got
    for n in range(2, 5):
        moved = any(t is not None and t > when for t in later)
        wait = TICK if n == 2 else FROZEN_AFTER if n == 3 and not moved else 0
        time.sleep(max(0.0, min(asked + wait - time.monotonic(), deadline - time.monotonic())))
        reply, why = request(b"time")
        if reply is None:
            mark("many", False, f"client {n}: {why}")
            return result
        later.append(parse_time(reply)[0])
    mark("many", True, "3 more clients served, each on a socket of its own")
    if result.check("fresh").passed is None:
        moved = any(t is not None and t > when for t in later)
        mark("fresh", moved, f"{off:.2f} s off" if moved else f"{first[:40]!r} again, a second later")

    for key, data in (("errors", b"hello"), ("binary", b"\xff\xfe garbage \x00")):
        reply, why = request(data)
        ok = reply is not None and reply.strip().lower().startswith(b"error")
        if not mark(key, ok, f"e.g. {reply[:40]!r}" if ok else f"{data!r} got {reply[:60]!r}" if reply else why):
            if key == "errors":
                return result  # a REP that did not reply cannot receive again: the next checks would only wait
            break
    last, why = request(b"time")
    mark("survives", last is not None, why)
    return result
