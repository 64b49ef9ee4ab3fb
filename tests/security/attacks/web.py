"""Two-account attacks on notebook 10's satellite API (a per-start key on every /v1 call) and the one-page server."""
import requests
from kit import Attack, Breach

TIMEOUT = 5
OWNERS = {"name": "Owner's CubeSat", "operator": "dis-owner", "orbit": "LEO", "launched": 2026,
          "purpose": "science"}
INTRUDER = dict(OWNERS, name="Classmate's junk", operator="dis-classmate")


def api_owner(server):
    """The owner adds a satellite and reads it back with the server's own key, as notebook 10 does."""
    added = requests.post(f"{server.url}/v1/satellites", json=OWNERS, headers=server.headers, timeout=TIMEOUT)
    assert added.status_code == 201, added.text
    number = added.json()["id"]
    assert requests.get(f"{server.url}/v1/satellites/{number}", headers=server.headers,
                        timeout=TIMEOUT).json()["name"] == OWNERS["name"]
    return {"host": server.address[0], "port": server.address[1], "url": server.url, "number": number}, [server.key]


def api_unchanged(server, facts):
    """The owner's satellite is still there, and nobody else's was added."""
    page = requests.get(f"{server.url}/v1/satellites", params={"per_page": 50}, headers=server.headers,
                        timeout=TIMEOUT).json()
    names = [s["name"] for s in page["items"]]
    assert OWNERS["name"] in names and INTRUDER["name"] not in names, names


def refused(reply, what):
    """The refusal's status and detail; Breach if the request went through."""
    if reply.status_code < 400:
        raise Breach(f"{what}: {reply.status_code} {reply.text[:100]}")
    return f"HTTP {reply.status_code} {reply.json().get('detail')}"


def write(key):
    def attempt(facts):
        headers = {"X-API-Key": key} if key else {}
        reply = requests.post(f"{facts['url']}/v1/satellites", json=INTRUDER, headers=headers, timeout=TIMEOUT)
        return refused(reply, "added a satellite")
    return attempt


def read(key):
    def attempt(facts):
        headers = {"X-API-Key": key} if key else {}
        reply = requests.get(f"{facts['url']}/v1/satellites/{facts['number']}", headers=headers, timeout=TIMEOUT)
        return refused(reply, "read the owner's satellite")
    return attempt


def public_page(facts):
    """The FastAPI server's web page is open to all, like a website: it lists the published catalogue only."""
    page = requests.get(f"{facts['url']}/satellites.html", timeout=TIMEOUT)
    page.raise_for_status()
    if OWNERS["name"].replace("'", "&#x27;") in page.text or OWNERS["name"] in page.text:
        raise Breach("the public page shows the satellite the owner added with its key")
    return f"HTTP {page.status_code}: the published catalogue only ({page.text.count('<tr')} rows)"


GUESSED = "a" * 24  # a key of the right length, as token_urlsafe(18) makes
TRIES = [
    ("add a satellite with no key", write(None), r"^HTTP 401 this API needs a key"),
    ("add a satellite with a guessed key", write(GUESSED), r"^HTTP 401 unknown or revoked API key"),
    ("read the owner's satellite with no key", read(None), r"^HTTP 401 this API needs a key"),
    ("read the owner's satellite with a guessed key", read(GUESSED), r"^HTTP 401 unknown or revoked API key"),
]


def page_owner(server):
    assert requests.get(f"http://{server.address[0]}:{server.address[1]}/", timeout=TIMEOUT).status_code == 200
    return {"host": server.address[0], "port": server.address[1]}, []


def page_refuses(method, path):
    def attempt(facts):
        reply = requests.request(method, f"http://{facts['host']}:{facts['port']}{path}", data=b"x", timeout=TIMEOUT)
        if reply.status_code < 400:
            raise Breach(f"{method} {path} -> {reply.status_code}")
        return f"HTTP {reply.status_code} {reply.reason}"
    return attempt


ATTACKS = {
    "api-stdlib": Attack(owner=api_owner, check_again=api_unchanged, tries=TRIES),
    "api-flask": Attack(owner=api_owner, check_again=api_unchanged, tries=TRIES),
    "api-fastapi": Attack(owner=api_owner, check_again=api_unchanged, tries=[
        *TRIES, ("read the owner's satellite off the public web page", public_page, r"published catalogue only")]),
    "http": Attack(owner=page_owner, open="one fixed page at /, read-only: nothing of the owner's to read or change",
                   tries=[("read a file outside / by path traversal", page_refuses("GET", "/../../etc/passwd"),
                           r"^HTTP 404"),
                          ("upload a file with PUT", page_refuses("PUT", "/pwned.txt"), r"^HTTP 501")]),
}
