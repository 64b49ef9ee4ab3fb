"""Notebook 10's timing claims, measured the notebook's way: each claim's words hold (they are worded for a busy
class server; the suite itself keeps both CPUs busy, and a run beside two busy loops passed)."""
import asyncio
from pathlib import Path

import nbformat
import pytest

from helpers.web import StdlibServer, api_server
from helpers.web.clients import fetch_many, fetch_one_by_one
from helpers.web.timing import rtt_us

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "10_web_apis.ipynb"


def text_of_notebook():
    """All the markdown of notebook 10, its lines joined."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    return " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def api():
    with api_server("fastapi", name="api-under-load") as server:
        yield server, server.keys.issue("batch job", limit=None)


def test_at_once_the_waits_overlap_one_by_one_they_add_up(api):
    assert "the whole batch is over in a fraction of that time" in text_of_notebook()
    server, key = api
    paths = ["/demo/slow?ms=100"] * 20
    one_by_one = fetch_one_by_one(server.url, key, paths)
    at_once = asyncio.run(fetch_many(server.url, key, paths, runs=3))
    assert one_by_one.total_ms >= 20 * 100 and set(one_by_one.statuses) == {200}
    assert 100 <= at_once.total_ms < one_by_one.total_ms / 2, (str(one_by_one), str(at_once))
    assert "median of 3" in at_once.label and set(at_once.statuses) == {200}


def test_answers_that_come_at_once_gain_nothing_from_concurrency(api):
    assert "doing 100 at a time gains nothing" in text_of_notebook()
    server, key = api
    instant = [f"/v1/satellites?page={1 + n % 4}" for n in range(100)]
    one_by_one = fetch_one_by_one(server.url, key, instant)
    at_once = asyncio.run(fetch_many(server.url, key, instant))
    assert at_once.total_ms >= one_by_one.total_ms, (str(one_by_one), str(at_once))


def test_with_nagle_off_every_server_is_at_least_ten_times_quicker():
    words = text_of_notebook()
    assert "answers at least ten times faster than with it on" in words and "takes 40,000 µs or more" in words
    naive = StdlibServer(name="api-nagle-under-load", nagle=True).start()
    try:
        nagle = rtt_us(naive, count=20, warmup=2)
    finally:
        naive.stop()
    assert nagle >= 40_000
    for framework in ("stdlib", "flask", "fastapi"):
        with api_server(framework, name=f"api-{framework}-under-load") as server:
            assert rtt_us(server) <= nagle / 10, framework
