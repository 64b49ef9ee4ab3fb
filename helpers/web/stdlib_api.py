"""The satellite API on the standard library's http.server: HTTP by hand, every header written by us."""
import http.server
import json
import re
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationError

from helpers.core.service import ClosesConnections
from helpers.web.api import DRAIN, MAX_BODY, not_found, too_big, validation_detail
from helpers.web.catalogue import NewSatellite, Query
from helpers.web.keys import HEADER

ONE = re.compile(r"/v1/satellites/(\d+)")


class JsonErrors:
    """Errors http.server finds itself (a garbled request line, say) as JSON after a real status line."""

    def send_error(self, code, message=None, explain=None):
        self.request_version = "HTTP/1.1"  # garbage has no version: http.server would omit the status line
        body = json.dumps({"detail": message or HTTPStatus(code).phrase}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class ApiHandler(JsonErrors, http.server.BaseHTTPRequestHandler):
    """GET /v1/satellites, GET /v1/satellites/<number>, POST /v1/satellites; JSON in and out."""

    server_version = "DataInSpace-stdlib/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive: one connection carries many requests
    timeout = 5  # a client silent for 5 s is dropped
    # Headers and body go out in two writes. With Nagle's algorithm on, the body waits for the client to
    # ACK the headers, and the client delays that ACK (up to 40 ms on Linux): set True, one RTT again.
    disable_nagle_algorithm = True

    def do_GET(self):
        url = urlsplit(self.path)
        if refused := self.refused("read"):
            return refused
        if url.path == "/v1/satellites":
            try:
                query = Query.model_validate(dict(parse_qsl(url.query)))
            except ValidationError as error:
                return self.send_json(422, {"detail": validation_detail(error, "query")})
            return self.send_json(200, self.server.api.catalogue.page(query).model_dump())
        if match := ONE.fullmatch(url.path):
            found = self.server.api.catalogue.get(int(match[1]))
            if found is None:
                return self.send_json(404, {"detail": not_found(match[1])})
            return self.send_json(200, found.model_dump())
        self.send_json(404, {"detail": "Not Found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        if path != "/v1/satellites":
            wrong = ONE.fullmatch(path)  # a satellite's own URL exists, but only for GET
            return self.send_json(405 if wrong else 404, {"detail": "Method Not Allowed" if wrong else "Not Found"})
        if refused := self.refused("write"):
            return refused
        size = self.headers.get("Content-Length")
        if size is None or not size.isdigit():
            return self.send_json(411, {"detail": "send a Content-Length header with the body"}, close=True)
        if int(size) > MAX_BODY:
            self.drain(int(size))
            return self.send_json(413, {"detail": too_big(int(size))}, close=True)
        try:
            new = NewSatellite.model_validate_json(self.rfile.read(int(size)))
        except ValidationError as error:
            return self.send_json(422, {"detail": validation_detail(error, "body")})
        self.send_json(201, self.server.api.catalogue.add(new).model_dump())

    def refused(self, scope):
        """Send the key check's refusal and return True, or return False if the request may go on."""
        self.server.service.stats.add(messages=1)
        refusal = self.server.api.keys.check(self.headers.get(HEADER), scope)
        if refusal:
            self.send_json(refusal.status, {"detail": refusal.detail}, refusal.headers)
        return bool(refusal)

    def drain(self, size):
        """Read and drop an oversized body (up to DRAIN bytes), so the client can read the answer."""
        left = min(size, DRAIN)
        while left > 0 and (chunk := self.rfile.read1(min(left, 65536))):
            left -= len(chunk)

    def send_json(self, status, body, headers=None, close=False):
        """One JSON response: status line, headers, body."""
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass  # quiet: no request lines on the notebook's stderr


class NagleHandler(ApiHandler):
    """The same handler with Nagle's algorithm left on: the keep-alive trap, for measuring it."""

    disable_nagle_algorithm = False


class ApiHTTPServer(ClosesConnections, http.server.ThreadingHTTPServer):
    """A thread per connection; skips the slow reverse-DNS lookup of HTTPServer.server_bind."""

    daemon_threads = True
    request_queue_size = 128  # socketserver's default, 5, refuses a burst of 100 clients

    def handle_error(self, request, client_address):
        self.service.stats.add(errors=1)  # a client that vanished mid-request: count it, print nothing

    def server_bind(self):
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name, self.server_port = self.server_address[:2]
