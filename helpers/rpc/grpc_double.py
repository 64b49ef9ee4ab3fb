"""gRPC: the service of data/rpc_double.proto, served and called with stubs generated at run time."""
import logging
import time
from concurrent import futures

from helpers.rpc.stubs import grpc_stubs  # isort: skip (first: it sets gRPC's environment before gRPC is imported)

import grpc
from google.protobuf import unknown_fields
from grpc import RpcError  # noqa: F401 (notebooks catch it from here, so that nothing imports grpc too early)

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.core.service import Service
from helpers.rpc.client import TIMEOUT, RpcClient, RpcFault
from helpers.rpc.double import MAX_BODY

logging.getLogger("grpc").setLevel(logging.CRITICAL)  # it logs every request it cannot decode, on stderr
SERVICE = "space.Doubler"
STREAMING = {"Countdown"}  # the methods that answer with a stream
INT64 = range(-2**63, 2**63)


class Doubler:
    """The service's code: the generated add_DoublerServicer_to_server() only needs these two methods."""

    def __init__(self, stats):
        self.stats, self.stubs = stats, grpc_stubs()

    def Double(self, request, context):
        self.check(request, context)
        if request.value * 2 not in INT64:
            context.abort(grpc.StatusCode.OUT_OF_RANGE, f"double({request.value}) does not fit in an int64")
        return self.stubs.Number(value=request.value * 2)

    def Countdown(self, request, context):
        self.check(request, context)
        if not 0 <= request.start <= 100 or not 0 <= request.pause_ms <= 1000:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "start must be 0 to 100 and pause_ms 0 to 1000")
        for n in range(request.start, -1, -1):
            if not context.is_active():  # the client hung up, or its deadline passed
                return
            yield self.stubs.Number(value=n)
            if n:
                time.sleep(request.pause_ms / 1000)

    def check(self, request, context):
        """Count the request; refuse fields that came with the wrong wire type (protobuf only keeps them aside)."""
        self.stats.message(request.ByteSize(), 0)
        strays = [f.field_number for f in unknown_fields.UnknownFieldSet(request)]
        if strays:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"field {strays[0]} is not an int64 (wrong wire type) or not in {type(request).__name__}")


class GrpcServer(Service):
    """A gRPC server on 127.0.0.1; every start() builds a new server object (a stopped one cannot start again)."""

    kind = "grpc thread pool"
    label = "gRPC"

    def __init__(self, name="grpc", port=0, workers=8):
        super().__init__(name)
        self.port, self.workers, self.server = port, workers, None

    @property
    def target(self):
        """What a channel connects to, e.g. 127.0.0.1:41234"""
        return f"{self.address[0]}:{self.address[1]}"

    @property
    def where(self):
        return f"{self.workers} worker threads" if self.running else ""

    def _start(self):
        self.pool = futures.ThreadPoolExecutor(self.workers, thread_name_prefix=self.name)
        self.server = grpc.server(self.pool, options=[("grpc.max_receive_message_length", MAX_BODY),
                                                      ("grpc.so_reuseport", 0)])
        grpc_stubs().add_DoublerServicer_to_server(Doubler(self.stats), self.server)
        port = self.server.add_insecure_port(f"{HOST}:{self.port}")
        if not port:
            raise ServiceError(f"{self.name}: could not bind {HOST}:{self.port}")
        self.address = (HOST, port)
        self.server.start()

    def _stop(self):
        self.server.stop(grace=0.2).wait(2)
        self.pool.shutdown(wait=False)  # gRPC leaves its thread pool to us

    def client(self, timeout=TIMEOUT):
        """A client that records the messages it sends and receives."""
        return GrpcClient(self, timeout)


def channel(target):
    """A channel to a course server: never through an HTTP proxy the environment may name."""
    return grpc.insecure_channel(target, options=[("grpc.enable_http_proxy", 0)])


def framed(data):
    """A message as gRPC puts it in HTTP/2 DATA frames: a flag (0: not compressed), 4 bytes of length, the bytes."""
    return b"\x00" + len(data).to_bytes(4, "big") + data


class GrpcClient(RpcClient):
    """A channel with tapped (de)serializers: each message's protobuf bytes are recorded as they go and come."""

    protocol = "gRPC"
    double_name = "Double"

    def __init__(self, server, timeout=TIMEOUT):
        super().__init__(server, timeout)
        self.stubs, self.channel = grpc_stubs(), channel(server.target)

    def _call(self, method, args):
        kind = self.stubs.CountdownRequest if method in STREAMING else self.stubs.Number
        fields = list(kind.DESCRIPTOR.fields_by_name)
        try:
            message = kind(**dict(zip(fields, args)))
        except (TypeError, ValueError) as error:
            raise ServiceError(f"protobuf refused it before sending: {error}") from None
        return self._invoke(method, message)

    def _send(self, body):
        return self._invoke(self.double_name, body)

    def _invoke(self, method, message):
        path = f"/{SERVICE}/{method}"
        make = self.channel.unary_stream if method in STREAMING else self.channel.unary_unary
        rpc = make(path, request_serializer=self._out(path), response_deserializer=self._in)
        try:
            if method in STREAMING:
                calling = rpc(message, timeout=self.timeout)
                values = [n.value for n in calling]
            else:
                reply, calling = rpc.with_call(message, timeout=self.timeout)
                values = reply.value
        except grpc.RpcError as error:
            self._trailers(error)
            raise RpcFault(f"gRPC status {error.code().name}: {error.details()}") from None
        self._trailers(calling)
        return values

    def _out(self, path):
        def serialize(message):
            data = message if isinstance(message, bytes) else message.SerializeToString()
            shown = "" if isinstance(message, bytes) else f" ({str(message).strip() or 'all fields 0'})"
            self.last.sent = [(f"HTTP/2 POST {path}: gRPC message = 5-byte prefix + protobuf{shown}", framed(data))]
            return data
        return serialize

    def _in(self, data):
        message = self.stubs.Number.FromString(data)
        self.last.received.append((f"gRPC message = 5-byte prefix + protobuf ({str(message).strip() or 'value: 0'})",
                                   framed(data)))
        return message

    def _trailers(self, call):
        self.last.notes = ["HTTP/2 trailers (HPACK-compressed on the wire; as gRPC decoded them):",
                           f"grpc-status: {call.code().value[0]} ({call.code().name})",
                           f"grpc-message: {call.details() or ''}"]

    def close(self):
        self.channel.close()
