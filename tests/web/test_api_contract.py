"""The same contract for the three servers: status codes, JSON bodies, pagination links, keys and limits."""
import time
from http.client import HTTPConnection, HTTPException

import pytest
import requests

from helpers.core import registry
from helpers.web import api_server
from helpers.web.catalogue import SATELLITES

ISS = {"id": 25544, "name": "International Space Station", "operator": "NASA/Roscosmos/ESA/JAXA/CSA",
       "orbit": "LEO", "launched": 1998, "purpose": "station"}
NEW = {"name": "CubeSat One", "operator": "a school", "orbit": "LEO", "launched": 2026, "purpose": "science"}


@pytest.fixture(scope="module", params=["stdlib", "flask", "fastapi"])
def server(request):
    with api_server(request.param) as running:
        yield running


@pytest.fixture
def http(server):
    with requests.Session() as session:
        session.headers.update(server.headers)
        yield lambda method, path, **kw: session.request(method, server.url + path, timeout=5, **kw)


def test_one_satellite_by_number(http):
    reply = http("GET", "/v1/satellites/25544")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("application/json")
    assert reply.json() == ISS


def test_a_missing_satellite_is_a_404_with_a_reason(http):
    reply = http("GET", "/v1/satellites/1")
    assert reply.status_code == 404 and "1" in reply.json()["detail"]


def test_pages_link_to_each_other_and_cover_every_match(server, http):
    seen, path = [], "/v1/satellites?orbit=LEO&per_page=4"
    while path:
        page = http("GET", path).json()
        assert page["per_page"] == 4 and len(page["items"]) <= 4
        seen += page["items"]
        path = page["links"]["next"]
    leo = [row for row in SATELLITES if row[3] == "LEO"]
    assert page["total"] == len(leo) and {s["id"] for s in seen} == {row[0] for row in leo}
    assert all(s["orbit"] == "LEO" for s in seen) and len(seen) == len({s["id"] for s in seen})
    assert page["links"]["prev"] and page["links"]["next"] is None


def test_filters_combine(http):
    page = http("GET", "/v1/satellites", params={"orbit": "GEO", "purpose": "weather"}).json()
    assert {s["name"] for s in page["items"]} == {"Meteosat-11", "Himawari-9", "GOES-16", "GOES-18"}
    assert page["links"]["prev"] is None and page["links"]["self"].startswith("/v1/satellites?")


@pytest.mark.parametrize("query, field", [({"orbit": "Mars"}, "orbit"), ({"per_page": "0"}, "per_page"),
                                          ({"page": "first"}, "page")])
def test_bad_query_is_a_422_naming_the_field(http, query, field):
    reply = http("GET", "/v1/satellites", params=query)
    assert reply.status_code == 422
    assert [e["loc"] for e in reply.json()["detail"]] == [["query", field]]


def test_a_post_adds_and_a_bad_post_names_the_field(http):
    made = http("POST", "/v1/satellites", json=NEW)
    assert made.status_code == 201 and {k: made.json()[k] for k in NEW} == NEW
    assert http("GET", f"/v1/satellites/{made.json()['id']}").json() == made.json()
    wrong = http("POST", "/v1/satellites", json=dict(NEW, launched=1900))
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "launched"]


def test_no_key_is_a_401_and_a_read_only_key_cannot_write(server):
    bare = requests.get(server.url + "/v1/satellites", timeout=5)
    assert bare.status_code == 401 and "X-API-Key" in bare.json()["detail"]
    assert "X-API-Key" in bare.headers["WWW-Authenticate"]
    wrong = requests.get(server.url + "/v1/satellites", headers={"X-API-Key": "guess"}, timeout=5)
    assert wrong.status_code == 401
    reader = server.keys.issue("reader", scopes=("read",))
    reply = requests.post(server.url + "/v1/satellites", json=NEW, headers={"X-API-Key": reader}, timeout=5)
    assert reply.status_code == 403 and "write" in reply.json()["detail"]


def test_past_the_limit_a_429_says_when_to_come_back(server):
    key = server.keys.issue("trial", limit=3, per=3.0)
    codes = [requests.get(server.url + "/v1/satellites/5", headers={"X-API-Key": key}, timeout=5) for _ in range(5)]
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
    wait = int(codes[-1].headers["Retry-After"])
    assert 1 <= wait <= 3 and "limit" in codes[-1].json()["detail"]
    other = requests.get(server.url + "/v1/satellites/5", headers=server.headers, timeout=5)
    assert other.status_code == 200  # limits are per key
    time.sleep(wait)
    assert requests.get(server.url + "/v1/satellites/5", headers={"X-API-Key": key}, timeout=5).status_code == 200
    assert server.keys.usage()["trial"] == (4, 2)


def test_a_revoked_key_stops_working(server):
    key = server.keys.issue("leaver")
    assert requests.get(server.url + "/v1/satellites/5", headers={"X-API-Key": key}, timeout=5).status_code == 200
    server.keys.revoke(key)
    assert requests.get(server.url + "/v1/satellites/5", headers={"X-API-Key": key}, timeout=5).status_code == 401


def test_requests_are_counted_and_the_server_stops_cleanly():
    with api_server("stdlib", name="api-counted") as server:
        for _ in range(3):
            requests.get(server.url + "/v1/satellites/5", headers=server.headers, timeout=5)
        assert server.stats.messages == 3 and registry.get("api-counted") is server
    assert not server.running and registry.get("api-counted") is None
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/v1/satellites/5", timeout=1)


def test_werkzeugs_server_closes_every_connection():
    with api_server("flask", name="api-closes") as server:  # so Flask's round trip includes a TCP handshake
        reply = requests.get(server.url + "/v1/satellites/5", headers=server.headers, timeout=5)
        assert reply.status_code == 200 and reply.headers["Connection"] == "close"


@pytest.mark.parametrize("framework", ["stdlib", "fastapi"])
def test_stop_also_ends_kept_alive_connections(framework):
    server = api_server(framework, name=f"api-kept-{framework}").start()
    conn = HTTPConnection(*server.address, timeout=2)
    try:
        conn.request("GET", "/v1/satellites/5", headers=server.headers)
        assert conn.getresponse().read() and conn.sock is not None  # kept alive
        server.stop()
        with pytest.raises((ConnectionError, HTTPException)):  # no more answers on it
            conn.request("GET", "/v1/satellites/5", headers=server.headers)
            conn.getresponse()
    finally:
        conn.close()
        server.stop()
