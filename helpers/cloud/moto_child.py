"""A local AWS endpoint, a process of its own: moto's server for S3 and SQS, quiet, on 127.0.0.1, for one owner.

Run as `python -m helpers.cloud.moto_child PORT` (0: any free port) with the start's keys in its environment
(DIS_AWS_KEY_ID, DIS_AWS_SECRET; never in its arguments, which any account can read). It prints the port it bound,
then answers only what AWS itself would: requests signed with those keys (Signature Version 4, recomputed with
botocore's own signer) and presigned URLs made with them, until they expire. moto's admin routes (/moto-api: reset,
data dump, recorder, seeding) are refused to everyone. It ends with its parent (the course's spawn asks Linux).
"""
import hashlib
import hmac
import io
import json
import logging
import os
import socket
import sys
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.serving import make_server

from helpers.core.ports import HOST

KEY_ID, SECRET = "DIS_AWS_KEY_ID", "DIS_AWS_SECRET"  # the environment variables the keys come in
SERVICES = ("s3", "sqs")
SKEW = 15 * 60  # AWS refuses a request signed more than 15 minutes away from its own clock
UNSIGNED = "UNSIGNED-PAYLOAD"
HEX = set("0123456789abcdef")


class Refused(Exception):
    """A request the endpoint turns away, with AWS's own error code and message."""

    def __init__(self, code, message, status=403, key_id=None):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.key_id = code, message, status, key_id


def refuse(code, message, **more):
    raise Refused(code, message, **more)


NO_SUCH_KEY = "The AWS Access Key Id you provided does not exist in our records."
BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                 "Check your key and signing method.")


def expires_at(query):
    """When a presigned URL's query string stops being valid (epoch seconds), or None if it is not presigned."""
    q = {k: v[0] for k, v in parse_qs(query).items()}
    if "X-Amz-Date" in q and "X-Amz-Expires" in q:  # Signature Version 4
        return signed_at(q["X-Amz-Date"]) + int(q["X-Amz-Expires"])
    return float(q["Expires"]) if "Expires" in q and "Signature" in q else None  # Signature Version 2


def signed_at(stamp):
    """Epoch seconds of an X-Amz-Date stamp (20260101T000000Z)."""
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        refuse("AccessDenied", "X-Amz-Date is not a date of the form 20260101T000000Z")


class KnownPayload:
    """A signer whose payload hash is given (from the request that came in), not computed from a body it built."""

    body_hash = ""

    def payload(self, request):
        return self.body_hash


class S3Check(KnownPayload, S3SigV4Auth):
    """botocore's S3 signer (paths as sent, not normalised)."""


class Check(KnownPayload, SigV4Auth):
    """botocore's signer for the other services (SQS)."""


def header(environ, name):
    """The value of request header name, as the WSGI server put it in environ ('' if absent)."""
    key = name.upper().replace("-", "_")
    return environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}", "")


def expected_signature(environ, keys, scope, signed_headers, stamp, query, body_hash):
    """The signature the owner's keys give this request, computed as AWS does with botocore's own signer."""
    key_id, date, region, service, terminal = (scope.split("/") + [""] * 5)[:5]
    if key_id != keys[0]:
        refuse("InvalidAccessKeyId", NO_SUCH_KEY, key_id=key_id)
    if service not in SERVICES:
        refuse("AccessDenied", f"this endpoint serves {' and '.join(SERVICES)} only, not {service!r}")
    if date != stamp[:8] or terminal != "aws4_request" or not region:
        refuse("SignatureDoesNotMatch", "the credential scope does not match the request's date")
    path = environ.get("RAW_URI", environ.get("PATH_INFO", "/")).split("?", 1)[0]
    url = f"http://{header(environ, 'host')}{path}" + (f"?{query}" if query else "")
    headers = {name: header(environ, name) for name in signed_headers.split(";") if name}
    request = AWSRequest(method=environ["REQUEST_METHOD"], url=url, headers=headers)
    request.context["timestamp"] = stamp
    signer = (S3Check if service == "s3" else Check)(Credentials(key_id, keys[1]), service, region)
    signer.body_hash = body_hash
    return signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)


def read_body(environ):
    """The request's body, read once and put back for moto to read."""
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    body = stream.read(int(length)) if length.isdigit() else stream.read() if environ.get(
        "wsgi.input_terminated") else b""
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    return body


def check_presigned(environ, keys, query):
    """A presigned URL (Signature Version 4 in the query string): signed with the owner's keys, not expired."""
    q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if q.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or "X-Amz-Signature" not in q:
        refuse("AccessDenied", "only Signature Version 4 presigned URLs (AWS4-HMAC-SHA256) are accepted")
    lifetime = q.get("X-Amz-Expires", "")
    if not (lifetime.isdigit() and 0 < int(lifetime) <= 7 * 24 * 3600 and "X-Amz-Date" in q):
        refuse("AuthorizationQueryParametersError", "X-Amz-Date and X-Amz-Expires (1 s to one week) are needed",
               status=400)
    if time.time() > expires_at(query):
        refuse("AccessDenied", "Request has expired")
    rest = "&".join(p for p in query.split("&") if not p.startswith("X-Amz-Signature="))
    service = q.get("X-Amz-Credential", "").split("/")[3:4]
    body_hash = UNSIGNED if service == ["s3"] else hashlib.sha256(read_body(environ)).hexdigest()
    expected = expected_signature(environ, keys, q.get("X-Amz-Credential", ""), q.get("X-Amz-SignedHeaders", ""),
                                  q["X-Amz-Date"], rest, body_hash)
    if not hmac.compare_digest(expected, q["X-Amz-Signature"]):
        refuse("SignatureDoesNotMatch", BAD_SIGNATURE)


def check_signed(environ, keys, authorization, query):
    """A request signed in its Authorization header with the owner's keys, within 15 minutes of now."""
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        refuse("AccessDenied", "only Signature Version 4 (AWS4-HMAC-SHA256) is accepted")
    fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
    stamp = header(environ, "x-amz-date")
    if abs(time.time() - signed_at(stamp)) > SKEW:
        refuse("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
    claimed = header(environ, "x-amz-content-sha256")
    body = read_body(environ)
    if len(claimed) == 64 and set(claimed) <= HEX and hashlib.sha256(body).hexdigest() != claimed:
        refuse("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was "
               "computed.", status=400)
    body_hash = claimed or hashlib.sha256(body).hexdigest()
    expected = expected_signature(environ, keys, fields.get("Credential", ""), fields.get("SignedHeaders", ""),
                                  stamp, query, body_hash)
    if not hmac.compare_digest(expected, fields.get("Signature", "")):
        refuse("SignatureDoesNotMatch", BAD_SIGNATURE)


def check(environ, keys):
    """Return if the request may reach moto; raise Refused (as AWS would answer) if not."""
    if "/moto-api" in environ.get("PATH_INFO", ""):
        refuse("AccessDenied", "moto's admin routes (/moto-api: reset, data, recorder, seeding) are switched off here")
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Credential=" in query or "X-Amz-Signature=" in query:
        return check_presigned(environ, keys, query)
    authorization = header(environ, "authorization")
    if authorization:
        return check_signed(environ, keys, authorization, query)
    refuse("AccessDenied", "Access Denied: anonymous requests are refused; sign them with this endpoint's keys")


def answer(environ, start_response, refused):
    """AWS's error reply: S3's XML, or the JSON error SQS's protocol sends."""
    sqs = "/sqs/" in header(environ, "authorization") or header(environ, "x-amz-target").startswith("AmazonSQS")
    if sqs:
        code = {"InvalidAccessKeyId": "InvalidClientTokenId"}.get(refused.code, refused.code)
        message = "The security token included in the request is invalid." if code == "InvalidClientTokenId" else \
            refused.message
        body = json.dumps({"__type": f"com.amazon.coral.service#{code}", "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-query-error", f"{code};Sender")]
    else:
        key = f"<AWSAccessKeyId>{escape(refused.key_id)}</AWSAccessKeyId>" if refused.key_id else ""
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{refused.code}</Code>'
                f"<Message>{escape(refused.message)}</Message>{key}</Error>").encode()
        headers = [("Content-Type", "application/xml")]
    reason = {400: "Bad Request", 403: "Forbidden"}[refused.status]
    start_response(f"{refused.status} {reason}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


def owner_only(app, keys):
    """Wrap moto's WSGI app: requests pass only when check() finds them signed with keys (key id, secret)."""
    def guarded(environ, start_response):
        try:
            check(environ, keys)
        except Refused as refused:
            return answer(environ, start_response, refused)
        return app(environ, start_response)
    return guarded


def quiet_output():
    """Send this process's stdout and stderr to /dev/null (its parent read the port; nothing else is read)."""
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def serve(port):
    """Serve S3 and SQS on HOST:port (0: any) for whoever holds the keys in the environment, until stopped."""
    from moto.server import DomainDispatcherApplication, create_backend_app  # noqa: I001 (heavy: this child only)
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    keys = (os.environ.pop(KEY_ID), os.environ.pop(SECRET))
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    app = owner_only(DomainDispatcherApplication(create_backend_app), keys)
    sock = socket.create_server((HOST, port))  # a taken port fails here with "Address already in use"
    server = make_server(HOST, sock.getsockname()[1], app, threaded=True, request_handler=MotoRequestHandler,
                         fd=sock.fileno())
    print(server.port, flush=True)
    quiet_output()
    server.serve_forever()


if __name__ == "__main__":
    try:
        serve(int(sys.argv[1]))
    except KeyboardInterrupt:
        pass
