"""The API clients: retries that recover or give up in one line, timeouts, 100 GETs at once, a generated one."""
import asyncio
import socket
import time
import uuid

import httpx
import pytest

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port
from helpers.web import HEADER, api_server
from helpers.web.clients import (
    fetch_many,
    fetch_one_by_one,
    get_json,
    plot_timing,
    retrying_get,
    session,
)
from helpers.web.generated import generate_client, show_source


@pytest.fixture(scope="module")
def server():
    with api_server("fastapi") as running:
        yield running


@pytest.fixture(scope="module")
def key(server):
    """A key with no rate limit, so the tests never meet 429 by accident."""
    return server.keys.issue("tests", limit=None)


def flaky(server, fail, status=503):
    """The URL of a fresh flaky endpoint: fails `fail` times with status, then answers 200."""
    return f"{server.url}/demo/flaky/{uuid.uuid4().hex}?fail={fail}&status={status}"


@pytest.fixture
def silent():
    """A listening socket that never accepts nor answers: connecting works, no reply ever comes."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_session_gets_json_and_names_the_status_and_detail(server, key):
    with session(key) as web:
        assert web.headers[HEADER] == key
        assert get_json(web, f"{server.url}/v1/satellites/25544")["name"] == "International Space Station"
        assert get_json(web, f"{server.url}/v1/satellites", orbit="GEO", per_page=2)["total"] == 7
        with pytest.raises(ServiceError) as missing:
            get_json(web, f"{server.url}/v1/satellites/9")
        with pytest.raises(ServiceError) as invalid:
            get_json(web, f"{server.url}/v1/satellites", per_page=99)
    assert str(missing.value) == "GET /v1/satellites/9 -> 404 Not Found: no satellite with catalogue number 9"
    assert "422 Unprocessable Entity: query.per_page: " in str(invalid.value)
    with session(key) as web, pytest.raises(ServiceError, match=r"^GET /satellites.html -> 200 OK: .*not JSON$"):
        get_json(web, f"{server.url}/satellites.html")


def test_session_recovers_from_two_failures(server, key):
    with session(key, retries=3, backoff=0.05) as web:
        assert get_json(web, flaky(server, 2)) == {"calls": 3}


def test_session_gives_up_after_its_budget_in_one_line(server, key):
    with session(key, retries=2, backoff=0.05) as web, pytest.raises(ServiceError) as gave_up:
        get_json(web, flaky(server, 10))
    message = str(gave_up.value)
    assert message.startswith("gave up after 2 retries: GET /demo/flaky/") and "\n" not in message
    assert "-> 503 Service Unavailable: failing on purpose (call 3 of 10)" in message


def test_session_honours_retry_after(server, key):
    with session(key, retries=2, backoff=0.01) as web:
        started = time.monotonic()
        assert get_json(web, flaky(server, 1, status=429)) == {"calls": 2}
    assert time.monotonic() - started >= 1.0  # Retry-After: 1, not the 0.01 s backoff


def test_session_does_not_retry_what_is_unsafe(server):
    writer = server.keys.issue("one write", scopes=("read", "write"), limit=1, per=10)
    new = {"name": "CubeSat One", "operator": "a school", "orbit": "LEO", "launched": 2026, "purpose": "science"}
    with session(writer, retries=3) as web:
        assert web.post(f"{server.url}/v1/satellites", json=new).status_code == 201
        started = time.monotonic()
        again = web.post(f"{server.url}/v1/satellites", json=new)  # a POST may add twice: never retried
    assert again.status_code == 429 and time.monotonic() - started < 1


def test_retrying_get_recovers_and_logs_the_retry_after_wait(server, key):
    with httpx.Client(headers={HEADER: key}, timeout=5) as client:
        reply, log = retrying_get(client, flaky(server, 1, status=429), backoff=0.01)
    assert reply.status_code == 200 and reply.json() == {"calls": 2}
    assert log == [(1, 429, 1.0), (2, 200, 0.0)]


def test_retrying_get_backs_off_then_gives_up(server, key):
    with httpx.Client(headers={HEADER: key}, timeout=5) as client:
        started = time.monotonic()
        reply, log = retrying_get(client, flaky(server, 10), tries=3, backoff=0.1)
    assert reply.status_code == 503 and [entry[:2] for entry in log] == [(1, 503), (2, 503), (3, 503)]
    assert [entry[2] for entry in log] == [0.1, 0.2, 0.0]  # exponential backoff, no wait after the last
    assert time.monotonic() - started >= 0.3


def test_a_silent_server_times_out_instead_of_hanging(silent):
    url = f"http://{HOST}:{silent}/v1/satellites"
    for client in (session("k", timeout=1), httpx.Client(timeout=1)):
        started = time.monotonic()
        with client, pytest.raises(ServiceError) as waited:
            get_json(client, url)
        assert time.monotonic() - started < 4
        assert str(waited.value) == f"no reply from {HOST}:{silent} within 1 s"
    with httpx.Client(timeout=1) as client, pytest.raises(ServiceError, match="no reply"):
        retrying_get(client, url)


def test_a_refused_connection_is_one_line_at_once():
    url = f"http://{HOST}:{free_port()}/v1/satellites"
    started = time.monotonic()
    with session("k", retries=3, backoff=1) as web, pytest.raises(ServiceError) as refused:
        get_json(web, url)
    assert "(connection refused)" in str(refused.value) and time.monotonic() - started < 1  # not retried
    with pytest.raises(ServiceError, match="connection refused"):
        fetch_one_by_one(url.rsplit("/v1", 1)[0], "k", ["/v1/satellites"])


def test_fetch_many_sends_100_at_once(server, key):
    paths = [f"/v1/satellites?page={1 + n % 4}&per_page=10" for n in range(100)]
    at_once = asyncio.run(fetch_many(server.url, key, paths))
    one_by_one = fetch_one_by_one(server.url, key, paths)
    for batch in (at_once, one_by_one):
        assert batch.statuses == [200] * 100 and len(batch.each_ms) == len(batch.starts_ms) == 100
    assert at_once.total_ms < sum(at_once.each_ms)  # the requests overlapped
    assert one_by_one.total_ms >= sum(one_by_one.each_ms)  # these did not
    assert "100 GETs" in str(at_once)
    figure = plot_timing(one_by_one, at_once)
    assert len(figure.axes) == 2 and "at once" in figure.axes[1].get_title()


def test_each_request_is_timed_to_its_own_answer(server, key):
    paths = ["/demo/slow?ms=0", "/demo/slow?ms=400"] * 10
    batch = asyncio.run(fetch_many(server.url, key, paths))
    ends = [start + each for start, each in zip(batch.starts_ms, batch.each_ms)]
    assert max(ends[0::2]) < min(ends[1::2]) - 200  # the quick ones came back long before the slow ones
    assert max(ends) <= batch.total_ms + 1


def test_fetch_many_says_what_failed(server):
    with pytest.raises(ServiceError, match=r"^100 of 100 requests failed, the first: nothing is listening"):
        asyncio.run(fetch_many(f"http://{HOST}:{free_port()}", "k", ["/v1/satellites"] * 100, concurrency=10))
    assert asyncio.run(fetch_many(server.url, "wrong key", ["/v1/satellites"] * 3)).statuses == [401] * 3


def test_generated_client_lists_gets_and_is_refused_without_key(server, key):
    made = generate_client(server)
    folder = made.folder
    try:
        assert {"list_satellites", "get_satellite", "add_satellite"} <= set(made.endpoints)
        source = show_source(made.list_satellites)
        assert source.startswith("def sync(") and "per_page: int" in source and source.endswith('"""')
        client = made.Client(base_url=server.url, headers={HEADER: key}, timeout=httpx.Timeout(5))
        page = made.list_satellites.sync(client=client, orbit="GEO", per_page=3)
        assert type(page).__name__ == "Page" and page.total == 7 and len(page.items) == 3
        assert made.get_satellite.sync(client=client, number=25544).name == "International Space Station"
        keyed = made.AuthenticatedClient(base_url=server.url, token=key, prefix="", auth_header_name=HEADER)
        assert made.get_satellite.sync(client=keyed, number=5).launched == 1958
        refused = made.get_satellite.sync_detailed(client=made.Client(base_url=server.url), number=25544)
        assert refused.status_code == 401 and "needs a key" in refused.parsed.detail
    finally:
        made.cleanup()
    assert not folder.exists()


def test_generated_client_from_a_url_is_fresh_each_time(server):
    first, second = generate_client(server.url), generate_client(server.url)
    try:
        assert first.folder != second.folder and first.package is not second.package
        assert second.seconds < 60 and "list_satellites" in repr(second)
    finally:
        second.cleanup()
    folder = first.folder
    del first  # dropping the object removes its folder too
    assert not folder.exists()


def test_generation_fails_in_one_line(server, tmp_path):
    with pytest.raises(ServiceError, match=r"GET .*/nowhere/openapi.json -> 404 Not Found"):
        generate_client(f"{server.url}/nowhere")
    with pytest.raises(ServiceError, match=r"^openapi-python-client failed: Failed to parse") as failed:
        generate_client({"openapi": "3.1.0", "paths": "not a spec"}, folder=tmp_path)
    assert "\n" not in str(failed.value)
