"""Exercise 17.2: `serve zmq-time` prints its tcp:// endpoint; an address without tcp:// gets a hint on endpoints."""
import re
import signal
import subprocess
import sys
import threading

import pytest

from helpers import serve, stop_all
from helpers.zeromq import check_zmq_time_server


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


@pytest.mark.parametrize("given", ["{host}:{port}", "{port}"])
def test_an_address_without_tcp_gets_a_hint_on_endpoints_not_on_recv(given):
    server = serve("zmq-time")
    host, port = server.address
    result = check_zmq_time_server(given.format(host=host, port=port), quiet=True)
    assert not result.passed and result.failed == "answers"
    assert "rep.recv()" not in result.hint and '"tcp://127.0.0.1:5555"' in result.hint
    assert f'did you mean "tcp://127.0.0.1:{port}"?' in result.checks[0].detail


def test_serve_zmq_time_prints_the_endpoint_the_checker_takes():
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", "zmq-time"], stdout=subprocess.PIPE, text=True)
    give_up = threading.Timer(45, proc.kill)  # a server that never prints an endpoint ends here, and so does readline
    give_up.start()
    try:
        lines = iter(proc.stdout.readline, "")
        endpoint = next((found[0] for line in lines if (found := re.search(r"tcp://127\.0\.0\.1:\d+", line))), None)
        assert endpoint, "serve zmq-time printed no tcp:// endpoint"
        assert check_zmq_time_server(endpoint, quiet=True).passed
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        give_up.cancel()
        proc.kill()
        proc.stdout.close()
