"""The same servers from a terminal: `python -m helpers serve NAME`."""
import os
import re
import signal
import subprocess
import sys

import pytest
import redis

from helpers import ask, udp_ask
from helpers.brokers.rabbitmq import rabbitmq_available
from helpers.brokers.stomp import connect_frame
from helpers.cloud.endpoints import azurite_path
from dnslib import DNSRecord
from helpers.widgets.consoles import talk
from helpers.core.ports import is_listening


def test_list_names_every_server():
    out = subprocess.run([sys.executable, "-m", "helpers", "serve", "--list"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    for name in ("echo", "udp-echo", "redis", "nats", "stomp", "rabbitmq"):
        assert re.search(rf"^{name}\s", out, re.M)


def test_import_helpers_leaves_the_heavy_libraries_for_later():
    heavy = ("fastapi", "flask", "grpc", "jsonrpcserver", "matplotlib", "asyncssh", "fabric", "ansible", "dask",
             "distributed", "pyspark", "boto3", "moto", "google.cloud", "azure", "kubernetes", "docker")
    code = f"import helpers, sys; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.strip() == "[]", f"`import helpers` (every notebook's start) imported {out.strip()}"


DNS_QUERY = DNSRecord.question("www.crappytaxidermy.com").pack()
HEAD = b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
KEYLESS = b"GET /v1/satellites HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
PROBES = {  # one real request per terminal server, and what its reply starts with
    "echo": (ask, b"from a terminal", b"from a terminal"),
    "udp-time": (udp_ask, b"Hey!", b"Are you talking to me"),
    "tcp-time": (ask, b"Hey!", b"Are you talking to me"),
    "http": (talk, HEAD, b"HTTP/1.1 200 OK"),
    "redis": (ask, b"PING\r\nQUIT\r\n", b"-NOAUTH"),  # Redis wants its password first: see the banner's test below
    "nats": (talk, b'CONNECT {"verbose":false}\r\nPING\r\n', b"INFO {"),  # INFO first, then PONG
    "stomp": (talk, connect_frame(), b"ERROR\nmessage:Authentication failed for None"),  # no login: refused
    "rabbitmq": (talk, b"AMQP\x00\x00\x09\x01", b"\x01\x00\x00"),  # Connection.Start
    "dns": (udp_ask, DNS_QUERY, DNS_QUERY[:2]),  # a DNS reply starts with its query's id
    "ftp": (talk, b"NOOP\r\n", b"220 "),
    "mail": (talk, b"EHLO terminal\r\n", b"220 "),
    "smtp": (talk, b"EHLO terminal\r\n", b"220 "),
    # the API servers answer a keyless request with 401 and say where the key goes
    "api-stdlib": (talk, KEYLESS, b"HTTP/1.1 401 "),
    "api-flask": (talk, KEYLESS, b"HTTP/1.1 401 "),
    "api-fastapi": (talk, KEYLESS, b"HTTP/1.1 401 "),
    # the RPC servers: double(7) over HTTP where a typed request can make it; the protocol's first answer otherwise
    "xmlrpc": (lambda a, r: talk(a, r).split(b"\r\n\r\n", 1)[-1],
               b"POST / HTTP/1.0\r\nContent-Length: 136\r\n\r\n<?xml version='1.0'?><methodCall><methodName>double"
               b"</methodName><params><param><value><int>7</int></value></param></params></methodCall>",
               b"<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><int>14</int>"),
    "jsonrpc": (lambda a, r: talk(a, r).split(b"\r\n\r\n", 1)[-1],
                b'POST / HTTP/1.1\r\nContent-Length: 62\r\nConnection: close\r\n\r\n'
                b'{"jsonrpc": "2.0", "method": "double", "params": [7], "id": 1}', b'{"jsonrpc": "2.0", "result": 14'),
    "twirp": (lambda a, r: talk(a, r).split(b"\r\n\r\n", 1)[-1],
              b"POST /twirp/space.Doubler/Double HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 12\r\n"
              b'Connection: close\r\n\r\n{"value": 7}', b'{"value": "14"}'),
    "grpc": (lambda a, r: talk(a, r)[3:4], b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00",
             b"\x04"),  # HTTP/2: after the preface, the server's first frame is its SETTINGS (type 4)
    "msgpack-rpc": (talk, b"\xff" + bytes(7) + b"\x01\x7f", b"\xff" + bytes(7) + b"\x01\x7f"),  # ZeroMQ greets back
    "zerorpc": (talk, b"\xff" + bytes(7) + b"\x01\x7f", b"\xff" + bytes(7) + b"\x01\x7f"),
    "ssh": (talk, b"SSH-2.0-probe\r\n", b"SSH-2.0-"),  # the server's version line comes first
    # the cloud endpoints refuse a request that does not carry this start's keys or token
    "aws": (talk, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", b"HTTP/1.1 403 Forbidden"),
    "gcs": (talk, b"GET /storage/v1/b?project=p HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            b"HTTP/1.0 401 Unauthorized"),
    "azurite": (talk, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                b"HTTP/1.1 400 Value for one of the query parameters"),  # Azure's own answer to a bare GET
}
if not rabbitmq_available(quiet=True) and os.environ.get("CI") != "true":  # CI installs it and always runs it
    del PROBES["rabbitmq"]
if not azurite_path() and os.environ.get("CI") != "true":  # needs Node.js: `make azurite`, which CI runs
    del PROBES["azurite"]


@pytest.mark.parametrize("name", sorted(PROBES))
def test_serve_prints_address_answers_and_stops_on_ctrl_c(name):
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", name], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        host, port = re.search(r"listening on (127\.0\.0\.1):(\d+)", line).groups()
        address = (host, int(port))
        send, request, reply = PROBES[name]
        assert send(address, request).startswith(reply)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        assert "stopped" in proc.stdout.read()
        assert not is_listening(address)
    finally:
        proc.kill()
        proc.stdout.close()


def test_serve_redis_prints_a_password_that_works_and_that_redis_wants():
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", "redis"], stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(5)]
        banner = "".join(lines)
        host, port = re.search(r"listening on (127\.0\.0\.1):(\d+)", lines[0]).groups()
        password = re.search(r"^password .*: (\S+)$", banner, re.M).group(1)
        cli = re.search(r"^redis-cli .*: REDISCLI_AUTH=(\S+) redis-cli -h (\S+) -p (\d+)$", banner, re.M).groups()
        assert cli == (password, host, port)  # the redis-cli line names this server and this password
        said = re.search(r"^redis-py: (redis\.Redis\(.*\))$", banner, re.M).group(1)
        with eval(said, {"redis": redis}) as conn:  # the redis-py line, exactly as printed
            conn.connection_pool.connection_kwargs.update(socket_timeout=5, socket_connect_timeout=5)
            assert conn.set("planet", "mars") and conn.get("planet") == b"mars"
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(host, int(port), password="guessed", socket_timeout=5).ping()
        assert talk((host, int(port)), f"AUTH {password}\r\nPING\r\n".encode()) == b"+OK\r\n+PONG\r\n"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.stdout.close()
