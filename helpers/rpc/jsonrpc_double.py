"""JSON-RPC (examples 17-13 and 17-14) with today's jsonrpcserver 5 and jsonrpcclient 4."""
import json
import logging

from jsonrpcclient import Error, parse_json, request_json
from jsonrpcserver import InvalidParams, Success, dispatch, method

from helpers.core.errors import ServiceError
from helpers.rpc.client import TIMEOUT, RpcFault
from helpers.rpc.double import double as _double
from helpers.rpc.double import too_big
from helpers.rpc.http_transport import HttpRpcClient, HttpRpcService, RpcHandler

logging.getLogger("jsonrpcserver").setLevel(logging.CRITICAL)  # it logs every failing method to stderr


@method
def double(num):
    """The chapter's method for jsonrpcserver 5: a result is wrapped in Success(...), an error in an Error result."""
    try:
        return Success(_double(num))
    except TypeError as error:
        return InvalidParams(str(error))


METHODS = {"double": double}


class JsonRpcHandler(RpcHandler):
    """POST a JSON-RPC request (or a batch of them), get the JSON-RPC reply; every failure is a JSON-RPC error."""

    def do_POST(self):
        body = self.read_body()
        if body is not None:
            answer = dispatch(body.decode(errors="replace"), methods=METHODS)
            self.reply(200, "application/json", answer.encode())  # a notification gets an empty body

    def refuse_big(self, size):
        error = {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request", "data": too_big(size)},
                 "id": None}
        self.reply(413, "application/json", json.dumps(error).encode(), close=True)


class JsonRpcServer(HttpRpcService):
    """A JSON-RPC 2.0 server over HTTP POST (jsonrpcserver's dispatch on the course's HTTP server)."""

    kind = "json-rpc thread"
    label = "JSON-RPC"
    handler = JsonRpcHandler

    def __init__(self, name="jsonrpc", port=0):
        super().__init__(name, port)

    def client(self, timeout=TIMEOUT):
        """A client that records the wire."""
        return JsonRpcClient(self, timeout)


class JsonRpcClient(HttpRpcClient):
    """jsonrpcclient 4 builds the request and parses the reply; http.client carries them."""

    protocol = "JSON-RPC"

    def _call(self, method, args):
        return self._send(request_json(method, params=args).encode())

    def _send(self, body):
        status, _, data = self.post(body)
        if not data:
            return None  # a notification: no reply
        try:
            answer = parse_json(data.decode())
        except (ValueError, KeyError) as error:
            raise ServiceError(f"HTTP {status}, and the reply is not JSON-RPC: {error}") from None
        if isinstance(answer, Error):
            detail = f": {answer.data}" if answer.data else ""
            raise RpcFault(f"JSON-RPC error {answer.code} {answer.message}{detail}")
        if isinstance(answer, list):
            return answer
        return answer.result
