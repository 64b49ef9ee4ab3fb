"""The local cloud endpoints admit only their owner: per-start keys and tokens, never in a command line, checked
by the endpoint (SigV4 for AWS, a bearer token for GCS, Azurite's own SharedKey check), admin routes refused."""
import re
import socket
import stat
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import httpx
import psutil
import pytest
from azure.core.exceptions import HttpResponseError
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from google.auth.exceptions import RefreshError
from test_cloud_storage import azurite_or_skip

from helpers.cloud import (
    azure_client,
    azurite,
    gcs_client,
    gcs_emulator,
    moto_server,
    s3_client,
    sqs_client,
)
from helpers.cloud.sdk import REGION
from helpers.core.errors import ServiceError
from helpers.core.ports import is_listening, port_clash

PUBLISHED_AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture(scope="module")
def aws():
    with moto_server(name="test-aws-owner") as server:
        s3 = s3_client(server)
        s3.create_bucket(Bucket="owners")
        s3.put_object(Bucket="owners", Key="diary.txt", Body=b"dear diary")
        yield server


def other(aws, key_id, secret):
    """The same endpoint with someone else's keys."""
    return SimpleNamespace(url=aws.url, keys={"aws_access_key_id": key_id, "aws_secret_access_key": secret})


def command_lines():
    """Every process's command line, as any account can read them (ps)."""
    lines = []
    for proc in psutil.process_iter(["cmdline"]):
        lines.append(" ".join(proc.info["cmdline"] or []))
    return "\n".join(lines)


def signed(aws, method, path, keys=None, stamp=None):
    """Headers of a request signed by hand with botocore (keys: the owner's by default; stamp: when)."""
    keys = keys or aws.keys
    request = AWSRequest(method=method, url=f"{aws.url}{path}", headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    signer = S3SigV4Auth(Credentials(keys["aws_access_key_id"], keys["aws_secret_access_key"]), "s3", REGION)
    if stamp is None:
        signer.add_auth(request)
    else:  # sign as if at another time
        request.context["timestamp"] = stamp
        request.headers["X-Amz-Date"] = stamp
        signer._inject_signature_to_request(request, signer.signature(
            signer.string_to_sign(request, signer.canonical_request(request)), request))
    return dict(request.headers)


def test_each_start_makes_new_keys_and_none_is_in_a_command_line(aws):
    with moto_server(name="test-aws-second") as second:
        assert aws.keys != second.keys
        assert aws.keys["aws_access_key_id"] != second.keys["aws_access_key_id"]
        assert re.fullmatch(r"AKIA[A-Z0-9]{16}", second.keys["aws_access_key_id"])
        shown = command_lines()
        for keys in (aws.keys, second.keys):
            assert keys["aws_secret_access_key"] not in shown and keys["aws_access_key_id"] not in shown
        assert str(second.port) in " ".join(second.process.args)  # the child's arguments: its port, no key


def test_the_keys_file_for_a_terminal_is_the_owners_only_and_goes_with_the_endpoint():
    server = moto_server(name="test-aws-file").start()
    folder, file = server.folder, server.credentials_file
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(file.stat().st_mode) == 0o600
    assert server.keys["aws_secret_access_key"] in file.read_text()
    assert str(file) in server.banner and server.keys["aws_secret_access_key"] not in server.banner
    server.stop()
    assert not folder.exists()


def test_unsigned_requests_are_refused_as_s3_refuses_them(aws):
    for path in ("/", "/owners", "/owners/diary.txt"):
        reply = httpx.get(f"{aws.url}{path}", timeout=5)
        assert reply.status_code == 403 and "<Code>AccessDenied</Code>" in reply.text, path
    reply = httpx.put(f"{aws.url}/owners/planted.txt", content=b"x", timeout=5)
    assert reply.status_code == 403
    assert s3_client(aws).list_objects_v2(Bucket="owners")["KeyCount"] == 1  # nothing was planted


def test_motos_default_keys_and_a_wrong_secret_are_refused(aws):
    with pytest.raises(ClientError, match="InvalidAccessKeyId"):
        s3_client(other(aws, "testing", "test")).get_object(Bucket="owners", Key="diary.txt")
    with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
        s3_client(other(aws, aws.keys["aws_access_key_id"], "guessed")).list_objects_v2(Bucket="owners")
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        sqs_client(other(aws, "testing", "test")).list_queues()


def test_a_request_signed_long_ago_is_refused(aws):
    old = datetime.fromtimestamp(time.time() - 3600, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    reply = httpx.get(f"{aws.url}/owners", headers=signed(aws, "GET", "/owners", stamp=old), timeout=5)
    assert reply.status_code == 403 and "RequestTimeTooSkewed" in reply.text
    fresh = httpx.get(f"{aws.url}/owners", headers=signed(aws, "GET", "/owners"), timeout=5)
    assert fresh.status_code == 200 and "diary.txt" in fresh.text  # the same request, signed now: accepted


def test_motos_admin_routes_are_refused_even_to_the_owner(aws):
    for path in ("/moto-api/reset", "/moto-api/data.json", "/moto-api/recorder/download-recording",
                 "/moto-api/seed?a=42", "/moto-api/"):
        for headers in ({}, signed(aws, "POST", path.split("?")[0])):
            reply = httpx.post(f"{aws.url}{path}", headers=headers, timeout=5)
            assert reply.status_code == 403 and "admin routes" in reply.text, path
    assert s3_client(aws).get_object(Bucket="owners", Key="diary.txt")["Body"].read() == b"dear diary"


def test_a_presigned_url_from_other_keys_or_changed_is_refused(aws):
    params = {"Bucket": "owners", "Key": "diary.txt"}
    url = s3_client(aws).generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    assert httpx.get(url, timeout=5).content == b"dear diary"
    forged = s3_client(other(aws, "testing", "test")).generate_presigned_url("get_object", Params=params)
    assert "InvalidAccessKeyId" in httpx.get(forged, timeout=5).text
    changed = url.replace("/owners/diary.txt", "/owners/other.txt")
    assert "SignatureDoesNotMatch" in httpx.get(changed, timeout=5).text
    longer = url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")
    assert "SignatureDoesNotMatch" in httpx.get(longer, timeout=5).text


def test_gcs_needs_the_starts_token():
    with gcs_emulator(name="test-gcs-owner") as gcs, gcs_emulator(name="test-gcs-other") as second:
        assert gcs.token != second.token and gcs.token not in command_lines()
        gcs_client(gcs).create_bucket("owners", timeout=5).blob("diary.txt").upload_from_string(b"dear", timeout=5)
        for headers, why in (({}, "Login Required"), ({"Authorization": "Bearer guessed"}, "Invalid Credentials"),
                             ({"Authorization": f"Bearer {second.token}"}, "Invalid Credentials")):
            for path in ("/storage/v1/b/owners/o", "/download/storage/v1/b/owners/o/diary.txt?alt=media", "/wipe"):
                reply = httpx.get(f"{gcs.url}{path}", headers=headers, timeout=5)
                assert reply.status_code == 401 and why in reply.text, (path, headers)
        with pytest.raises(RefreshError):  # the 401 makes google-auth try to refresh a token it cannot refresh
            list(gcs_client(SimpleNamespace(url=gcs.url, token="guessed")).list_blobs("owners", timeout=5))
        assert [b.name for b in gcs_client(gcs).list_blobs("owners", timeout=5)] == ["diary.txt"]
        assert stat.S_IMODE(gcs.token_file.stat().st_mode) == 0o600


def test_azurite_refuses_its_published_key():
    azurite_or_skip()
    with azurite(name="test-azurite-owner") as blobs:
        assert blobs.key != PUBLISHED_AZURITE_KEY and blobs.key not in command_lines()
        azure_client(blobs).create_container("owners").upload_blob("diary.txt", b"dear")
        published = SimpleNamespace(connection_string=blobs.connection_string.replace(blobs.key, PUBLISHED_AZURITE_KEY))
        with pytest.raises(HttpResponseError, match="AuthorizationFailure"):
            list(azure_client(published).get_container_client("owners").list_blobs())
        reply = httpx.get(f"{blobs.url}/owners?restype=container&comp=list", timeout=5)  # anonymous
        assert reply.status_code in (403, 404) and "<Code>" in reply.text and "diary.txt" not in reply.text
        assert stat.S_IMODE(blobs.connection_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("make", [moto_server, gcs_emulator])
def test_the_child_binds_the_port_itself_and_a_taken_one_is_a_clash_to_retry(make):
    with socket.create_server(("127.0.0.1", 0)) as taken, pytest.raises(ServiceError) as caught:
        make(name="test-port-taken", port=taken.getsockname()[1]).start()
    assert port_clash(caught.value)  # so retry_port_clash(start) would try again
    with make(name="test-port-any") as server:  # port 0: the child binds any free port and reports it
        assert server.port == 0 and server.address[1] != 0 and is_listening(server.address)
