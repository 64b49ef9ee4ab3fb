"""boto3 against the local AWS endpoint: a 5 MB S3 round trip, presigned URLs that expire, SQS as a work queue."""
import os
import socket
import time
from types import SimpleNamespace

import httpx
import pytest
from botocore.exceptions import BotoCoreError

from helpers.cloud import Done, fill, moto_server, s3_client, share_out, sqs_client
from helpers.cloud.moto_child import expires_at


@pytest.fixture(scope="module")
def aws():
    with moto_server(name="test-aws") as server:
        yield server


def test_a_5_mb_object_comes_back_byte_identical(aws):
    s3 = s3_client(aws)
    s3.create_bucket(Bucket="round-trip")
    data = os.urandom(5 * 1024 * 1024)
    s3.put_object(Bucket="round-trip", Key="big/blob.bin", Body=data)
    listed = s3.list_objects_v2(Bucket="round-trip", Prefix="big/")["Contents"]
    assert [(o["Key"], o["Size"]) for o in listed] == [("big/blob.bin", len(data))]
    assert s3.get_object(Bucket="round-trip", Key="big/blob.bin")["Body"].read() == data


def test_a_presigned_url_works_with_a_plain_client_then_expires(aws):
    s3 = s3_client(aws)
    s3.create_bucket(Bucket="shared")
    s3.put_object(Bucket="shared", Key="note.txt", Body=b"for your eyes, briefly")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "shared", "Key": "note.txt"}, ExpiresIn=3)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=3" in url
    fresh = httpx.get(url, timeout=5)  # good for 2 to 3 s: X-Amz-Date is the second it was signed in, rounded down
    assert (fresh.status_code, fresh.content) == (200, b"for your eyes, briefly")
    time.sleep(max(0.0, expires_at(url.split("?", 1)[1]) - time.time()) + 0.5)
    late = httpx.get(url, timeout=5)
    assert late.status_code == 403 and "Request has expired" in late.text


def test_the_expiry_rule_reads_both_signature_versions():
    assert expires_at("X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-Signature=x") == 1767225660.0
    assert expires_at("AWSAccessKeyId=a&Signature=s&Expires=1767225600") == 1767225600.0
    assert expires_at("list-type=2&prefix=a") is None  # not presigned: passed to moto untouched


def test_sqs_gives_each_message_once_to_one_of_two_consumers(aws):
    sqs = sqs_client(aws)
    queue = sqs.create_queue(QueueName="test-jobs")["QueueUrl"]
    jobs = [f"job {n}" for n in range(40)]
    assert fill(sqs, queue, jobs) == 40
    handled = share_out(sqs, queue, consumers=("a", "b"))
    every = handled["a"] + handled["b"]
    assert sorted(every) == sorted(jobs) and len(set(every)) == len(jobs)  # all of them, none twice
    assert set(handled["a"]).isdisjoint(handled["b"])
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages", []) == []  # all deleted


def test_a_message_delivered_again_is_deleted_but_not_handled_twice(aws):
    sqs = sqs_client(aws)
    queue = sqs.create_queue(QueueName="test-again")["QueueUrl"]
    fill(sqs, queue, ["fragile", "sturdy"])
    first = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0, WaitTimeSeconds=1)["Messages"][0]
    done = Done([first["MessageId"]])  # handled once already; its consumer died before deleting it
    handled = share_out(sqs, queue, consumers=("a", "b"), done=done)
    assert sorted(handled["a"] + handled["b"]) == sorted({"fragile", "sturdy"} - {first["Body"]})
    assert done.duplicates == 1
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0).get("Messages", []) == []  # deleted all the same


def test_the_client_reads_none_of_the_learners_aws_files(aws, tmp_path, monkeypatch):
    (tmp_path / "config").write_text("[default]\nregion = eu-west-9\nendpoint_url = http://192.0.2.1:9\n")
    (tmp_path / "credentials").write_text("[default]\naws_access_key_id = REAL\naws_secret_access_key = REAL\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    s3 = s3_client(aws)
    assert s3.meta.region_name == "us-east-1"
    assert s3._request_signer._credentials.access_key == aws.keys["aws_access_key_id"] != "REAL"
    assert "Buckets" in s3.list_buckets()


def test_a_silent_endpoint_times_out_in_one_error():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        endpoint = SimpleNamespace(url=f"http://127.0.0.1:{silent.getsockname()[1]}",
                                   keys={"aws_access_key_id": "AKIA", "aws_secret_access_key": "x"})
        s3 = s3_client(endpoint, timeout=0.5)
        start = time.monotonic()
        with pytest.raises(BotoCoreError, match="Read timeout"):
            s3.list_buckets()
    assert time.monotonic() - start < 5  # two attempts at 0.5 s, not botocore's default 60 s each


def test_stop_is_safe_twice_and_frees_the_port():
    server = moto_server(name="test-aws-twice").start()
    address = server.address
    server.stop()
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection(address, timeout=0.5).close()
