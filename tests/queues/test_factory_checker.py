"""Exercise 17.4's checker: the shipped solution passes; each broken conveyor or Lucy fails for its own reason."""
import threading
import time
from datetime import datetime

import pytest
import redis

from helpers import stop_all
from helpers.queues import check_chocolate_factory
from notebook_code import notebook_functions

LIMIT = 15.0  # the checker's promise, whatever the functions do
MARGIN = 3.0  # what these tests keep in hand below it, on a busy machine


@pytest.fixture(scope="module")
def solution():
    return notebook_functions("solutions/17_4_chocolate_factory.ipynb")


@pytest.fixture(autouse=True)
def nothing_left():
    yield
    stop_all()
    deadline = time.monotonic() + 2
    while [t for t in threading.enumerate() if t.name.startswith("factory-check-")] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [t.name for t in threading.enumerate() if t.name.startswith("factory-check-")] == []


def check(conveyor, lucy):
    started = time.monotonic()
    result = check_chocolate_factory(conveyor, lucy, quiet=True)
    assert time.monotonic() - started < LIMIT - MARGIN, result.report()
    return result


def line(r, belt, piece):
    print(f"{datetime.now():%H:%M:%S.%f} {piece}: {r.llen(belt)} left")


def drops_a_piece(r, belt, seconds=0.5):
    n = 0
    while (piece := r.blpop(belt)[1]) != "END":
        n += 1
        if n != 3:  # the third piece falls on the floor
            line(r, belt, piece)
        time.sleep(seconds)


def handles_one_twice(r, belt, seconds=0.5):
    first = True
    while (piece := r.blpop(belt)[1]) != "END":
        line(r, belt, piece)
        if first:
            line(r, belt, piece)
            first = False
        time.sleep(seconds)


def polls_with_lpop(r, belt, seconds=0.5):
    while True:
        piece = r.lpop(belt)
        if piece is None:
            continue  # ask again at once
        if piece == "END":
            return
        line(r, belt, piece)
        time.sleep(seconds)


def never_stops(r, belt, seconds=0.5):
    while True:  # ignores "END", and carries on through every error, even when its server is gone
        try:
            _, piece = r.blpop(belt, timeout=1) or (None, None)
            if piece not in (None, "END"):
                line(r, belt, piece)
                time.sleep(seconds)
        except Exception:
            pass


def stops_when_the_belt_is_empty(r, belt, seconds=0.5):
    while r.llen(belt):
        line(r, belt, r.blpop(belt)[1])
        time.sleep(seconds)


def counts_before_taking(r, belt, seconds=0.5):
    while True:
        left = r.llen(belt)  # the piece she is about to take is still counted
        piece = r.blpop(belt)[1]
        if piece == "END":
            return
        print(f"{datetime.now():%H:%M:%S} {piece}: {left} left")
        time.sleep(seconds)


def forgets_end(r, belt, pieces, interval):
    for piece in pieces:
        r.rpush(belt, piece)
        time.sleep(interval)


def all_at_once(r, belt, pieces, interval):
    r.rpush(belt, *pieces, "END")


def test_the_shipped_solution_passes_and_only_lucys_lines_are_kept(solution, capsys):
    started = threading.Event()

    def elsewhere():  # another thread of the kernel prints while the check runs: its line reaches the notebook
        started.wait(5)
        print("a line from another thread")

    other = threading.Thread(target=elsewhere)
    other.start()

    def lucy(r, belt, seconds=0.5):
        started.set()
        solution["lucy"](r, belt, seconds)

    result = check(solution["conveyor"], lucy)
    other.join(5)
    assert result.passed, result.report()
    assert [c.key for c in result.checks if c.passed] == ["conveyor", "interval", "end", "stops", "blocking", "lines",
                                                          "once", "order", "remaining", "handling"]
    out = capsys.readouterr().out
    assert "a line from another thread" in out and "left on the belt" not in out and "Result" not in out  # quiet


def test_the_shipped_exercise_is_not_solved_yet(capsys):
    skeleton = notebook_functions("exercises/17_4_chocolate_factory.ipynb")
    result = check_chocolate_factory(skeleton["conveyor"], skeleton["lucy"])
    assert not result.passed and result.status == "not solved yet" and not result.failed
    assert "not solved yet" in capsys.readouterr().out


@pytest.mark.parametrize("lucy, reason, detail", [
    (drops_a_piece, "once", "dropped milk"),
    (handles_one_twice, "once", "handled praline once too often"),
    (polls_with_lpop, "blocking", "no blocking pop reached the server (LPOP ×"),
    (stops_when_the_belt_is_empty, "stops", "still on the belt"),
    (counts_before_taking, "remaining", "left: the belt then held"),
])
def test_a_broken_lucy_fails_for_the_right_reason(solution, lucy, reason, detail):
    result = check(solution["conveyor"], lucy)
    assert result.failed == reason, result.report()
    assert detail in result.report() and result.hint and "Result: failed" in result.report()


@pytest.mark.parametrize("conveyor, reason", [(forgets_end, "end"), (all_at_once, "interval")])
def test_a_broken_conveyor_fails_for_the_right_reason(solution, conveyor, reason):
    result = check(conveyor, solution["lucy"])
    assert result.failed == reason, result.report()
    assert "ended the thread" not in result.hint  # her pop failed when the check stopped its server: she ended


def test_a_lucy_that_never_returns_is_ended_within_the_bound(solution):
    started = time.monotonic()
    result = check(solution["conveyor"], never_stops)
    assert time.monotonic() - started < LIMIT - MARGIN
    assert result.failed == "stops" and "went on waiting" in result.report()
    assert "The check ended the thread" in result.hint
    time.sleep(0.3)
    assert not [t for t in threading.enumerate() if t.name == "factory-check-lucy"]  # no longer spinning


def test_an_error_in_lucy_is_named_in_the_hint(solution):
    def decodes_text(r, belt, seconds=0.5):
        while (piece := r.blpop(belt)[1].decode()) != "END":  # str has no decode()
            print(piece)

    result = check(solution["conveyor"], decodes_text)
    assert result.failed == "stops" and "AttributeError" in result.hint


def test_lines_must_hold_time_type_and_count(solution):
    def no_count(r, belt, seconds=0.5):
        while (piece := r.blpop(belt)[1]) != "END":
            print(datetime.now().strftime("%H:%M:%S"), "Lucy wraps a", piece)
            time.sleep(seconds)

    result = check(solution["conveyor"], no_count)
    assert result.failed == "lines" and "does not say how many" in result.report()


def test_polling_on_a_client_of_her_own_is_still_counted_by_the_server(solution):
    def own_client(r, belt, seconds=0.5):
        where = r.connection_pool.connection_kwargs
        with redis.Redis(where["host"], where["port"], password=where["password"], decode_responses=True,
                         socket_timeout=2) as mine:
            polls_with_lpop(mine, belt, seconds)

    assert check(solution["conveyor"], own_client).failed == "blocking"
