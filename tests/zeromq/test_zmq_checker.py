"""Exercise 17.2's checker: the shipped solution passes; each broken REP server fails for its own reason."""
import threading
import time
from datetime import datetime, timedelta

import pytest
import zmq

from helpers import stop_all
from helpers.zeromq import check_zmq_time_server, run_zmq_server
from helpers.zeromq.time_server import zmq_ask, zmq_time_server
from notebook_code import notebook_functions


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def solution():
    return notebook_functions("solutions/17_2_zmq_time_server.ipynb")["time_server"]


def serve_each(reply_for):
    """A REP server function that answers each request with reply_for(request)."""
    def server(rep):
        while True:
            rep.send(reply_for(rep.recv()))
    return server


def error_for_others(reply):
    return serve_each(lambda request: reply() if request == b"time" else b"error: say time")


wrong_format = error_for_others(lambda: time.ctime().encode())
STARTED = datetime.now().isoformat().encode()
frozen_clock = error_for_others(lambda: STARTED)  # within 2 s of now at first, but never moves on
stale_time = error_for_others(lambda: (datetime.now() - timedelta(hours=1)).isoformat().encode())


def stuck_after_unknown(rep):
    while True:
        if rep.recv() == b"time":
            rep.send(datetime.now().isoformat().encode())  # nothing for other requests: the REP is stuck


def crashes_on_non_utf8(rep):
    while True:
        request = rep.recv().decode()  # bytes that are not UTF-8 raise here
        rep.send(datetime.now().isoformat().encode() if request == "time" else b"error: say time")


def serves_one_client(rep):
    rep.recv()
    rep.send(datetime.now().isoformat().encode())


def never_replies(rep):
    rep.recv()
    while True:
        rep.poll(100)  # waits without ever replying; raises, and so ends, when the course stops it


def check_quickly(server):
    started = time.monotonic()
    result = check_zmq_time_server(server, quiet=True)
    assert time.monotonic() - started < 10
    return result


def test_the_shipped_solution_passes(capsys):
    result = check_quickly(solution())
    assert result.passed, result.report()
    assert [c.key for c in result.checks if c.passed] == ["answers", "iso", "fresh", "many", "errors", "binary",
                                                          "survives"]
    assert check_zmq_time_server(solution()).passed and "Result: passed" in capsys.readouterr().out


def test_the_shipped_exercise_is_not_solved_yet(capsys):
    skeleton = notebook_functions("exercises/17_2_zmq_time_server.ipynb")["time_server"]
    result = check_zmq_time_server(skeleton)
    assert not result.passed and result.status == "not solved yet"
    assert "not solved yet" in capsys.readouterr().out


@pytest.mark.parametrize("server, reason", [
    (wrong_format, "iso"),
    (frozen_clock, "fresh"),
    (stale_time, "fresh"),
    (stuck_after_unknown, "errors"),
    (crashes_on_non_utf8, "binary"),
    (serves_one_client, "many"),
    (never_replies, "answers"),
])
def test_broken_servers_fail_for_the_right_reason(server, reason):
    result = check_quickly(server)
    assert not result.passed
    assert result.failed == reason, result.report()
    assert "Result: failed" in result.report() and result.hint in result.report()


def test_a_crash_is_named_in_the_hint_and_the_next_request_is_not_answered():
    result = check_quickly(crashes_on_non_utf8)
    assert "UnicodeDecodeError" in result.hint
    assert [c.passed for c in result.checks if c.key == "survives"] == [False]


def test_a_stuck_rep_is_explained():
    assert "must send a reply to every request" in check_quickly(stuck_after_unknown).hint


def test_a_str_reply_points_at_encode():
    result = check_quickly(serve_each(lambda request: datetime.now().isoformat()))
    assert result.failed == "answers" and "TypeError" in result.hint and ".encode()" in result.hint


def test_black_box_by_endpoint_and_by_running_service():
    service = zmq_time_server(name="zmq-time-under-test").start()
    assert check_quickly(service.endpoint).passed
    assert check_quickly(service).passed
    yours = run_zmq_server(solution(), name="yours-under-test")
    assert zmq_ask(yours.endpoint, b"time").startswith(str(datetime.now().year).encode())
    assert check_quickly(yours.endpoint).passed
    yours.stop()
    assert not yours.alive and yours.error is None


def test_nothing_at_the_endpoint_is_reported_in_one_line():
    with zmq.Context() as context, context.socket(zmq.PULL) as probe:
        port = probe.bind_to_random_port("tcp://127.0.0.1")
        probe.unbind(f"tcp://127.0.0.1:{port}")
        result = check_quickly(f"tcp://127.0.0.1:{port}")
    assert result.failed == "answers" and "no reply within" in result.report()


def test_the_checker_ends_even_when_the_server_hangs_forever():
    release = threading.Event()

    def hangs(rep):
        rep.recv()
        release.wait()  # stuck, without replying, until the test ends

    outcome = []
    checker = threading.Thread(target=lambda: outcome.append(check_zmq_time_server(hangs, quiet=True)))
    checker.start()
    checker.join(timeout=12)
    release.set()
    assert outcome and outcome[0].failed == "answers"


def test_a_server_that_catches_everything_around_recv_is_reported_and_ended(capsys):
    spins = []

    def catches_everything(rep):
        while True:
            try:
                request = rep.recv()
                rep.send(datetime.now().isoformat().encode() if request == b"time" else b"error: say time")
            except Exception:
                spins.append(1)

    result = check_quickly(catches_everything)
    assert result.failed == "stops" and "zmq.ContextTerminated" in result.hint
    assert "went on running after the course stopped it" in capsys.readouterr().out
    count = len(spins)
    time.sleep(0.3)
    assert len(spins) == count, "the server's thread still spins after the check"


def test_stopping_ends_a_good_function_promptly():
    server = run_zmq_server(solution(), name="stops-under-test")
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 0.5 and not server.alive and not server.stuck
