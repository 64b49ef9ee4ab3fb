"""The network is secure: a login over plain HTTP, then the same login over TLS with a CA made for the session."""
import http.server
import socketserver
import ssl
import urllib.parse
from pathlib import Path

import requests
import trustme

from helpers.core.folders import private_folder
from helpers.core.ports import HOST
from helpers.core.service import ClosesConnections, SocketServerService

USER, PASSWORD = "ada", "correct-horse-battery"
HANDSHAKE_S = 5.0  # a client that never finishes the TLS handshake is dropped after this


class LoginHandler(http.server.BaseHTTPRequestHandler):
    """POST /login with user= and password= in a form: 200 welcome, or 401."""

    def do_POST(self):
        size = min(int(self.headers.get("Content-Length") or 0), 4096)
        form = urllib.parse.parse_qs(self.rfile.read(size).decode("utf-8", "replace"))
        ok = self.path == "/login" and form.get("user") == [USER] and form.get("password") == [PASSWORD]
        body = b"welcome aboard\n" if ok else b"wrong user or password\n"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.service.stats.message(size, len(body))

    def log_message(self, *args):  # nothing on stderr, so nothing in a cell
        pass


class LoginHTTPServer(ClosesConnections, socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    tls = None  # an ssl.SSLContext for a TLS server

    def handle_error(self, request, client_address):  # e.g. a client that refused the certificate: count it quietly
        self.service.stats.add(errors=1)

    def finish_request(self, request, client_address):
        if self.tls is not None:  # the handshake runs in the client's own thread, never in the accept loop
            request.settimeout(HANDSHAKE_S)
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)


class LoginServer(SocketServerService):
    """A tiny login page, on plain HTTP or (given a trustme CA) on HTTPS for 127.0.0.1."""

    kind = "http thread"

    def __init__(self, name="login", ca=None):
        super().__init__(name)
        self.ca = ca

    @property
    def url(self):
        return f"{'https' if self.ca else 'http'}://{self.address[0]}:{self.address[1]}"

    def _make(self):
        httpd = LoginHTTPServer((HOST, 0), LoginHandler)
        httpd.service = self
        if self.ca is not None:
            httpd.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert(HOST, "localhost").configure_cert(httpd.tls)
        return httpd


def session_ca():
    """A certificate authority made for this session only, and the file clients trust it from."""
    ca = trustme.CA()
    path = Path(private_folder("dis-ca-")) / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, str(path)


def log_in(where, password=PASSWORD, tls=False, timeout=5.0):
    """POST the login form to a server (or a proxy in front of it) and return the status code.

    tls: False for plain HTTP; a CA file to trust for HTTPS; True for HTTPS trusting only the system's authorities.
    """
    host, port = where.address[:2]
    url = f"{'https' if tls else 'http'}://{host}:{port}/login"
    reply = requests.post(url, data={"user": USER, "password": password}, verify=tls or True, timeout=timeout)
    return reply.status_code


def printable(data, limit=300):
    """The bytes as text, with anything not printable ASCII shown as '.'."""
    return "".join(chr(b) if 32 <= b < 127 or b in (10, 13) else "." for b in data[:limit])
