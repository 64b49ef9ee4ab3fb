"""Every RPC server: double() answered right, each bad call answered with the protocol's own error, still serving."""
import socket
import threading
import time

import pytest

from helpers.core.errors import ServiceError
from helpers.core.ports import free_port, is_listening, retry_port_clash
from helpers.rpc import MsgpackRpcServer, RpcFault, XmlRpcServer, ZerorpcServer
from helpers.rpc.compare import GARBAGE, bad_calls, round_trips, wire_sizes
from helpers.rpc.grpc_double import GrpcServer
from helpers.rpc.jsonrpc_double import JsonRpcServer
from helpers.rpc.twirp_double import TwirpServer

KINDS = {"xmlrpc": XmlRpcServer, "jsonrpc": JsonRpcServer, "msgpack-rpc": MsgpackRpcServer, "zerorpc": ZerorpcServer,
         "grpc": GrpcServer, "twirp": TwirpServer}
OWN_ERROR = {"xmlrpc": "XML-RPC Fault 1: ", "jsonrpc": "JSON-RPC error -32", "msgpack-rpc": "MessagePack-RPC error: ",
             "zerorpc": "zerorpc ERR ", "grpc": "gRPC status ", "twirp": "Twirp error "}
TEN_MB = b"x" * (10 * 1024 * 1024)


@pytest.fixture(scope="module", params=sorted(KINDS))
def server(request):
    started = KINDS[request.param](name=f"test-{request.param}").start()
    started.kind_name = request.param
    yield started
    started.stop()


def fault(server, attempt):
    """The protocol error one attempt gets (the test fails if it gets an answer or another error)."""
    with server.client(timeout=5) as client:
        with pytest.raises(RpcFault) as caught:
            attempt(client)
        assert client.double(7) == 14  # the same connection still works
    message = str(caught.value)
    assert message.startswith(OWN_ERROR[server.kind_name]), message
    assert "\n" not in message
    return message


def test_double_is_answered_right(server):
    with server.client() as client:
        for n in (0, 7, -21, 123_456):
            assert client.double(n) == 2 * n
        assert client.last.sent and client.last.received and client.last.ms > 0


def test_an_unknown_method_gets_the_protocols_error(server):
    message = fault(server, lambda c: c.call("triple" if c.double_name == "double" else "Triple", 7))
    assert "riple" in message or "UNIMPLEMENTED" in message  # gRPC does not repeat the name


def test_a_wrong_argument_type_gets_the_protocols_error(server):
    if server.kind_name == "grpc":  # the stub refuses to encode it; sent anyway, the server refuses it
        with server.client() as client, pytest.raises(ServiceError, match="protobuf refused it before sending"):
            client.double("seven")
        message = fault(server, lambda c: c.send(b"\x0a\x05seven"))  # field 1 as a string, not a varint
        assert "INVALID_ARGUMENT" in message and "field 1" in message
    else:
        message = fault(server, lambda c: c.double("seven"))
        assert "number" in message or "parse" in message


def test_a_malformed_body_gets_the_protocols_error(server):
    message = fault(server, lambda c: c.send(GARBAGE))
    assert any(word in message.lower() for word in ("malformed", "parse", "not well-formed", "deserializ")), message


def test_a_ten_megabyte_body_gets_the_protocols_error(server):
    message = fault(server, lambda c: c.send(TEN_MB))
    assert "10,485,760" in message or "10485760" in message, message


def test_a_result_too_big_for_the_protocol_gets_its_error(server):
    big = {"xmlrpc": 2**30, "msgpack-rpc": 2**63, "zerorpc": 2**63, "grpc": 2**62, "twirp": 2**62}
    if server.kind_name == "jsonrpc":
        with server.client() as client:  # JSON has no size limit on integers
            assert client.double(2**70) == 2**71
        return
    fault(server, lambda c: c.double(big[server.kind_name]))


def test_a_fresh_client_is_served_after_all_the_bad_calls(server):
    with server.client() as client:
        assert client.double(21) == 42


def test_servers_that_take_any_number_double_floats(server):
    with server.client() as client:
        if server.kind_name in ("grpc", "twirp"):  # the contract says int64
            with pytest.raises((RpcFault, ServiceError)):
                client.double(2.5)
        else:
            assert client.double(2.5) == 5.0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_lifecycle_start_stop_twice_with_and_a_given_port(kind):
    def start():  # another program may take the free port before the server binds it: then try another
        port = free_port()
        return port, KINDS[kind](name=f"life-{kind}", port=port).start()

    port, server = retry_port_clash(start)
    with server:
        assert server.address == ("127.0.0.1", port) and server.running
        assert is_listening(server.address)
        with server.client() as client:
            assert client.double(3) == 6
    assert not server.running
    server.stop()  # a second stop does nothing
    deadline = time.monotonic() + 3
    while is_listening(server.address) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not is_listening(server.address)


class Silent:
    """A TCP port that accepts connections (the kernel completes the handshake) and never answers."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.address = self.sock.getsockname()
        self.url = f"http://127.0.0.1:{self.address[1]}/"
        self.endpoint = f"tcp://127.0.0.1:{self.address[1]}"
        self.target = f"127.0.0.1:{self.address[1]}"
        self.route = f"{self.url}twirp/space.Doubler/Double"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_silent_server_makes_the_client_fail_within_its_timeout(kind):
    silent = Silent()
    try:
        client = KINDS[kind].client(silent, timeout=0.5)
        start = time.monotonic()
        with pytest.raises(ServiceError) as caught:
            client.double(7)
        assert time.monotonic() - start < 2.5
        assert "\n" not in str(caught.value)
        client.close()
    finally:
        silent.sock.close()


def test_nothing_listening_is_one_clear_line():
    port = free_port()
    gone = Silent()
    gone.sock.close()
    gone.address, gone.url = ("127.0.0.1", port), f"http://127.0.0.1:{port}/"
    for kind in ("xmlrpc", "jsonrpc", "twirp"):
        with pytest.raises(ServiceError, match="nothing is listening"):
            KINDS[kind].client(gone).double(7)


def test_the_comparison_helpers_measure_every_server():
    servers = [kind(name=f"cmp-{name}").start() for name, kind in KINDS.items()]
    try:
        rtts = round_trips(servers, count=20, warmup=2)
        assert set(rtts) == {s.label for s in servers} and all(0 < us < 100_000 for us in rtts.values())
        sizes = wire_sizes(servers)
        assert sizes["MessagePack-RPC"] == (12, 5) and sizes["gRPC"] == (7, 7)  # [0,1,"double",[7]]; 5-byte prefix + 2
        table = bad_calls(servers).data
        assert table.count("answered 14") == len(servers) and "gRPC status UNIMPLEMENTED" in table
    finally:
        for server in servers:
            server.stop()


def test_stdout_of_the_test_process_stays_clean(capfd, server):
    with server.client() as client:
        for attempt in (lambda: client.send(GARBAGE), lambda: client.call("nope")):
            try:
                attempt()
            except ServiceError:
                pass
    time.sleep(0.1)
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)


def test_many_bad_zerorpc_calls_never_fill_the_childs_pipe():
    with ZerorpcServer(name="test-zerorpc-many") as server, server.client() as client:
        for _ in range(400):  # each would log a traceback; 400 of them are far more than a pipe holds
            with pytest.raises(RpcFault):
                client.call("nope", "x" * 200)
        assert client.double(5) == 10 and server.process.poll() is None


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_after_stop_a_connected_client_gets_no_more_answers(kind):
    server = KINDS[kind](name=f"gone-{kind}").start()
    client = server.client(timeout=0.5)
    try:
        assert client.double(1) == 2
        server.stop()
        start = time.monotonic()
        with pytest.raises(ServiceError):
            client.double(2)
        assert time.monotonic() - start < 2
    finally:
        client.close()
        server.stop()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_stop_leaves_no_thread_behind_even_with_a_client_still_connected(kind):
    before = {t.ident for t in threading.enumerate()}
    server = KINDS[kind](name=f"threads-{kind}")
    clients = []
    for _ in range(3):  # and not after restarts either
        server.start()
        clients.append(server.client())
        assert clients[-1].double(2) == 4
        server.stop()
        if kind == "grpc":
            clients.pop().close()  # a gRPC channel runs threads of its own: the client's, not the server's
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        left = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
        if not left:
            break
        time.sleep(0.05)
    assert left == []
    for client in clients:
        client.close()
