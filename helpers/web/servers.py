"""The three API servers as course services: same data, same contract, on 127.0.0.1 and a port the OS picks."""
import asyncio
import logging
import socket
import threading
import time

import uvicorn
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from helpers.core.ports import HOST
from helpers.core.service import ClosesConnections, SocketServerService
from helpers.web.api import Api
from helpers.web.fastapi_api import fastapi_app
from helpers.web.flask_api import flask_app
from helpers.web.keys import HEADER
from helpers.web.stdlib_api import ApiHandler, ApiHTTPServer, JsonErrors, NagleHandler

for _name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
    logging.getLogger(_name).setLevel(logging.ERROR)  # no request lines on the notebook's stderr


class ApiServer(SocketServerService):
    """An API server in a background thread, with a fresh catalogue and a learner's key."""

    kind = "http thread"
    protocol = "http"
    framework = ""

    def __init__(self, name, port=0):
        super().__init__(name)
        self.port = port
        self.api = Api()
        self.keys = self.api.keys
        # the key a learner registered for: read and write, 60 requests per 10 s
        self.key = self.keys.issue("learner", scopes=("read", "write"), limit=60, per=10)

    @property
    def url(self):
        """The base URL, e.g. http://127.0.0.1:41234"""
        return f"http://{self.address[0]}:{self.address[1]}"

    @property
    def headers(self):
        """The headers that carry the learner's key."""
        return {HEADER: self.key}

    @property
    def banner(self):
        return f"key: {HEADER}: {self.key}   (try: curl -H '{HEADER}: {self.key}' {self.url}/v1/satellites)"

    def redesign(self):
        """Change the HTML page's layout, as a site redesign would (the API stays as it is)."""
        self.api.layout = 2


class StdlibServer(ApiServer):
    """The API on http.server (nagle=True leaves Nagle's algorithm on: the keep-alive trap)."""

    framework = "http.server"

    def __init__(self, name="api-stdlib", port=0, nagle=False):
        super().__init__(name, port)
        self.handler = NagleHandler if nagle else ApiHandler

    def _make(self):
        httpd = ApiHTTPServer((HOST, self.port), self.handler)
        httpd.api, httpd.service = self.api, self
        return httpd


class QuietHandler(JsonErrors, WSGIRequestHandler):
    """werkzeug's handler without request lines, errors as JSON, Nagle off like the others."""

    disable_nagle_algorithm = True

    def log(self, type, message, *args):
        pass


class ClosingWSGIServer(ClosesConnections, ThreadedWSGIServer):
    """werkzeug's threaded server (what make_server(threaded=True) builds) that can close its connections."""


class FlaskServer(ApiServer):
    """The API on Flask, served by werkzeug (a thread per connection)."""

    framework = "Flask"

    def __init__(self, name="api-flask", port=0):
        super().__init__(name, port)
        self.app = flask_app(self.api, self.stats)

    def _make(self):
        httpd = ClosingWSGIServer(HOST, self.port, self.app, handler=QuietHandler)
        httpd.daemon_threads = True
        return httpd


class FastApiServer(ApiServer):
    """The API on FastAPI, served by uvicorn on an event loop of its own thread."""

    framework = "FastAPI"

    def __init__(self, name="api-fastapi", port=0):
        super().__init__(name, port)
        self.app = fastapi_app(self.api, self.stats)

    def _start(self):
        # proto given explicitly: asyncio turns Nagle off only on sockets whose proto is IPPROTO_TCP, and
        # socket.socket() says 0, which costs every keep-alive request a 40 ms delayed ACK
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.bind((HOST, self.port))
        self.address = self._sock.getsockname()[:2]
        config = uvicorn.Config(self.app, log_config=None, log_level="error", access_log=False, lifespan="off",
                                timeout_keep_alive=5)
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._uvicorn.serve(sockets=[self._sock])),
                                        name=f"{self.name}-uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._sock.close()
                raise RuntimeError(f"{self.name}: uvicorn did not start")
            time.sleep(0.005)

    def _stop(self):
        self._uvicorn.should_exit = True
        self._thread.join(timeout=5)
        self._sock.close()


FRAMEWORKS = {"stdlib": StdlibServer, "flask": FlaskServer, "fastapi": FastApiServer}


def api_server(framework="fastapi", name=None, port=0):
    """The satellite API on one of 'stdlib', 'flask', 'fastapi' (not started: call .start() or use `with`)."""
    kind = FRAMEWORKS[framework]
    return kind(name=name or f"api-{framework}", port=port)
