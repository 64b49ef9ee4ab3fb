"""On a shared machine every account reaches 127.0.0.1: the dotted-names server admits only its owner, and the
open XML-RPC server offers double() and nothing a dotted name could reach."""
import base64
import time
import xmlrpc.client

import pytest

from helpers.core.ports import is_listening
from helpers.rpc import DottedServer, TimeoutTransport, XmlRpcServer, xmlrpc_proxy


def proxy_at(server, user_password=""):
    host, port = server.address
    auth = f"{user_password}@" if user_password else ""
    return xmlrpc.client.ServerProxy(f"http://{auth}{host}:{port}/", transport=TimeoutTransport(2))


@pytest.fixture
def dotted():
    with DottedServer(name="test-dotted") as server:
        yield server


@pytest.mark.parametrize("user_password", ["", "owner:guess", "owner:", "learner:{password}"])
def test_without_the_password_a_caller_gets_401_and_touches_nothing(dotted, user_password):
    with pytest.raises(xmlrpc.client.ProtocolError) as refused:
        proxy_at(dotted, user_password.format(password=dotted.password)).log.copy()
    assert refused.value.errcode == 401 and refused.value.headers["WWW-Authenticate"].startswith("Basic")
    with pytest.raises(xmlrpc.client.ProtocolError, match="401"):
        proxy_at(dotted).settings.clear()
    assert dotted.station.log == [] and dotted.station.settings == {"max_n": 1000, "owner": "mission control"}


def test_a_password_one_character_off_is_refused(dotted):
    last = dotted.password[-1]
    near = dotted.password[:-1] + ("A" if last != "A" else "B")
    with pytest.raises(xmlrpc.client.ProtocolError, match="401"):
        proxy_at(dotted, f"owner:{near}").double(2)
    assert proxy_at(dotted, f"owner:{dotted.password}").double(2) == 4  # the real one works


def test_the_owners_proxy_and_client_send_the_password(dotted):
    assert xmlrpc_proxy(dotted).double(21) == 42 and xmlrpc_proxy(dotted).log.copy() == [21]
    with dotted.client() as client:
        assert client.double(3) == 6
        assert client.send(xmlrpc.client.dumps((4,), "double").encode()) == 8
        sent = client.last.sent[0][1]
    expected = base64.b64encode(f"owner:{dotted.password}".encode())
    assert b"Authorization: Basic " + expected in sent


def test_the_password_is_new_at_every_start_and_never_shown():
    server = DottedServer(name="test-dotted-restart")
    passwords = []
    for _ in range(2):
        with server:
            passwords.append(server.password)
            assert len(server.password) >= 24  # 18 random bytes from secrets, URL-safe
            assert server.password not in server.url + repr(server) + str(server.stats)
            assert xmlrpc_proxy(server).double(1) == 2
    assert passwords[0] != passwords[1]


def test_the_with_block_stops_it_and_closes_its_port():
    with DottedServer(name="test-dotted-gone") as server:
        address = server.address
        assert is_listening(address)
    assert not server.running
    deadline = time.monotonic() + 2
    while is_listening(address) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not is_listening(address)


def test_the_open_server_lists_double_only_and_refuses_dotted_names():
    with XmlRpcServer(name="test-open") as server:
        anyone = proxy_at(server)
        assert set(anyone.system.listMethods()) == {"double", "system.listMethods", "system.methodHelp",
                                                     "system.methodSignature"}
        for name in ("double.__class__", "os.system", "__import__", "system.__class__"):
            with pytest.raises(xmlrpc.client.Fault, match="is not supported"):
                getattr(anyone, name)("id")
        assert anyone.double(7) == 14
