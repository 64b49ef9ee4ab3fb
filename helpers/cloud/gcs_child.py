"""A local Google Cloud Storage endpoint, a process of its own: gcp-storage-emulator in memory, for one owner.

Run as `python -m helpers.cloud.gcs_child PORT` (0: any free port) with the start's token in its environment
(DIS_GCS_TOKEN; never in its arguments, which any account can read). It prints the port it bound, then answers
only requests that carry `Authorization: Bearer <token>`, as Cloud Storage answers only calls with an OAuth
access token; the others get Google's own 401. Each connection has a thread of its own (a client that connects
and sends nothing holds up no one); the emulator's storage takes one call at a time. It ends with its parent
(the course's spawn asks Linux).
"""
import hmac
import json
import logging
import os
import sys
import threading
from functools import partial
from http.server import ThreadingHTTPServer

from gcp_storage_emulator.server import RequestHandler
from gcp_storage_emulator.storage import Storage

from helpers.core.ports import HOST

TOKEN = "DIS_GCS_TOKEN"  # the environment variable the token comes in
REASONS = {"required": "Login Required.", "authError": "Invalid Credentials"}  # Google APIs' own 401 messages


def unauthorized(reason):
    """The body Google's APIs send with a 401: why, and that the Authorization header is the place."""
    error = {"message": REASONS[reason], "domain": "global", "reason": reason, "locationType": "header",
             "location": "Authorization"}
    return json.dumps({"error": {"code": 401, "message": REASONS[reason], "errors": [error]}}).encode()


class OneCallAtATime:
    """The emulator's storage for many connection threads: each of its methods runs under one lock."""

    def __init__(self, storage):
        self._storage, self._lock = storage, threading.RLock()

    def __getattr__(self, name):
        value = getattr(self._storage, name)
        if not callable(value):
            return value

        def locked(*args, **kwargs):
            with self._lock:
                return value(*args, **kwargs)
        return locked


class OwnerOnly(RequestHandler):
    """The emulator's request handler, after a check of the bearer token (a wrong one or none: 401)."""

    token = ""
    timeout = 30  # a connection that sends nothing for 30 s is closed, and its thread ends

    def parse_request(self):
        if not super().parse_request():
            return False
        scheme, _, given = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return True
        body = unauthorized("authError" if scheme else "required")
        self.send_response(401, "Unauthorized")
        self.send_header("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"')
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True  # its body, if any, is not read
        return False

    def log_message(self, format, *args):
        pass


def serve(port):
    """Serve Cloud Storage's JSON API on HOST:port (0: any) for whoever holds the token, until stopped."""
    OwnerOnly.token = os.environ.pop(TOKEN)
    logging.getLogger("gcp_storage_emulator").setLevel(logging.CRITICAL)
    storage = OneCallAtATime(Storage(use_memory_fs=True))
    server = ThreadingHTTPServer((HOST, port), partial(OwnerOnly, storage))  # daemon threads: none holds up the exit
    print(server.server_address[1], flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)  # the parent read the port; nothing else is read
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    server.serve_forever()


if __name__ == "__main__":
    try:
        serve(int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
