"""A local AWS endpoint, a process of its own: moto's server for S3 and SQS, quiet, on 127.0.0.1.

Run as `python -m helpers.cloud.moto_child PORT`. Its request log is switched off, so nothing it does
reaches a notebook cell; it ends with its parent (the course's spawn asks Linux for that).
"""
import logging
import sys
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs

from werkzeug.serving import make_server

from helpers.core.ports import HOST

EXPIRED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
           b"<Message>Request has expired</Message></Error>")


def expires_at(query):
    """When a presigned URL's query string stops being valid (epoch seconds), or None if it is not presigned."""
    q = {k: v[0] for k, v in parse_qs(query).items()}
    if "X-Amz-Date" in q and "X-Amz-Expires" in q:  # Signature Version 4
        signed = datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        return signed.timestamp() + int(q["X-Amz-Expires"])
    return float(q["Expires"]) if "Expires" in q and "Signature" in q else None  # Signature Version 2


def refuse_expired(app):
    """moto 5 does not check a presigned URL's expiry, real S3 does: answer as S3 does, 403 AccessDenied."""
    def guarded(environ, start_response):
        deadline = expires_at(environ.get("QUERY_STRING", ""))
        if deadline is not None and time.time() > deadline:
            start_response("403 Forbidden", [("Content-Type", "application/xml"),
                                             ("Content-Length", str(len(EXPIRED)))])
            return [EXPIRED]
        return app(environ, start_response)
    return guarded


def serve(port):
    """Serve S3 and SQS on HOST:port until the process is stopped."""
    from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: I001 (heavy: this child only)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = refuse_expired(DomainDispatcherApplication(create_backend_app))
    make_server(HOST, port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    try:
        serve(int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
