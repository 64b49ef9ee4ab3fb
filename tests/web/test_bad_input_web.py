"""Bad input to each API server: a clear 4xx, and the next good client is served as if nothing happened."""
import json
import socket
import threading
import time

import pytest
import requests

from helpers.web import api_server


@pytest.fixture(scope="module", params=["stdlib", "flask", "fastapi"])
def server(request):
    with api_server(request.param) as running:
        yield running


def still_serves(server):
    reply = requests.get(server.url + "/v1/satellites/25544", headers=server.headers, timeout=5)
    return reply.status_code == 200 and reply.json()["launched"] == 1998


def raw(server, data, pause=0.0, read_timeout=10):
    """Send data over a fresh connection (byte by byte if pause), then return everything the server sends."""
    with socket.create_connection(server.address, timeout=read_timeout) as sock:
        if pause:
            for byte in data:
                sock.sendall(bytes([byte]))
                time.sleep(pause)
        else:
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_and_body(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_malformed_json_is_a_422(server):
    reply = requests.post(server.url + "/v1/satellites", data=b'{"name": "half', timeout=5,
                          headers=dict(server.headers, **{"Content-Type": "application/json"}))
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][0] == "body"
    assert still_serves(server)


def test_a_10_mb_body_is_a_413_and_never_kept(server):
    reply = requests.post(server.url + "/v1/satellites", data=b"x" * 10_000_000, headers=server.headers, timeout=10)
    assert reply.status_code == 413 and "64 KiB" in reply.json()["detail"]
    listed = requests.get(server.url + "/v1/satellites?per_page=50", headers=server.headers, timeout=5).json()
    assert listed["total"] == 34  # nothing was added
    assert still_serves(server)


def test_garbage_bytes_get_a_400(server):
    status, _ = status_and_body(raw(server, b"\x00\xff\x13garbage, not HTTP\r\n\r\n"))
    assert status == 400
    assert still_serves(server)


def test_a_slow_client_sending_headers_byte_by_byte_does_not_block_others(server):
    request = "GET /v1/satellites/5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()  # no key
    result = {}
    slow = threading.Thread(target=lambda: result.update(reply=raw(server, request, pause=0.02)))
    slow.start()
    served = sum(still_serves(server) for _ in range(10))  # while the slow one is still typing
    slow.join(timeout=15)
    assert served == 10 and "reply" in result
    status, body = status_and_body(result["reply"])
    assert status == 401 and "X-API-Key" in json.loads(body)["detail"]


def test_a_client_that_vanishes_mid_request(server, capfd):
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(b"POST /v1/satellites HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
                     + f"X-API-Key: {server.key}\r\n\r\n".encode() + b'{"name": ')
    assert still_serves(server)
    time.sleep(0.2)  # the server's thread for the vanished client has finished
    assert "Traceback" not in capfd.readouterr().err  # nothing printed into whichever cell runs next
