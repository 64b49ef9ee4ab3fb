"""zerorpc lives in child processes: gevent never enters the process using the helpers, and the child dies with it."""
import json
import subprocess
import sys

import msgpack
import psutil
import pytest
import zmq

from ended import all_gone, python_parent, sigkill
from helpers.core.errors import ServiceError
from helpers.rpc import ZerorpcServer, chapter_client, clients_compared, event, gevent_in
from helpers.zeromq import socket


def test_importing_zerorpc_imports_gevent_which_is_why_it_runs_in_a_child():
    assert gevent_in("zerorpc") > 10
    assert gevent_in("helpers.rpc") == 0


def test_using_zerorpc_through_the_helpers_leaves_no_gevent_in_this_process():
    with ZerorpcServer(name="test-zerorpc-gevent") as server:
        with server.client() as client:
            assert client.double(21) == 42
        assert chapter_client(server, 7) == ("Double 7 is 14", None)
        compared = clients_compared(server, count=50)
        assert all(value > 0 for value, unit in compared.values())
    assert "gevent" not in sys.modules and "zerorpc" not in sys.modules


def test_the_same_holds_in_a_fresh_python_that_uses_every_rpc_helper():
    code = ("import sys, json; from helpers.rpc import ZerorpcServer, chapter_client;"
            "from helpers.rpc.explorer import rpc_explorer; from helpers.rpc.compare import round_trips;"
            "s = ZerorpcServer(name='z').start(); c = s.client(); r = c.double(4); line = chapter_client(s, 3)[0];"
            "rpc_explorer([s]).call(); s.stop();"
            "print(json.dumps([r, line, sorted(m for m in sys.modules if m.split('.')[0] in ('gevent', 'zerorpc'))]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == [8, "Double 3 is 6", []]


def test_the_wire_format_by_hand_is_zerorpcs_event_envelope():
    with ZerorpcServer(name="test-zerorpc-wire") as server:
        dealer = socket(zmq.DEALER)
        try:
            dealer.connect(server.endpoint)
            request = event("double", [7], message_id="abc")
            dealer.send_multipart([b"", request])
            empty, answer = dealer.recv_multipart()
        finally:
            dealer.close(linger=0)
    header, name, args = msgpack.unpackb(answer)
    assert msgpack.unpackb(request) == [{"message_id": "abc", "v": 3}, "double", [7]]
    assert (empty, name, args, header["response_to"]) == (b"", "OK", [14], "abc")


def test_the_child_dies_with_a_killed_parent():
    script = ("from helpers.rpc import ZerorpcServer; s = ZerorpcServer(name='z').start();"
              "print(s.process.pid, s.address[1], flush=True); import time; time.sleep(60)")
    with python_parent(script) as parent:
        pid, port = map(int, parent.stdout.readline().split())
        child = psutil.Process(pid)
        sigkill(parent)
        assert all_gone([child], [port])


def test_a_child_that_cannot_start_is_one_clear_line(monkeypatch):
    server = ZerorpcServer(name="test-zerorpc-broken")
    monkeypatch.setattr(server, "command", lambda: [sys.executable, "-c", "raise SystemExit('no zerorpc here')"])
    with pytest.raises(ServiceError, match="no zerorpc here") as caught:
        server.start()
    assert "\n" not in str(caught.value) and not server.running
