"""Notebook 07's helpers: lists as queues, a worker that dies holding an item, queue vs pub-sub, the live factory."""
import threading
import time

import pytest

from helpers import running, stop_all
from helpers.queues import (describe, factory_line, factory_view, fill, fragile_worker, queue_vs_pubsub, recover,
                            reliable_worker, take_all, wait_until_lapsed, whereabouts)
from helpers.queues.factory_view import FactoryView
from helpers.servers.redis import redis_server

JOBS = [f"job-{n}" for n in range(1, 7)]


@pytest.fixture
def server():
    srv = redis_server("queues-test-redis").start()
    yield srv
    stop_all()
    deadline = time.monotonic() + 3
    while live_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_threads() == [] and running() == []


def live_threads():
    return [t.name for t in threading.enumerate() if t.name.startswith(("chocolate-factory", "queue-vs-pubsub"))]


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


def test_odd_items_are_described_in_one_line(server):
    raw = server.client(decode_responses=False)
    raw.rpush("q", b"plain", b"\xff\xfe\x00", b"x" * 5_000_000, "é".encode())
    taken = take_all(raw, "q", timeout=0.2)
    assert taken == ["plain", "<3 bytes that are not UTF-8: b'\\xff\\xfe\\x00'>",
                     "<a huge item: 5,000,000 bytes>", "é"]
    assert all("\n" not in line and len(line) < 80 for line in taken)
    assert describe("y" * 100).endswith("…") and len(describe("y" * 100)) == 41


def test_a_worker_that_dies_loses_its_item_with_blpop_and_not_with_blmove(server):
    r = server.client()
    fill(r, "jobs", JOBS)
    fragile = fragile_worker(r, "jobs", die_at=3)
    places = whereabouts(r, "jobs", JOBS, [fragile])
    assert fragile.died_holding == "job-3" and places["job-3"] == "LOST: nowhere"
    assert [j for j, p in places.items() if p == "still in the queue"] == ["job-4", "job-5", "job-6"]

    fill(r, "jobs", JOBS)
    w1 = reliable_worker(r, "jobs", name="w1", die_at=3)
    assert w1.died_holding == "job-3" and r.lrange("jobs:processing:w1", 0, -1) == ["job-3"]
    assert recover(r, "jobs") == []  # w1's heartbeat has not lapsed yet: nothing is taken from a live worker
    wait_until_lapsed(r, "jobs", "w1")
    assert recover(r, "jobs") == ["job-3"] and r.lindex("jobs", 0) == "job-3"
    w2 = reliable_worker(r, "jobs", name="w2")
    assert w2.handled == ["job-3", "job-4", "job-5", "job-6"]
    assert set(whereabouts(r, "jobs", JOBS, [w1, w2]).values()) == {"finished by w1", "finished by w2"}
    assert r.exists("jobs:processing:w1", "jobs:processing:w2") == 0


def test_a_queue_gives_each_item_to_one_worker_and_a_channel_to_every_subscriber(server):
    view = queue_vs_pubsub(server)
    got = view.demo.send(8)
    workers = got["worker A"] + got["worker B"]
    assert sorted(workers, key=lambda i: int(i.split("-")[1])) == [f"item-{n}" for n in range(1, 9)]
    assert got["worker A"] and got["worker B"]
    assert got["subscriber A"] == got["subscriber B"] == [f"item-{n}" for n in range(1, 9)]
    wait_for(lambda: view.table.value.count("<span") == 24)  # the page follows (8 + 8 + 8 chips), from its thread


def test_the_factory_shares_pieces_between_lucy_and_ethel_each_once(server):
    line = factory_line(server, speed=20, seconds=0.05)
    wait_for(lambda: line.counts["Lucy"] >= 3)
    line.add_worker("Ethel")
    wait_for(lambda: line.counts["Ethel"] >= 5 and line.handled >= 15)
    assert line.workers == ["Lucy", "Ethel"] and line.twice == 0 and not line.error
    assert len(line._seen) == line.handled  # every piece handled was a different piece
    line.remove_worker("Ethel")
    wait_for(lambda: line.workers == ["Lucy"] and not [t for t in threading.enumerate()
                                                        if t.name == "chocolate-factory-Ethel" and t.is_alive()])
    assert line.backlog and all(isinstance(n, int) for _, n in line.backlog)


def test_odd_items_on_the_belt_are_reported_and_the_factory_goes_on(server):
    line = factory_line(server, speed=10, seconds=0.02)
    raw = server.client(decode_responses=False)
    raw.lpush(line.belt, b"x" * 5_000_000, b"\xff\xfe not text")  # at the head: taken next
    wait_for(lambda: line.counts["odd items"] == 2)
    assert "not a piece: <a huge item: 5,000,000 bytes>" in line.odd and "\n" not in line.odd
    handled = line.handled
    wait_for(lambda: line.handled > handled + 3)  # still working
    assert not line.error


def test_the_widget_refreshes_at_most_ten_times_a_second_and_stops_with_stop_all(server, monkeypatch):
    shown = []
    original = FactoryView.show
    monkeypatch.setattr(FactoryView, "show", lambda self: (shown.append(time.monotonic()), original(self)))
    view = factory_view(server, speed=50, seconds=0.01)
    wait_for(lambda: len(shown) >= 2)
    started, before = time.monotonic(), len(shown)
    time.sleep(1.0)
    assert len(shown) - before <= 11 * (time.monotonic() - started)
    view.speed.value = 5  # the slider reaches the running conveyor
    assert view.line.speed == 5
    view.toggle_ethel()
    wait_for(lambda: "Ethel" in view.counts.value)
    assert "<svg" in view.chart.value and "polyline" in view.chart.value
    stop_all()
    wait_for(lambda: "stopped" in view.status.value and view.stop.description == "Start")


def test_a_redis_server_that_goes_away_is_one_line_in_the_widget(server):
    view = factory_view(server, speed=10, seconds=0.05)
    wait_for(lambda: view.line.handled >= 1)
    server.stop()
    wait_for(lambda: "redis-server went away" in view.status.value)
    assert "\n" not in view.status.value
