"""Exercise 17.1's checker: the shipped solution passes; each broken server fails for its own reason."""
import socket
import threading
import time
from datetime import datetime, timedelta

import pytest

from helpers import run_server, stop_all
from helpers.sockets import check_time_server
from notebook_code import notebook_functions


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def solution():
    return notebook_functions("solutions/17_1_time_server.ipynb")["time_server"]


def serve_each(reply_for):
    """A server function that answers each client with reply_for(request), the right way round."""
    def server(listener):
        while True:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(1)
                conn.sendall(reply_for(conn.recv(1024)))
    return server


def error_for_others(reply):
    return lambda request: reply() if request.strip() == b"time" else b"error: say time"


def wrong_format(listener):
    serve_each(error_for_others(lambda: time.ctime().encode()))(listener)


def stale_time(listener):
    serve_each(error_for_others(lambda: (datetime.now() - timedelta(hours=1)).isoformat().encode()))(listener)


def only_one_client(listener):
    conn, _ = listener.accept()
    with conn:
        conn.recv(1024)
        conn.sendall(datetime.now().isoformat().encode())


def crashes_on_unknown_input(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            request = conn.recv(1024).decode()  # bytes that are not UTF-8 raise here
            if request.strip() != "time":
                raise ValueError(f"unknown request {request!r}")
            conn.sendall(datetime.now().isoformat().encode())


def never_replies(listener):
    kept = []
    while True:
        conn, _ = listener.accept()
        kept.append(conn)  # holds every connection open and says nothing


def replies_then_closes_before_reading(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(datetime.now().isoformat().encode())


def always_the_time(listener):
    serve_each(lambda request: datetime.now().isoformat().encode())(listener)


def test_the_shipped_solution_passes(capsys):
    result = check_time_server(solution())
    assert result.passed, result.report()
    assert all(check.passed for check in result.checks)
    assert "Result: passed" in capsys.readouterr().out


def test_the_shipped_exercise_is_not_solved_yet(capsys):
    skeleton = notebook_functions("exercises/17_1_time_server.ipynb")["time_server"]
    result = check_time_server(skeleton)
    assert not result.passed
    assert result.status == "not solved yet"
    assert "not solved yet" in capsys.readouterr().out


@pytest.mark.parametrize("server, reason", [
    (wrong_format, "iso"),
    (stale_time, "fresh"),
    (only_one_client, "many"),
    (crashes_on_unknown_input, "errors"),
    (never_replies, "answers"),
    (replies_then_closes_before_reading, "waits"),
    (always_the_time, "errors"),
])
def test_broken_servers_fail_for_the_right_reason(server, reason, capsys):
    result = check_time_server(server)
    assert not result.passed
    assert result.failed == reason, result.report()
    out = capsys.readouterr().out
    assert "Result: failed" in out and "Hint:" in out


def test_a_crashing_server_is_named_in_the_hint_and_the_next_client_check_fails():
    result = check_time_server(crashes_on_unknown_input, quiet=True)
    assert "ValueError" in result.hint or "UnicodeDecodeError" in result.hint
    assert [c.passed for c in result.checks if c.key == "survives"] == [False]


def test_passing_checks_are_kept_next_to_the_failing_one():
    result = check_time_server(wrong_format, quiet=True)
    passed = {c.key for c in result.checks if c.passed}
    assert {"waits", "answers", "many", "errors", "survives"} <= passed


def test_black_box_by_address_and_by_running_server():
    server = run_server(solution(), name="time-under-test")
    assert check_time_server(server.address, quiet=True).passed
    assert check_time_server(server, quiet=True).passed


def test_nothing_listening_is_reported_in_one_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = probe.getsockname()  # bound but not listening: connections are refused
        result = check_time_server(address, quiet=True)
    assert result.failed == "answers"
    assert "nothing is listening" in result.report()


def test_the_checker_ends_even_when_the_server_hangs_forever():
    release = threading.Event()

    def hangs(listener):
        conn, _ = listener.accept()
        release.wait()  # stuck, without reading or replying, until the test ends
        conn.close()

    outcome = []
    checker = threading.Thread(target=lambda: outcome.append(check_time_server(hangs, quiet=True)))
    checker.start()
    checker.join(timeout=30)  # a generous bound: the checker must return, not hang
    release.set()
    assert outcome and not outcome[0].passed
    assert outcome[0].failed == "answers"


def reads_once_and_compares_exactly(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(1)
            ok = conn.recv(1024) == b"time"
            conn.sendall(datetime.now().isoformat().encode() if ok else b"error: unknown request")


def reads_to_the_end_only(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(1)
            request = b""
            while chunk := conn.recv(1024):
                request += chunk
            ok = request.strip() == b"time"
            conn.sendall(datetime.now().isoformat().encode() if ok else b"error: unknown request")


def test_a_trailing_newline_must_be_accepted_as_nc_sends_it():
    result = check_time_server(reads_once_and_compares_exactly, quiet=True)
    assert result.failed == "newline" and "request.strip()" in result.hint


def test_a_request_ending_with_a_newline_is_answered_before_the_client_closes():
    result = check_time_server(reads_to_the_end_only, quiet=True)
    assert result.failed == "newline" and "answer as soon as the newline arrives" in result.hint


def test_a_request_split_in_two_pieces_must_be_joined():
    def strips_but_reads_once(listener):
        while True:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(1)
                ok = conn.recv(1024).strip() == b"time"
                conn.sendall(datetime.now().isoformat().encode() if ok else b"error: unknown request")
    result = check_time_server(strips_but_reads_once, quiet=True)
    assert result.failed == "pieces" and "joining the pieces" in result.hint


def test_a_server_that_catches_everything_around_accept_is_reported_and_ended(capsys):
    spins = []

    def catches_everything(listener):
        while True:
            try:
                conn, _ = listener.accept()
                with conn:
                    conn.settimeout(1)
                    request = b""
                    while b"\n" not in request and (chunk := conn.recv(1024)):
                        request += chunk
                    ok = request.strip() == b"time"
                    conn.sendall(datetime.now().isoformat().encode() if ok else b"error: unknown request")
            except Exception:
                spins.append(1)

    result = check_time_server(catches_everything, quiet=True)
    assert result.failed == "stops" and "Do not catch errors around listener.accept()" in result.hint
    assert "went on running after its listener was closed" in capsys.readouterr().out
    count = len(spins)
    time.sleep(0.3)
    assert len(spins) == count, "the server's thread still spins after the check"


def test_a_str_reply_points_at_encode():
    def sends_str(listener):
        while True:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(datetime.now().isoformat())
    result = check_time_server(sends_str, quiet=True)
    assert "TypeError" in result.hint and ".encode()" in result.hint


def test_checks_skipped_after_a_failure_come_after_it():
    lines = check_time_server(wrong_format, quiet=True).report().splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("  ✗"))
    skipped = [i for i, line in enumerate(lines) if "(skipped: an earlier check failed)" in line]
    assert skipped and min(skipped) > failed and "(not run)" not in "\n".join(lines)
