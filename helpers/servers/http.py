"""A tiny web server (the standard library's http.server) in a thread: something real for netcat to talk to."""
import http.server
import socketserver

from helpers.core.ports import HOST
from helpers.core.service import ClosesConnections, SocketServerService

PAGE = b"<!doctype html>\n<title>Data in Space</title>\n<h1>Hello from 127.0.0.1</h1>\n"


class PageHandler(http.server.BaseHTTPRequestHandler):
    """Answers GET and HEAD for / with a small page, anything else with an HTTP error."""

    server_version = "DataInSpace/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive, like most servers today
    timeout = 5  # a client silent for 5 s is dropped

    def do_GET(self):
        self.reply(body=True)

    def do_HEAD(self):
        self.reply(body=False)

    def reply(self, body):
        """Send the page (or 404 for other paths); count the request."""
        self.server.service.stats.add(messages=1)
        if self.path not in ("/", "/index.html"):
            self.send_error(404, "only / lives here")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        if body:
            self.wfile.write(PAGE)

    def log_message(self, format, *args):
        pass  # quiet: no request lines on the notebook's stderr


class _HTTPServer(ClosesConnections, http.server.ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's slow reverse-DNS lookup
        self.server_name, self.server_port = HOST, self.server_address[1]


class HttpServer(SocketServerService):
    """http.server on 127.0.0.1 in a background thread, with the course lifecycle."""

    kind = "http thread"
    protocol = "http"  # what the raw console's hints assume this server speaks

    def __init__(self, name="http", port=0):
        super().__init__(name)
        self.port = port

    def _make(self):
        httpd = _HTTPServer((HOST, self.port), PageHandler)
        httpd.service = self
        return httpd


def http_server(name="http", port=0):
    """A small HTTP/1.1 server with one page at /."""
    return HttpServer(name, port=port)
