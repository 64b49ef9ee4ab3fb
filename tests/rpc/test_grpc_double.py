"""gRPC: stubs generated at run time, unary and streaming calls with deadlines, restarts with a new server object."""
import time

import pytest

from helpers.core.ports import is_listening
from helpers.rpc.grpc_double import GrpcServer, RpcError, channel
from helpers.rpc.stubs import PROTO, grpc_stubs


@pytest.fixture(scope="module")
def stubs():
    return grpc_stubs()


def test_protoc_writes_the_stubs_into_a_private_folder(stubs):
    assert stubs.files == ["rpc_double_pb2.py", "rpc_double_pb2.pyi", "rpc_double_pb2_grpc.py"]
    assert stubs.folder.name.startswith("dis-rpc-") and (stubs.folder.stat().st_mode & 0o077) == 0
    assert "rpc Double (Number) returns (Number)" in PROTO.read_text()
    assert grpc_stubs() is stubs  # once per process


def test_unary_and_streaming_calls_with_the_generated_stub(stubs):
    with GrpcServer(name="test-grpc-calls") as server:
        stub = stubs.DoublerStub(channel(server.target))
        assert stub.Double(stubs.Number(value=7), timeout=2).value == 14
        countdown = stub.Countdown(stubs.CountdownRequest(start=5), timeout=2)
        assert [n.value for n in countdown] == [5, 4, 3, 2, 1, 0]


def test_a_deadline_cuts_a_slow_stream(stubs):
    with GrpcServer(name="test-grpc-deadline") as server:
        stub = stubs.DoublerStub(channel(server.target))
        seen, start = [], time.monotonic()
        with pytest.raises(RpcError) as caught:
            for number in stub.Countdown(stubs.CountdownRequest(start=10, pause_ms=100), timeout=0.35):
                seen.append(number.value)
        assert caught.value.code().name == "DEADLINE_EXCEEDED"
        assert 2 <= len(seen) <= 5 and seen[0] == 10 and time.monotonic() - start < 1.5
        assert stub.Double(stubs.Number(value=1), timeout=2).value == 2  # and the server goes on


def test_the_server_refuses_arguments_out_of_range(stubs):
    with GrpcServer(name="test-grpc-range") as server:
        stub = stubs.DoublerStub(channel(server.target))
        for request in (stubs.CountdownRequest(start=101), stubs.CountdownRequest(start=3, pause_ms=5000)):
            with pytest.raises(RpcError) as caught:
                list(stub.Countdown(request, timeout=2))
            assert caught.value.code().name == "INVALID_ARGUMENT"


def test_stop_then_start_builds_a_new_server_object_that_answers():
    server = GrpcServer(name="test-grpc-restart").start()
    try:
        first, old_address = server.server, server.address
        server.stop()
        assert not is_listening(old_address)
        server.start()
        assert server.server is not first and server.running
        with server.client() as client:
            assert client.double(8) == 16
        server.stop()
        server.stop()
        server.start()  # and once more
        with server.client() as client:
            assert client.double(9) == 18
    finally:
        server.stop()


def test_it_binds_loopback_only():
    with GrpcServer(name="test-grpc-loopback") as server:
        assert server.address[0] == "127.0.0.1"
