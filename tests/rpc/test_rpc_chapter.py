"""What notebook 12 says about the chapter's code today, checked: each claim fails here if it stops being true."""
import socket
import time
import xmlrpc.client

import pytest
import requests
from jsonrpcclient import parse, request

from helpers.rpc import DottedServer, TimeoutTransport, XmlRpcServer, xmlrpc_proxy
from helpers.rpc.jsonrpc_double import JsonRpcServer


def test_the_chapters_jsonrpc_client_fails_with_jsonrpcclient_4():
    with pytest.raises(TypeError, match="unexpected keyword argument 'num'"):
        request("http://localhost:5000", "double", num=7)
    wrong = request("http://localhost:5000", "double", 7)  # no error: a request for a method named like the URL
    assert wrong["method"] == "http://localhost:5000" and not hasattr(wrong, "data")


def test_the_current_jsonrpc_way_request_post_parse():
    with JsonRpcServer(name="chapter-jsonrpc") as server:
        reply = requests.post(server.url, json=request("double", params=(7,)), timeout=2)
        assert parse(reply.json()).result == 14
        named = requests.post(server.url, json=request("double", params={"num": 8}), timeout=2)
        assert parse(named.json()).result == 16
        batch = [request("double", params=(n,)) for n in (1, 2, 3)]
        assert [a.result for a in parse(requests.post(server.url, json=batch, timeout=2).json())] == [2, 4, 6]
        note = requests.post(server.url, json={"jsonrpc": "2.0", "method": "double", "params": [7]}, timeout=2)
        assert note.status_code == 200 and note.text == ""


def test_the_chapters_xmlrpc_client_with_a_timeout_and_its_32_bit_ints():
    with XmlRpcServer(name="chapter-xmlrpc") as server:
        proxy = xmlrpc.client.ServerProxy(server.url, transport=TimeoutTransport(timeout=2))
        assert proxy.double(7) == 14 and proxy.double(2.5) == 5.0
        assert "double" in proxy.system.listMethods()
        with pytest.raises(xmlrpc.client.Fault, match="not supported"):
            proxy.pow(2, 10)
        with pytest.raises(xmlrpc.client.Fault, match="int exceeds XML-RPC limits"):
            proxy.double(2**30)
        with pytest.raises(OverflowError):
            proxy.double(2**31)
        with pytest.raises(xmlrpc.client.Fault, match="needs a number"):
            proxy.double(True)


def test_the_timeout_transport_fires():
    silent = socket.create_server(("127.0.0.1", 0))
    try:
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{silent.getsockname()[1]}/",
                                          transport=TimeoutTransport(timeout=0.3))
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            proxy.double(7)
        assert time.monotonic() - start < 1.5
    finally:
        silent.close()


def test_dotted_names_let_a_caller_walk_into_the_instance_and_only_there():
    with DottedServer(name="chapter-open") as open_door, DottedServer(name="chapter-closed", dotted=False) as closed:
        station = xmlrpc_proxy(open_door)
        assert (station.double(21), station.double(4)) == (42, 8)
        assert station.log.copy() == [21, 4]
        assert station.settings.pop("max_n") == 1000 and "max_n" not in open_door.station.settings
        with pytest.raises(xmlrpc.client.Fault, match="not supported"):
            station.double.__globals__.copy()  # names with _ are refused
        walled = xmlrpc_proxy(closed)
        assert walled.double(3) == 6
        with pytest.raises(xmlrpc.client.Fault, match='"log.copy" is not supported'):
            walled.log.copy()
