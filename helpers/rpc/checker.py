"""Exercise 17.3's checker: a black-box test of an XML-RPC time service over HTTP that prints a report."""
import re
import time
import xmlrpc.client
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError

from helpers.core.checks import check_server, checks_for, located, parse_time, seconds_off
from helpers.core.errors import describe
from helpers.rpc.time_service import TIMEOUT, DeadlineTransport, XmlRpcFunctionServer, run_xmlrpc_server

BUDGET = 8.0  # the whole check ends within this many seconds, whatever the server does
TICK = 0.3  # the second call comes this long after the first: the clock must have moved on
FROZEN_AFTER = 1.1  # if it has not, ask again this long after the first (a time may be shown in whole seconds)
ALLOWED = {"time", "system.listMethods", "system.methodHelp", "system.methodSignature"}
PROBES = ("system", "popen", "remove", "eval", "exec", "now", "today", "ctime", "sleep", "shutdown")
UNKNOWN = "no_such_method"

LABELS = {
    "register": "register(server) returns without an error",
    "answers": "answers a call to time()",
    "iso": "time() returns an ISO 8601 date and time, as a string",
    "fresh": "the time is within 2 s of now, and moves on",
    "many": "answers several calls in a row",
    "unknown": "an unknown method gets an XML-RPC Fault",
    "arguments": "time(1), with an argument too many, gets a Fault too",
    "survives": "still answers time() after those Faults",
    "only": "exposes time only (and system.* introspection, if enabled)",
}

HINTS = {
    "register": "register(server) only registers: server.register_function(your_function, \"time\"), then it "
                "returns; the course binds the server and serves it",
    "name": "Register your function under the name clients call: server.register_function(your_function, \"time\")",
    "refused": "Nothing listens at that URL: start the server first, or check the port.",
    "slow": "time() must return at once: does it wait for something, or loop?",
    "http": "Give the server's own URL, such as http://127.0.0.1:PORT/ (SimpleXMLRPCServer answers POSTs "
            "to / and /RPC2)",
    "not-xmlrpc": "That URL does not answer in XML-RPC: is it a SimpleXMLRPCServer?",
    "none": "time() returned None: did you forget `return`?",
    "iso": "Return the text: datetime.now().isoformat() gives an ISO 8601 string",
    "datetime": "Return a str: datetime.now().isoformat(). A datetime object travels as XML-RPC's own dateTime "
                "type, not as the ISO 8601 string the clients expect",
    "fresh": "Compute the time inside time(), on every call: a time computed once, in register(server) or before "
             "it, comes back the same to every caller (so does datetime.now().isoformat registered as it is: a "
             "method of one moment)",
    "far": "Return the time now, computed on every call: datetime.now().isoformat() gives this machine's local "
           "time (a time without a zone is read as local time; datetime.now(timezone.utc) says it is UTC)",
    "many": "Keep serving: serve_forever() answers call after call (handle_request() serves one and returns)",
    "unknown": "Let SimpleXMLRPCServer answer names nobody registered: it sends a Fault by itself. Do not "
               "register a catch-all (an instance with a _dispatch method that answers any name)",
    "fault-in-http": "XML-RPC reports an error as a Fault inside an HTTP 200 reply, not as an HTTP error page: "
                     "SimpleXMLRPCServer does it for you",
    "arguments": "Define time() without parameters (no *args): then SimpleXMLRPCServer answers time(1) with a "
                 "Fault by itself",
    "survives": "Keep serving after a Fault: one bad call must not end the server",
    "only": "Register time only: every registered function, and every public method of an object given to "
            "register_instance, is callable by any client that reaches the port",
    "dotted": "Never use register_instance(..., allow_dotted_names=True): clients can then reach the attributes "
              "of your object's attributes, the modules it imported, and more",
}


@dataclass
class Answer:
    """What one call got: a value, an XML-RPC Fault, or no answer (`error`, one line; `kind` says which)."""

    value: object = None
    fault: object = None
    error: str = ""
    kind: str = ""  # for a missing answer: refused, slow, http, not-xmlrpc or other

    @property
    def answered(self):
        return not self.error

    @property
    def fault_text(self):
        """The Fault's message, its "<class 'TypeError'>:" prefix made readable."""
        return re.sub(r"<class '([\w.]+)'>:", r"\1: ", str(self.fault.faultString))[:100]

    def said(self):
        """The answer in a few words."""
        if self.fault is not None:
            return f"a Fault, {self.fault_text}"
        return self.error or f"{self.value!r}"[:60]


def address_of(url):
    """(host, port) of an http URL, for one-line errors."""
    parts = urlsplit(url)
    return parts.hostname or "?", parts.port or 80


def xmlrpc_call(url, method, args=(), timeout=TIMEOUT):
    """Call method(*args) at url on a fresh connection, within timeout seconds; an Answer, never an exception."""
    transport = DeadlineTransport(timeout)
    try:
        return Answer(getattr(xmlrpc.client.ServerProxy(url, transport=transport), method)(*args))
    except xmlrpc.client.Fault as fault:
        return Answer(fault=fault)
    except Exception as error:  # each way a call can fail becomes one line
        return no_answer(error, url, timeout, transport.cut_off)


def no_answer(error, url, timeout, cut_off):
    """The Answer for a call that got no XML-RPC reply."""
    if cut_off or isinstance(error, TimeoutError):
        return Answer(error=f"no whole reply within {timeout:g} s", kind="slow")
    if isinstance(error, xmlrpc.client.ProtocolError):
        return Answer(error=f"HTTP {error.errcode} {error.errmsg}, not an XML-RPC reply", kind="http")
    if isinstance(error, (ExpatError, xmlrpc.client.ResponseError)):
        return Answer(error=f"the reply is not XML-RPC ({error})", kind="not-xmlrpc")
    if isinstance(error, ConnectionRefusedError):
        return Answer(error=describe(error, address_of(url), timeout), kind="refused")
    if isinstance(error, OSError) and not str(error).startswith("unsupported XML-RPC protocol"):
        return Answer(error=describe(error, address_of(url), timeout), kind="other")
    return Answer(error=f"{type(error).__name__}: {error}", kind="other")


def check_xmlrpc_time_server(server, timeout=TIMEOUT, budget=BUDGET, quiet=False):
    """Check an exercise 17.3 time service, black-box over HTTP; print a report, return a CheckResult.

    `server` is your register(server) function (run here on a SimpleXMLRPCServer and stopped afterwards),
    a running service, or a URL such as "http://127.0.0.1:8000/".
    """
    return check_server(server, lambda register: run_xmlrpc_server(register, name="xmlrpc-time-server-under-test"),
                        lambda server: _check(server, timeout, budget), quiet)


def _check(server, timeout, budget):
    url = located(server, "http://{}:{}/", "url")
    deadline = time.monotonic() + budget
    yours = isinstance(server, XmlRpcFunctionServer)
    labels = {key: label for key, label in LABELS.items() if key != "register" or yours}
    result = checks_for(f"Checking the XML-RPC time service at {url}", labels)

    def call(method, *args):
        return xmlrpc_call(url, method, args, max(0.05, min(timeout, deadline - time.monotonic())))

    def mark(key, passed, detail="", hint=""):
        result.mark(key, passed, detail)
        if not passed and not result.hint:  # the hint is for the first failure
            result.hint = hint or HINTS[key]
        return passed

    if yours and isinstance(server.error, NotImplementedError):
        result.status = "not solved yet"
        result.hint = "Write register(server), then run this check again."
        return result
    if yours and server.error is not None:
        said = f"{type(server.error).__name__}: {server.error}"
        mark("register", False, f"it stopped with {said}"[:160], f"Your register(server) stopped with {said}. "
             + HINTS["register"])
        return result
    if yours:
        mark("register", True)

    first = call("time")
    asked = time.monotonic()
    if not mark("answers", first.value is not None, first.said(), answers_hint(first, server)):
        return result
    when = _iso(first, mark)
    if when is None:
        return result
    off = seconds_off(when)
    far = f"{first.value!r} is {off:.0f} s from now"

    later = []  # the times the next calls got
    for n in range(2, 5):
        moved = any(t is not None and t > when for t in later)
        wait = TICK if n == 2 else FROZEN_AFTER if n == 3 and not moved else 0
        time.sleep(max(0.0, min(asked + wait - time.monotonic(), deadline - time.monotonic())))
        reply = call("time")
        if reply.value is None:
            if off > 2:
                mark("fresh", False, far, HINTS["far"])
            mark("many", False, f"call {n}: {reply.said()}")
            return result
        later.append(parse_time(str(reply.value).encode())[0])
    moved = any(t is not None and t > when for t in later)
    if off > 2:  # a clock that stands still gets the hint for that, however long ago it stopped
        stood = "" if moved else ", and the same a second later"
        mark("fresh", False, far + stood, HINTS["far" if moved else "fresh"])
    else:
        mark("fresh", moved, f"{off:.2f} s off" if moved else f"{first.value!r} again, a second later")
    mark("many", True, "3 more calls answered, each on a connection of its own")

    for key, answer in (("unknown", call(UNKNOWN)), ("arguments", call("time", 1))):
        hint = (HINTS["fault-in-http"] if answer.kind in ("http", "not-xmlrpc")
                else HINTS["survives"] if not answer.answered else "")
        label = f"{UNKNOWN}()" if key == "unknown" else "time(1)"
        mark(key, answer.fault is not None, answer.fault_text if answer.fault is not None
             else f"{label} got {answer.said()}", hint)
    last = call("time")
    if not mark("survives", last.value is not None, "" if last.value is not None else last.said()):
        return result

    _only(server, call, mark)
    return result


def answers_hint(answer, server):
    """The hint for a first call to time() that got no value."""
    if answer.fault is not None:
        said = answer.fault_text
        if "is not supported" in said:
            names = server.exposed() if isinstance(server, XmlRpcFunctionServer) else []
            return HINTS["name"] + (f" (your server has {', '.join(names)})" if names else "")
        if "cannot marshal None" in said:
            return HINTS["none"]
        return f"Your time() raised an error on the server ({said}): call it yourself in a cell to see it"
    return HINTS.get(answer.kind, "Is the server running, and is that its URL?")


def _iso(first, mark):
    """The time in the first answer, or None once the 'iso' check failed."""
    value = first.value
    if isinstance(value, xmlrpc.client.DateTime):
        mark("iso", False, f"an XML-RPC dateTime ({value}), not a string", HINTS["datetime"])
        return None
    if not isinstance(value, str):
        mark("iso", False, f"{type(value).__name__} {value!r}"[:80] + ", not a string")
        return None
    when, why = parse_time(value.encode())
    if when is not None and value[10:11] == " ":  # str(datetime): accepted, as fromisoformat() reads it too
        why = f"{value!r} has a space where ISO 8601 writes a T; accepted, but isoformat() gives the T form"
    mark("iso", when is not None, why)
    return when


def _only(server, call, mark):
    """The 'only' check: what system.listMethods lists, what your server object would list, and a few probes."""
    listed = call("system.listMethods")
    exposed = set(listed.value) if isinstance(listed.value, list) else set()
    if isinstance(server, XmlRpcFunctionServer):
        exposed |= set(server.exposed())
        if server.server.instance is not None and getattr(server.server, "allow_dotted_names", False):
            return mark("only", False, "register_instance(..., allow_dotted_names=True)", HINTS["dotted"])
    for name in sorted(set(PROBES) - exposed):
        probe = call(name, *["x"] * 7)  # seven arguments: nothing ordinary runs, but a Fault says whether it exists
        if not probe.answered:
            break
        if probe.fault is None or "is not supported" not in str(probe.fault.faultString):
            exposed.add(name)
    extra = sorted(exposed - ALLOWED)
    how = "as system.listMethods says" if listed.value is not None else "system.listMethods is off: names probed"
    return mark("only", not extra, f"also exposes {', '.join(extra)}"[:160] if extra else how)
