"""The API explorer widget, driven from the kernel side (no browser), and the route docs_link picks."""
import html
import json
import re
import socket
from types import SimpleNamespace

import pytest

from helpers.web import api_server, docs
from helpers.web.explorer import ITEMS, ApiExplorer, contract_spec, endpoints, explorer, pretty

V1 = {"GET /v1/satellites", "GET /v1/satellites/{number}", "POST /v1/satellites"}


def text(widget):
    """What an HTML widget shows, without its tags."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


def choose(box, label):
    """Pick the endpoint whose label starts with label."""
    box.endpoint.value = next(e for e in box.endpoints if e.label.startswith(label + " "))


@pytest.fixture(scope="module", params=["stdlib", "flask", "fastapi"])
def server(request):
    with api_server(request.param) as running:
        yield running


def test_the_three_v1_operations_are_offered(server):
    box = explorer(server)
    labels = {f"{e.method} {e.path}" for e in box.endpoints}
    assert V1 <= labels and (labels == V1) == (server.framework != "FastAPI")
    assert box.endpoint.value.label.startswith("GET /v1/satellites ")  # the list comes first
    assert "GEO" in box.fields["orbit"].placeholder and "default 10" in box.fields["per_page"].placeholder
    assert "dis-api-explorer" in box._dom_classes and box.key.value == server.key


def test_a_list_shows_the_request_sent_the_status_and_a_cut_body(server):
    box = explorer(server)
    box.fields["orbit"].value = "LEO"
    box.button.click()
    sent = text(box.request)
    assert "GET /v1/satellites?orbit=LEO HTTP/1.1\nHost: " in sent and f"X-API-Key: {server.key}" in sent
    assert "HTTP/1.1 200 OK" in text(box.status) and " ms " in text(box.status)
    assert re.search(r"(?im)^content-type: application/json", text(box.headers))
    shown = text(box.body)
    assert shown.count('"id":') == ITEMS and f"... ({10 - ITEMS} more items)" in shown  # a page holds 10


def test_a_missing_satellite_is_a_404(server):
    box = explorer(server)
    choose(box, "GET /v1/satellites/{number}")
    box.fields["number"].value = "1"
    box.button.click()
    assert "404" in text(box.status) and "no satellite with catalogue number 1" in text(box.body)


def test_a_bad_query_is_a_422_naming_the_field(server):
    box = explorer(server)
    box.fields["per_page"].value = "0"
    box.button.click()
    assert "422" in text(box.status) and '"per_page"' in text(box.body)


def test_without_the_key_the_answer_is_401(server):
    box = explorer(server)
    box.key.value = ""
    box.button.click()
    assert "X-API-Key" not in text(box.request) and "401" in text(box.status)
    assert "needs a key" in text(box.body)


def test_the_example_body_adds_a_satellite(server):
    box = explorer(server)
    choose(box, "POST /v1/satellites")
    assert box.json.layout.display is None and json.loads(box.json.value)["orbit"] == "LEO"
    box.json.value = json.dumps(dict(json.loads(box.json.value), name="CubeSat Two"))
    box.button.click()
    assert "201" in text(box.status) and "Content-Type: application/json" in text(box.request)
    assert box.response.json()["name"] == "CubeSat Two" and '"CubeSat Two"' in text(box.body)


def test_an_empty_path_parameter_is_caught_before_sending(server):
    box = explorer(server)
    choose(box, "GET /v1/satellites/{number}")
    assert box.send() is None and "fill in number" in text(box.status) and not box.button.disabled


def test_a_key_that_cannot_be_a_header_is_one_line(server):
    box = explorer(server)
    box.key.value = "ключ"
    assert box.send() is None and "can only carry ASCII" in text(box.status)


def test_a_stopped_server_is_one_line():
    with api_server("stdlib") as server:
        box = explorer(server)
    assert box.send() is None
    line = text(box.status)
    assert "connection refused" in line and "\n" not in line.strip() and "Traceback" not in line
    assert not box.button.disabled


def test_a_server_that_never_answers_times_out_in_one_line():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel queues the connection; nobody reads it
        host, port = silent.getsockname()
        box = ApiExplorer(SimpleNamespace(url=f"http://{host}:{port}", key="k", address=(host, port),
                                          framework="nothing"), timeout=0.3)
        assert box.send() is None
    assert text(box.status).strip() == f"\u26a0 no reply from {host}:{port} within 0.3 s"


def test_the_contract_spec_has_only_v1():
    assert {f"{e.method} {e.path}" for e in endpoints(contract_spec())} == V1


def test_pretty_says_what_it_left_out():
    assert "... (1 more item)" in pretty(json.dumps(list(range(ITEMS + 1))))
    assert pretty("x" * 50, chars=10) == "x" * 10 + "\n... (40 more characters)"
    assert pretty("<html>not json</html>") == "<html>not json</html>"


@pytest.fixture
def fastapi():
    with api_server("fastapi") as running:
        yield running


def test_docs_link_goes_direct_outside_jupyter(fastapi, monkeypatch):
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert docs.docs_link(fastapi) == f"{fastapi.url}/docs"
    assert "direct to 127.0.0.1" in docs.show_docs(fastapi).data


def test_docs_link_goes_through_the_jupyter_servers_proxy(fastapi, monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    (tmp_path / "jpserver-4242.json").write_text(json.dumps({"pid": 4242, "base_url": "/lab-base/"}))
    port = fastapi.address[1]
    assert docs.docs_link(fastapi) == f"/lab-base/proxy/{port}/docs"
    page = docs.show_docs(fastapi, height=300).data
    assert "through the Jupyter server's proxy" in page and "height='300'" in page and "open in a new tab" in page
    monkeypatch.setattr(docs, "has_proxy", lambda: False)  # no jupyter-server-proxy: the proxy route does not exist
    assert docs.docs_link(fastapi) == f"{fastapi.url}/docs"


def test_docs_link_on_jupyterhub_uses_the_users_prefix(fastapi, monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))  # no server file here
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert docs.docs_link(fastapi) == f"/user/ada/proxy/{fastapi.address[1]}/docs"


def test_only_the_fastapi_server_has_docs():
    with api_server("flask") as server, pytest.raises(TypeError, match="only the FastAPI server"):
        docs.docs_link(server)
