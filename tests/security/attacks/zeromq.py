"""Two-account attacks on notebook 04's and exercise 17.2's ZeroMQ servers: open by design, and harmless.

Each answers with a fixed text around the request ('Stop saying: ...', the time, an error): the classmate sends
a shell command and a line of Python, and gets only that text back; no file appears.
"""
import os
import re

from kit import Attack, Breach

from helpers.zeromq.reqrep import zmq_ask

TIMEOUT = 5
STOP_SAYING = "it only answers 'Stop saying: ' + the request: nothing of the owner's to read, nothing to run"
BROKER = ("its workers only answer 'Stop saying: ' + the request, with their name: nothing to read or run "
          "(a classmate could also connect a worker to its back end and see requests, which are demo text)")
TIME = "it only answers b'time' with the time, anything else with an error: nothing to read or run"


def planted(facts):
    """A file a command run as the owner would create, where the classmate can look for it."""
    return f"/tmp/pwned-by-classmate-{facts['port']}"


def owner_asks(request, expected):
    """The owner asks with the course's client, as notebook 04 does; the facts are the endpoint."""
    def owner(server):
        reply = zmq_ask(server.endpoint, request, timeout=TIMEOUT)
        assert re.fullmatch(expected, reply[-1]), reply
        return {"host": server.address[0], "port": server.address[1], "endpoint": server.endpoint}, []
    return owner


def sends(request, expected):
    """The classmate sends request (formatted with the facts); the reply must be only the server's fixed text."""
    def attempt(facts):
        sent = request.format(planted=planted(facts)).encode()
        reply = zmq_ask(facts["endpoint"], sent, timeout=TIMEOUT)
        if os.path.exists(planted(facts)):
            raise Breach(f"{planted(facts)} was created")
        text = reply[-1].decode(errors="replace")
        if not re.fullmatch(expected.replace("{sent}", re.escape(sent.decode())), text):
            raise Breach(f"unexpected reply {reply!r}")
        return f"answered only: {text[:80]}"
    return attempt


SHELL = "touch {planted}; cat ~/.ssh/id_rsa"
PYTHON = "__import__('os').system('touch {planted}')"
ATTACKS = {
    "zmq-rep": Attack(owner=owner_asks(b"hello", rb"Stop saying: hello"), open=STOP_SAYING, tries=[
        ("send a shell command", sends(SHELL, "Stop saying: {sent}"), r"^answered only: Stop saying: touch"),
        ("send a line of Python", sends(PYTHON, "Stop saying: {sent}"), r"^answered only: Stop saying: __import__"),
    ]),
    "zmq-broker": Attack(owner=owner_asks(b"hello", rb"Stop saying: hello"), open=BROKER, tries=[
        ("make a worker run a shell command", sends(SHELL, "Stop saying: {sent}"),
         r"^answered only: Stop saying: touch"),
        ("make a worker run Python", sends(PYTHON, "Stop saying: {sent}"), r"^answered only: Stop saying: __import__"),
    ]),
    "zmq-time": Attack(owner=owner_asks(b"time", rb"\d{4}-\d\d-\d\dT[\d:.]+"), open=TIME, tries=[
        ("send a shell command", sends(SHELL, "error: unknown request, send time"),
         r"^answered only: error: unknown request"),
        ("ask the time", sends("time", r"\d{4}-\d\d-\d\dT[\d:.]+"), r"^answered only: \d{4}-\d\d-\d\dT"),
    ]),
}
