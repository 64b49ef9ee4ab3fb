"""Notebook 04's request-reply helpers: the chapter's server, zmq_ask, lock-step, transports, the console."""
import errno
import socket as pysocket
import time

import pytest
import zmq

from helpers import ServiceError, serve
from helpers.core import registry
from helpers.zeromq import (bind_again, many_clients, measure_transports, plot_transports, rep_server, reserve_port,
                            socket, zmq_ask, zmq_console)


@pytest.fixture
def rep():
    server = serve("zmq-rep", as_name="test-rep")
    yield server
    server.stop()


def test_chapter_server_answers_stop_saying_on_an_os_chosen_port(rep):
    assert rep.endpoint.startswith("tcp://127.0.0.1:") and rep.address[1] > 0
    assert zmq_ask(rep.endpoint, b"message #1") == [b"Stop saying: message #1"]
    assert zmq_ask(rep.endpoint, [b"a", b"b"]) == [b"Stop saying: a", b"Stop saying: b"]
    assert rep.stats.messages == 2


def test_a_client_started_before_the_server_gets_its_reply():
    port = reserve_port()
    early = socket(zmq.REQ)
    try:
        early.connect(f"tcp://127.0.0.1:{port}")
        early.send(b"anyone there?")
        with pytest.raises(ConnectionRefusedError):  # nothing listens there yet
            pysocket.create_connection(("127.0.0.1", port), timeout=1).close()
        with pytest.raises(OSError, match="in use"), pysocket.socket() as other:  # nor can another program take it
            other.setsockopt(pysocket.SOL_SOCKET, pysocket.SO_REUSEADDR, 1)
            other.bind(("127.0.0.1", port))
        with rep_server("test-late", port=port) as late:
            assert late.address == ("127.0.0.1", port)
            assert early.recv() == b"Stop saying: anyone there?"
    finally:
        early.close()


def test_many_clients_each_get_their_own_replies(rep):
    heard = many_clients(rep.endpoint, clients=6, requests=4)
    assert len(heard) == 24
    for client, request, reply in heard:
        assert reply == [f"Stop saying: client {client} message #{request}".encode()]


def test_binding_a_used_endpoint_is_address_in_use_and_a_rerun_replaces(rep):
    error = bind_again(rep.endpoint)
    assert isinstance(error, zmq.ZMQError) and error.errno == errno.EADDRINUSE
    again = serve("zmq-rep", as_name="test-rep")
    try:
        assert not rep.running and registry.get("test-rep") is again
        assert zmq_ask(again.endpoint, b"x") == [b"Stop saying: x"]
    finally:
        again.stop()


def test_req_is_lock_step(rep):
    sock = socket(zmq.REQ)
    sock.connect(rep.endpoint)
    try:
        sock.send(b"one")
        with pytest.raises(zmq.ZMQError) as raised:
            sock.send(b"two")
        assert raised.value.errno == zmq.EFSM
        assert sock.recv() == b"Stop saying: one"
    finally:
        sock.close()


def test_asking_a_stopped_server_gives_one_line_after_the_timeout_and_no_hang():
    with serve("zmq-rep", as_name="test-gone") as gone:
        endpoint = gone.endpoint
    start = time.monotonic()
    with pytest.raises(ServiceError) as raised:
        zmq_ask(endpoint, b"hello?", timeout=0.5)
    assert 0.4 < time.monotonic() - start < 2
    assert "\n" not in str(raised.value) and endpoint in str(raised.value)


def test_every_transport_round_trips_and_is_plotted():
    found = measure_transports(rounds=50)
    assert set(found) == {"tcp", "ipc", "inproc"}
    assert all(len(samples) == 50 and min(samples) > 0 for samples in found.values())
    labels = [t.get_text() for t in plot_transports(found).axes[0].get_xticklabels()]
    assert [label.split("\n")[0] for label in labels] == ["tcp", "ipc", "inproc"]
    assert not registry.running()


def test_unavailable_ipc_is_said_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr("helpers.zeromq.transports.ipc_available", lambda: False)
    found = measure_transports(rounds=5)
    assert found["ipc"] is None and found["tcp"]
    assert capsys.readouterr().out.count("\n") == 1
    assert len(plot_transports(found).axes[0].get_xticklabels()) == 2


def test_console_sends_frames_over_req_and_dealer(rep):
    console = zmq_console(rep.endpoint)
    assert rep.endpoint in [value for _, value in console.endpoint.options]
    console.text.value = "one\ntwo"
    assert console.submit() == b"Stop saying: one | Stop saying: two"
    assert "round trip" in console.rtt.value and "Stop saying: two" in console.reply.value
    console.kind.value = "DEALER"
    console.submit()
    assert console.frames == [b"", b"Stop saying: one", b"Stop saying: two"]
    assert [e[0] for e in console.exchanges] == [b"one\ntwo"] * 2 and "DEALER" in console.history.value


def test_console_shows_a_dead_endpoint_as_one_line():
    with serve("zmq-rep", as_name="test-dead") as dead:
        console = zmq_console(dead.endpoint, timeout=0.3)
    assert console.submit() is None
    assert "no reply" in console.reply.value and not console.button.disabled
