"""HTTP as RPC's transport: a small threaded server base (JSON-RPC, Twirp) and a client base that records the wire."""
import http.client
import http.server

from helpers.core.errors import ServiceError, describe
from helpers.core.ports import HOST
from helpers.core.service import ClosesConnections, SocketServerService
from helpers.rpc.client import RpcClient
from helpers.rpc.double import DRAIN, MAX_BODY
from helpers.rpc.wire import TappedConnection


class RpcHTTPServer(ClosesConnections, http.server.ThreadingHTTPServer):
    """A thread per connection, no slow reverse-DNS lookup at bind, errors counted instead of printed."""

    daemon_threads = True
    request_queue_size = 64

    def server_bind(self):
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        self.service.stats.add(errors=1)  # a client that vanished mid-request: count it, print nothing


class RpcHandler(http.server.BaseHTTPRequestHandler):
    """POST handling every HTTP RPC server shares: a bounded body, one write per reply, keep-alive, quiet."""

    protocol_version = "HTTP/1.1"
    timeout = 5  # a client silent for 5 s is dropped
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms keep-alive trap

    def read_body(self):
        """The request body, or None if it was over MAX_BODY (then it is drained and refuse_big() answered)."""
        size = int(self.headers.get("Content-Length") or 0)
        if size <= MAX_BODY:
            return self.rfile.read(size)
        left = min(size, DRAIN)
        while left > 0 and (chunk := self.rfile.read1(min(left, 65536))):
            left -= len(chunk)
        self.refuse_big(size)
        return None

    def refuse_big(self, size):
        """Answer a body of size bytes with the protocol's own error."""
        raise NotImplementedError

    def reply(self, status, content_type, data, close=False):
        """One response: status line, headers and body in a single write."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
        self.server.service.stats.message(int(self.headers.get("Content-Length") or 0), len(data))

    def log_message(self, format, *args):
        pass  # quiet: no request lines on the notebook's stderr


class HttpRpcService(SocketServerService):
    """An RPC server on RpcHTTPServer; subclasses name their handler."""

    kind = "http thread"
    handler = RpcHandler

    def __init__(self, name, port=0):
        super().__init__(name)
        self.port = port

    @property
    def url(self):
        """The base URL, e.g. http://127.0.0.1:41234"""
        return f"http://{self.address[0]}:{self.address[1]}"

    def _make(self):
        httpd = RpcHTTPServer((HOST, self.port), self.handler)
        httpd.service = self
        return httpd


class HttpRpcClient(RpcClient):
    """A client that POSTs over one keep-alive connection and records both directions."""

    path, content_type = "/", "application/json"

    def __init__(self, server, timeout=2.0):
        super().__init__(server, timeout)
        self.conn = TappedConnection(*server.address, timeout=timeout)

    def post(self, body, path=None, content_type=None):
        """POST body; return (status, content type, body). A kept-alive connection found closed is redialled once."""
        for attempt in range(2):
            reused = self.conn.sock is not None
            self.conn.forget()
            try:
                self.conn.request("POST", path or self.path, body=body,
                                  headers={"Content-Type": content_type or self.content_type})
                reply = self.conn.getresponse()
                data = reply.read()
                return reply.status, reply.getheader("Content-Type", ""), data
            except (ConnectionError, OSError, http.client.HTTPException) as error:
                self.conn.close()
                if not (reused and attempt == 0 and isinstance(error, ConnectionError)):
                    raise ServiceError(describe(error, self.server.address, self.timeout)) from None
            finally:
                self.last.sent = [("HTTP request", bytes(self.conn.sent))]
                self.last.received = [("HTTP reply", bytes(self.conn.received))]

    def close(self):
        self.conn.close()
