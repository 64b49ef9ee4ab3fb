"""Twirp: the same .proto service as plain HTTP/1.1 POSTs with a JSON or protobuf body, and errors as JSON."""
import json

from google.protobuf import json_format, unknown_fields
from google.protobuf.message import DecodeError

from helpers.core.errors import ServiceError
from helpers.rpc.client import TIMEOUT, RpcFault
from helpers.rpc.double import too_big
from helpers.rpc.http_transport import HttpRpcClient, HttpRpcService, RpcHandler
from helpers.rpc.stubs import grpc_stubs

PREFIX = "/twirp/space.Doubler/"  # /twirp/<package>.<Service>/<Method>
JSON, PROTOBUF = "application/json", "application/protobuf"
STATUS = {"bad_route": 404, "malformed": 400, "invalid_argument": 400, "out_of_range": 400,
          "resource_exhausted": 429, "internal": 500}  # Twirp's error codes and the HTTP status each one travels with
INT64 = range(-2**63, 2**63)


class TwirpError(Exception):
    """A Twirp error: a code from Twirp's list and a message."""

    def __init__(self, code, msg):
        super().__init__(msg)
        self.code, self.msg = code, msg


def double_message(number):
    """The Double method on a decoded Number."""
    if [f.field_number for f in unknown_fields.UnknownFieldSet(number)]:
        raise TwirpError("invalid_argument", "value is not an int64 (wrong wire type), or the message is not a Number")
    if number.value * 2 not in INT64:
        raise TwirpError("out_of_range", f"double({number.value}) does not fit in an int64")
    return grpc_stubs().Number(value=number.value * 2)


def handle(path, content_type, body):
    """(content type, reply body) for one POST, or TwirpError."""
    if not path.startswith(PREFIX) or path[len(PREFIX):] != "Double":
        raise TwirpError("bad_route", f"no such method: POST {path} (this server has {PREFIX}Double)")
    kind = content_type.split(";")[0].strip()
    Number = grpc_stubs().Number
    try:
        if kind == JSON:
            number = json_format.Parse(body.decode(errors="replace"), Number())
        elif kind == PROTOBUF:
            number = Number.FromString(body)
        else:
            raise TwirpError("bad_route", f"unexpected Content-Type {kind!r}: send {JSON} or {PROTOBUF}")
    except (json_format.ParseError, DecodeError) as error:
        why = " ".join(str(error).split())  # protobuf's messages can run over two lines
        raise TwirpError("malformed", f"the {kind} body could not be decoded: {why}") from None
    answer = double_message(number)
    if kind == PROTOBUF:
        return PROTOBUF, answer.SerializeToString()
    shown = json_format.MessageToDict(answer, preserving_proto_field_name=True,
                                      always_print_fields_with_no_presence=True)  # {"value": "0"}, not {}
    return JSON, json.dumps(shown).encode()


class TwirpHandler(RpcHandler):
    """POST /twirp/space.Doubler/Double; anything else gets a Twirp error."""

    def do_POST(self):
        body = self.read_body()
        if body is None:
            return
        try:
            self.reply(200, *handle(self.path, self.headers.get("Content-Type", ""), body))
        except TwirpError as error:
            self.error(error)

    def do_GET(self):
        self.error(TwirpError("bad_route", f"Twirp takes only POST, not GET {self.path}"))

    def refuse_big(self, size):
        self.error(TwirpError("resource_exhausted", too_big(size)), close=True)

    def error(self, error, close=False):
        """A Twirp error: JSON {"code", "msg"} with the HTTP status of its code."""
        body = json.dumps({"code": error.code, "msg": error.msg}).encode()
        self.reply(STATUS[error.code], JSON, body, close)


class TwirpServer(HttpRpcService):
    """A small Twirp-style server for the service in data/rpc_double.proto (its unary method only)."""

    kind = "twirp thread"
    label = "Twirp"
    handler = TwirpHandler

    def __init__(self, name="twirp", port=0):
        super().__init__(name, port)
        grpc_stubs()  # generate the message classes now, not during the first request

    @property
    def route(self):
        """The URL of the Double method."""
        return f"{self.url}{PREFIX}Double"

    def client(self, timeout=TIMEOUT):
        """A client that records the wire."""
        return TwirpClient(self, timeout)


class TwirpClient(HttpRpcClient):
    """A Twirp call is one POST with a JSON body; http.client is enough."""

    protocol = "Twirp"
    double_name = "Double"
    path = PREFIX + "Double"

    def _call(self, method, args):
        return self._decode(*self.post(json.dumps({"value": args[0] if args else 0}).encode(), path=PREFIX + method))

    def _send(self, body):
        return self._decode(*self.post(body))

    def _decode(self, status, content_type, data):
        try:
            answer = json.loads(data)
        except ValueError:
            raise ServiceError(f"HTTP {status}, and the reply is not JSON") from None
        if status != 200:
            raise RpcFault(f"Twirp error {answer.get('code')} (HTTP {status}): {answer.get('msg')}")
        return int(answer["value"])  # proto3's JSON writes an int64 as a string
