"""On a shared machine every account reaches 127.0.0.1: the API answers only keys it issued (from `secrets`, new
for every server), compared in constant time, and its public page shows none of what keys added."""
import secrets

import pytest
import requests

from helpers.web import Keys, api_server
from helpers.web.catalogue import SATELLITES

NEW = {"name": "Owner's CubeSat", "operator": "a school", "orbit": "LEO", "launched": 2026, "purpose": "science"}


@pytest.fixture(scope="module", params=["stdlib", "flask", "fastapi"])
def server(request):
    with api_server(request.param, name=f"keys-{request.param}") as running:
        yield running


def test_every_server_makes_its_own_random_key():
    keys = {api_server(framework).key for framework in ("stdlib", "flask", "fastapi", "fastapi")}
    assert len(keys) == 4 and all(len(key) == 24 for key in keys)  # token_urlsafe(18): 24 characters


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_key_a_guessed_key_or_one_a_character_off_is_refused(server, method):
    last = server.key[-1]
    for key in (None, "a" * 24, server.key[:-1] + ("A" if last != "A" else "B"), server.key + "x", ""):
        headers = {"X-API-Key": key} if key is not None else {}
        reply = requests.request(method, f"{server.url}/v1/satellites", json=NEW, headers=headers, timeout=5)
        assert reply.status_code == 401, (key, reply.status_code, reply.text)
    assert not any(s["name"] == NEW["name"] for s in requests.get(
        f"{server.url}/v1/satellites", params={"per_page": 50}, headers=server.headers, timeout=5).json()["items"])


def test_keys_are_compared_in_constant_time(monkeypatch):
    keys, compared = Keys(), []
    token = keys.issue("owner")
    real = secrets.compare_digest
    monkeypatch.setattr(secrets, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    assert keys.check(token) is None and keys.check("x" * len(token)).status == 401
    assert len(compared) == 2 and all(a == token.encode() for a, _ in compared)


def test_the_public_page_lists_the_published_catalogue_not_what_keys_added():
    with api_server("fastapi", name="keys-page") as server:
        added = requests.post(f"{server.url}/v1/satellites", json=NEW, headers=server.headers, timeout=5)
        assert added.status_code == 201
        page = requests.get(f"{server.url}/satellites.html", timeout=5)
        assert page.status_code == 200 and page.text.count('<tr class="sat">') == len(SATELLITES)
        assert "CubeSat" not in page.text
        number = added.json()["id"]
        assert requests.get(f"{server.url}/v1/satellites/{number}", timeout=5).status_code == 401
