"""Two-account attacks on notebook 15's local clouds: a classmate tries the owner's buckets, objects and queues.

The names (bucket space-photos, object moon/crater.jpg, queue chocolates) are the notebook's, known to everyone
in the class; the classmate gets only the endpoint's URL.
"""
import httpx
from kit import Attack, Breach, refusal

from helpers.cloud.endpoints import AZURITE_MISSING, azurite_path

BUCKET, KEY, QUEUE, DATA = "space-photos", "moon/crater.jpg", "chocolates", b"a photo of the moon"
PUBLISHED_AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def facts_of(server):
    return {"host": server.address[0], "port": server.address[1], "url": server.url}


def http(method, path, ok_means, headers=None):
    """A classmate's plain HTTP request to the endpoint: a 2xx answer is a breach, anything else the refusal."""
    def attempt(facts):
        reply = httpx.request(method, f"{facts['url']}{path}", headers=headers or {}, timeout=10)
        if reply.is_success:
            raise Breach(f"{ok_means}: HTTP {reply.status_code} {reply.text[:120]!r}")
        return f"HTTP {reply.status_code}: {' '.join(reply.text.split())[:300]}"
    return attempt


def aws_owner(server):
    from helpers.cloud import s3_client, sqs_client
    s3 = s3_client(server)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=DATA)
    sqs = sqs_client(server)
    sqs.send_message(QueueUrl=sqs.create_queue(QueueName=QUEUE)["QueueUrl"], MessageBody="chocolate 1")
    aws_check(server, None)
    return facts_of(server), list(server.keys.values())


def aws_check(server, facts):
    from helpers.cloud import s3_client, sqs_client
    assert s3_client(server).get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == DATA
    sqs = sqs_client(server)
    assert sqs.get_queue_attributes(QueueUrl=sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"],
                                    AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]


def with_default_keys(act):
    """Use the course's own boto3 clients signed with moto's well-known test keys (testing / test)."""
    def attempt(facts):
        from types import SimpleNamespace

        from botocore.exceptions import ClientError

        from helpers.cloud import s3_client, sqs_client
        endpoint = SimpleNamespace(url=facts["url"], keys={"aws_access_key_id": "testing",
                                                           "aws_secret_access_key": "test"})
        try:
            result = act(s3_client(endpoint), sqs_client(endpoint))
        except ClientError as error:
            return refusal(error)
        raise Breach(f"the test keys were accepted: {str(result)[:120]}")
    return attempt


def gcs_owner(server):
    from helpers.cloud import gcs_client
    gcs_client(server).create_bucket(BUCKET, timeout=10).blob(KEY).upload_from_string(DATA, timeout=10)
    gcs_check(server, None)
    return facts_of(server), [server.token]


def gcs_check(server, facts):
    from helpers.cloud import gcs_client
    assert gcs_client(server).bucket(BUCKET).blob(KEY).download_as_bytes(timeout=10) == DATA


def azure_owner(server):
    from helpers.cloud import azure_client
    azure_client(server).create_container(BUCKET).upload_blob(KEY, DATA)
    azure_check(server, None)
    return facts_of(server), [server.key]


def azure_check(server, facts):
    from helpers.cloud import azure_client
    assert azure_client(server).get_container_client(BUCKET).download_blob(KEY).readall() == DATA


def with_published_key(act):
    """The azure-storage-blob client with Azurite's published development key (devstoreaccount1)."""
    def attempt(facts):
        from azure.core.exceptions import HttpResponseError
        from azure.storage.blob import BlobServiceClient
        conn = (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={PUBLISHED_AZURITE_KEY};"
                f"BlobEndpoint={facts['url']};")
        box = BlobServiceClient.from_connection_string(conn, connection_timeout=5, read_timeout=10)
        try:
            result = act(box.get_container_client(BUCKET))
        except HttpResponseError as error:
            return refusal(error)
        raise Breach(f"the published key was accepted: {str(result)[:120]}")
    return attempt


S3_DENIED = r"^HTTP 403: .*<Code>AccessDenied</Code>"
ADMIN_DENIED = r"^HTTP 403: .*<Code>AccessDenied</Code><Message>moto's admin routes"
GCS_401 = r"^HTTP 401: .*\"code\": 401, \"message\": \"{}"
ATTACKS = {
    "aws": Attack(owner=aws_owner, check_again=aws_check, tries=[
        ("list the owner's bucket unsigned", http("GET", f"/{BUCKET}", "listed the owner's bucket"), S3_DENIED),
        ("read the owner's object unsigned", http("GET", f"/{BUCKET}/{KEY}", "read the owner's photo"), S3_DENIED),
        ("plant an object unsigned", http("PUT", f"/{BUCKET}/planted.txt", "wrote into the owner's bucket"),
         S3_DENIED),
        ("list the owner's bucket signed with moto's test keys",
         with_default_keys(lambda s3, sqs: s3.list_objects_v2(Bucket=BUCKET)),
         r"^ClientError: .*\(InvalidAccessKeyId\).*Access Key Id you provided does not exist"),
        ("read the owner's object signed with moto's test keys",
         with_default_keys(lambda s3, sqs: s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()),
         r"^ClientError: .*\(InvalidAccessKeyId\)"),
        ("list the owner's SQS queues signed with moto's test keys", with_default_keys(lambda s3, sqs: sqs.list_queues()),
         r"^ClientError: .*\(InvalidClientTokenId\).*security token included in the request is invalid"),
        ("wipe everything: POST /moto-api/reset", http("POST", "/moto-api/reset", "reset the owner's endpoint"),
         ADMIN_DENIED),
        ("dump every bucket and queue: GET /moto-api/data.json",
         http("GET", "/moto-api/data.json", "dumped the owner's data"), ADMIN_DENIED),
        ("record the owner's requests: POST /moto-api/recorder/start-recording",
         http("POST", "/moto-api/recorder/start-recording", "started recording the owner's requests to a file"),
         ADMIN_DENIED),
    ]),
    "gcs": Attack(owner=gcs_owner, check_again=gcs_check, tries=[
        ("list the owner's buckets without a token", http("GET", "/storage/v1/b?project=data-in-space",
                                                          "listed the owner's buckets"), GCS_401.format("Login Required")),
        ("list the owner's bucket without a token", http("GET", f"/storage/v1/b/{BUCKET}/o", "listed the bucket"),
         GCS_401.format("Login Required")),
        ("read the owner's object with a made-up token",
         http("GET", f"/download/storage/v1/b/{BUCKET}/o/moon%2Fcrater.jpg?alt=media", "read the owner's photo",
              {"Authorization": "Bearer ya29.made-up"}), GCS_401.format("Invalid Credentials")),
        ("wipe the emulator: GET /wipe", http("GET", "/wipe", "wiped the owner's storage"),
         GCS_401.format("Login Required")),
    ]),
    "azurite": Attack(missing=lambda: "" if azurite_path() else AZURITE_MISSING, owner=azure_owner, check_again=azure_check, tries=[
        ("list the owner's container with the published devstoreaccount1 key",
         with_published_key(lambda box: [b.name for b in box.list_blobs()]),
         r"^HttpResponseError: Server failed to authenticate the request"),
        ("overwrite the owner's blob with the published key",
         with_published_key(lambda box: box.upload_blob(KEY, b"defaced", overwrite=True)),
         r"^HttpResponseError: Server failed to authenticate the request"),
        ("delete the owner's container with the published key", with_published_key(lambda box: box.delete_container()),
         r"^HttpResponseError: Server failed to authenticate the request"),
    ]),
}
